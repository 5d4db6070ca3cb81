/**
 * Several instances under load: three real server processes (`npm start`) on one PostgreSQL database and
 * one private Redis (a redis-server of the test's own, so that it can be restarted), six clients spread
 * over them sending model switches, agent switches, starts and stops on a few shared sessions, and a
 * sessionEvents subscriber on every instance for every session (WebSocket and SSE). Then the faults an
 * operator meets, each under the same load: Redis restarted, and an instance killed outright (kill -9),
 * also with RESTART_LOST_SESSIONS=true (on a cluster of its own, as that setting changes what a kill does).
 * The first three tests share one cluster (starting server processes is most of their cost); each works on
 * sessions of its own, and the kill comes last.
 *
 * What must hold every time, checked past the API against the store:
 * - every answer is a typed result (a success, or a typed error the union lists), never an internal error;
 * - every acknowledged change is in the log, with its kind;
 * - no session ever had two runtimes: in its log, SESSION_STARTED and SESSION_STOPPED alternate, each stop
 *   names the instance of the start before it, and every model or agent switch lies inside a started span;
 * - once quiet, each session's runtime is on the instance the store names, on no other, and holds the
 *   store's current agent and overrides (`serverInstances { self runtimes }` on each instance);
 * - every subscriber received exactly the stored log, in order.
 */
import type { FormattedExecutionResult } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterSessionEvents,
  ClusterSetModel,
  ClusterStartSession,
  ClusterStopSession,
  ClusterSwitchAgent,
} from './support/cluster-operations.js';
import { startCluster, type Cluster, type ClusterInstance, type StoredEvent } from './support/cluster.js';
import { eventually } from './support/faults.js';
import { CreateSession } from './support/operations.js';
import { startPrivateRedis, type PrivateRedis } from './support/redis-server.js';
import { subscribe, type Subscriber, type Transport } from './support/subscribers.js';
import type { ClusterSessionEventsSubscription } from './graphql/graphql.js';

/** The load: six clients, two hundred operations each. */
const CLIENTS = 6;
const OPERATIONS_PER_CLIENT = 200;
/** The sessions every client works on. */
const SHARED_SESSIONS = 4;
/** The bundled demo team (the default team): two agents, echo models that need no credentials. */
const AGENTS = ['root', 'helper'];
/**
 * Named models of the demo team (an alloy among them), inline refs of providers that need no credentials
 * (an inline alloy among them), and "" (back to the agent's default).
 */
const MODEL_REFS = ['echo', 'echo-short', 'echo-duo', 'echo/demo', 'dmr/ai/qwen3', 'ollama/llama3', 'echo/demo,dmr/ai/qwen3', ''];
/** Far past anything the load leaves behind: no event is pruned, so the whole lease history is there. */
const EVENT_RETENTION = '100000';
/** How long a wait on the cluster (a lost instance released, Redis back) may take before the test fails. */
const SETTLE_LIMIT_MS = 20_000;

type OperationKind = 'setModel' | 'switchAgent' | 'start' | 'stop';
type Mix = Partial<Record<OperationKind, number>>;

const FULL_MIX: Mix = { setModel: 45, switchAgent: 25, start: 18, stop: 12 };
const SWITCHES_ONLY: Mix = { setModel: 60, switchAgent: 40 };

/** What each operation may answer. RuntimeUnreachable only where a test lets an instance or Redis fail. */
const SUCCESS: Record<OperationKind, string> = {
  setModel: 'SetSessionAgentModelPayload',
  switchAgent: 'SwitchAgentPayload',
  start: 'Session',
  stop: 'Session',
};
const TYPED_NO_FAULT: Record<OperationKind, string[]> = {
  setModel: [SUCCESS.setModel, 'SessionNotRunning'],
  switchAgent: [SUCCESS.switchAgent, 'SessionNotRunning'],
  start: [SUCCESS.start],
  stop: [SUCCESS.stop],
};
const TYPED_WITH_FAULTS: Record<OperationKind, string[]> = {
  setModel: [...TYPED_NO_FAULT.setModel, 'RuntimeUnreachable'],
  switchAgent: [...TYPED_NO_FAULT.switchAgent, 'RuntimeUnreachable'],
  start: TYPED_NO_FAULT.start,
  stop: [...TYPED_NO_FAULT.stop, 'RuntimeUnreachable'],
};

