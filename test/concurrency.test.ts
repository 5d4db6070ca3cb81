/**
 * Concurrent switches: every acknowledged switch is stored, in the order the runtime applied it, and
 * runtime and database agree at the end. Sessions never wait for each other.
 */
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from './support/databases.js';
import { lockSessionRow } from './support/faults.js';
import { createModelClient } from '../src/runtime/providers.js';
import { startTestServer, TEST_PROVIDER_ENV } from './support/server.js';
import { createSession, expectTypename, setModel, storedSession } from './support/sessions.js';

const CLIENTS = 8;
const SWITCHES_PER_CLIENT = 200;
const REFS = ['gpt', 'local', 'claude', 'openai/gpt-5', 'anthropic/claude-opus-4-1', 'dmr/ai/llama3.2', ''];


function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe.each(PROVIDERS)('concurrency on %s', (provider) => {
  it(`${CLIENTS} clients × ${SWITCHES_PER_CLIENT} switches on one session: nothing lost, one order everywhere`, async () => {
    // Keep every event, to compare the whole log.
    const server = await startTestServer(provider, { env: { EVENT_RETENTION: '4096', SUBSCRIPTION_QUEUE_LIMIT: '8192' } });
    const created = await createSession(server);
    const { id } = await storedSession(server, created.id);
    const published = server.publishedEvents(id);

    const acknowledged = new Map<number, string | null>();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let index = 0; index < SWITCHES_PER_CLIENT; index += 1) {
          const modelRef = REFS[(client * 3 + index) % REFS.length]!;
          const result = await setModel(server, created.id, modelRef);
          expectTypename(result, 'SetSessionAgentModelPayload');
          expect(result.modelRef).toBe(modelRef === '' ? null : modelRef);
          acknowledged.set(result.seq, result.modelRef ?? null);
        }
      }),
    );
    expect(acknowledged.size).toBe(CLIENTS * SWITCHES_PER_CLIENT);

    const stored = await storedSession(server, created.id);
    const switches = stored.events.filter((event) => event.kind === 'MODEL_CHANGED');
    expect(switches).toHaveLength(CLIENTS * SWITCHES_PER_CLIENT);
    // Each acknowledged switch is stored under the sequence number it was acknowledged with...
    for (const event of switches) expect(acknowledged.get(event.seq)).toBe(event.payload.modelRef);
    // ...and each one's "previous" is the one before it: the runtime applied them in the stored order.
    switches.forEach((event, index) => {
      if (index > 0) expect(event.payload.previousModelRef).toBe(switches[index - 1]!.payload.modelRef);
    });
    const last = switches.at(-1)!.payload.modelRef as string | null;
    expect(server.app.services.runtimes.get(id)?.overrideOf('root')?.ref ?? null).toBe(last);
    expect(stored.overrides.root ?? null).toBe(last);
    // Inline refs are remembered once each, in the order the stored switches first used them.
    const inlineRefs = switches.map((event) => event.payload.modelRef).filter((ref) => typeof ref === 'string' && ref.includes('/'));
    expect(stored.customModelsUsed).toEqual([...new Set(inlineRefs)]);
    expect(stored.session?.version).toBe(switches.length);
    // Subscribers were told of every switch, once, in order.
    expect(published.map((event) => event.seq)).toEqual(switches.map((event) => event.seq));
  });

  it('a switch whose provider is slow to create holds up neither other sessions nor other switches', async () => {
    const slowProvider = deferred();
    const slowStarted = deferred();
    const server = await startTestServer(provider, {
      createModelProvider: async (spec) => {
        if (spec.model === 'slow') {
          slowStarted.resolve();
          await slowProvider.promise;
        }
        return createModelClient(spec, TEST_PROVIDER_ENV);
      },
    });
    const first = await createSession(server);
    const second = await createSession(server);

    let slowSettled = false;
    const slow = setModel(server, first.id, 'openai/slow').finally(() => (slowSettled = true));
    await slowStarted.promise;
    expectTypename(await setModel(server, second.id, 'gpt'), 'SetSessionAgentModelPayload');
    expectTypename(await setModel(server, first.id, 'local'), 'SetSessionAgentModelPayload');
    expect(slowSettled).toBe(false);

    slowProvider.resolve();
    const result = await slow;
    expectTypename(result, 'SetSessionAgentModelPayload');
    // Applied after 'local', so it replaced it.
    expect(result.previousModelRef).toBe('local');
    const stored = await storedSession(server, first.id);
    expect(server.app.services.runtimes.get(stored.id)?.modelRefOf('root')).toBe('openai/slow');
    expect(stored.overrides.root).toBe('openai/slow');
  });
});

describe('concurrency on postgresql only', () => {
  it("a session whose transaction waits on a row lock does not hold up another session's switch", async () => {
    const server = await startTestServer('postgresql');
    const blocked = await createSession(server);
    const free = await createSession(server);
    const { id: blockedId } = await storedSession(server, blocked.id);

    const lock = await lockSessionRow(server, blockedId);
    const waiting = setModel(server, blocked.id, 'gpt');
    await lock.blocked();

    expectTypename(await setModel(server, free.id, 'openai/gpt-5'), 'SetSessionAgentModelPayload');
    await lock.release();
    expectTypename(await waiting, 'SetSessionAgentModelPayload');
  });
});
