/**
 * PostgreSQL connections can fail after COMMIT was sent: the change may be stored though its answer never
 * arrived. A proxy between the server and PostgreSQL makes that happen on the very COMMIT of the change
 * under test, for every change that touches a runtime, and each test checks that the answer, the runtime,
 * the store and what subscribers saw all agree afterwards:
 *
 *  a. the reply to COMMIT is lost: the change committed, so it is kept, published once, and answered as a
 *     success;
 *  b. COMMIT never reaches the database: rolled back, so PersistenceFailed and nothing changed anywhere;
 *  c. the reply is lost and the store is unreachable right after, so the server cannot ask it: the answer
 *     is CommitOutcomeUnknown; once the store is back, the session is reconciled without any request, and
 *     the change, which committed, is kept and published;
 *  d. as c, but COMMIT never reached the database: reconciled the other way, the runtime change undone.
 */
import { describe, expect, it } from 'vitest';
import type { SessionsChangedSubscription } from './graphql/graphql.js';
import { freshDatabase, rawPostgres } from './support/databases.js';
import { SessionEvents, SessionsChanged } from './support/event-operations.js';
import { eventually } from './support/faults.js';
import {
  OutcomeCreateSession,
  OutcomeDeleteSession,
  OutcomeForkSession,
  OutcomeSetModel,
  OutcomeStartSession,
  OutcomeStopSession,
  OutcomeSwitchAgent,
} from './support/outcome-operations.js';
import { startPgProxy, type CommitFault, type PgProxy } from './support/pg-proxy.js';
import { collect, startTestServer, type TestServer } from './support/server.js';
import { createSession, storedSession, switchModel } from './support/sessions.js';
import { subscribe, type Subscriber } from './support/subscribers.js';

/** The example team's agents and their default models (agents/example.yaml). */
const DEFAULTS = { root: 'claude', researcher: 'gpt' } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').replace(/^Session:/, '');

/** One proxied server over a fresh schema. */
async function proxiedServer(): Promise<{ server: TestServer; proxy: PgProxy }> {
  const database = freshDatabase('postgresql');
  const proxy = await startPgProxy();
  const server = await startTestServer('postgresql', { database, env: { DATABASE_URL: proxy.url(database) } });
  return { server, proxy };
}

interface StoredEvent {
  seq: number;
  kind: string;
  agentName: string | null;
  payload: unknown;
}

/** What the runtime and the store each say about one session; null where it has none. */
interface World {
  runtime: { currentAgent: string; models: Record<string, string> } | null;
  store: {
    currentAgent: string;
    overrides: Record<string, string>;
    customModelsUsed: string[];
    lastEventSeq: number;
    events: StoredEvent[];
  } | null;
}

const NO_SESSION: World = { runtime: null, store: null };

async function worldOf(server: TestServer, sessionId: string): Promise<World> {
  const stored = await storedSession(server, sessionId);
  const runtime = server.app.services.runtimes.get(stored.id);
  return {
    runtime: runtime
      ? {
          currentAgent: runtime.currentAgent,
          models: Object.fromEntries(Object.keys(DEFAULTS).map((agent) => [agent, runtime.modelRefOf(agent)])),
        }
      : null,
    store: stored.session
      ? {
          currentAgent: stored.session.currentAgent,
          overrides: stored.overrides,
          customModelsUsed: stored.customModelsUsed,
          lastEventSeq: stored.session.lastEventSeq,
          events: stored.events.map(({ seq, kind, agentName, payload }) => ({ seq, kind, agentName, payload })),
        }
      : null,
  };
}

/** The runtime is what the store says it is: running as its last start or stop says, on the stored agent and models. */
function expectRuntimeMatchesStore(world: World): void {
  if (!world.store) {
    expect(world.runtime, 'a session the store does not have has no runtime').toBeNull();
    return;
  }
  const lifecycle = world.store.events.filter((event) => event.kind === 'SESSION_STARTED' || event.kind === 'SESSION_STOPPED').at(-1);
  expect(world.runtime !== null, 'running as the store last recorded').toBe(lifecycle?.kind === 'SESSION_STARTED');
  if (!world.runtime) return;
  expect(world.runtime.currentAgent).toBe(world.store.currentAgent);
  for (const [agent, model] of Object.entries(DEFAULTS)) expect(world.runtime.models[agent]).toBe(world.store.overrides[agent] ?? model);
}

