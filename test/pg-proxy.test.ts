/**
 * The PostgreSQL fault proxy on its own, with plain `pg` clients and a raw protocol client: what each
 * fault does to a transaction, and that the proxy finds the COMMIT however the bytes are cut up.
 */
import net from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { POSTGRES_URL, freshDatabase, rawPostgres, type TestDatabase } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { eventually } from './support/faults.js';
import { startPgProxy, type PgProxy } from './support/pg-proxy.js';

/** A test schema with one table, and a direct connection to look into it past the proxy. */
async function scratchTable() {
  const database = freshDatabase('postgresql');
  const setup = new pg.Client({ connectionString: POSTGRES_URL });
  await setup.connect();
  await setup.query(`CREATE SCHEMA "${database.schema}"`);
  await setup.end();
  const direct = await rawPostgres(database);
  await direct.query('CREATE TABLE item (name text PRIMARY KEY)');
  const names = async () => (await direct.query<{ name: string }>('SELECT name FROM item ORDER BY name')).rows.map((row) => row.name);
  return { database, direct, names };
}

/** A pg client through the proxy, into the test schema (`pg` does not know `?schema=`: the server makes it the search_path). */
async function clientThrough(proxy: PgProxy, database: TestDatabase): Promise<pg.Client> {
  const url = new URL(proxy.url(database));
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path="${schema}"` });
  // A cut connection emits 'error' on the client as well as failing the query in flight.
  client.on('error', () => {});
  await client.connect();
  onCleanup(() => client.end().catch(() => {}));
  return client;
}

describe('pg proxy', () => {
  it('forwards ordinary traffic unchanged', async () => {
    const { database, names } = await scratchTable();
    const proxy = await startPgProxy();
    const client = await clientThrough(proxy, database);
    await client.query('BEGIN');
    await client.query('INSERT INTO item VALUES ($1), ($2)', ['a', 'b']);
    await client.query('COMMIT');
    expect((await client.query('SELECT count(*)::int AS n FROM item')).rows).toEqual([{ n: 2 }]);
    expect(await names()).toEqual(['a', 'b']);
    expect(proxy.url(database)).toMatch(new RegExp(`^postgresql://postgres@127\\.0\\.0\\.1:${proxy.port}/test\\?schema=${database.schema}$`));
  });

  it('loseNextCommitReply: the client gets an error, yet the transaction committed', async () => {
    const { database, names } = await scratchTable();
    const proxy = await startPgProxy();
    const client = await clientThrough(proxy, database);
    await client.query('BEGIN');
    await client.query("INSERT INTO item VALUES ('kept')");
    // Statements before the COMMIT are untouched by the armed fault.
    await client.query("INSERT INTO item VALUES ('also kept')");
    const fault = proxy.loseNextCommitReply();

    await expect(client.query('COMMIT')).rejects.toThrow(/terminated|closed|ECONNRESET/i);
    expect(await fault).toMatchObject({ swallowedReply: 'COMMIT', backendPid: expect.any(Number) });
    expect(await names()).toEqual(['also kept', 'kept']);
    // Only that one COMMIT: the next connection commits normally.
    const next = await clientThrough(proxy, database);
    await next.query('BEGIN');
    await next.query("INSERT INTO item VALUES ('later')");
    await next.query('COMMIT');
    expect(await names()).toEqual(['also kept', 'kept', 'later']);
  });

  it('dropNextCommit: the client gets an error and the transaction was rolled back', async () => {
    const { database, direct, names } = await scratchTable();
    const proxy = await startPgProxy();
    const client = await clientThrough(proxy, database);
    await client.query('BEGIN');
    await client.query("INSERT INTO item VALUES ('lost')");
    const fault = proxy.dropNextCommit();

    await expect(client.query('COMMIT')).rejects.toThrow(/terminated|closed|ECONNRESET/i);
    const { backendPid } = await fault;
    // Resolved only once the backend has gone, so its rollback is over and nothing waits on its locks.
    expect((await direct.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backendPid])).rows).toEqual([]);
    expect(await names()).toEqual([]);
    await direct.query("INSERT INTO item VALUES ('lost')");
  });

  it('goDown cuts open connections and refuses new ones; comeUp restores them', async () => {
    const { database, names } = await scratchTable();
    const proxy = await startPgProxy();
    const open = await clientThrough(proxy, database);
    await open.query('BEGIN');
    await open.query("INSERT INTO item VALUES ('in flight')");

    await proxy.goDown();
    expect(proxy.isDown).toBe(true);
    await expect(open.query('COMMIT')).rejects.toThrow();
    await expect(clientThrough(proxy, database)).rejects.toThrow(/terminated|closed|ECONNRESET/i);
    expect(await names()).toEqual([]);

    proxy.comeUp();
    const again = await clientThrough(proxy, database);
    await again.query("INSERT INTO item VALUES ('back')");
    expect(await names()).toEqual(['back']);
  });

  it('loseNextCommitReply thenGoDown: the reply is lost and the database is unreachable at once', async () => {
    const { database, names } = await scratchTable();
    const proxy = await startPgProxy();
    const writer = await clientThrough(proxy, database);
    const bystander = await clientThrough(proxy, database);
    await writer.query('BEGIN');
    await writer.query("INSERT INTO item VALUES ('committed')");
    const fault = proxy.loseNextCommitReply({ thenGoDown: true });

    await expect(writer.query('COMMIT')).rejects.toThrow();
    expect((await fault).swallowedReply).toBe('COMMIT');
    expect(proxy.isDown).toBe(true);
    // Even a connection that had nothing to do with the commit is gone: nobody can ask what happened.
    await expect(bystander.query('SELECT 1')).rejects.toThrow();
    await expect(clientThrough(proxy, database)).rejects.toThrow();
    expect(await names()).toEqual(['committed']);
    proxy.comeUp();
    expect((await (await clientThrough(proxy, database)).query('SELECT name FROM item')).rows).toEqual([{ name: 'committed' }]);
  });

  it('finds the COMMIT when the client asks for SSL first and sends every byte in its own write', async () => {
    const { database, names } = await scratchTable();
    const proxy = await startPgProxy();
    const raw = await RawProtocolClient.connect(proxy);
    expect(await raw.sslRequest()).toBe('N');
    await raw.startup({ user: new URL(POSTGRES_URL).username, database: new URL(POSTGRES_URL).pathname.slice(1) });
    expect(await raw.query(`SET search_path = "${database.schema}"`)).toContain('C');
    expect(await raw.query('BEGIN')).toContain('C');
    expect(await raw.query("INSERT INTO item VALUES ('split')", { byteByByte: true })).toContain('C');
    const fault = proxy.loseNextCommitReply();
    await raw.send(queryMessage('COMMIT'), { byteByByte: true });

    expect((await fault).swallowedReply).toBe('COMMIT');
    await raw.closed;
    // No byte of the reply reached the client: not even CommandComplete.
    expect(raw.unreadBytes).toBe(0);
    expect(await names()).toEqual(['split']);
  });
});

