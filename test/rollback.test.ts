/**
 * The store rejects a model switch: the runtime must be rolled back, and runtime, database, API and
 * the published events must all agree on the previous model afterwards.
 */
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqlitePathOfUrl } from '../src/db/sqlite.js';
import { PROVIDERS, freshDatabase } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { lockSessionRow, postgresTrigger, rejectDeletingOverride, rejectEventsMentioning } from './support/faults.js';
import { GetSession } from './support/operations.js';
import { createModelClient } from '../src/runtime/providers.js';
import { capturedLog, startTestServer, TEST_PROVIDER_ENV, type TestServer } from './support/server.js';
import { createSession, expectTypename, setModel, storedSession } from './support/sessions.js';


/** Runtime, API and database all say `root` runs on `expected`, and the override row says `override`. */
async function expectAllAgree(server: TestServer, sessionId: string, expected: string, override: string | undefined) {
  const stored = await storedSession(server, sessionId);
  expect(server.app.services.runtimes.get(stored.id)?.modelRefOf('root')).toBe(expected);
  expect(stored.overrides.root).toBe(override);
  const { session } = await server.data(GetSession, { id: sessionId });
  expectTypename(session, 'Session');
  expect(session.availableModels.filter((model) => model.isCurrent).map((model) => model.ref)).toEqual([expected]);
  return stored;
}

describe.each(PROVIDERS)('rollback on %s', (provider) => {
  it('a trigger rejects the event row: PersistenceFailed, runtime rolled back, nothing stored or published', async () => {
    const server = await startTestServer(provider);
    const created = await createSession(server);
    expectTypename(await setModel(server, created.id, 'gpt'), 'SetSessionAgentModelPayload');
    await rejectEventsMentioning(server, 'reject-me');
    const before = await storedSession(server, created.id);
    const published = server.publishedEvents(before.id);

    const result = await setModel(server, created.id, 'openai/reject-me');
    expectTypename(result, 'PersistenceFailed');
    expect(result.retryable).toBe(false);
    expect(result.message).toMatch(/rolled back/);
    expect(result.message).not.toMatch(/trigger|SessionEvent|INSERT/);

    const after = await expectAllAgree(server, created.id, 'gpt', 'gpt');
    // The custom ref and override were written before the event in the same transaction: all undone.
    expect(after).toEqual(before);
    expect(published).toEqual([]);

    // The store is healthy afterwards: the next switch commits and is published.
    expectTypename(await setModel(server, created.id, 'openai/gpt-5'), 'SetSessionAgentModelPayload');
    await expectAllAgree(server, created.id, 'openai/gpt-5', 'openai/gpt-5');
    expect(published.map((event) => event.kind === 'MODEL_CHANGED' && event.payload.modelRef)).toEqual(['openai/gpt-5']);
  });

  it('a trigger rejects clearing an override: the runtime gets the override back', async () => {
    const server = await startTestServer(provider);
    const created = await createSession(server);
    expectTypename(await setModel(server, created.id, 'openai/keep-me'), 'SetSessionAgentModelPayload');
    await rejectDeletingOverride(server, 'openai/keep-me');
    const before = await storedSession(server, created.id);

    expectTypename(await setModel(server, created.id, ''), 'PersistenceFailed');
    expect(await expectAllAgree(server, created.id, 'openai/keep-me', 'openai/keep-me')).toEqual(before);
  });

  it('the runtime rejects the ref (its provider cannot be created): nothing changes anywhere', async () => {
    const server = await startTestServer(provider, {
      createModelProvider: async (spec) => {
        if (spec.model === 'unreachable') throw new Error('connection refused');
        return createModelClient(spec, TEST_PROVIDER_ENV);
      },
    });
    const created = await createSession(server);
    const before = await storedSession(server, created.id);
    const published = server.publishedEvents(before.id);
    const result = await setModel(server, created.id, 'openai/unreachable');
    expectTypename(result, 'InvalidModelRef');
    expect(result.reason).toMatch(/provider could not be created: connection refused/);
    expect(await expectAllAgree(server, created.id, 'claude', undefined)).toEqual(before);
    expect(published).toEqual([]);
  });
});

describe('rollback on sqlite only', () => {
  it('another process holds the write lock: PersistenceFailed (retryable), rolled back, and no write is lost after', async () => {
    const database = freshDatabase('sqlite');
    const server = await startTestServer('sqlite', { database, env: { SQLITE_BUSY_TIMEOUT_MS: '100' } });
    const created = await createSession(server);
    expectTypename(await setModel(server, created.id, 'gpt'), 'SetSessionAgentModelPayload');

    const intruder = new BetterSqlite3(sqlitePathOfUrl(database.url));
    onCleanup(() => intruder.close());
    intruder.exec('BEGIN IMMEDIATE');
    const blocked = await setModel(server, created.id, 'openai/gpt-5');
    expectTypename(blocked, 'PersistenceFailed');
    expect(blocked.retryable).toBe(true);
    intruder.exec('ROLLBACK');
    await expectAllAgree(server, created.id, 'gpt', 'gpt');

    // Every switch acknowledged after the fault is in the database: a SQLITE_BUSY at COMMIT has been known to
    // break later transactions in Prisma and lose acknowledged writes (Prisma issues #29933, #30028).
    const acknowledged: string[] = [];
    for (const modelRef of ['local', 'openai/gpt-5', 'claude']) {
      expectTypename(await setModel(server, created.id, modelRef), 'SetSessionAgentModelPayload');
      acknowledged.push(modelRef);
    }
    await server.stop();
    const reopened = await startTestServer('sqlite', { database });
    const stored = await storedSession(reopened, created.id);
    expect(stored.overrides.root).toBe('claude');
    expect(stored.events.filter((event) => event.kind === 'MODEL_CHANGED').map((event) => event.payload.modelRef)).toEqual([
      'gpt',
      ...acknowledged,
    ]);
  });
});

