/**
 * The turn phase: agent turns against a fake OpenAI server (scripts/bench/fake-openai.ts, a child
 * process), each figure beside a baseline measured in the same run.
 *
 * - Time to first delta: from sending `runTurn` to a graphql-ws subscriber of the session receiving the
 *   turn's first AssistantDeltaEvent, beside the time from sending a streamed chat completions request
 *   straight to the same fake (fetch) to reading its first SSE chunk. The two are measured in turns
 *   (provider, then turn), so both see the same machine load; the goal is ≤ 2 ms added at p50.
 * - A long reply to many subscribers: deltas per second delivered to every subscriber of one turn,
 *   beside the bare graphql-ws broadcast (scripts/bench/bare-broadcast.ts) sending the same events to
 *   as many subscribers; every subscriber's deltas are checked: all there, in order, as the model sent them.
 *
 * A failed request (an error answer, a turn that fails or never ends, a stream that ends early) is
 * counted and reported with its reason; it never ends the run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { askFor, deltaText } from './fake-openai.js';
import { graphqlPost, nowEpochMs, webSocketSubscriber, type Received, type Subscriber } from './load.js';
import { startProcess, type ServerProcess } from './processes.js';
import { percentile, progress } from './stats.js';

export const TURN_EVENTS = `subscription($id: ID!) { sessionEvents(sessionId: $id) {
  __typename seq at agentName
  ... on AssistantDeltaEvent { turnId index content }
  ... on TurnEndedEvent { turnId reason }
  ... on TurnFailedEvent { turnId code message } } }`;
const RUN_TURN = `mutation($id: ID!, $content: String!) {
  runTurn(input: { sessionId: $id, messages: [{ role: "user", content: $content }] }) {
    __typename ... on TurnPayload { turnId } ... on Error { message } } }`;
const CREATE = 'mutation($title: String!) { createSession(input: { title: $title }) { ... on Session { id } } }';
const INSTRUCTION = "You are the benchmark's agent.";
/** Deltas in each reply of the time-to-first-delta turns. */
const SHORT_REPLY = 5;
/** Unmeasured turns first: JIT, the provider client's connection, the subscription's registration. */
const WARM_UP_TURNS = 3;
/** How long a measured turn may take to stream its first delta, and then to end. */
const TURN_TIMEOUT_MS = 10_000;

export interface TurnPhaseOptions {
  /** Turns measured for the time to first delta. */
  turns: number;
  /** Subscribers of the long reply. */
  subscribers: number;
  /** Deltas in the long reply. */
  deltas: number;
  /** Starts the server under test (a fresh database) with these extra environment variables. */
  startServer(env: Record<string, string>): Promise<ServerProcess>;
  /** Registers what to undo at the end of the run. */
  cleanup(step: () => Promise<void> | void): void;
}

export interface FirstDeltaSide {
  /** Measurements that succeeded. */
  count: number;
  failed: number;
  /** The first few failures' reasons. */
  failures: string[];
  p50: number;
  p99: number;
}

/** Stages of a measured turn, from sending runTurn. */
export interface TurnStages {
  /** Until runTurn's answer. */
  answered: { p50: number; p99: number };
  /** Until the server's model request reached the fake provider (the two processes' clocks). */
  modelRequest: { p50: number; p99: number };
}

export interface LongReply {
  subscribers: number;
  deltas: number;
  /** deltas × subscribers */
  expected: number;
  /** Deltas of the turn received, over every subscriber. */
  delivered: number;
  /** Subscribers that received every delta once, in order, with the model's text. */
  complete: number;
  /** Subscribers whose stream ended before the reply did (an error such as SUBSCRIBER_TOO_SLOW, a lost connection). */
  endedEarly: number;
  failed: number;
  failures: string[];
  /** From the trigger (runTurn, or the bare server's publish) to the first delta at any subscriber. */
  startToFirstMs: number;
  /** From the first delta at any subscriber to the last at every subscriber. */
  spreadMs: number;
  /** delivered / spread */
  deliveredPerSecond: number;
}