function queryMessage(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const header = Buffer.alloc(5);
  header.write('Q', 0);
  header.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([header, text]);
}

/** Just enough of a protocol client to control how bytes are written: startup, simple queries. */
class RawProtocolClient {
  /** Types of the messages received since the last query was sent. */
  received: string[] = [];
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #wakeup: (() => void) | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly proxy: PgProxy,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wakeup?.();
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('close', () => this.#wakeup?.());
    socket.on('error', () => {});
    onCleanup(() => socket.destroy());
  }

  static async connect(proxy: PgProxy): Promise<RawProtocolClient> {
    const socket = net.connect(proxy.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawProtocolClient(socket, proxy);
  }

  /** Bytes received and not read as a message yet. */
  get unreadBytes(): number {
    return this.#buffer.length;
  }

  async sslRequest(): Promise<string> {
    const request = Buffer.alloc(8);
    request.writeInt32BE(8, 0);
    request.writeInt32BE(80877103, 4);
    await this.send(request);
    await this.#until(() => this.#buffer.length >= 1);
    const answer = this.#buffer.toString('latin1', 0, 1);
    this.#buffer = this.#buffer.subarray(1);
    return answer;
  }

  async startup(parameters: Record<string, string>): Promise<void> {
    const pairs = Buffer.from(`${Object.entries(parameters).map(([key, value]) => `${key}\0${value}\0`).join('')}\0`);
    const header = Buffer.alloc(8);
    header.writeInt32BE(8 + pairs.length, 0);
    header.writeInt32BE(196608, 4);
    await this.send(Buffer.concat([header, pairs]));
    await this.#readUntilReady();
  }

  /** Sends one simple query; returns the types of the messages that answered it. */
  async query(sql: string, options: { byteByByte?: boolean } = {}): Promise<string[]> {
    await this.send(queryMessage(sql), options);
    return this.#readUntilReady();
  }

  async send(bytes: Buffer, options: { byteByByte?: boolean } = {}): Promise<void> {
    this.received = [];
    const pieces = options.byteByByte ? [...bytes].map((byte) => Buffer.from([byte])) : [bytes];
    for (const piece of pieces) {
      const before = this.proxy.clientBytesReceived;
      this.socket.write(piece);
      // The next piece leaves only once the proxy has read this one, so it sees the message in many chunks
      // (written back to back, they would arrive as one).
      await eventually(async () => (this.proxy.clientBytesReceived > before ? true : undefined), 'the proxy to read a piece');
    }
  }

  async #readUntilReady(): Promise<string[]> {
    for (;;) {
      await this.#until(() => this.#buffer.length >= 5 && this.#buffer.length >= 1 + this.#buffer.readInt32BE(1));
      const type = this.#buffer.toString('latin1', 0, 1);
      if (type === 'E') throw new Error(`the server answered an error: ${this.#buffer.toString('utf8', 5, 1 + this.#buffer.readInt32BE(1))}`);
      this.#buffer = this.#buffer.subarray(1 + this.#buffer.readInt32BE(1));
      this.received.push(type);
      if (type === 'Z') return this.received;
    }
  }

  async #until(check: () => boolean): Promise<void> {
    while (!check()) {
      if (this.socket.destroyed) throw new Error('the connection closed');
      await new Promise<void>((resolve) => (this.#wakeup = resolve));
    }
  }
}
