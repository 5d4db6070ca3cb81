/**
 * A TCP proxy between a server under test and PostgreSQL that can lose a COMMIT's reply, drop a COMMIT
 * before it reaches the database, or make the database unreachable. It reads just enough of the wire
 * protocol (v3) to see where each message starts, so the fault lands on the COMMIT itself rather than on
 * whatever TCP chunk happens to carry it: that is the only way to reproduce "the commit succeeded but
 * its answer never arrived" deterministically.
 *
 * How COMMIT travels: Prisma's transaction manager sends `executeRaw({ sql: "COMMIT", args: [] })`;
 * @prisma/adapter-pg passes it to `pg`'s `client.query({ text, values: [] })` with no statement name,
 * and `pg` uses the simple protocol when there is no name and no value, so it is one Query message
 * ('Q', "COMMIT\0"). The extended form (Parse "COMMIT" … Sync) is recognised too, so that a change of
 * driver options (say, a statement name generator) does not silently disarm the proxy.
 */
import net from 'node:net';
import pg from 'pg';
import { POSTGRES_URL, type TestDatabase } from './databases.js';
import { onCleanup } from './dispose.js';
import { eventually } from './faults.js';

/** What happened to the COMMIT a fault caught. */
export interface CommitFault {
  /** The PostgreSQL backend that ran the transaction (gone by the time the promise resolves). */
  backendPid: number | undefined;
  /**
   * loseNextCommitReply: what the database answered and the client never saw ("COMMIT" when it committed,
   * "ROLLBACK" for a COMMIT of a failed transaction, "error" for an ErrorResponse). dropNextCommit: null.
   */
  swallowedReply: 'COMMIT' | 'ROLLBACK' | 'error' | null;
}

export interface PgProxy {
  port: number;
  /** DATABASE_URL through the proxy, into the same schema as `database.url`. */
  url(database: TestDatabase): string;
  /**
   * The next COMMIT (from any connection) goes through; the database's reply to it is held back and,
   * once complete, that connection's two sockets are destroyed without forwarding it. Resolves when it
   * has happened and the backend has gone. With `thenGoDown`, the proxy goes down at that same moment,
   * so the client cannot reach the database to ask what became of its commit.
   */
  loseNextCommitReply(options?: { thenGoDown?: boolean }): Promise<CommitFault>;
  /**
   * The next COMMIT is not forwarded: that connection's sockets are destroyed at once. The backend sees
   * its client go mid-transaction and rolls back; resolves once that backend has gone, so whatever reads
   * the database afterwards sees the rollback done. With `thenGoDown`, the proxy goes down at that same
   * moment (the client cannot ask whether its commit happened, and it did not).
   */
  dropNextCommit(options?: { thenGoDown?: boolean }): Promise<CommitFault>;
  /** Cuts every connection and refuses new ones (accepted, then destroyed) until `comeUp`. */
  goDown(): Promise<void>;
  comeUp(): void;
  readonly isDown: boolean;
  /** Connections currently forwarded. */
  readonly openConnections: number;
  /** Bytes read from clients so far (lets a test wait until a piece it wrote has arrived). */
  readonly clientBytesReceived: number;
  close(): Promise<void>;
}

type FaultKind = 'lose' | 'drop';

interface Arm {
  kind: FaultKind;
  thenGoDown: boolean;
  resolve(fault: CommitFault): void;
  reject(error: Error): void;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** COMMIT and its synonyms, as a client would send them in a Query or Parse message. */
export function isCommitStatement(sql: string): boolean {
  return /^\s*(COMMIT|END)(\s+(WORK|TRANSACTION))?(\s+AND\s+NO\s+CHAIN)?\s*;?\s*$/i.test(sql);
}

/** Splits a byte stream into whole protocol messages, keeping a partial one until the rest arrives. */
class MessageReader {
  #pending: Buffer = Buffer.alloc(0);

  constructor(
    /** Before the startup packet, messages have no type byte (int32 length, then the body). */
    public untyped: boolean,
  ) {}