/** What the whole server holds: sessions stored (counted past the proxy) and runtimes running. */
async function census(server: TestServer) {
  const direct = await rawPostgres(server.database);
  const { rows } = await direct.query<{ id: string }>('SELECT id FROM "Session" ORDER BY id');
  return { stored: rows.map((row) => row.id), running: server.app.services.runtimes.ids().sort() };
}

/** A running session whose root agent was switched to the team's `gpt` model. */
async function runningOnGpt(server: TestServer) {
  const session = await createSession(server);
  await switchModel(server, session.id, 'gpt');
  return { sessionId: session.id };
}

/** Every session change the server publishes (all sessions), as dashboards hear it. */
function recordChanges(server: TestServer) {
  return collect(server.app.pubsub.sessionChanges());
}

/** The changes a dashboard should have heard for a session whose world went from `before` to `after`. */
/** A session list hears of a change once, whatever number of events it wrote, with its newest seq. */
function expectedChanges(sessionId: string, before: World, after: World) {
  const cursor = expect.any(String);
  if (!after.store) return [{ kind: 'DELETED', sessionId, seq: before.store!.lastEventSeq + 1, cursor }];
  const written = after.store.events.slice(before.store?.events.length ?? 0);
  if (written.length === 0) return [];
  return [{ kind: before.store ? 'UPDATED' : 'CREATED', sessionId, seq: written.at(-1)!.seq, cursor }];
}

/** The answer of a change, whatever its type, with the session it is about when it names one. */
interface Answer {
  __typename: string;
  message?: string;
  incidentId?: string;
  retryable?: boolean;
  /** CommitOutcomeUnknown: the session whose change has an unknown outcome. */
  sessionId?: string;
  /** A created or forked Session. */
  id?: string;
}

/** The target a change is sent to, made before the proxy is armed. */
interface Target {
  /** The session the change is about; undefined when the change makes it. */
  sessionId?: string;
  /** A fork's source. */
  sourceId?: string;
  /** createSession and forkSession: a WebSocket dashboard, open, hearing the new session. */
  dashboard?: Subscriber<SessionsChangedSubscription>;
}

interface Scenario {
  name: string;
  /** What the change needs, committed normally. */
  prepare(server: TestServer): Promise<Target>;
  send(server: TestServer, target: Target): Promise<Answer>;
  success: string;
  /** The world of the changed session once the change is in effect, from the world before it. */
  effect(before: World, target: Target): World;
  /**
   * Another change after this one, checking the session works on from the right state: `inEffect` says
   * whether the change under test is (a, c) or is not (b).
   */
  next(server: TestServer, sessionId: string | undefined, inEffect: boolean, target: Target): Promise<void>;
}

function withEvent(before: World, event: Omit<StoredEvent, 'seq'>, store: Partial<NonNullable<World['store']>> = {}): NonNullable<World['store']> {
  const seq = before.store!.lastEventSeq + 1;
  return { ...before.store!, ...store, lastEventSeq: seq, events: [...before.store!.events, { seq, ...event }] };
}

/** A dashboard over WebSocket that is surely open: sessions are created until it hears one. */
async function openDashboard(server: TestServer) {
  const dashboard = subscribe(server, 'websocket', SessionsChanged, {});
  for (let probes = 0; dashboard.results.length === 0; probes += 1) {
    if (probes > 1000) throw new Error('the dashboard never opened');
    await createSession(server, { title: 'probe', start: false });
  }
  return dashboard;
}

