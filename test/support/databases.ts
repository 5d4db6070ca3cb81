/** Real databases for tests: a fresh SQLite file, or a fresh schema in the local PostgreSQL. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseProvider } from '../../src/db/providers.js';
import { onCleanup } from './dispose.js';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const PROVIDERS: DatabaseProvider[] = ['sqlite', 'postgresql'];

export interface TestDatabase {
  provider: DatabaseProvider;
  url: string;
  /** PostgreSQL only: the schema holding this database's tables. */
  schema?: string;
}

/** A database nobody else uses, removed after the test (or the file's tests, when made in beforeAll). */
export function freshDatabase(provider: DatabaseProvider): TestDatabase {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'asg-test-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return { provider, url: `file:${path.join(dir, 'sessions.db')}` };
  }
  const schema = `asg_test_${randomBytes(6).toString('hex')}`;
  onCleanup(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
  return { provider, url: `${POSTGRES_URL}?schema=${schema}`, schema };
}

/** A raw PostgreSQL connection into a test database's schema (to hold locks, kill backends…). */
export async function rawPostgres(database: TestDatabase): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path="${database.schema}"` });
  await client.connect();
  onCleanup(() => client.end());
  return client;
}
