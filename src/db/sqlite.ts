/**
 * The SQLite store: opens the file (WAL), applies pending migrations on a connection of its own, then
 * hands out the one Prisma client the server uses on that file.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { PrismaClient } from '../generated/sqlite/client.js';
import type { Logger } from '../log.js';
import { instrumentedAdapter, type StatementCounter } from './instrumented-adapter.js';
import { APPLIED_MIGRATIONS_QUERY, pendingMigrations, type AppliedMigrationRow, type Migration } from './migrations.js';

/** `file:./data/x.db` → an absolute path, relative paths taken from the working directory. */
export function sqlitePathOfUrl(url: string): string {
  const withoutScheme = url.replace(/^file:/, '').replace(/\?.*$/, '');
  return path.resolve(withoutScheme);
}

export interface SqliteOptions {
  url: string;
  /** How long one statement waits for a lock another process holds; the event loop is blocked meanwhile. */
  busyTimeoutMs: number;
  migrations: Migration[];
  statements: StatementCounter;
  log: Logger;
}

export async function openSqlite(options: SqliteOptions): Promise<PrismaClient> {
  const { log, migrations } = options;
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
  const adapter = instrumentedAdapter(new PrismaBetterSqlite3({ url: file, timeout: options.busyTimeoutMs }), {
    counter: options.statements,
    serialise: true,
  });
  const prisma = new PrismaClient({ adapter });
  // Per-connection settings; the adapter keeps a single connection, so they hold for its lifetime.
  // In WAL mode synchronous=NORMAL stays durable across a crash of the process and corrupts nothing on
  // power loss; it only may lose the last commits then, and makes each commit several times cheaper.
  await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return prisma;
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
        const applied = db.prepare(APPLIED_MIGRATIONS_QUERY).all() as AppliedMigrationRow[];
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
