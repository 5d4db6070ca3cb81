/** Migrations applied at start, with Prisma's own bookkeeping, once, and idempotently. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, sqlitePathOfUrl } from '../src/db/client.js';
import { migrationsFolder } from '../src/db/migrate.js';
import { createLogger } from '../src/log.js';
import { PROVIDERS, freshDatabase, rawPostgres } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import type { DatabaseProvider } from '../src/db/providers.js';

const silent = createLogger({ level: 'silent', format: 'pretty' });

function expectedRows(provider: DatabaseProvider) {
  const folder = migrationsFolder(provider);
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      migration_name: name,
      checksum: createHash('sha256').update(readFileSync(path.join(folder, name, 'migration.sql'))).digest('hex'),
    }));
}

describe.each(PROVIDERS)('migrations on %s', (provider) => {
  it("records each migration in _prisma_migrations as Prisma does, and applies nothing twice", async () => {
    const database = freshDatabase(provider);
    for (let start = 0; start < 2; start += 1) {
      const opened = await openDatabase({ url: database.url, log: silent });
      await opened.close();
    }
    const query = 'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name';
    let rows: Record<string, unknown>[];
    if (provider === 'sqlite') {
      const raw = new BetterSqlite3(sqlitePathOfUrl(database.url));
      onCleanup(() => raw.close());
      rows = raw.prepare(query).all() as Record<string, unknown>[];
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } else {
      rows = (await (await rawPostgres(database)).query(query)).rows;
    }
    expect(rows.map(({ migration_name, checksum }) => ({ migration_name, checksum }))).toEqual(expectedRows(provider));
    for (const row of rows) {
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    }
  });

  it('refuses to start over a migration a failed `prisma migrate` left unfinished, saying what to do', async () => {
    const database = freshDatabase(provider);
    await (await openDatabase({ url: database.url, log: silent })).close();
    const insert = `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
                    VALUES ('00000000-0000-0000-0000-000000000001', 'x', '29990101000000_broken', CURRENT_TIMESTAMP, 0)`;
    if (provider === 'sqlite') {
      const raw = new BetterSqlite3(sqlitePathOfUrl(database.url));
      raw.exec(insert);
      raw.close();
    } else {
      await (await rawPostgres(database)).query(insert);
    }
    await expect(openDatabase({ url: database.url, log: silent })).rejects.toThrow(
      /"29990101000000_broken" is recorded as started but never finished.*prisma migrate resolve/,
    );
  });
});