/** A small seeded generator (mulberry32): the same load on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Answer {
  client: number;
  operation: OperationKind;
  sessionId: string;
  /** The model ref or agent name sent. */
  argument?: string;
  /** The instance the request was sent to. */
  target: ClusterInstance;
  /** The test's phase as the request left and as its answer came. */
  sentIn: string;
  answeredIn: string;
  /** The result union as answered. */
  result?: { __typename: string } & Record<string, unknown>;
  errors?: unknown;
  /** The request itself failed (no HTTP answer): only allowed from an instance the test killed. */
  failure?: string;
  /** Whether the target had been killed when the answer (or the failure) came. */
  targetKilled?: boolean;
}

interface Load {
  answers: Answer[];
  /** Resolves once every client has sent all its operations and had every answer. */
  done: Promise<Answer[]>;
}

/**
 * Six clients, each on its own instance (round-robin), or on a live one once its own was killed, each
 * sending its operations one after the other. `sessions[i]` is skipped by stopSession when `keepRunning`
 * lists it; `phase()` labels each answer with the test's phase.
 */
function startLoad(
  cluster: Cluster,
  sessions: string[],
  options: { mix: Mix; seed: number; phase?: () => string; keepRunning?: string[] },
): Load {
  const answers: Answer[] = [];
  const phase = options.phase ?? (() => 'load');
  const kinds = Object.entries(options.mix) as [OperationKind, number][];
  const total = kinds.reduce((sum, [, weight]) => sum + weight, 0);
  const client = async (index: number) => {
    const next = random(options.seed * 1000 + index);
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
    const home = cluster.instances[index % cluster.instances.length]!;
    for (let step = 0; step < OPERATIONS_PER_CLIENT; step += 1) {
      let roll = next() * total;
      const operation = kinds.find(([, weight]) => (roll -= weight) < 0)![0];
      const candidates = operation === 'stop' ? sessions.filter((id) => !options.keepRunning?.includes(id)) : sessions;
      const sessionId = pick(candidates);
      const alive = cluster.alive();
      const target = home.alive ? home : alive[(index + step) % alive.length]!;
      const argument = operation === 'setModel' ? pick(MODEL_REFS) : operation === 'switchAgent' ? pick(AGENTS) : undefined;
      const answer: Answer = { client: index, operation, sessionId, argument, target, sentIn: phase(), answeredIn: '' };
      try {
        const response = await send(target, operation, sessionId, argument);
        answer.result = response.result;
        if (response.errors) answer.errors = response.errors;
      } catch (error) {
        answer.failure = String((error as Error)?.cause ?? error);
      }
      answer.answeredIn = phase();
      answer.targetKilled = !target.alive;
      answers.push(answer);
    }
  };
  return { answers, done: Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index))).then(() => answers) };
}

async function send(target: ClusterInstance, operation: OperationKind, sessionId: string, argument?: string) {
  type Union = { __typename: string } & Record<string, unknown>;
  switch (operation) {
    case 'setModel': {
      const { data, errors } = await target.request(ClusterSetModel, { input: { sessionId, modelRef: argument! } });
      return { result: data?.setSessionAgentModel as Union | undefined, errors };
    }
    case 'switchAgent': {
      const { data, errors } = await target.request(ClusterSwitchAgent, { input: { sessionId, agentName: argument! } });
      return { result: data?.switchAgent as Union | undefined, errors };
    }
    case 'start': {
      const { data, errors } = await target.request(ClusterStartSession, { id: sessionId });
      return { result: data?.startSession as Union | undefined, errors };
    }
    case 'stop': {
      const { data, errors } = await target.request(ClusterStopSession, { id: sessionId });
      return { result: data?.stopSession as Union | undefined, errors };
    }
  }
}

/** Resolves once `count` answers have come (or the load ended first). */
function answered(load: Load, count: number): Promise<true> {
  let finished = false;
  void load.done.then(() => (finished = true));
  return eventually(async () => (load.answers.length >= count || finished ? true : undefined), `${count} answers`, SETTLE_LIMIT_MS);
}

