/**
 * Makes the real database reject writes, so that faults are injected where they happen in production
 * rather than by replacing the service.
 */
import { rawPostgres } from './databases.js';
import type { TestServer } from './server.js';

/**
 * Creates the PL/pgSQL trigger function `name` running `body`, and attaches it with each of `triggers`,
 * a `CREATE [CONSTRAINT] TRIGGER … FOR EACH ROW` clause (the EXECUTE part is added).
 */
export async function postgresTrigger(server: TestServer, name: string, body: string, triggers: string[]): Promise<void> {
  const prisma = server.app.database.prisma;
  await prisma.$executeRawUnsafe(`CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN ${body} END $$ LANGUAGE plpgsql`);
  for (const trigger of triggers) await prisma.$executeRawUnsafe(`${trigger} EXECUTE FUNCTION ${name}()`);
}

/** Every event whose payload mentions `marker` is refused by the database (its transaction fails last). */
export async function rejectEventsMentioning(server: TestServer, marker: string): Promise<void> {
  const prisma = server.app.database.prisma;
  if (server.database.provider === 'sqlite') {
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER reject_events BEFORE INSERT ON "SessionEvent" WHEN NEW.payload LIKE '%${marker}%'
       BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END`,
    );
    return;
  }
  await postgresTrigger(
    server,
    'reject_events',
    `IF NEW.payload LIKE '%${marker}%' THEN RAISE EXCEPTION 'rejected by test trigger'; END IF; RETURN NEW;`,
    ['CREATE TRIGGER reject_events BEFORE INSERT ON "SessionEvent" FOR EACH ROW'],
  );
}

/** Deleting the override `modelRef` is refused by the database (so clearing it fails). */
export async function rejectDeletingOverride(server: TestServer, modelRef: string): Promise<void> {
  const prisma = server.app.database.prisma;
  if (server.database.provider === 'sqlite') {
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER keep_override BEFORE DELETE ON "AgentModelOverride" WHEN OLD."modelRef" = '${modelRef}'
       BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END`,
    );
    return;
  }
  await postgresTrigger(
    server,
    'keep_override',
    `IF OLD."modelRef" = '${modelRef}' THEN RAISE EXCEPTION 'rejected by test trigger'; END IF; RETURN OLD;`,
    ['CREATE TRIGGER keep_override BEFORE DELETE ON "AgentModelOverride" FOR EACH ROW'],
  );
}

/** Polls a condition (never a fixed sleep): resolves once it holds, fails after `limitMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, limitMs = 10_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * PostgreSQL: another connection locks a session's row, as a long transaction elsewhere would.
 * `blocked()` resolves with the backend of the first statement that waits on the lock.
 */
export async function lockSessionRow(server: TestServer, sessionId: string) {
  const locker = await rawPostgres(server.database);
  const { rows } = await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await locker.query('BEGIN');
  await locker.query('SELECT * FROM "Session" WHERE id = $1 FOR UPDATE', [sessionId]);
  return {
    blocked: () =>
      eventually(async () => {
        const waiting = await locker.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
          [rows[0]!.pid],
        );
        return waiting.rows[0]?.pid;
      }, 'a statement to wait on the row lock'),
    kill: (pid: number) => locker.query('SELECT pg_terminate_backend($1)', [pid]),
    release: () => locker.query('ROLLBACK'),
  };
}

/** Resolves once the server has exactly `count` sessionEvents streams open (they open and close asynchronously). */
export function openStreams(server: TestServer, count: number): Promise<true> {
  return eventually(async () => (server.app.services.streams.openCount === count ? true : undefined), `${count} open streams`);
}
