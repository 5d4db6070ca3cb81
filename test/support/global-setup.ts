/**
 * The PostgreSQL suites are required, never skipped: without a reachable server the run fails here,
 * at once, with what to do.
 */
import pg from 'pg';
import { POSTGRES_URL } from './databases.js';

export default async function checkServices(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is required by the test suite and is not reachable at ${POSTGRES_URL} ` +
        `(${(error as Error).message}). Start it (../shared/services-up does) or set TEST_POSTGRES_URL.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}