/** setSessionAgentModel 'local' as the next change; checks who it applied to and what it replaced. */
async function nextSwitch(server: TestServer, sessionId: string, expected: { agentName: string; previousModelRef: string | null } | string) {
  const { setSessionAgentModel: answer } = await server.data(OutcomeSetModel, { input: { sessionId, modelRef: 'local' } });
  if (typeof expected === 'string') {
    expect(answer.__typename, JSON.stringify(answer)).toBe(expected);
    return;
  }
  expect(answer).toMatchObject({ __typename: 'SetSessionAgentModelPayload', modelRef: 'local', ...expected });
  expectRuntimeMatchesStore(await worldOf(server, sessionId));
}

const SWITCHED_TO = 'openai/gpt-5';

const SCENARIOS: Scenario[] = [
  {
    name: 'setSessionAgentModel',
    prepare: runningOnGpt,
    send: async (server, { sessionId }) =>
      (await server.data(OutcomeSetModel, { input: { sessionId: sessionId!, modelRef: SWITCHED_TO } })).setSessionAgentModel,
    success: 'SetSessionAgentModelPayload',
    effect: (before) => ({
      runtime: { ...before.runtime!, models: { ...before.runtime!.models, root: SWITCHED_TO } },
      store: withEvent(
        before,
        { kind: 'MODEL_CHANGED', agentName: 'root', payload: { modelRef: SWITCHED_TO, previousModelRef: 'gpt' } },
        { overrides: { root: SWITCHED_TO }, customModelsUsed: [SWITCHED_TO] },
      ),
    }),
    next: (server, sessionId, inEffect) =>
      nextSwitch(server, sessionId!, { agentName: 'root', previousModelRef: inEffect ? SWITCHED_TO : 'gpt' }),
  },
  {
    name: 'switchAgent',
    prepare: runningOnGpt,
    send: async (server, { sessionId }) =>
      (await server.data(OutcomeSwitchAgent, { input: { sessionId: sessionId!, agentName: 'researcher' } })).switchAgent,
    success: 'SwitchAgentPayload',
    effect: (before) => ({
      runtime: { ...before.runtime!, currentAgent: 'researcher' },
      store: withEvent(
        before,
        { kind: 'CURRENT_AGENT_SWITCHED', agentName: 'researcher', payload: { previousAgentName: 'root' } },
        { currentAgent: 'researcher' },
      ),
    }),
    // The next switch applies to the current agent: the researcher (no override yet) or still root (on gpt).
    next: (server, sessionId, inEffect) =>
      nextSwitch(server, sessionId!, inEffect ? { agentName: 'researcher', previousModelRef: null } : { agentName: 'root', previousModelRef: 'gpt' }),
  },
  {
    name: 'startSession',
    prepare: async (server) => {
      const session = await createSession(server, { start: false, agentModelOverrides: [{ agentName: 'root', modelRef: 'gpt' }] });
      return { sessionId: session.id };
    },
    send: async (server, { sessionId }) => (await server.data(OutcomeStartSession, { id: sessionId! })).startSession,
    success: 'Session',
    effect: (before) => ({
      runtime: { currentAgent: 'root', models: { root: 'gpt', researcher: DEFAULTS.researcher } },
      store: withEvent(before, { kind: 'SESSION_STARTED', agentName: 'root', payload: { instanceId: expect.any(String) } }),
    }),
    next: (server, sessionId, inEffect) =>
      nextSwitch(server, sessionId!, inEffect ? { agentName: 'root', previousModelRef: 'gpt' } : 'SessionNotRunning'),
  },
  {
    name: 'stopSession',
    prepare: runningOnGpt,
    send: async (server, { sessionId }) => (await server.data(OutcomeStopSession, { id: sessionId! })).stopSession,
    success: 'Session',
    effect: (before) => ({
      runtime: null,
      store: withEvent(before, { kind: 'SESSION_STOPPED', agentName: 'root', payload: { reason: 'STOPPED', instanceId: expect.any(String) } }),
    }),
    next: (server, sessionId, inEffect) =>
      nextSwitch(server, sessionId!, inEffect ? 'SessionNotRunning' : { agentName: 'root', previousModelRef: 'gpt' }),
  },
  {
    name: 'createSession',
    prepare: async (server) => ({ dashboard: await openDashboard(server) }),
    send: async (server) =>
      (
        await server.data(OutcomeCreateSession, {
          input: { title: 'made through the proxy', start: true, agentModelOverrides: [{ agentName: 'root', modelRef: 'gpt' }] },
        })
      ).createSession,
    success: 'Session',
    effect: () => ({
      runtime: { currentAgent: 'root', models: { root: 'gpt', researcher: DEFAULTS.researcher } },
      store: {
        currentAgent: 'root',
        overrides: { root: 'gpt' },
        customModelsUsed: [],
        lastEventSeq: 2,
        events: [
          { seq: 1, kind: 'SESSION_CREATED', agentName: null, payload: expect.objectContaining({ title: 'made through the proxy', team: 'example' }) },
          { seq: 2, kind: 'SESSION_STARTED', agentName: 'root', payload: { instanceId: expect.any(String) } },
        ],
      },
    }),
    next: async (server, sessionId, inEffect) => {
      if (inEffect) return nextSwitch(server, sessionId!, { agentName: 'root', previousModelRef: 'gpt' });
      // Nothing of the failed creation is left in the way: the same creation succeeds now.
      const { createSession: again } = await server.data(OutcomeCreateSession, { input: { title: 'made through the proxy' } });
      expect(again.__typename).toBe('Session');
    },
  },
  {
    name: 'forkSession',
    prepare: async (server) => {
      const source = await createSession(server, { title: 'source' });
      await switchModel(server, source.id, 'gpt');
      return { sourceId: source.id, dashboard: await openDashboard(server) };
    },
    send: async (server, { sourceId }) => (await server.data(OutcomeForkSession, { input: { sessionId: sourceId!, start: true } })).forkSession,
    success: 'Session',
    effect: (_before, { sourceId }) => ({
      runtime: { currentAgent: 'root', models: { root: 'gpt', researcher: DEFAULTS.researcher } },
      store: {
        currentAgent: 'root',
        overrides: { root: 'gpt' },
        customModelsUsed: [],
        lastEventSeq: 2,
        events: [
          {
            seq: 1,
            kind: 'SESSION_CREATED',
            agentName: null,
            payload: expect.objectContaining({ title: 'source (fork 1)', team: 'example', forkedFrom: rawId(sourceId!) }),
          },
          { seq: 2, kind: 'SESSION_STARTED', agentName: 'root', payload: { instanceId: expect.any(String) } },
        ],
      },
    }),
    next: async (server, sessionId, inEffect, { sourceId }) => {
      if (inEffect) return nextSwitch(server, sessionId!, { agentName: 'root', previousModelRef: 'gpt' });
      // The failed fork left nothing: the next one is the first.
      const { forkSession: again } = await server.data(OutcomeForkSession, { input: { sessionId: sourceId!, start: true } });
      expect(again.__typename).toBe('Session');
      const { session } = await storedSession(server, (again as { id: string }).id);
      expect(session?.title).toBe('source (fork 1)');
    },
  },
  {
    name: 'deleteSession',
    prepare: runningOnGpt,
    send: async (server, { sessionId }) => (await server.data(OutcomeDeleteSession, { id: sessionId! })).deleteSession,
    success: 'DeleteSessionPayload',
    effect: () => NO_SESSION,
    next: (server, sessionId, inEffect) =>
      nextSwitch(server, sessionId!, inEffect ? 'SessionNotFound' : { agentName: 'root', previousModelRef: 'gpt' }),
  },
];

