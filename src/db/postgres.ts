/**
 * The PostgreSQL store: applies pending migrations on a connection of its own (several instances may
 * start at once), then hands out a Prisma client over a pool whose connections bound lock waits and
 * statements.
 */
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/postgresql/client.js';
import type { Logger } from '../log.js';
import { instrumentedAdapter, type StatementCounter } from './instrumented-adapter.js';
import { APPLIED_MIGRATIONS_QUERY, pendingMigrations, type AppliedMigrationRow, type Migration } from './migrations.js';

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

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /**
   * The longest one statement may wait for a lock or run. Prisma's transaction timeout cannot interrupt
   * a statement blocked on another connection's row lock, so without this bound the request would wait
   * as long as the lock is held.
   */
  statementTimeoutMs: number;
  migrations: Migration[];
  statements: StatementCounter;
  log: Logger;
}

export async function openPostgres(options: PostgresOptions): Promise<PrismaClient> {
  const { log, migrations } = options;
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
  const timeout = options.statementTimeoutMs;
  const pgOptions = `${searchPath} -c lock_timeout=${timeout} -c statement_timeout=${timeout}`.trim();
  const adapter = instrumentedAdapter(
    new PrismaPg({ connectionString, options: pgOptions, max: options.poolSize }, schema ? { schema } : undefined),
    { counter: options.statements, serialise: false },
  );
  return new PrismaClient({ adapter });
}

const POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** An arbitrary constant naming the advisory lock that serialises migrating instances. */
const MIGRATION_LOCK_KEY = 72_707_369;

/**
 * Applies pending migrations on PostgreSQL. Several instances may start together: an advisory lock
 * lets one migrate while the others wait, then find nothing left to do.
 */
export async function migratePostgres(client: pg.Client, migrations: Migration[], log: Logger): Promise<string[]> {
  const appliedNow: string[] = [];
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(POSTGRES_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedMigrationRow>(APPLIED_MIGRATIONS_QUERY);
    for (const migration of pendingMigrations(migrations, rows, log)) {
      await client.query('BEGIN');
      try {
        // A migration file holds several statements; only the simple query protocol (no parameters) runs them.
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration "${migration.name}" failed: ${(error as Error).message}`, { cause: error });
      }
      log.info('migration applied', { migration: migration.name });
      appliedNow.push(migration.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
  return appliedNow;
}