export interface TurnResults {
  firstDelta: {
    turns: number;
    replyDeltas: number;
    provider: FirstDeltaSide;
    turn: FirstDeltaSide & TurnStages;
    /** turn p50 − provider p50 */
    addedP50Ms: number;
    goalMs: number;
    goalMet: boolean;
  };
  longReply: {
    bare: LongReply;
    turn: LongReply;
    /** turn.deliveredPerSecond / bare.deliveredPerSecond */
    vsBare: number;
  };
}

const typename = (entry: Received): string | undefined => entry.data?.sessionEvents?.__typename;
const ofTurn = (turnId: string, ...types: string[]) => (entry: Received) =>
  types.includes(typename(entry) ?? '') && entry.data.sessionEvents.turnId === turnId;
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

/** Keeps the count and the first few reasons of failures. */
function failureLog() {
  const log = { failed: 0, failures: [] as string[] };
  return {
    log,
    add(reason: string) {
      log.failed += 1;
      if (log.failures.length < 5) log.failures.push(reason);
    },
  };
}

/** Sends runTurn; its turn id, or why there is none. */
async function startTurn(url: string, sessionId: string, deltas: number, tag?: string): Promise<{ turnId?: string; error?: string }> {
  try {
    const { runTurn } = await graphqlPost(url, RUN_TURN, { id: sessionId, content: askFor(deltas, tag) });
    if (runTurn.__typename !== 'TurnPayload') return { error: `runTurn answered ${runTurn.__typename}: ${runTurn.message}` };
    return { turnId: runTurn.turnId as string };
  } catch (error) {
    return { error: `runTurn failed: ${reasonOf(error)}` };
  }
}

/** Waits for the turn's end at `watcher`; why it did not complete, if it did not. */
async function turnEnd(watcher: Subscriber, turnId: string, from: number, timeoutMs: number): Promise<string | undefined> {
  const end = await watcher.waitFor(ofTurn(turnId, 'TurnEndedEvent'), from, timeoutMs);
  if (!end) return `turn ${turnId} did not end within ${timeoutMs} ms` + (watcher.ended[0] ? ` (stream ended: ${JSON.stringify(watcher.ended[0])})` : '');
  if (end.data.sessionEvents.reason === 'COMPLETED') return undefined;
  const failure = watcher.received.slice(from).find(ofTurn(turnId, 'TurnFailedEvent'))?.data.sessionEvents;
  return `turn ended ${end.data.sessionEvents.reason}${failure ? `: ${failure.code} ${failure.message}` : ''}`;
}

interface TimedTurn {
  /** When runTurn was sent, epoch ms. */
  sent: number;
  /** From sending runTurn to its answer. */
  answeredMs?: number;
  /** From sending runTurn to its first delta at the watcher. */
  ms?: number;
  error?: string;
}

/** One turn, timed from sending runTurn to the first delta at `watcher`. */
async function timedTurn(url: string, sessionId: string, watcher: Subscriber, timeoutMs: number, tag?: string): Promise<TimedTurn> {
  const from = watcher.received.length;
  const sent = nowEpochMs();
  const { turnId, error } = await startTurn(url, sessionId, SHORT_REPLY, tag);
  const answeredMs = nowEpochMs() - sent;
  if (!turnId) return { sent, error };
  const first = await watcher.waitFor(ofTurn(turnId, 'AssistantDeltaEvent', 'TurnEndedEvent'), from, timeoutMs);
  const ended = await turnEnd(watcher, turnId, from, timeoutMs);
  if (ended) return { sent, error: ended };
  if (!first || typename(first) !== 'AssistantDeltaEvent') return { sent, error: `turn ${turnId} ended without a delta` };
  return { sent, answeredMs, ms: first.at - sent };
}

