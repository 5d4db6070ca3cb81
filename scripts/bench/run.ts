/**
 * `npm run bench [-- --duration 5 --db sqlite|postgres --subscribers 1000 --sse 100 --rate 20
 *                   --turns 50 --turn-subscribers 100 --deltas 2000 --phases throughput,page,fanout,memory,turns]`
 *
 * Starts the real server in a child process and measures, each figure beside a baseline measured in
 * the same run: model switches against a trivial query and against the bare Prisma transaction;
 * subscription fan-out against a bare graphql-ws broadcast; a dashboard page's cost; memory per idle
 * subscriber; agent turns' time to first delta against the provider's own first chunk, and a long
 * reply's deltas per second to many subscribers against the bare broadcast (scripts/bench/turns.ts).
 * Prints a table (stdout) and writes the figures as JSON to bench-results/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../../src/db/client.js';
import { createLogger } from '../../src/log.js';
import { projectRoot } from '../prisma-schemas.js';
import { closedLoop, fixedRate, graphqlPost, sseSubscriber, webSocketSubscriber, type Subscriber } from './load.js';
import { startProcess, type ServerProcess } from './processes.js';
import { fixed, percentile, progress, summarize, table, type LatencySummary } from './stats.js';
import { turnPhase } from './turns.js';

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    db: { type: 'string', default: 'sqlite' },
    subscribers: { type: 'string', default: '1000' },
    sse: { type: 'string', default: '100' },
    rate: { type: 'string', default: '20' },
    turns: { type: 'string', default: '50' },
    'turn-subscribers': { type: 'string', default: '100' },
    deltas: { type: 'string', default: '2000' },
    phases: { type: 'string', default: 'throughput,page,fanout,memory,turns' },
  },
});
const seconds = Number(options.duration);
const provider = options.db === 'postgres' || options.db === 'postgresql' ? 'postgresql' : 'sqlite';
const subscriberCount = Number(options.subscribers);
const sseCount = Number(options.sse);
const rate = Number(options.rate);
const PHASES = ['throughput', 'page', 'fanout', 'memory', 'turns'];
const phases = new Set(options.phases.split(',').map((phase) => phase.trim()).filter(Boolean));
for (const phase of phases) if (!PHASES.includes(phase)) throw new Error(`--phases: unknown phase "${phase}"; known: ${PHASES.join(', ')}`);
const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const CREATE = 'mutation($title: String!) { createSession(input: { title: $title }) { ... on Session { id } } }';
const SWITCH = `mutation($id: ID!, $ref: String!) { setSessionAgentModel(input: { sessionId: $id, modelRef: $ref }) {
  __typename ... on SetSessionAgentModelPayload { seq } ... on Error { message } } }`;
const EVENTS = `subscription($id: ID!) { sessionEvents(sessionId: $id) {
  __typename seq at agentName ... on ModelChangedEvent { modelRef previousModelRef } } }`;
const PAGE = `query { sessions(first: 50) { totalCount edges { node {
  id title running currentAgent agentModelOverrides { agentName modelRef } customModelsUsed
  messages(last: 5) { edges { node { role content } } } } } } }`;
const REFS = ['echo-short', 'echo/bench'];

/** Fresh databases for this run, removed at the end. */
const cleanups: (() => Promise<void> | void)[] = [];
function freshDatabaseUrl(): string {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'asg-bench-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return `file:${path.join(dir, 'sessions.db')}`;
  }
  const schema = `asg_bench_${randomBytes(4).toString('hex')}`;
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
  return `${POSTGRES_URL}?schema=${schema}`;
}

async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  // Every benchmark subscriber is one socket from this one client: lift the cap on sockets per client.
  const server = await startProcess('src/main.ts', {
    DATABASE_URL: freshDatabaseUrl(),
    LOG_LEVEL: 'info',
    WS_MAX_SOCKETS_PER_CLIENT: '100000',
    ...env,
  });
  cleanups.push(() => server.stop());
  return server;
}

async function createSessions(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    ids.push((await graphqlPost(url, CREATE, { title: `bench ${index}` })).createSession.id as string);
  }
  return ids;
}

