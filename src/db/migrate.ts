/**
 * Applies the migrations in `prisma/<provider>/migrations` at start, without Prisma's native schema
 * engine (it cannot be downloaded on locked-down servers). It keeps Prisma's own bookkeeping, the
 * `_prisma_migrations` table with the same columns and sha256 checksums, so `prisma migrate deploy`
 * and `prisma migrate status` agree with it wherever the native engine exists.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { Logger } from '../log.js';
import type { DatabaseProvider } from './providers.js';

export interface Migration {
  /** Folder name, e.g. `20261124000000_init`; migrations apply in name order. */
  name: string;
  sql: string;
  checksum: string;
}

export function migrationsFolder(provider: DatabaseProvider): string {
  return fileURLToPath(new URL(`../../prisma/${provider}/migrations`, import.meta.url));
}

export function readMigrations(folder: string): Migration[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(folder, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(folder, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Decides what to apply; refuses to go on over a migration that a failed `prisma migrate` left half-done. */
function pendingMigrations(all: Migration[], applied: AppliedRow[], log: Logger): Migration[] {
  const failed = applied.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new Error(
      `migration "${failed.migration_name}" is recorded as started but never finished; ` +
        'repair the database, then mark it with `prisma migrate resolve`',
    );
  }
  const done = new Map(
    applied.filter((row) => row.rolled_back_at === null).map((row) => [row.migration_name, row.checksum]),
  );
  for (const migration of all) {
    const checksum = done.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum) {
      log.warn('migration file changed after it was applied', { migration: migration.name });
    }
  }
  return all.filter((migration) => !done.has(migration.name));
}

const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/**
 * Applies pending migrations to an open SQLite connection, each in its own immediate transaction.
 *
 * SQLite changes a table's columns by rebuilding it: create a copy, move the rows, drop the original.
 * With foreign keys enforced, that drop cascades and deletes every row that references the table. The
 * migration's own `PRAGMA foreign_keys=OFF` cannot help: the pragma does nothing inside a transaction.
 * So enforcement is off around the transactions, and each migration must leave no broken reference
 * before it commits.
 */
export function migrateSqlite(db: BetterSqlite3.Database, migrations: Migration[], log: Logger): string[] {
  db.exec(SQLITE_MIGRATIONS_TABLE);
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    return applySqliteMigrations(db, migrations, log);
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
}

function applySqliteMigrations(db: BetterSqlite3.Database, migrations: Migration[], log: Logger): string[] {
  const appliedNow: string[] = [];
  for (;;) {
    // Re-read inside the write lock each time so a second process starting at once cannot apply twice.
    const next = db
      .transaction(() => {
        const applied = db
          .prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"')
          .all() as AppliedRow[];
        const [migration] = pendingMigrations(migrations, applied, log);
        if (!migration) return undefined;
        db.exec(migration.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) {
          throw new Error(`migration "${migration.name}" leaves ${broken.length} broken foreign key reference(s)`);
        }
        const now = new Date().toISOString();
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(randomUUID(), migration.checksum, now, migration.name, now);
        return migration.name;
      })
      .immediate();
    if (!next) return appliedNow;
    log.info('migration applied', { migration: next });
    appliedNow.push(next);
  }
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
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
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