/** Everything one case needs: a proxied server, the target, and recorders opened before the change. */
async function arrange(scenario: Scenario) {
  const { server, proxy } = await proxiedServer();
  const target = await scenario.prepare(server);
  const before = target.sessionId ? await worldOf(server, target.sessionId) : NO_SESSION;
  const censusBefore = await census(server);
  const changes = recordChanges(server);
  const published = target.sessionId ? server.publishedEvents(rawId(target.sessionId)) : undefined;
  // A subscriber of the session's own events: it must get the change's events exactly once (replayed or
  // live), and no others. It replays the last stored event first, so that it is known to be open (its
  // store reads done) before any fault is armed.
  const lastSeq = before.store?.lastEventSeq;
  const watcher =
    target.sessionId && lastSeq ? subscribe(server, 'websocket', SessionEvents, { sessionId: target.sessionId, after: lastSeq - 1 }) : undefined;
  if (watcher) {
    const opened = await watcher.received((results) => results.length >= 1);
    expect(opened.map((result) => result.data?.sessionEvents.seq)).toEqual([lastSeq]);
  }
  return { server, proxy, target, before, censusBefore, changes, published, watcher };
}

type Arranged = Awaited<ReturnType<typeof arrange>>;

/** The session the answer is about: the target, or the one a creation or fork made. */
function subjectOf(arranged: Arranged, answer: Answer): string | undefined {
  return arranged.target.sessionId ?? answer.sessionId ?? answer.id;
}

