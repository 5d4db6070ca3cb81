/**
 * The PostgreSQL and Redis suites are required, never skipped: without a reachable server the run fails
 * here, at once, with what to do.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { POSTGRES_URL } from './databases.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export default async function checkServices(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is required by the test suite and is not reachable at ${POSTGRES_URL} ` +
        `(${(error as Error).message}). Start it (README.md, "Two commands", says how) or set TEST_POSTGRES_URL.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is required by the test suite and is not reachable at ${REDIS_URL} ` +
        `(${(error as Error).message}). Start it (README.md, "Two commands", says how) or set TEST_REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}