  /**
   * Feeds a chunk; returns the complete messages it finished, whole (type byte and length included),
   * each marked when it was an untyped startup-phase packet.
   */
  push(chunk: Buffer): { bytes: Buffer; untyped: boolean }[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const messages: { bytes: Buffer; untyped: boolean }[] = [];
    for (;;) {
      const untyped = this.untyped;
      const header = untyped ? 4 : 5;
      if (this.#pending.length < header) break;
      const total = (untyped ? 0 : 1) + this.#pending.readInt32BE(header - 4);
      if (this.#pending.length < total) break;
      messages.push({ bytes: this.#pending.subarray(0, total), untyped });
      this.#pending = this.#pending.subarray(total);
      // Only the startup packet is untyped; the caller sets `untyped` again after answering an SSLRequest
      // (the client waits for that answer, so nothing else can be in this chunk).
      this.untyped = false;
    }
    return messages;
  }
}

/** Reads a NUL-terminated string at `offset` of a message body. */
function cString(buffer: Buffer, offset: number): { value: string; next: number } {
  const end = buffer.indexOf(0, offset);
  const stop = end === -1 ? buffer.length : end;
  return { value: buffer.toString('utf8', offset, stop), next: stop + 1 };
}

/** One reply the client waits for: each Query ('Q') and each Sync ('S') ends with one ReadyForQuery. */
interface Exchange {
  /** Set when this is a COMMIT whose reply is to be swallowed. */
  lose?: Arm;
}

class ProxiedConnection {
  backendPid: number | undefined;
  #closed = false;
  readonly #fromClient = new MessageReader(true);
  readonly #fromServer = new MessageReader(false);
  readonly #exchanges: Exchange[] = [];
  /** A Parse of COMMIT was seen; the next Sync's reply is the commit's. */
  #extendedCommit: Arm | 'plain' | undefined;
  /** What the backend answered to the COMMIT whose reply is being swallowed. */
  #swallowed: CommitFault['swallowedReply'] = null;

  constructor(
    readonly client: net.Socket,
    readonly upstream: net.Socket,
    private readonly proxy: PgProxyServer,
  ) {
    client.on('data', (chunk: Buffer) => this.#onClientData(chunk));
    upstream.on('data', (chunk: Buffer) => this.#onServerData(chunk));
    // A clean end on one side is passed on; an error or close tears the whole connection down.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.cut());
      socket.on('close', () => this.cut());
    }
  }

  /** Destroys both sockets without forwarding anything more. */
  cut(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.client.destroy();
    this.upstream.destroy();
    this.proxy.forget(this);
  }

  #forward(target: net.Socket, source: net.Socket, message: Buffer): void {
    if (this.#closed) return;
    if (!target.write(message) && !source.isPaused()) {
      // Backpressure: stop reading the sender until the receiver has taken what it was given.
      source.pause();
      target.once('drain', () => source.resume());
    }
  }

  #onClientData(chunk: Buffer): void {
    this.proxy.clientBytesReceived += chunk.length;
    for (const { bytes: message, untyped } of this.#fromClient.push(chunk)) {
      if (this.#closed) return;
      if (untyped) {
        this.#startup(message);
        continue;
      }
      const type = String.fromCharCode(message[0]!);
      const body = message.subarray(5);
      if (type === 'Q') {
        const isCommit = isCommitStatement(cString(body, 0).value);
        const arm = isCommit ? this.proxy.claimArm() : undefined;
        if (arm?.kind === 'drop') return this.#drop(arm);
        this.#exchanges.push({ lose: arm });
      } else if (type === 'P') {
        const name = cString(body, 0);
        if (isCommitStatement(cString(body, name.next).value)) {
          const arm = this.proxy.claimArm();
          if (arm?.kind === 'drop') return this.#drop(arm);
          this.#extendedCommit = arm ?? 'plain';
        }
      } else if (type === 'S') {
        const commit = this.#extendedCommit;
        this.#extendedCommit = undefined;
        this.#exchanges.push({ lose: commit === 'plain' ? undefined : commit });
      }
      this.#forward(this.upstream, this.client, message);
    }
  }

  /**
   * The untyped startup packet. SSL and GSS encryption requests are answered 'N' here, as a server
   * without them would, so the session stays plain and readable; the client then sends its real startup
   * packet, untyped too. A startup or cancel request goes to the server as it is.
   */
  #startup(message: Buffer): void {
    const code = message.length >= 8 ? message.readInt32BE(4) : 0;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.#fromClient.untyped = true;
      this.client.write('N');
      return;
    }
    this.#forward(this.upstream, this.client, message);
  }

  #onServerData(chunk: Buffer): void {
    for (const { bytes: message } of this.#fromServer.push(chunk)) {
      if (this.#closed) return;
      const type = String.fromCharCode(message[0]!);
      const body = message.subarray(5);
      if (type === 'K') this.backendPid = body.readInt32BE(0);
      const head = this.#exchanges[0];
      if (head?.lose) {
        // Every message until ReadyForQuery answers the COMMIT: none of it reaches the client.
        if (type === 'C') this.#swallowed = cString(body, 0).value === 'COMMIT' ? 'COMMIT' : 'ROLLBACK';
        if (type === 'E') this.#swallowed = 'error';
        if (type === 'Z') {
          this.#exchanges.shift();
          this.#lose(head.lose);
          return;
        }
        continue;
      }
      if (type === 'Z') this.#exchanges.shift();
      this.#forward(this.client, this.upstream, message);
    }
  }

  #drop(arm: Arm): void {
    this.cut();
    this.proxy.settle(arm, { backendPid: this.backendPid, swallowedReply: null });
  }

  #lose(arm: Arm): void {
    // The reply is complete here, so the commit has finished on the backend whichever way it went.
    this.cut();
    this.proxy.settle(arm, { backendPid: this.backendPid, swallowedReply: this.#swallowed });
  }
}

class PgProxyServer implements PgProxy {
  down = false;
  clientBytesReceived = 0;
  readonly #connections = new Set<ProxiedConnection>();
  readonly #arms: Arm[] = [];
  readonly #server: net.Server;
  readonly #upstream: { host: string; port: number };
  #admin: Promise<pg.Client> | undefined;
  #closed = false;
  port = 0;

  constructor() {
    const target = new URL(POSTGRES_URL);
    this.#upstream = { host: target.hostname || '127.0.0.1', port: Number(target.port || 5432) };
    this.#server = net.createServer((client) => this.#accept(client));
  }

  get isDown(): boolean {
    return this.down;
  }

  get openConnections(): number {
    return this.#connections.size;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  url(database: TestDatabase): string {
    const url = new URL(POSTGRES_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    if (database.schema) url.searchParams.set('schema', database.schema);
    return url.toString();
  }

  loseNextCommitReply(options: { thenGoDown?: boolean } = {}): Promise<CommitFault> {
    return this.#arm('lose', options.thenGoDown ?? false);
  }

  dropNextCommit(options: { thenGoDown?: boolean } = {}): Promise<CommitFault> {
    return this.#arm('drop', options.thenGoDown ?? false);
  }

  async goDown(): Promise<void> {
    this.down = true;
    await this.#backendsGone(this.cutAll());
  }

  comeUp(): void {
    this.down = false;
  }

  /** The oldest armed fault, taken by the COMMIT that will suffer it. */
  claimArm(): Arm | undefined {
    return this.#arms.shift();
  }

  /** Cuts every connection; returns the backends they had. */
  cutAll(): (number | undefined)[] {
    const pids = [...this.#connections].map((connection) => connection.backendPid);
    for (const connection of [...this.#connections]) connection.cut();
    return pids;
  }

  forget(connection: ProxiedConnection): void {
    this.#connections.delete(connection);
  }

  /**
   * Called right after the fault cut its connection, in the same tick as the reply's arrival (so with
   * `thenGoDown` no client can slip a connection in between). Resolves the armed fault once the backends
   * it cut have really ended, so their transactions are over, committed or rolled back.
   */
  settle(arm: Arm, fault: CommitFault): void {
    if (arm.thenGoDown) this.down = true;
    const cut = [fault.backendPid, ...(arm.thenGoDown ? this.cutAll() : [])];
    this.#backendsGone(cut).then(
      () => arm.resolve(fault),
      (error: Error) => arm.reject(error),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const arm of this.#arms.splice(0)) arm.reject(new Error('the proxy closed before any COMMIT came'));
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    if (this.#admin) await (await this.#admin).end().catch(() => {});
  }

  #arm(kind: FaultKind, thenGoDown: boolean): Promise<CommitFault> {
    let arm!: Arm;
    const promise = new Promise<CommitFault>((resolve, reject) => (arm = { kind, thenGoDown, resolve, reject }));
    // A test may arm without awaiting (the fault is checked another way); a proxy closed with the arm
    // unused must not then surface as an unhandled rejection. Awaiting callers still see it.
    promise.catch(() => {});
    this.#arms.push(arm);
    return promise;
  }

  #accept(client: net.Socket): void {
    if (this.down || this.#closed) {
      client.on('error', () => {});
      client.destroy();
      return;
    }
    const upstream = net.connect(this.#upstream.port, this.#upstream.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.#connections.add(new ProxiedConnection(client, upstream, this));
  }

  /**
   * Waits until PostgreSQL no longer lists the backends, asking it directly (not through the proxy, which
   * may be down). A backend whose client went mid-transaction rolls back before it exits.
   */
  async #backendsGone(pids: (number | undefined)[]): Promise<void> {
    const known = pids.filter((pid): pid is number => pid !== undefined);
    if (known.length === 0) return;
    this.#admin ??= (async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      admin.on('error', () => {});
      await admin.connect();
      return admin;
    })();
    const admin = await this.#admin;
    await eventually(async () => {
      const { rows } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])', [known]);
      return rows.length === 0 ? true : undefined;
    }, `backends ${known.join(', ')} to end`);
  }
}

/** A proxy on 127.0.0.1, port 0, in front of the test PostgreSQL; closed with the test (or file). */
export async function startPgProxy(): Promise<PgProxy> {
  const proxy = new PgProxyServer();
  await proxy.listen();
  onCleanup(() => proxy.close());
  return proxy;
}