/** The change is in effect everywhere: runtime, store, in-process publication and both subscribers. */
async function expectInEffect(arranged: Arranged, sessionId: string, scenario: Scenario) {
  const { server, before, changes, published, watcher, target } = arranged;
  const expected = scenario.effect(before, target);
  const after = await worldOf(server, sessionId);
  expect(after).toEqual(expected);
  expectRuntimeMatchesStore(after);

  // Published exactly once: the in-process publication of every session, then the session's own.
  const heard = expectedChanges(rawId(sessionId), before, after);
  await eventually(async () => (changes.length >= heard.length ? true : undefined), 'the change to be published').catch(() => {});
  expect(changes).toEqual(heard);
  if (published) {
    const events = after.store
      ? after.store.events.slice(before.store!.events.length)
      : [{ seq: before.store!.lastEventSeq + 1, kind: 'SESSION_EXITED', agentName: null, payload: { reason: 'deleted' } }];
    expect(published.map(({ seq, kind, agentName, payload }) => ({ seq, kind, agentName, payload }))).toEqual(events);
  }

  // The real subscribers over WebSocket.
  if (watcher) {
    const lastSeq = heard.at(-1)!.seq;
    const received = (await watcher.received((results) => results.some((result) => (result.data?.sessionEvents.seq ?? 0) >= lastSeq))).slice(1);
    const kinds = (after.store?.events.slice(before.store!.events.length) ?? [{ seq: lastSeq, kind: 'SESSION_EXITED' }]).map((event) => [
      event.seq,
      event.kind,
    ]);
    expect(received.map((result) => [result.data?.sessionEvents.seq, eventKind(result.data?.sessionEvents.__typename)]), JSON.stringify(received)).toEqual(kinds);
  }
  if (target.dashboard) {
    const id = rawId(sessionId);
    const received = await target.dashboard.received((results) =>
      results.some((result) => result.data?.sessionsChanged.sessionId === sessionId && result.data.sessionsChanged.seq === 2),
    );
    const mine = received.map((result) => result.data?.sessionsChanged).filter((change) => change?.sessionId === sessionId);
    expect(mine.map((change) => [change!.kind, change!.seq])).toEqual(heard.filter((change) => change.sessionId === id).map((change) => [change.kind, change.seq]));
  }
}

