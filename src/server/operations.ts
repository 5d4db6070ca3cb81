/**
 * What an operator (or an orchestrator) asks of a running server: is it alive (/health, in http.ts), is
 * it ready to serve (/ready: the database answers, its migrations are applied, Redis answers when it is
 * configured), and is it stopping (then /ready says so, and new operations are refused while the ones
 * in flight finish).
 */
import { GraphQLError } from 'graphql';
import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { Database } from '../db/client.js';
import { APPLIED_MIGRATIONS_QUERY, migrationsFolder, pendingMigrations, readMigrations, type AppliedMigrationRow } from '../db/migrations.js';
import { createLogger, type Logger } from '../log.js';

export type CheckName = 'database' | 'migrations' | 'redis';

export interface CheckResult {
  status: 'ok' | 'failed';
  /** Why it failed, in a few words (the server's log has the details). */
  error?: string;
}

export interface Readiness {
  status: 'ready' | 'unavailable' | 'shutting down';
  checks: Partial<Record<CheckName, CheckResult>>;
}

const SILENT = createLogger({ level: 'silent', format: 'json' });

export const SHUTTING_DOWN_MESSAGE = 'the server is shutting down; send it again to another instance, or once this one is back';

class CheckTimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

/** Fails with CheckTimeoutError after `ms`; the check itself goes on, but nobody waits for it. */
function withinTime<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(ms)), ms);
  });
  return Promise.race([work(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * A short reason for the response body; the log gets the driver's own message. The body is public
 * (probes do not authenticate): it names what failed, not where the database lives.
 */
function reason(name: CheckName, error: unknown): string {
  if (error instanceof CheckTimeoutError) return error.message;
  const message = (error as Error)?.message ?? String(error);
  if (name === 'migrations') return message;
  if (name === 'redis') return message.startsWith('the ') ? message : 'Redis did not answer';
  return 'the database did not answer';
}

/**
 * The server's lifecycle as operations see it: the readiness checks, the operations in flight, and
 * whether it is shutting down.
 */
export class Operations {
  readonly #database: Database;
  readonly #redisCheck: (() => Promise<void>) | undefined;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #migrations: ReturnType<typeof readMigrations>;
  /** A check still running (a hung database): the next probe waits for it instead of starting another. */
  readonly #running = new Map<CheckName, Promise<CheckResult>>();
  /** Each check's last outcome (its error, or "ok"). */
  readonly #last = new Map<CheckName, string>();
  #shuttingDown = false;
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(options: { database: Database; redisCheck?: () => Promise<void>; timeoutMs: number; log: Logger }) {
    this.#database = options.database;
    this.#redisCheck = options.redisCheck;
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.log.child({ component: 'readiness' });
    this.#migrations = readMigrations(migrationsFolder(options.database.provider));
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Queries and mutations executing now (over HTTP and WebSocket). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** From now on /ready answers 503 and new operations are refused. */
  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  /** Resolves once no query or mutation executes. */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async readiness(): Promise<Readiness> {
    if (this.#shuttingDown) return { status: 'shutting down', checks: {} };
    const checks: [CheckName, () => Promise<void>][] = [
      ['database', () => this.#checkDatabase()],
      ['migrations', () => this.#checkMigrations()],
    ];
    if (this.#redisCheck) checks.push(['redis', this.#redisCheck]);
    const results = await Promise.all(checks.map(([name, check]) => this.#run(name, check)));
    const entries = checks.map(([name], index) => [name, results[index]!] as const);
    return {
      status: results.every((result) => result.status === 'ok') ? 'ready' : 'unavailable',
      checks: Object.fromEntries(entries),
    };
  }

  /** A `SELECT 1` through the store the API uses. */
  async #checkDatabase(): Promise<void> {
    await this.#database.prisma.$queryRaw`SELECT 1`;
  }

  /** Every migration this build ships is recorded as applied in the database. */
  async #checkMigrations(): Promise<void> {
    let applied: AppliedMigrationRow[];
    try {
      applied = await this.#database.prisma.$queryRawUnsafe<AppliedMigrationRow[]>(APPLIED_MIGRATIONS_QUERY);
    } catch (error) {
      throw new Error('cannot read the applied migrations', { cause: error });
    }
    // Changed checksums were warned about at start; each probe need not say it again.
    const pending = pendingMigrations(this.#migrations, applied, SILENT);
    if (pending.length > 0) {
      throw new Error(`${pending.length} not applied: ${pending.map((migration) => migration.name).join(', ')}`);
    }
  }

  #run(name: CheckName, check: () => Promise<void>): Promise<CheckResult> {
    const running = this.#running.get(name);
    if (running) return running;
    let detail = 'ok';
    const result = withinTime(this.#timeoutMs, check).then(
      (): CheckResult => ({ status: 'ok' }),
      (error: unknown): CheckResult => {
        const cause = (error as Error)?.cause as Error | undefined;
        detail = [(error as Error)?.message ?? String(error), cause?.message].filter(Boolean).join(': ');
        return { status: 'failed', error: reason(name, error) };
      },
    );
    this.#running.set(name, result);
    void result.then((outcome) => {
      // The check is over (or timed out): the next probe runs it afresh.
      if (this.#running.get(name) === result) this.#running.delete(name);
      // Logged when a check's outcome changes, not at every probe.
      if (this.#last.get(name) === detail) return;
      this.#last.set(name, detail);
      if (outcome.status === 'ok') this.#log.info('readiness check ok', { check: name });
      else this.#log.warn('readiness check failed', { check: name, reason: outcome.error, error: detail });
    });
    return result;
  }

  /** The Yoga plugins: GET /ready, and in-flight operations counted (and refused once shutting down). */
  plugins(): Plugin[] {
    return [
      useReadinessCheck({
        endpoint: '/ready',
        check: async ({ fetchAPI }) => {
          const readiness = await this.readiness();
          return new fetchAPI.Response(JSON.stringify(readiness), {
            status: readiness.status === 'ready' ? 200 : 503,
            headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
          });
        },
      }),
      {
        onExecute: ({ setResultAndStopExecution }) => {
          if (this.#shuttingDown) {
            setResultAndStopExecution({
              errors: [new GraphQLError(SHUTTING_DOWN_MESSAGE, { extensions: { code: 'SERVER_SHUTTING_DOWN' } })],
            });
            return;
          }
          this.#inFlight += 1;
          let done = false;
          return {
            onExecuteDone: () => {
              if (done) return;
              done = true;
              this.#inFlight -= 1;
              if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
            },
          };
        },
      },
    ];
  }
}
