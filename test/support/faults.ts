/**
 * Makes the real database reject writes, so that faults are injected where they happen in production
 * rather than by replacing the service.
 */
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
