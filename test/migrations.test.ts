/** Migrations applied at start, with Prisma's own bookkeeping, once, and idempotently. */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { migrationsFolder, readMigrations, type Migration } from '../src/db/migrations.js';
import { migratePostgres } from '../src/db/postgres.js';
import { migrateSqlite, sqlitePathOfUrl } from '../src/db/sqlite.js';
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

describe('upgrading a database that has data', () => {
  it.each(PROVIDERS)('on %s, later migrations keep every row the earlier ones held', async (provider) => {
    const all = readMigrations(migrationsFolder(provider));
    expect(all.length).toBeGreaterThan(1);
    const database = freshDatabase(provider);
    const db = await openRaw(provider, database);
    await db.migrate(all.slice(0, 1));
    await db.exec(`INSERT INTO "Session" (id, title, "workingDir", "teamName", "currentAgent", "updatedAt", "lastEventSeq")
                   VALUES ('s1', 'kept', '/', 'example', 'root', CURRENT_TIMESTAMP, 1)`);
    await db.exec(`INSERT INTO "AgentModelOverride" ("sessionId", "agentName", "modelRef") VALUES ('s1', 'root', 'gpt')`);
    await db.exec(`INSERT INTO "SessionEvent" ("sessionId", seq, kind, payload) VALUES ('s1', 1, 'SESSION_CREATED', '{}')`);
    await db.migrate(all);
    expect(await db.count('Session')).toBe(1);
    expect(await db.count('AgentModelOverride')).toBe(1);
    expect(await db.count('SessionEvent')).toBe(1);
  });
});

/** The bare database, past the server, to migrate step by step. */
async function openRaw(provider: DatabaseProvider, database: ReturnType<typeof freshDatabase>) {
  if (provider === 'sqlite') {
    const raw = new BetterSqlite3(sqlitePathOfUrl(database.url));
    onCleanup(() => raw.close());
    return {
      migrate: async (migrations: Migration[]) => void migrateSqlite(raw, migrations, silent),
      exec: async (sql: string) => void raw.exec(sql),
      count: async (table: string) => (raw.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n,
    };
  }
  const admin = await rawPostgres({ ...database, schema: 'public' });
  await admin.query(`CREATE SCHEMA IF NOT EXISTS "${database.schema}"`);
  const client = await rawPostgres(database);
  return {
    migrate: async (migrations: Migration[]) => void (await migratePostgres(client, migrations, silent)),
    exec: async (sql: string) => void (await client.query(sql)),
    count: async (table: string) => Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n),
  };
}