/** The same writes as one model switch, as a bare Prisma interactive transaction in this process. */
async function bareTransactions(clients: number): Promise<LatencySummary> {
  const database = await openDatabase({ url: freshDatabaseUrl(), log: createLogger({ level: 'silent', format: 'pretty' }) });
  const { prisma } = database;
  const ids = Array.from({ length: clients }, (_, index) => `bench-${index}`);
  for (const id of ids) {
    await prisma.session.create({ data: { id, title: id, workingDir: '/', teamName: 'example', currentAgent: 'root' } });
  }
  let counter = 0;
  const latencies = await closedLoop(clients, seconds, (client) =>
    prisma.$transaction(async (tx) => {
      const sessionId = ids[client]!;
      const modelRef = REFS[(counter += 1) % 2]!;
      const { lastEventSeq } = await tx.session.update({
        where: { id: sessionId },
        data: { version: { increment: 1 }, lastEventSeq: { increment: 1 } },
        select: { lastEventSeq: true },
      });
      await tx.agentModelOverride.upsert({
        where: { sessionId_agentName: { sessionId, agentName: 'root' } },
        create: { sessionId, agentName: 'root', modelRef },
        update: { modelRef },
      });
      if (modelRef.includes('/')) {
        const known = await tx.customModelUsed.findUnique({ where: { sessionId_modelRef: { sessionId, modelRef } } });
        if (!known) await tx.customModelUsed.create({ data: { sessionId, modelRef, position: 1 } });
      }
      await tx.sessionEvent.create({
        data: { sessionId, seq: lastEventSeq, kind: 'MODEL_CHANGED', agentName: 'root', payload: JSON.stringify({ modelRef }) },
      });
    }),
  );
  await database.close();
  return summarize(latencies, seconds);
}

interface FanOut {
  subscribers: number;
  expected: number;
  delivered: number;
  deliveredPerSecond: number;
  p50: number;
  p99: number;
}

