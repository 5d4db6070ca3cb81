/**
 * Opens the store: applies pending migrations, then returns one Prisma client for the database.
 *
 * SQLite gets exactly one client per file. better-sqlite3 waits for another connection's write lock
 * synchronously, so a second Prisma client on the same file would block the whole event loop for the
 * busy timeout, and then fail with P1008 anyway; with one client, its connection gate orders the work.
 */
import type { PrismaClient } from '../generated/sqlite/client.js';
import type { Logger } from '../log.js';
import type { StatementCounter } from './instrumented-adapter.js';
import { migrationsFolder, readMigrations } from './migrations.js';
import { openPostgres } from './postgres.js';
import { providerOfUrl, redactUrl, type DatabaseProvider } from './providers.js';
import { openSqlite } from './sqlite.js';

/**
 * The client type the services use. Both generated clients come from the same models, so they have the
 * same model API; the SQLite one is named as the type, and the PostgreSQL one is used through it.
 */
export type Store = PrismaClient;

export interface Database {
  provider: DatabaseProvider;
  prisma: Store;
  /** The URL with any password hidden, for logs. */
  displayUrl: string;
  /** Statements sent so far (the benchmark and the N+1 tests read it). */
  statements: Readonly<StatementCounter>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  postgresPoolSize?: number;
  sqliteBusyTimeoutMs?: number;
  /**
   * PostgreSQL: the longest one statement may wait or run. Prisma's transaction timeout cannot interrupt
   * a statement blocked on another connection's row lock, so without this bound the request would
   * wait as long as the lock is held.
   */
  statementTimeoutMs?: number;
  log: Logger;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const provider = providerOfUrl(options.url);
  const log = options.log.child({ component: 'db' });
  const displayUrl = redactUrl(options.url);
  log.info('opening database', { provider, url: displayUrl });
  const migrations = readMigrations(migrationsFolder(provider));
  const statements: StatementCounter = { count: 0 };

  const prisma: Store =
    provider === 'sqlite'
      ? await openSqlite({
          url: options.url,
          busyTimeoutMs: options.sqliteBusyTimeoutMs ?? 2000,
          migrations,
          statements,
          log,
        })
      : ((await openPostgres({
          url: options.url,
          poolSize: options.postgresPoolSize ?? 10,
          statementTimeoutMs: options.statementTimeoutMs ?? 5000,
          migrations,
          statements,
          log,
        })) as unknown as Store);
  return { provider, prisma, displayUrl, statements, close: () => prisma.$disconnect() };
}
