/**
 * Reads the migrations in `prisma/<provider>/migrations` and decides which are pending, for the
 * runners in sqlite.ts and postgres.ts. They apply them without Prisma's native schema engine (it cannot
 * be downloaded on locked-down servers) but keep Prisma's own bookkeeping, the `_prisma_migrations`
 * table with the same columns and sha256 checksums, so `prisma migrate deploy` and `prisma migrate
 * status` agree with them wherever the native engine exists.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import type { DatabaseProvider } from './providers.js';

export interface Migration {
  /** Folder name, e.g. `20261124000000_init`; migrations apply in name order. */
  name: string;
  sql: string;
  checksum: string;
}

/** A row of `_prisma_migrations`, as far as deciding what is pending needs it. */
export interface AppliedMigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export const APPLIED_MIGRATIONS_QUERY =
  'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"';

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

/** Decides what to apply; refuses to go on over a migration that a failed `prisma migrate` left half-done. */
export function pendingMigrations(all: Migration[], applied: AppliedMigrationRow[], log: Logger): Migration[] {
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