describe('rollback on postgresql only', () => {
  it('a row lock held by another connection outlasts the transaction timeout: PersistenceFailed, rolled back', async () => {
    const server = await startTestServer('postgresql', { env: { TRANSACTION_TIMEOUT_MS: '300' } });
    const created = await createSession(server);
    expectTypename(await setModel(server, created.id, 'gpt'), 'SetSessionAgentModelPayload');
    const { id } = await storedSession(server, created.id);
    const published = server.publishedEvents(id);

    const lock = await lockSessionRow(server, id);
    const result = await setModel(server, created.id, 'openai/gpt-5');
    await lock.release();

    expectTypename(result, 'PersistenceFailed');
    expect(result.retryable).toBe(true);
    await expectAllAgree(server, created.id, 'gpt', 'gpt');
    expect(published).toEqual([]);
    expectTypename(await setModel(server, created.id, 'local'), 'SetSessionAgentModelPayload');
    await expectAllAgree(server, created.id, 'local', 'local');
  });

  it("the transaction outlives Prisma's timeout (P2028): PersistenceFailed, retryable, rolled back", async () => {
    const { log, records } = capturedLog();
    const server = await startTestServer('postgresql', { env: { TRANSACTION_TIMEOUT_MS: '400' }, log });
    const created = await createSession(server);
    expectTypename(await setModel(server, created.id, 'gpt'), 'SetSessionAgentModelPayload');
    const { id } = await storedSession(server, created.id);
    const published = server.publishedEvents(id);
    // Each statement stays within the statement timeout; together they exceed the transaction's.
    await postgresTrigger(
      server,
      'slow_write',
      'PERFORM pg_sleep(0.15); RETURN NEW;',
      ['AgentModelOverride', 'CustomModelUsed', 'SessionEvent'].map(
        (table) => `CREATE TRIGGER slow_write BEFORE INSERT OR UPDATE ON "${table}" FOR EACH ROW`,
      ),
    );
    const result = await setModel(server, created.id, 'openai/gpt-5');
    expectTypename(result, 'PersistenceFailed');
    expect(result.retryable).toBe(true);
    // The operator finds the database's side under the id the client was given.
    expect(records.find((record) => record.incidentId === result.incidentId)).toMatchObject({
      level: 'error',
      message: 'store transaction rejected',
      prismaCode: 'P2028',
    });
    await expectAllAgree(server, created.id, 'gpt', 'gpt');
    expect((await storedSession(server, created.id)).customModelsUsed).toEqual([]);
    expect(published).toEqual([]);
  });

  it('the commit itself fails (a deferred constraint): PersistenceFailed, rolled back', async () => {
    const server = await startTestServer('postgresql');
    const created = await createSession(server);
    expectTypename(await setModel(server, created.id, 'local'), 'SetSessionAgentModelPayload');
    const { id } = await storedSession(server, created.id);
    const published = server.publishedEvents(id);
    await postgresTrigger(
      server,
      'fail_at_commit',
      `IF NEW.payload LIKE '%fail-at-commit%' THEN RAISE EXCEPTION 'rejected at commit'; END IF; RETURN NEW;`,
      ['CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON "SessionEvent" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW'],
    );
    const before = await storedSession(server, created.id);
    expectTypename(await setModel(server, created.id, 'openai/fail-at-commit'), 'PersistenceFailed');
    expect(await expectAllAgree(server, created.id, 'local', 'local')).toEqual(before);
    expect(published).toEqual([]);
  });

  it('the connection running the transaction is killed: PersistenceFailed, rolled back, and the pool recovers', async () => {
    const server = await startTestServer('postgresql');
    const created = await createSession(server);
    const { id } = await storedSession(server, created.id);
    const published = server.publishedEvents(id);

    const lock = await lockSessionRow(server, id);
    const pending = setModel(server, created.id, 'openai/gpt-5');
    await lock.kill(await lock.blocked());
    const result = await pending;
    await lock.release();

    expectTypename(result, 'PersistenceFailed');
    await expectAllAgree(server, created.id, 'claude', undefined);
    expect(published).toEqual([]);
    expectTypename(await setModel(server, created.id, 'gpt'), 'SetSessionAgentModelPayload');
    await expectAllAgree(server, created.id, 'gpt', 'gpt');
  });
});
