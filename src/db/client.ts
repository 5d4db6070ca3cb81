/**
 * Opens the store: applies pending migrations, then returns one Prisma client for the database.
 * SQLite gets exactly one client per file (two clients on one file stall each other, see DESIGN.md).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { PrismaClient } from '../generated/sqlite/client.js';
import { PrismaClient as PostgresPrismaClient } from '../generated/postgresql/client.js';
import type { Logger } from '../log.js';
import { migratePostgres, migrateSqlite, migrationsFolder, readMigrations } from './migrate.js';
import { providerOfUrl, redactUrl, type DatabaseProvider } from './providers.js';
import { instrumentedAdapter, type StatementCounter } from './instrumented-adapter.js';

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

/** `file:./data/x.db` → an absolute path, relative paths taken from the working directory. */
export function sqlitePathOfUrl(url: string): string {
  const withoutScheme = url.replace(/^file:/, '').replace(/\?.*$/, '');
  return path.resolve(withoutScheme);
}

/**
 * Splits Prisma's `?schema=name` convention off a PostgreSQL URL: the pg driver does not know it, so
 * it becomes the connections' search_path (and the schema is created when missing).
 */
export function postgresConnection(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`the schema "${schema}" in DATABASE_URL must be letters, digits and _ (at most 63)`);
  }
  return { connectionString: parsed.toString(), schema };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const provider = providerOfUrl(options.url);
  const log = options.log.child({ component: 'db' });
  const displayUrl = redactUrl(options.url);
  log.info('opening database', { provider, url: displayUrl });
  const migrations = readMigrations(migrationsFolder(provider));
  const statements: StatementCounter = { count: 0 };

  if (provider === 'sqlite') {
    const file = sqlitePathOfUrl(options.url);
    mkdirSync(path.dirname(file), { recursive: true });
    const raw = new BetterSqlite3(file);
    try {
      // WAL lets readers run beside the writer and is a property of the file, so set it once here.
      raw.pragma('journal_mode = WAL');
      const applied = migrateSqlite(raw, migrations, log);
      log.info('database schema up to date', { applied: applied.length, total: migrations.length });
    } finally {
      raw.close();
    }
    const adapter = instrumentedAdapter(
      new PrismaBetterSqlite3({ url: file, timeout: options.sqliteBusyTimeoutMs ?? 2000 }),
      { counter: statements, serialise: true },
    );
    const prisma = new PrismaClient({ adapter });
    // Per-connection settings; the adapter keeps a single connection, so they hold for its lifetime.
    // In WAL mode synchronous=NORMAL stays durable across a crash of the process and corrupts nothing on
    // power loss; it only may lose the last commits then, and makes each commit several times cheaper.
    await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
    await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
    return { provider, prisma, displayUrl, statements, close: () => prisma.$disconnect() };
  }

  const { connectionString, schema } = postgresConnection(options.url);
  const searchPath = schema ? `-c search_path="${schema}"` : '';
  const migrationClient = new pg.Client({ connectionString, options: searchPath || undefined });
  await migrationClient.connect();
  try {
    if (schema) await migrationClient.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await migratePostgres(migrationClient, migrations, log);
    log.info('database schema up to date', { applied: applied.length, total: migrations.length });
  } finally {
    await migrationClient.end();
  }
  const timeout = options.statementTimeoutMs ?? 5000;
  const pgOptions = `${searchPath} -c lock_timeout=${timeout} -c statement_timeout=${timeout}`.trim();
  const adapter = instrumentedAdapter(
    new PrismaPg({ connectionString, options: pgOptions, max: options.postgresPoolSize ?? 10 }, schema ? { schema } : undefined),
    { counter: statements, serialise: false },
  );
  const prisma = new PostgresPrismaClient({ adapter }) as unknown as Store;
  return { provider, prisma, displayUrl, statements, close: () => prisma.$disconnect() };
}