/** Answers that are not a typed result the operation's union allows (a killed instance's lost requests excepted). */
function untyped(answers: Answer[], allowed: Record<OperationKind, string[]>) {
  return answers
    .filter((answer) => {
      if (answer.failure !== undefined) return !answer.targetKilled;
      return answer.errors !== undefined || !answer.result || !allowed[answer.operation].includes(answer.result.__typename);
    })
    .map(({ target, ...answer }) => ({ ...answer, target: target.index }));
}

function count(answers: Answer[]) {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = `${answer.operation}:${answer.result?.__typename ?? (answer.failure ? 'request failed' : 'GraphQL error')}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function createSessions(cluster: Cluster, count: number, on: (index: number) => ClusterInstance = (index) => cluster.instances[index % cluster.instances.length]!) {
  const sessions: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const { createSession } = await on(index).data(CreateSession, { input: { title: `shared ${index}` } });
    if (createSession.__typename !== 'Session') throw new Error(`createSession failed: ${JSON.stringify(createSession)}`);
    expect(createSession.running).toBe(true);
    sessions.push(createSession.id);
  }
  return sessions;
}

interface Watch {
  instance: ClusterInstance;
  sessionId: string;
  transport: Transport;
  subscriber: Subscriber<ClusterSessionEventsSubscription>;
}

/** A subscriber on every live instance for every session, from its first event, WebSocket and SSE alternating. */
function watchAll(cluster: Cluster, sessions: string[]): Watch[] {
  return cluster.alive().flatMap((instance) =>
    sessions.map((sessionId, index) => {
      const transport: Transport = (instance.index + index) % 2 === 0 ? 'websocket' : 'sse';
      const subscriber = subscribe(instance.subscriptionTarget, transport, ClusterSessionEvents, { sessionId, after: 0 });
      return { instance, sessionId, transport, subscriber };
    }),
  );
}

const kindOf = (typename: string) =>
  typename
    .replace(/Event$/, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase();

/** One line per event, with what the lease history and the switches carry: what a subscriber must match. */
function describeStored(event: StoredEvent): string {
  const { payload } = event;
  switch (event.kind) {
    case 'SESSION_STARTED':
      return `${event.seq} SESSION_STARTED ${payload.instanceId}`;
    case 'SESSION_STOPPED':
      return `${event.seq} SESSION_STOPPED ${payload.reason} ${payload.instanceId}`;
    case 'MODEL_CHANGED':
      return `${event.seq} MODEL_CHANGED ${event.agentName} ${JSON.stringify(payload.modelRef ?? null)}`;
    case 'CURRENT_AGENT_SWITCHED':
      return `${event.seq} CURRENT_AGENT_SWITCHED ${event.agentName}`;
    default:
      return `${event.seq} ${event.kind}`;
  }
}

function describeReceived(result: FormattedExecutionResult<ClusterSessionEventsSubscription>): string {
  const event = result.data?.sessionEvents;
  if (!event) return `ERROR ${JSON.stringify(result.errors)}`;
  const kind = kindOf(event.__typename);
  switch (event.__typename) {
    case 'SessionStartedEvent':
      return `${event.seq} ${kind} ${event.instanceId}`;
    case 'SessionStoppedEvent':
      return `${event.seq} ${kind} ${event.reason} ${event.instanceId}`;
    case 'ModelChangedEvent':
      return `${event.seq} ${kind} ${event.agentName} ${JSON.stringify(event.modelRef ?? null)}`;
    case 'CurrentAgentSwitchedEvent':
      return `${event.seq} ${kind} ${event.agentName}`;
    case 'GapEvent':
      return `${event.seq} ${kind} ${event.missedFrom}-${event.missedTo}`;
    default:
      return `${event.seq} ${kind}`;
  }
}

/**
 * The lease history in a session's log: who held it after each event, and what breaks the rule that a
 * session has at most one runtime (a start while held, a stop naming another holder or none, a switch
 * while nobody held it).
 */
function leaseHistory(events: StoredEvent[]) {
  const problems: string[] = [];
  let holder: string | null = null;
  for (const event of events) {
    const instanceId = event.payload.instanceId as string | undefined;
    if (event.kind === 'SESSION_STARTED') {
      if (holder !== null) problems.push(`${event.seq}: started on ${instanceId} while ${holder} held it`);
      holder = instanceId ?? null;
    } else if (event.kind === 'SESSION_STOPPED') {
      if (instanceId !== holder) problems.push(`${event.seq}: stopped naming ${instanceId}, but ${holder} held it`);
      holder = null;
    } else if ((event.kind === 'MODEL_CHANGED' || event.kind === 'CURRENT_AGENT_SWITCHED') && holder === null) {
      problems.push(`${event.seq}: ${event.kind} while no instance held it`);
    }
  }
  return { problems, holder };
}

/** No session had two runtimes, and each log ends held by whom the store names. */
async function expectOneRuntimeAtATime(cluster: Cluster, sessions: string[]) {
  for (const sessionId of sessions) {
    const [events, stored] = await Promise.all([cluster.storedEvents(sessionId), cluster.storedSession(sessionId)]);
    const history = leaseHistory(events);
    expect(history.problems, `lease history of ${sessionId}`).toEqual([]);
    expect(history.holder, `holder after the log of ${sessionId}`).toBe(stored.runtimeInstanceId);
  }
}

/** Each acknowledged switch is in its session's log, at its seq, with its kind and what it set. */
async function expectAcknowledgedStored(cluster: Cluster, sessions: string[], answers: Answer[]) {
  const logs = new Map(await Promise.all(sessions.map(async (id) => [id, await cluster.storedEvents(id)] as const)));
  const missing: unknown[] = [];
  let acknowledged = 0;
  for (const answer of answers) {
    const result = answer.result;
    if (!result || (result.__typename !== SUCCESS.setModel && result.__typename !== SUCCESS.switchAgent)) continue;
    acknowledged += 1;
    const event = logs.get(answer.sessionId)!.find((stored) => stored.seq === result.seq);
    const expected =
      result.__typename === SUCCESS.setModel
        ? { kind: 'MODEL_CHANGED', agentName: result.agentName, modelRef: result.modelRef ?? null }
        : { kind: 'CURRENT_AGENT_SWITCHED', agentName: result.agentName, modelRef: null };
    const found = event && { kind: event.kind, agentName: event.agentName, modelRef: (event.payload.modelRef as string | undefined) ?? null };
    if (JSON.stringify(found) !== JSON.stringify(expected)) missing.push({ sessionId: answer.sessionId, seq: result.seq, expected, found });
  }
  expect(missing).toEqual([]);
  return acknowledged;
}

/**
 * Every live instance holds in memory exactly the runtimes the store says it holds, each with the store's
 * current agent and overrides; and lists the live instances (a killed one is gone from the list).
 */
async function expectInstancesAgreeWithStore(cluster: Cluster, sessions: string[]) {
  const alive = cluster.alive();
  const views = await Promise.all(alive.map(async (instance) => ({ instance, rows: await instance.serverInstances() })));
  const memory = new Map<string, { currentAgent: string; overrides: Record<string, string> }>();
  const holders = new Map<string, string[]>();
  for (const { instance, rows } of views) {
    const self = rows.filter((row) => row.self);
    expect(self.map((row) => row.id)).toEqual([instance.id]);
    expect(rows.map((row) => row.id).sort()).toEqual(alive.map((each) => each.id).sort());
    for (const runtime of self[0]!.runtimes ?? []) {
      holders.set(runtime.sessionId, [...(holders.get(runtime.sessionId) ?? []), instance.id]);
      memory.set(runtime.sessionId, {
        currentAgent: runtime.currentAgent,
        overrides: Object.fromEntries(runtime.modelOverrides.map((override) => [override.agentName, override.modelRef])),
      });
    }
  }
  expect([...holders.keys()].filter((id) => !sessions.includes(id)), 'runtimes of sessions nobody created').toEqual([]);
  for (const sessionId of sessions) {
    const stored = await cluster.storedSession(sessionId);
    expect(holders.get(sessionId) ?? [], `instances holding ${sessionId} in memory`).toEqual(
      stored.runtimeInstanceId ? [stored.runtimeInstanceId] : [],
    );
    if (stored.runtimeInstanceId) {
      expect(memory.get(sessionId), `runtime of ${sessionId} vs the store`).toEqual({
        currentAgent: stored.currentAgent,
        overrides: stored.overrides,
      });
    }
  }
}

/**
 * Each subscriber on a live instance received the session's stored log, event for event, in order; one
 * on a killed instance received a prefix of it before its stream was cut.
 */
async function expectSubscribersGotTheLog(cluster: Cluster, watches: Watch[]) {
  const logs = new Map<string, string[]>();
  for (const sessionId of new Set(watches.map((watch) => watch.sessionId))) {
    logs.set(sessionId, (await cluster.storedEvents(sessionId)).map(describeStored));
  }
  const mismatches = (
    await Promise.all(
      watches.map(async (watch) => {
        const log = logs.get(watch.sessionId)!;
        const last = Number(log.at(-1)!.split(' ')[0]);
        const what = `${watch.transport} subscriber of ${watch.sessionId} on instance ${watch.instance.index}`;
        if (!watch.instance.alive) {
          const received = watch.subscriber.results.filter((result) => result.data).map(describeReceived);
          return JSON.stringify(received) === JSON.stringify(log.slice(0, received.length)) ? [] : [{ what, received, log }];
        }
        const results = await watch.subscriber.received(
          (got) => got.length >= log.length || got.some((result) => result.data?.sessionEvents.seq === last),
        );
        const received = results.map(describeReceived);
        if (JSON.stringify(received) === JSON.stringify(log)) return [];
        // Only what differs, to keep the failure readable.
        const first = received.findIndex((line, index) => line !== log[index]);
        return [{ what, firstDifference: first, received: received.slice(Math.max(0, first - 2), first + 5), stored: log.slice(Math.max(0, first - 2), first + 5), receivedCount: received.length, storedCount: log.length }];
      }),
    )
  ).flat();
  expect(mismatches).toEqual([]);
}

/** The sessions the store says `instance` holds. */
async function heldBy(cluster: Cluster, sessions: string[], instance: ClusterInstance) {
  const held: string[] = [];
  for (const sessionId of sessions) if ((await cluster.storedSession(sessionId)).runtimeInstanceId === instance.id) held.push(sessionId);
  return held;
}

/** Resolves once every live instance lists exactly the live instances (a killed one's row deleted by its releaser). */
function onlyLiveListed(cluster: Cluster): Promise<true> {
  const alive = cluster.alive().map((instance) => instance.id).sort();
  return eventually(
    async () => {
      const lists = await Promise.all(cluster.alive().map((instance) => instance.serverInstances()));
      return lists.every((rows) => JSON.stringify(rows.map((row) => row.id).sort()) === JSON.stringify(alive)) ? true : undefined;
    },
    'the killed instance to leave serverInstances',
    SETTLE_LIMIT_MS,
  );
}

/** The SESSION_STOPPED events with reason OWNER_LOST in a session's log. */
async function ownerLost(cluster: Cluster, sessionId: string) {
  return (await cluster.storedEvents(sessionId)).filter((event) => event.kind === 'SESSION_STOPPED' && event.payload.reason === 'OWNER_LOST');
}

/**
 * Acknowledged switches carried out by the holder when the request arrived elsewhere (the log names another
 * holder at that point), and those carried out where they arrived.
 */
async function whereCarriedOut(cluster: Cluster, answers: Answer[]) {
  const logs = new Map<string, StoredEvent[]>();
  let forwarded = 0;
  let local = 0;
  for (const answer of answers) {
    const result = answer.result;
    if (!result || (result.__typename !== SUCCESS.setModel && result.__typename !== SUCCESS.switchAgent)) continue;
    if (!logs.has(answer.sessionId)) logs.set(answer.sessionId, await cluster.storedEvents(answer.sessionId));
    const before = logs.get(answer.sessionId)!.filter((event) => event.seq < (result.seq as number));
    if (leaseHistory(before).holder === answer.target.id) local += 1;
    else forwarded += 1;
  }
  return { forwarded, local };
}

/** Sessions whose log shows them started on more than one instance: the load moved them around. */
async function moved(cluster: Cluster, sessions: string[]) {
  let count = 0;
  for (const sessionId of sessions) {
    const starters = new Set((await cluster.storedEvents(sessionId)).filter((event) => event.kind === 'SESSION_STARTED').map((event) => event.payload.instanceId));
    if (starters.size > 1) count += 1;
  }
  return count;
}

/** The three instances of the first describe are shared by its tests (starting them is most of the cost). */
describe('three instances on one PostgreSQL and one Redis, under load', () => {
  let redis: PrivateRedis;
  let cluster: Cluster;
  /** Every session any test made on the cluster: what the instances must agree with the store on. */
  const everySession: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    // A forwarded request that a killed instance never answers ends in 3 s rather than 15.
    cluster = await startCluster({ size: 3, redisUrl: redis.url, env: { EVENT_RETENTION, FORWARD_TIMEOUT_MS: '3000' } });
  });

  it('every answer is typed, every acknowledged change is stored, one runtime per session, and every instance and subscriber agrees with the store', async () => {
    const sessions = await createSessions(cluster, SHARED_SESSIONS);
    everySession.push(...sessions);
    const watches = watchAll(cluster, sessions);

    const answers = await startLoad(cluster, sessions, { mix: FULL_MIX, seed: 1 }).done;
    expect(answers).toHaveLength(CLIENTS * OPERATIONS_PER_CLIENT);
    // Nothing failed, so nothing may answer RuntimeUnreachable either. (Soft: the checks below are
    // independent of this one, and a failure report lists every property that broke.)
    expect.soft(untyped(answers, TYPED_NO_FAULT)).toEqual([]);
    const counts = count(answers);
    expect(counts[`setModel:${SUCCESS.setModel}`]).toBeGreaterThan(0);
    expect(counts[`switchAgent:${SUCCESS.switchAgent}`]).toBeGreaterThan(0);

    await expectAcknowledgedStored(cluster, sessions, answers);
    await expectOneRuntimeAtATime(cluster, sessions);
    // Switches were carried out both where they arrived and, forwarded, by the holder elsewhere.
    const carried = await whereCarriedOut(cluster, answers);
    expect(carried.forwarded).toBeGreaterThan(0);
    expect(carried.local).toBeGreaterThan(0);
    // Nobody was taken for lost, and the sessions did move between instances (stopped here, started there).
    for (const sessionId of sessions) expect(await ownerLost(cluster, sessionId)).toEqual([]);
    expect(await moved(cluster, sessions)).toBeGreaterThan(0);
    await expectInstancesAgreeWithStore(cluster, everySession);
    await expectSubscribersGotTheLog(cluster, watches);
  });

  it('through a Redis restart, local changes commit, forwarded ones answer RuntimeUnreachable at once, forwarding comes back, and subscribers get the whole log', async () => {
    const sessions = await createSessions(cluster, SHARED_SESSIONS);
    everySession.push(...sessions);
    const watches = watchAll(cluster, sessions);

    let phase = 'before';
    const load = startLoad(cluster, sessions, { mix: FULL_MIX, seed: 2, phase: () => phase });
    await answered(load, (CLIENTS * OPERATIONS_PER_CLIENT) / 4);
    await redis.stop();
    phase = 'outage';
    // Sent and answered while Redis was down.
    const during = () => load.answers.filter((answer) => answer.sentIn === 'outage' && answer.answeredIn === 'outage');
    const committed = (answer: Answer) => answer.result?.__typename === SUCCESS.setModel || answer.result?.__typename === SUCCESS.switchAgent;
    let finished = false;
    void load.done.then(() => (finished = true));
    await eventually(
      async () => {
        const now = during();
        return (now.some(committed) && now.some((answer) => answer.result?.__typename === 'RuntimeUnreachable')) || finished ? true : undefined;
      },
      'switches committed and forwarded ones refused while Redis is down',
      SETTLE_LIMIT_MS,
    );
    phase = 'restarting';
    await redis.start();
    phase = 'after';

    const outage = during();
    // What the receiving instance carries out itself went on committing.
    expect(outage.filter(committed).length).toBeGreaterThan(0);
    // What had to be forwarded was refused, typed, naming the holder (another instance).
    const refused = outage.filter((answer) => answer.result?.__typename === 'RuntimeUnreachable');
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(cluster.instances.map((instance) => instance.id)).toContain(answer.result!.instanceId);
      expect(answer.result!.instanceId).not.toBe(answer.target.id);
    }

    // Forwarding works again: a switch sent to an instance that does not hold the session is carried out there.
    await eventually(
      async () => {
        for (const sessionId of sessions) {
          const holderId = (await cluster.storedSession(sessionId)).runtimeInstanceId;
          const other = cluster.instances.find((instance) => holderId !== null && instance.id !== holderId);
          if (!other) continue;
          const { switchAgent } = await other.data(ClusterSwitchAgent, { input: { sessionId, agentName: 'helper' } });
          if (switchAgent.__typename === 'SwitchAgentPayload') {
            // The log says another instance held the session when the switch was recorded.
            const { seq } = switchAgent;
            const before = (await cluster.storedEvents(sessionId)).filter((event) => event.seq < seq);
            if (leaseHistory(before).holder !== other.id) return true;
            continue;
          }
          expect(['RuntimeUnreachable', 'SessionNotRunning']).toContain(switchAgent.__typename);
        }
        return undefined;
      },
      'a forwarded switch to succeed once Redis is back',
      SETTLE_LIMIT_MS,
    );

    // The load never hung: every operation was answered, typed.
    const answers = await load.done;
    expect(answers).toHaveLength(CLIENTS * OPERATIONS_PER_CLIENT);
    expect.soft(untyped(answers, TYPED_WITH_FAULTS)).toEqual([]);
    await expectAcknowledgedStored(cluster, sessions, answers);
    await expectOneRuntimeAtATime(cluster, sessions);
    for (const sessionId of sessions) expect(await ownerLost(cluster, sessionId)).toEqual([]);
    await expectInstancesAgreeWithStore(cluster, everySession);
    await expectSubscribersGotTheLog(cluster, watches);
  });

  // Last: it kills one of the shared instances.
  it('kill -9 of an instance: each session it held is released once as OWNER_LOST, naming it, and starts again on a survivor; the load goes on', async () => {
    const victim = cluster.instances[2]!;
    const shared = await createSessions(cluster, SHARED_SESSIONS);
    // One session the victim surely holds when it dies: started there, never stopped by the load.
    const [anchor] = await createSessions(cluster, 1, () => victim);
    const sessions = [...shared, anchor!];
    everySession.push(...sessions);
    const watches = watchAll(cluster, sessions);

    const load = startLoad(cluster, sessions, { mix: FULL_MIX, seed: 3, keepRunning: [anchor!] });
    await answered(load, (CLIENTS * OPERATIONS_PER_CLIENT) / 3);
    await victim.kill();
    // Only its release changes what a dead instance holds: read once it is dead.
    const held = await heldBy(cluster, everySession, victim);
    expect(held).toContain(anchor);

    // The survivors release each of its sessions once its lease runs out (a wait on the log, not on time).
    for (const sessionId of held) {
      await eventually(async () => ((await ownerLost(cluster, sessionId)).length > 0 ? true : undefined), `the release of ${sessionId}`, SETTLE_LIMIT_MS);
    }
    const answers = await load.done;

    // Each released session starts on a survivor, through a survivor (unless the load started it again already).
    const survivors = cluster.alive();
    for (const [index, sessionId] of held.entries()) {
      const { startSession } = await survivors[index % survivors.length]!.data(ClusterStartSession, { id: sessionId });
      expect(startSession).toMatchObject({ __typename: 'Session', running: true });
    }
    for (const sessionId of everySession) {
      const events = await cluster.storedEvents(sessionId);
      const lost = events.filter((event) => event.kind === 'SESSION_STOPPED' && event.payload.reason === 'OWNER_LOST');
      if (!held.includes(sessionId)) {
        expect(lost, `${sessionId} was not held by the killed instance`).toEqual([]);
        continue;
      }
      expect(lost.map((event) => event.payload.instanceId), `releases of ${sessionId}`).toEqual([victim.id]);
      const restarted = events.find((event) => event.seq > lost[0]!.seq && event.kind === 'SESSION_STARTED');
      expect(survivors.map((instance) => instance.id)).toContain(restarted?.payload.instanceId);
    }

    expect(answers).toHaveLength(CLIENTS * OPERATIONS_PER_CLIENT);
    expect.soft(untyped(answers, TYPED_WITH_FAULTS)).toEqual([]);
    // The load went on on the survivors after the kill, and committed there.
    const lastKilled = answers.findLastIndex((answer) => answer.target === victim);
    expect(answers.slice(lastKilled + 1).filter((answer) => answer.result?.__typename === SUCCESS.setModel).length).toBeGreaterThan(0);
    await expectAcknowledgedStored(cluster, sessions, answers);
    await expectOneRuntimeAtATime(cluster, everySession);
    await onlyLiveListed(cluster);
    await expectInstancesAgreeWithStore(cluster, everySession);
    await expectSubscribersGotTheLog(cluster, watches);
  });
});

describe('an instance killed under load, with RESTART_LOST_SESSIONS=true', () => {
  it('the sessions it held start again by themselves on the survivor, with their stored overrides', async () => {
    const redis = await startPrivateRedis();
    const cluster = await startCluster({
      size: 2,
      redisUrl: redis.url,
      env: { EVENT_RETENTION, FORWARD_TIMEOUT_MS: '3000', RESTART_LOST_SESSIONS: 'true' },
    });
    const [survivor, victim] = cluster.instances as [ClusterInstance, ClusterInstance];
    const loaded = await createSessions(cluster, SHARED_SESSIONS);
    // Held by the victim, an override on each agent, and left alone by the load: after the restart, its
    // runtime can have those overrides from the store only.
    const [quiet] = await createSessions(cluster, 1, () => victim);
    for (const [agentName, modelRef] of [
      ['helper', 'echo/demo,dmr/ai/qwen3'],
      ['root', 'echo-duo'],
    ] as const) {
      const { switchAgent } = await survivor.data(ClusterSwitchAgent, { input: { sessionId: quiet!, agentName } });
      expect(switchAgent.__typename).toBe(SUCCESS.switchAgent);
      const { setSessionAgentModel } = await survivor.data(ClusterSetModel, { input: { sessionId: quiet!, modelRef } });
      expect(setSessionAgentModel.__typename).toBe(SUCCESS.setModel);
    }
    const quietBefore = await cluster.storedSession(quiet!);
    expect(quietBefore).toMatchObject({ currentAgent: 'root', overrides: { helper: 'echo/demo,dmr/ai/qwen3', root: 'echo-duo' } });
    const sessions = [...loaded, quiet!];
    const watches = watchAll(cluster, sessions);

    // Switches only: nothing but the restart of a lost session starts one, so a start after the release is it.
    const load = startLoad(cluster, loaded, { mix: SWITCHES_ONLY, seed: 4 });
    await answered(load, (CLIENTS * OPERATIONS_PER_CLIENT) / 3);
    await victim.kill();
    const held = await heldBy(cluster, sessions, victim);
    expect(held).toContain(quiet);

    for (const sessionId of held) {
      await eventually(
        async () => {
          const events = await cluster.storedEvents(sessionId);
          const lost = events.findIndex((event) => event.kind === 'SESSION_STOPPED' && event.payload.reason === 'OWNER_LOST');
          return lost >= 0 && events.slice(lost).some((event) => event.kind === 'SESSION_STARTED') ? true : undefined;
        },
        `${sessionId} to be released and started again`,
        SETTLE_LIMIT_MS,
      );
      const events = await cluster.storedEvents(sessionId);
      const lost = events.filter((event) => event.kind === 'SESSION_STOPPED' && event.payload.reason === 'OWNER_LOST');
      expect(lost.map((event) => event.payload.instanceId)).toEqual([victim.id]);
      // Started again right after its release, by the survivor, nothing in between (no override dropped).
      const next = events[events.indexOf(lost[0]!) + 1];
      expect(next).toMatchObject({ kind: 'SESSION_STARTED', payload: { instanceId: survivor.id } });
    }
    // The untouched session runs on the survivor with exactly what was stored before the kill.
    expect(await cluster.storedSession(quiet!)).toEqual({ ...quietBefore, runtimeInstanceId: survivor.id });
    const runtime = (await survivor.serverInstances()).find((row) => row.self)!.runtimes!.find((each) => each.sessionId === quiet);
    expect(runtime).toMatchObject({ currentAgent: quietBefore.currentAgent });
    expect(Object.fromEntries(runtime!.modelOverrides.map((override) => [override.agentName, override.modelRef]))).toEqual(quietBefore.overrides);

    const answers = await load.done;
    expect(answers).toHaveLength(CLIENTS * OPERATIONS_PER_CLIENT);
    expect.soft(untyped(answers, TYPED_WITH_FAULTS)).toEqual([]);
    await expectAcknowledgedStored(cluster, sessions, answers);
    await expectOneRuntimeAtATime(cluster, sessions);
    await onlyLiveListed(cluster);
    await expectInstancesAgreeWithStore(cluster, sessions);
    await expectSubscribersGotTheLog(cluster, watches);
  });
});