/** One streamed request straight to the fake, timed from sending it to reading its first chunk. */
async function providerFirstChunk(providerUrl: string): Promise<number> {
  const sent = performance.now();
  const response = await fetch(`${providerUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-not-a-key' },
    body: JSON.stringify({
      model: 'bench-model',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: INSTRUCTION },
        { role: 'user', content: askFor(SHORT_REPLY) },
      ],
    }),
  });
  if (!response.ok || !response.body) throw new Error(`the provider answered ${response.status}`);
  const reader = response.body.getReader();
  const first = await reader.read();
  const ms = performance.now() - sent;
  if (first.done || !new TextDecoder().decode(first.value).startsWith('data: ')) throw new Error('the stream did not start with an SSE chunk');
  while (!(await reader.read()).done) {
    // read the rest, as a client would, so the connection is reused
  }
  return ms;
}

function side(latencies: number[], failures: ReturnType<typeof failureLog>['log']): FirstDeltaSide {
  return { count: latencies.length, ...failures, ...p50p99(latencies) };
}

function p50p99(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function openSubscribers(count: number, open: () => Promise<Subscriber>): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  for (let index = 0; index < count; index += 50) {
    subscribers.push(...(await Promise.all(Array.from({ length: Math.min(50, count - index) }, open))));
  }
  return subscribers;
}

/**
 * One reply of `deltas` deltas to `count` subscribers. `trigger` starts a reply of that many deltas and
 * gives its turn id. Short replies come first until every subscriber has seen one end (subscriptions
 * register after their handshake); then the long one is measured.
 */
async function longReply(
  count: number,
  deltas: number,
  open: () => Promise<Subscriber>,
  trigger: (deltas: number) => Promise<{ turnId?: string; error?: string }>,
  label: string,
): Promise<LongReply> {
  const failures = failureLog();
  const subscribers = await openSubscribers(count, open);
  const allEnded = (turnId: string, timeoutMs: number) =>
    Promise.all(subscribers.map((subscriber) => subscriber.waitFor(ofTurn(turnId, 'TurnEndedEvent'), 0, timeoutMs)));
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const { turnId } = await trigger(1);
    if (turnId && (await allEnded(turnId, 1_000)).every(Boolean)) break;
  }
  subscribers.forEach((subscriber) => (subscriber.received.length = 0));

  progress(`${label}: a reply of ${deltas} deltas to ${count} subscribers`);
  const sent = nowEpochMs();
  const { turnId, error } = await trigger(deltas);
  const timeoutMs = Math.max(30_000, (deltas * count) / 2);
  if (error) failures.add(error);
  else if ((await allEnded(turnId!, timeoutMs)).some((end) => !end)) failures.add(`not every subscriber saw the turn end within ${timeoutMs} ms`);

  let delivered = 0;
  let complete = 0;
  let endedEarly = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const subscriber of subscribers) {
    const received = turnId ? subscriber.received.filter(ofTurn(turnId, 'AssistantDeltaEvent')) : [];
    delivered += received.length;
    for (const entry of received) {
      first = Math.min(first, entry.at);
      last = Math.max(last, entry.at);
    }
    const inOrder = received.every((entry, index) => entry.data.sessionEvents.index === index && entry.data.sessionEvents.content === deltaText(index));
    if (received.length === deltas && inOrder) complete += 1;
    if (subscriber.ended.length > 0) {
      endedEarly += 1;
      failures.add(`a stream ended early: ${JSON.stringify(subscriber.ended[0]).slice(0, 300)}`);
    }
  }
  if (turnId && complete < count) failures.add(`${count - complete} subscriber(s) missed deltas or got them out of order`);
  subscribers.forEach((subscriber) => subscriber.close());
  const spreadMs = last - first;
  return {
    subscribers: count,
    deltas,
    expected: deltas * count,
    delivered,
    complete,
    endedEarly,
    ...failures.log,
    startToFirstMs: first - sent,
    spreadMs,
    deliveredPerSecond: delivered / (spreadMs / 1000),
  };
}

export async function turnPhase(options: TurnPhaseOptions): Promise<TurnResults> {
  progress('turns: starting the fake OpenAI provider, and a server whose team calls it');
  const provider = await startProcess('scripts/bench/fake-openai.ts', {});
  options.cleanup(() => provider.stop());
  const agentsDir = mkdtempSync(path.join(tmpdir(), 'asg-bench-agents-'));
  options.cleanup(() => rmSync(agentsDir, { recursive: true, force: true }));
  writeFileSync(
    path.join(agentsDir, 'bench.yaml'),
    [
      'agents:',
      '  root:',
      '    model: fake',
      `    instruction: "${INSTRUCTION}"`,
      'models:',
      `  fake: { provider: openai, model: bench-model, base_url: "${provider.url}" }`,
    ].join('\n'),
  );
  const server = await options.startServer({ AGENTS_DIR: agentsDir, DEFAULT_TEAM: 'bench', OPENAI_API_KEY: 'sk-bench-not-a-key' });
  const session = async (title: string) => (await graphqlPost(server.url, CREATE, { title })).createSession.id as string;

  // Time to first delta: one session, one WebSocket subscriber, turns one after another.
  const firstDeltaSession = await session('bench turns');
  const watcher = await webSocketSubscriber(server.url, TURN_EVENTS, { id: firstDeltaSession });
  for (let warm = 0, attempt = 0; warm < WARM_UP_TURNS && attempt < 20; attempt += 1) {
    // Short: until the watcher's subscription is registered, a turn streams to nobody.
    if ((await timedTurn(server.url, firstDeltaSession, watcher, 1_000)).ms !== undefined) warm += 1;
    await providerFirstChunk(provider.url).catch(() => {});
  }
  progress(`turns: time to first delta over ${options.turns} turns, beside the provider's first chunk`);
  const turnLatencies: number[] = [];
  const measured: TimedTurn[] = [];
  const providerLatencies: number[] = [];
  const turnFailures = failureLog();
  const providerFailures = failureLog();
  for (let turn = 0; turn < options.turns; turn += 1) {
    try {
      providerLatencies.push(await providerFirstChunk(provider.url));
    } catch (error) {
      providerFailures.add(reasonOf(error));
    }
    const timed = await timedTurn(server.url, firstDeltaSession, watcher, TURN_TIMEOUT_MS, `t${turn}`);
    if (timed.ms === undefined) turnFailures.add(timed.error ?? 'unknown');
    else turnLatencies.push(timed.ms);
    measured[turn] = timed;
  }
  watcher.close();
  const providerSide = side(providerLatencies, providerFailures.log);
  // Where a turn's time goes: until runTurn answers, and until the server's model request reaches the fake.
  let arrivals: Record<string, number> = {};
  try {
    arrivals = (await (await fetch(provider.url.replace(/\/v1$/, '/arrivals'))).json()) as Record<string, number>;
  } catch (error) {
    turnFailures.log.failures.push(`the provider's arrival times could not be read: ${reasonOf(error)}`);
  }
  const succeeded = measured.filter((timed) => timed.ms !== undefined);
  const turnSide: FirstDeltaSide & TurnStages = {
    ...side(turnLatencies, turnFailures.log),
    answered: p50p99(succeeded.map((timed) => timed.answeredMs!)),
    modelRequest: p50p99(
      measured.flatMap((timed, turn) => (timed.ms !== undefined && arrivals[`t${turn}`] !== undefined ? [arrivals[`t${turn}`]! - timed.sent] : [])),
    ),
  };
  const addedP50Ms = turnSide.p50 - providerSide.p50;

  // Deltas per second to many subscribers: the bare broadcast first, then a turn.
  progress('turns: starting the bare graphql-ws broadcast server');
  const bareServer = await startProcess('scripts/bench/bare-broadcast.ts', {});
  options.cleanup(() => bareServer.stop());
  const publishTurn = bareServer.url.replace(/\/graphql$/, '/publish-turn');
  const bare = await longReply(
    options.subscribers,
    options.deltas,
    () => webSocketSubscriber(bareServer.url, TURN_EVENTS, { id: 'x' }),
    async (deltas) => {
      try {
        return (await (await fetch(`${publishTurn}?deltas=${deltas}`, { method: 'POST' })).json()) as { turnId: string };
      } catch (error) {
        return { error: `publish failed: ${reasonOf(error)}` };
      }
    },
    'turns, bare graphql-ws',
  );
  await bareServer.stop();
  const longSession = await session('bench long reply');
  const turn = await longReply(
    options.subscribers,
    options.deltas,
    () => webSocketSubscriber(server.url, TURN_EVENTS, { id: longSession }),
    (deltas) => startTurn(server.url, longSession, deltas),
    'turns, runTurn over WebSocket',
  );

  return {
    firstDelta: {
      turns: options.turns,
      replyDeltas: SHORT_REPLY,
      provider: providerSide,
      turn: turnSide,
      addedP50Ms,
      goalMs: 2,
      goalMet: addedP50Ms <= 2,
    },
    longReply: { bare, turn, vsBare: turn.deliveredPerSecond / bare.deliveredPerSecond },
  };
}