/** Opens subscribers, sends a warm-up event that all must get, then `rate` events a second. */
async function fanOut(
  open: () => Promise<Subscriber>,
  count: number,
  publish: () => Promise<unknown>,
  label: string,
): Promise<FanOut> {
  const subscribers: Subscriber[] = [];
  for (let index = 0; index < count; index += 50) {
    subscribers.push(...(await Promise.all(Array.from({ length: Math.min(50, count - index) }, open))));
  }
  const everyoneHas = async (events: number, limitMs: number) => {
    const deadline = Date.now() + limitMs;
    while (subscribers.some((subscriber) => subscriber.received.length < events) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  // Subscriptions register after their handshake: publish until every subscriber has seen one.
  for (let attempt = 0; attempt < 50 && subscribers.some((subscriber) => subscriber.received.length === 0); attempt += 1) {
    await publish();
    await everyoneHas(1, 200);
  }
  subscribers.forEach((subscriber) => (subscriber.received.length = 0));
  progress(`${label}: ${count} subscribers, ${rate} events/s for ${seconds}s`);
  const started = Date.now();
  const sent = await fixedRate(rate, seconds, publish);
  await everyoneHas(sent, 15_000);
  const receivedAll = subscribers.flatMap((subscriber) => subscriber.received);
  const lastArrival = Math.max(...receivedAll.map((entry) => entry.at));
  const latencies = receivedAll
    .map((entry) => entry.at - Date.parse(entry.data.sessionEvents.at))
    .sort((a, b) => a - b);
  subscribers.forEach((subscriber) => subscriber.close());
  return {
    subscribers: count,
    expected: sent * count,
    delivered: receivedAll.length,
    deliveredPerSecond: receivedAll.length / ((lastArrival - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    database: provider,
    durationSeconds: seconds,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  };

  if (phases.has('throughput')) {
    progress(`starting the server on ${provider}`);
    const server = await startServer();
    const throughput: Record<string, unknown>[] = [];
    const sessionIds = await createSessions(server.url, 32);
    for (const clients of [1, 8, 32]) {
      progress(`throughput with ${clients} client(s): trivial query`);
      const trivial = summarize(await closedLoop(clients, seconds, () => graphqlPost(server.url, '{ __typename }')), seconds);
      progress(`throughput with ${clients} client(s): setSessionAgentModel`);
      let counter = 0;
      const switches = summarize(
        await closedLoop(clients, seconds, async (client) => {
          const data = await graphqlPost(server.url, SWITCH, { id: sessionIds[client], ref: REFS[(counter += 1) % 2] });
          if (data.setSessionAgentModel.__typename !== 'SetSessionAgentModelPayload') {
            throw new Error(JSON.stringify(data));
          }
        }),
        seconds,
      );
      progress(`throughput with ${clients} client(s): bare Prisma transaction`);
      const bare = await bareTransactions(clients);
      throughput.push({ clients, trivial, switches, bare, vsTrivial: switches.perSecond / trivial.perSecond, vsBare: switches.perSecond / bare.perSecond });
    }
    results.throughput = throughput;
  }

  if (phases.has('page')) {
    progress('dashboard page: seeding 50 sessions with overrides, custom models and messages');
    const pageServer = await startServer();
    for (const id of await createSessions(pageServer.url, 50)) {
      await graphqlPost(pageServer.url, SWITCH, { id, ref: 'echo/bench' });
      for (let message = 0; message < 6; message += 1) {
        await graphqlPost(pageServer.url, `mutation($id: ID!) { addMessage(input: { sessionId: $id, role: "user", content: "hello" }) { __typename } }`, { id });
      }
    }
    progress('dashboard page: sessions(first: 50) with 8 clients');
    const before = (await pageServer.metrics()).asg_sql_statements_total!;
    const page = summarize(await closedLoop(8, seconds, () => graphqlPost(pageServer.url, PAGE)), seconds);
    const statements = ((await pageServer.metrics()).asg_sql_statements_total! - before) / page.count;
    results.page = { ...page, statementsPerRequest: statements };
  }

  if (phases.has('fanout')) {
    progress('fan-out: starting the bare graphql-ws broadcast server');
    const bareServer = await startProcess('scripts/bench/bare-broadcast.ts', {});
    cleanups.push(() => bareServer.stop());
    const publishUrl = bareServer.url.replace(/\/graphql$/, '/publish');
    const bareFanOut = await fanOut(
      () => webSocketSubscriber(bareServer.url, EVENTS, { id: 'x' }),
      subscriberCount,
      () => fetch(publishUrl, { method: 'POST' }),
      'fan-out, bare graphql-ws',
    );
    const fanOutServer = await startServer();
    const [wsSession, sseSession] = await createSessions(fanOutServer.url, 2);
    let toggle = 0;
    const switchOn = (id: string) => () => graphqlPost(fanOutServer.url, SWITCH, { id, ref: REFS[(toggle += 1) % 2] });
    const wsFanOut = await fanOut(
      () => webSocketSubscriber(fanOutServer.url, EVENTS, { id: wsSession }),
      subscriberCount,
      switchOn(wsSession!),
      'fan-out, sessionEvents over WebSocket',
    );
    const sseFanOut = await fanOut(
      () => sseSubscriber(fanOutServer.url, EVENTS, { id: sseSession }),
      sseCount,
      switchOn(sseSession!),
      'fan-out, sessionEvents over SSE',
    );
    results.fanOut = { bare: bareFanOut, webSocket: wsFanOut, sse: sseFanOut, vsBare: wsFanOut.deliveredPerSecond / bareFanOut.deliveredPerSecond };
  }

  if (phases.has('memory')) {
    progress(`memory: a fresh server with 0, then ${subscriberCount} idle subscribers`);
    const memoryServer = await startServer();
    const [idleSession] = await createSessions(memoryServer.url, 1);
    const settledRss = async () => {
      const samples = [];
      for (let sample = 0; sample < 5; sample += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        samples.push(await memoryServer.rss());
      }
      return Math.min(...samples);
    };
    const idle: Subscriber[] = [];
    // Warm up one subscription first, so the baseline holds the code paths a subscriber uses.
    idle.push(await webSocketSubscriber(memoryServer.url, EVENTS, { id: idleSession }));
    const rssBefore = await settledRss();
    for (let opened = 0; opened < subscriberCount; opened += 50) {
      const batch = Math.min(50, subscriberCount - opened);
      idle.push(...(await Promise.all(Array.from({ length: batch }, () => webSocketSubscriber(memoryServer.url, EVENTS, { id: idleSession })))));
    }
    while ((await memoryServer.metrics()).asg_event_streams_open! < idle.length) await new Promise((resolve) => setTimeout(resolve, 50));
    const rssAfter = await settledRss();
    idle.forEach((subscriber) => subscriber.close());
    results.memory = { subscribers: idle.length - 1, rssBefore, rssAfter, bytesPerSubscriber: (rssAfter - rssBefore) / (idle.length - 1) };
  }

  if (phases.has('turns')) {
    results.turns = await turnPhase({
      turns: Number(options.turns),
      subscribers: Number(options['turn-subscribers']),
      deltas: Number(options.deltas),
      startServer,
      cleanup: (step) => cleanups.push(step),
    });
  }

  report(results);
}

function report(results: Record<string, any>): void {
  const lines: string[] = [];
  lines.push(`agent-session-graphql benchmark: ${results.database}, ${results.durationSeconds}s per measurement, ` +
    `${results.machine.cpus} cores (${results.machine.cpuModel}), Node ${results.machine.node}`);
  if (results.throughput) {
    lines.push('');
    lines.push(table(
      ['clients', 'trivial req/s', 'switch req/s', 'switch p50 ms', 'switch p99 ms', 'bare tx/s', 'switch/trivial', 'switch/bare'],
      results.throughput.map((row: any) => [
        row.clients, fixed(row.trivial.perSecond, 0), fixed(row.switches.perSecond, 0), fixed(row.switches.p50, 2),
        fixed(row.switches.p99, 2), fixed(row.bare.perSecond, 0), fixed(row.vsTrivial, 2), fixed(row.vsBare, 2),
      ]),
    ));
  }
  if (results.fanOut) {
    lines.push('');
    const fan = results.fanOut;
    lines.push(table(
      ['fan-out', 'subscribers', 'delivered', 'of', 'events/s', 'p50 ms', 'p99 ms'],
      [
        ['bare graphql-ws', fan.bare.subscribers, fan.bare.delivered, fan.bare.expected, fixed(fan.bare.deliveredPerSecond, 0), fixed(fan.bare.p50), fixed(fan.bare.p99)],
        ['sessionEvents WS', fan.webSocket.subscribers, fan.webSocket.delivered, fan.webSocket.expected, fixed(fan.webSocket.deliveredPerSecond, 0), fixed(fan.webSocket.p50), fixed(fan.webSocket.p99)],
        ['sessionEvents SSE', fan.sse.subscribers, fan.sse.delivered, fan.sse.expected, fixed(fan.sse.deliveredPerSecond, 0), fixed(fan.sse.p50), fixed(fan.sse.p99)],
      ],
    ));
    lines.push(`fan-out WS / bare: ${fixed(fan.vsBare, 2)}`);
  }
  if (results.page || results.memory) lines.push('');
  if (results.page) {
    lines.push(`sessions(first: 50) with overrides, custom models, last 5 messages: ${fixed(results.page.perSecond, 0)} req/s ` +
      `(8 clients), p50 ${fixed(results.page.p50, 2)} ms, ${fixed(results.page.statementsPerRequest, 2)} SQL statements per request`);
  }
  if (results.memory) {
    lines.push(`memory: ${fixed(results.memory.bytesPerSubscriber / 1024, 1)} KiB per idle subscriber ` +
      `(RSS ${fixed(results.memory.rssBefore / 2 ** 20)} MiB → ${fixed(results.memory.rssAfter / 2 ** 20)} MiB with ${results.memory.subscribers})`);
  }
  if (results.turns) {
    const { firstDelta, longReply } = results.turns;
    lines.push('');
    lines.push(table(
      [`time to first delta (${firstDelta.replyDeltas}-delta replies)`, 'measured', 'failed', 'p50 ms', 'p99 ms'],
      [
        ['provider: fetch → first SSE chunk', firstDelta.provider.count, firstDelta.provider.failed, fixed(firstDelta.provider.p50, 2), fixed(firstDelta.provider.p99, 2)],
        ['runTurn → first AssistantDeltaEvent (WS)', firstDelta.turn.count, firstDelta.turn.failed, fixed(firstDelta.turn.p50, 2), fixed(firstDelta.turn.p99, 2)],
      ],
    ));
    lines.push(`added at p50: ${fixed(firstDelta.addedP50Ms, 2)} ms (goal ≤ ${firstDelta.goalMs} ms: ${firstDelta.goalMet ? 'met' : 'missed'})`);
    lines.push(`runTurn's stages at p50, from sending it: answered ${fixed(firstDelta.turn.answered.p50, 2)} ms, ` +
      `its model request at the provider ${fixed(firstDelta.turn.modelRequest.p50, 2)} ms, first delta ${fixed(firstDelta.turn.p50, 2)} ms`);
    lines.push('');
    lines.push(table(
      [`one ${longReply.turn.deltas}-delta reply`, 'subscribers', 'delivered', 'of', 'complete, in order', 'failed', 'first delta ms', 'deltas/s'],
      [
        ['bare graphql-ws', longReply.bare.subscribers, longReply.bare.delivered, longReply.bare.expected, longReply.bare.complete, longReply.bare.failed, fixed(longReply.bare.startToFirstMs), fixed(longReply.bare.deliveredPerSecond, 0)],
        ['runTurn over WebSocket', longReply.turn.subscribers, longReply.turn.delivered, longReply.turn.expected, longReply.turn.complete, longReply.turn.failed, fixed(longReply.turn.startToFirstMs), fixed(longReply.turn.deliveredPerSecond, 0)],
      ],
    ));
    lines.push(`turn deltas / bare: ${fixed(longReply.vsBare, 2)}`);
    const failures = [
      ...firstDelta.provider.failures.map((reason: string) => `provider: ${reason}`),
      ...firstDelta.turn.failures.map((reason: string) => `turn: ${reason}`),
      ...longReply.bare.failures.map((reason: string) => `bare broadcast: ${reason}`),
      ...longReply.turn.failures.map((reason: string) => `long reply: ${reason}`),
    ];
    for (const failure of failures) lines.push(`  failed: ${failure}`);
  }
  const text = lines.join('\n');
  console.log(text);
  const dir = path.join(projectRoot, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${results.database}-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(`\nresults: ${path.relative(projectRoot, file)}`);
}

main()
  .catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
  });