/** SessionEvents' GraphQL type name → the stored kind (ModelChangedEvent → MODEL_CHANGED). */
function eventKind(typename: string | undefined): string | undefined {
  return typename
    ?.replace(/Event$/, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase();
}

describe('commit outcome on postgresql', () => {
  describe.each(SCENARIOS)('$name', (scenario) => {
    it('a. the reply to COMMIT is lost: success, the change kept, stored and published once', async () => {
      const arranged = await arrange(scenario);
      const fault = arranged.proxy.loseNextCommitReply();
      const answer = await scenario.send(arranged.server, arranged.target);
      expect((await fault).swallowedReply, 'the proxy lost the answer of a COMMIT that committed').toBe('COMMIT');

      expect(answer.__typename, JSON.stringify(answer)).toBe(scenario.success);
      const sessionId = subjectOf(arranged, answer)!;
      await expectInEffect(arranged, sessionId, scenario);
      await scenario.next(arranged.server, sessionId, true, arranged.target);
    });

    it('b. COMMIT never reaches the database: PersistenceFailed, nothing changed, nothing published', async () => {
      const arranged = await arrange(scenario);
      const { server, proxy, target, before, censusBefore, changes, published } = arranged;
      const fault = proxy.dropNextCommit();
      const answer = await scenario.send(server, target);
      await fault;

      expect(answer.__typename, JSON.stringify(answer)).toBe('PersistenceFailed');
      expect(answer.incidentId).toMatch(UUID);
      expect(await census(server)).toEqual(censusBefore);
      if (target.sessionId) {
        const after = await worldOf(server, target.sessionId);
        expect(after).toEqual(before);
        expectRuntimeMatchesStore(after);
      }
      expect(changes).toEqual([]);
      expect(published ?? []).toEqual([]);

      await scenario.next(server, target.sessionId, false, target);
      // What the next change published is all there is: the failed one never was.
      if (published) expect(published.every((event) => event.seq > before.store!.lastEventSeq)).toBe(true);
    });

    it('c. the reply is lost and the store unreachable: CommitOutcomeUnknown, then reconciled with no request', async () => {
      const arranged = await arrange(scenario);
      const { server, proxy, target, before, changes } = arranged;
      const fault = proxy.loseNextCommitReply({ thenGoDown: true });
      const answer = await scenario.send(server, target);
      expect((await fault).swallowedReply).toBe('COMMIT');

      expect(answer.__typename, JSON.stringify(answer)).toBe('CommitOutcomeUnknown');
      expect(answer.incidentId).toMatch(UUID);
      const sessionId = subjectOf(arranged, answer)!;
      if (target.sessionId) expect(answer.sessionId).toBe(target.sessionId);
      // While the store is away the runtime keeps the change and nothing is published: nobody knows yet.
      const expected = scenario.effect(before, target);
      expect(server.app.services.runtimes.get(rawId(sessionId)) !== undefined).toBe(expected.runtime !== null);
      expect(changes).toEqual([]);

      proxy.comeUp();
      // No request from here on: the server reconciles in the background once the store answers again.
      const heard = expectedChanges(rawId(sessionId), before, expected);
      await eventually(async () => (changes.length >= heard.length ? true : undefined), 'the reconciled change to be published', 20_000);
      await expectInEffect(arranged, sessionId, scenario);
      await scenario.next(server, sessionId, true, target);
    });

    it('d. COMMIT never reaches the database and the store is unreachable: CommitOutcomeUnknown, then undone with no request', async () => {
      const arranged = await arrange(scenario);
      const { server, proxy, target, before, censusBefore, changes, published } = arranged;
      const fault = proxy.dropNextCommit({ thenGoDown: true });
      const answer = await scenario.send(server, target);
      await fault;

      expect(answer.__typename, JSON.stringify(answer)).toBe('CommitOutcomeUnknown');
      expect(answer.incidentId).toMatch(UUID);
      const sessionId = subjectOf(arranged, answer)!;
      const runtimeOf = () => server.app.services.runtimes.get(rawId(sessionId));
      // Kept as it is until the store can tell: the runtime still shows the change.
      expect(runtimeOf() !== undefined).toBe(scenario.effect(before, target).runtime !== null);

      proxy.comeUp();
      // No request from here on. The runtime goes back to what it was; that is the only sign to wait for,
      // since nothing is published for a change that did not commit.
      await eventually(async () => {
        const world = await worldOf(server, sessionId);
        return JSON.stringify(world.runtime) === JSON.stringify(before.runtime) ? world : undefined;
      }, 'the runtime change to be undone', 20_000);
      const after = await worldOf(server, sessionId);
      expect(after).toEqual(before);
      expectRuntimeMatchesStore(after);
      expect(await census(server)).toEqual(censusBefore);
      expect(changes).toEqual([]);
      expect(published ?? []).toEqual([]);
      await scenario.next(server, target.sessionId, false, target);
    });
  });

  it('at scale: 4 clients × 50 switches on one session, every 10th COMMIT reply lost: nothing acknowledged is lost, nothing stored is denied', async () => {
    const { server, proxy } = await proxiedServer();
    const session = await createSession(server);
    const { id } = await storedSession(server, session.id);
    const published = server.publishedEvents(id);
    const first = await switchModel(server, session.id, 'gpt');
    const watcher = subscribe(server, 'websocket', SessionEvents, { sessionId: session.id, after: first.seq });

    const acknowledged: { seq: number; modelRef: string }[] = [];
    const denied: string[] = [];
    const unknown: string[] = [];
    const other: unknown[] = [];
    const faults: Promise<CommitFault>[] = [];
    let sent = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, client) => {
        for (let index = 0; index < 50; index += 1) {
          const modelRef = `openai/c${client}-s${index}`;
          // Every 10th switch arms the proxy just before it is sent; whichever COMMIT comes next loses its reply.
          if (++sent % 10 === 0) faults.push(proxy.loseNextCommitReply());
          const { setSessionAgentModel: answer } = await server.data(OutcomeSetModel, { input: { sessionId: session.id, modelRef } });
          if (answer.__typename === 'SetSessionAgentModelPayload') acknowledged.push({ seq: answer.seq, modelRef });
          else if (answer.__typename === 'PersistenceFailed') denied.push(modelRef);
          else if (answer.__typename === 'CommitOutcomeUnknown') unknown.push(modelRef);
          else other.push(answer);
        }
      }),
    );
    const lost = await Promise.all(faults);
    expect(lost.map((fault) => fault.swallowedReply)).toEqual(Array(20).fill('COMMIT'));
    expect(other).toEqual([]);
    // A change whose outcome was unknown is settled in the background; let that finish before comparing.
    const storedSwitches = async () =>
      (await storedSession(server, session.id)).events
        .filter((event) => event.kind === 'MODEL_CHANGED' && event.seq > first.seq)
        .map((event) => ({ seq: event.seq, modelRef: (event.payload as { modelRef: string }).modelRef }));
    const publishedSwitches = () =>
      published
        .filter((event) => event.kind === 'MODEL_CHANGED' && event.seq > first.seq)
        .map((event) => ({ seq: event.seq, modelRef: (event.payload as { modelRef: string }).modelRef }));
    await eventually(async () => (publishedSwitches().length >= (await storedSwitches()).length ? true : undefined), 'every stored switch to be published').catch(
      () => {},
    );

    const stored = await storedSwitches();
    const storedRefs = new Set(stored.map((event) => event.modelRef));
    expect(stored).toEqual(expect.arrayContaining(acknowledged));
    expect(denied.filter((modelRef) => storedRefs.has(modelRef)), 'PersistenceFailed answered for changes that are stored').toEqual([]);
    expect(acknowledged.length + denied.length + unknown.length).toBe(200);
    expect(publishedSwitches()).toEqual(stored);
    const { overrides } = await storedSession(server, session.id);
    expect(server.app.services.runtimes.get(id)?.modelRefOf('root')).toBe(overrides.root);
    expect(overrides.root).toBe(stored.at(-1)?.modelRef);

    const lastSeq = stored.at(-1)!.seq;
    const received = (await watcher.received((results) => results.some((result) => (result.data?.sessionEvents.seq ?? 0) >= lastSeq)));
    expect(
      received
        .map((result) => result.data?.sessionEvents)
        .filter((event) => event?.__typename === 'ModelChangedEvent')
        .map((event) => ({ seq: event!.seq, modelRef: (event as { modelRef?: string | null }).modelRef })),
    ).toEqual(stored);
  });
});
