/**
 * Session runtimes held by one server instance among several (README "Several instances"): an operation
 * sent to any instance is carried out by the instance the store names as the holder, which answers it,
 * typed errors included; crashes, clean stops, a lost database connection and a takeover each leave
 * what the holder has in memory (serverInstances { runtimes }), what the database stores and what
 * subscribers saw in agreement.
 *
 * Instances run in this process (startTestServer) unless one must be killed (kill -9): those run as
 * `npm start` does. Every instance uses the demo team, whose echo models need no credentials.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import BetterSqlite3 from 'better-sqlite3';
import { print, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sqlitePathOfUrl } from '../src/db/sqlite.js';
import type { CreateSessionInput, LeaseEventsSubscription } from './graphql/graphql.js';
import { freshDatabase, PROVIDERS, rawPostgres, type TestDatabase } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { eventually, rejectEventsMentioning } from './support/faults.js';
import {
  LeaseCancelTurn,
  LeaseDeleteSession,
  LeaseEvents,
  LeaseInstances,
  LeaseResumeTurn,
  LeaseRunTurn,
  LeaseSession,
  LeaseSetModel,
  LeaseSetTitle,
  LeaseStartSession,
  LeaseStopSession,
  LeaseSwitchAgent,
} from './support/lease-operations.js';
import { CreateSession } from './support/operations.js';
import { startPgProxy } from './support/pg-proxy.js';
import { startMainProcess } from './support/server-process.js';
import { startTestServer, type TestServer } from './support/server.js';
import { expectTypename, storedSession } from './support/sessions.js';
import { subscribe, type Subscriber, type Transport } from './support/subscribers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** What the echo model answers with a write_file call, which the default safety policy asks about. */
const ASKS_TO_WRITE = 'call write_file {"path": "lease.txt", "content": "hi"}';

// ---------------------------------------------------------------------------------------------------
// Instances and clients

/** Anything that answers GraphQL: an in-process instance, or a server process. */
type Api = Pick<TestServer, 'data'>;

/** An instance in this process, on `database`, with the demo team by default. */
function instance(database: TestDatabase, env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer(database.provider, { database, env: { DEFAULT_TEAM: 'demo', ...env } });
}

/** Instances A and B on one fresh PostgreSQL database, joined through Redis. */
async function pair(env: Record<string, string> = {}) {
  const database = freshDatabase('postgresql');
  const a = await instance(database, { REDIS_URL, ...env });
  const b = await instance(database, { REDIS_URL, ...env });
  return { database, a, b };
}

/** A server process (`npm start`) that can be killed; `id` is its instance id, as it reports it. */
async function launch(env: Record<string, string>, cwd: string) {
  const child = startMainProcess(env, cwd);
  const url = await child.listening;
  const request = async (document: TypedDocumentNode<unknown, unknown>, variables?: unknown) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const result = (await response.json()) as ExecutionResult<unknown>;
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  const api = { data: request as TestServer['data'] };
  return {
    api,
    id: await selfId(api),
    kill: async () => {
      child.killGroup('SIGKILL');
      await child.closed;
    },
  };
}

const idOf = (server: TestServer) => server.app.lease.instanceId;

/** An in-process instance where a launched one is expected (it cannot be killed). */
const inProcess = (server: TestServer) => ({
  api: server as Api,
  id: idOf(server),
  kill: (): Promise<void> => Promise.reject(new Error('an in-process instance cannot be killed')),
});

async function selfId(api: Api): Promise<string> {
  const { serverInstances } = await api.data(LeaseInstances);
  return serverInstances.find((row) => row.self)!.id;
}

/** The runtimes the answering instance holds in memory (serverInstances, self). Only it shows its own. */
async function runtimesOn(api: Api) {
  const { serverInstances } = await api.data(LeaseInstances);
  const self = serverInstances.filter((row) => row.self);
  expect(self).toHaveLength(1);
  expect(serverInstances.filter((row) => !row.self && row.runtimes !== null)).toEqual([]);
  return self[0]!.runtimes!;
}

const runtimeOn = async (api: Api, sessionId: string) => (await runtimesOn(api)).find((runtime) => runtime.sessionId === sessionId);

function scratchDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'asg-leases-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A free TCP port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------------
// Operations

async function create(api: Api, input: Partial<CreateSessionInput> = {}): Promise<string> {
  const { createSession } = await api.data(CreateSession, { input: { title: 'lease', ...input } });
  expectTypename(createSession, 'Session');
  return createSession.id;
}

const setModel = async (api: Api, sessionId: string, modelRef: string) =>
  (await api.data(LeaseSetModel, { input: { sessionId, modelRef } })).setSessionAgentModel;
const switchAgent = async (api: Api, sessionId: string, agentName: string) =>
  (await api.data(LeaseSwitchAgent, { input: { sessionId, agentName } })).switchAgent;
const runTurn = async (api: Api, sessionId: string, content: string, agentName?: string) =>
  (await api.data(LeaseRunTurn, { input: { sessionId, agentName, messages: [{ role: 'user', content }] } })).runTurn;
const resumeTurn = async (api: Api, sessionId: string, decision: 'APPROVE' | 'REJECT') =>
  (await api.data(LeaseResumeTurn, { input: { sessionId, decision } })).resumeTurn;
const cancelTurn = async (api: Api, sessionId: string) => (await api.data(LeaseCancelTurn, { sessionId })).cancelTurn;
const startSession = async (api: Api, id: string) => (await api.data(LeaseStartSession, { id })).startSession;
const stopSession = async (api: Api, id: string) => (await api.data(LeaseStopSession, { id })).stopSession;
const deleteSession = async (api: Api, id: string) => (await api.data(LeaseDeleteSession, { id })).deleteSession;

async function readSession(api: Api, id: string) {
  const { session } = await api.data(LeaseSession, { id });
  expectTypename(session, 'Session');
  return session;
}

/** Polls (through any instance: the store says) until the session's turn waits for a tool call's confirmation. */
const awaitingConfirmation = (api: Api, id: string) =>
  eventually(async () => ((await readSession(api, id)).turn?.state === 'AWAITING_CONFIRMATION' ? true : undefined), 'the turn to ask');
const turnOver = (api: Api, id: string) => eventually(async () => ((await readSession(api, id)).turn === null ? true : undefined), 'the turn to end');

/**
 * Polls until `from` can forward to the holder of `sessionId`: a switch to an agent the team lacks
 * answers AgentNotFound from the holder (and changes nothing), RuntimeUnreachable until both
 * instances' Redis subscriptions are confirmed, which nothing else tells a client.
 */
const forwarding = (from: Api, sessionId: string) =>
  eventually(async () => ((await switchAgent(from, sessionId, 'no-such-agent')).__typename === 'AgentNotFound' ? true : undefined), 'forwarding');

// ---------------------------------------------------------------------------------------------------
// What was stored, and what subscribers saw, as comparable lines

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** `value` with the session's id and every random id (turns) replaced: two sessions' answers compare. */
function alike(value: unknown, sessionId: string): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value).replaceAll(sessionId, '<session>').replace(UUID, '<id>'));
}

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').replace(/^Session:/, '');

/** "SESSION_STOPPED 9 SERVER_STOPPED <instance>": a stored event as a line. */
function storedLine(event: { kind: string; seq: number; payload: Record<string, unknown> }): string {
  const { reason, modelRef, title, instanceId } = event.payload;
  const extra = event.kind === 'TITLE_CHANGED' ? title : (reason ?? modelRef);
  return [event.kind, event.seq, extra, instanceId].filter((part) => part != null).join(' ');
}

const LIVE_ONLY = new Set(['AssistantDeltaEvent', 'ReasoningDeltaEvent', 'ToolCallDeltaEvent']);

/** What a subscriber received, as the same lines (live-only deltas left out; an error as ERROR <code>). */
function seenLines(results: FormattedExecutionResult<LeaseEventsSubscription>[]): string[] {
  return results.flatMap((result) => {
    const event = result.data?.sessionEvents;
    if (!event) return [`ERROR ${String(result.errors?.[0]?.extensions?.code ?? result.errors?.[0]?.message)}`];
    if (LIVE_ONLY.has(event.__typename)) return [];
    const kind = event.__typename.replace(/Event$/, '').replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase();
    const extra = 'stopReason' in event ? event.stopReason : 'endReason' in event ? event.endReason : 'exitReason' in event ? event.exitReason
      : 'modelRef' in event ? event.modelRef : 'title' in event ? event.title : undefined;
    const instanceId = 'instanceId' in event ? event.instanceId : undefined;
    return [[kind, event.seq, extra, instanceId].filter((part) => part != null).join(' ')];
  });
}

/** Only the lease's records: starts, stops and turns ended by a stop. */
const leaseLines = (lines: string[]) => lines.filter((line) => /^(SESSION_STARTED|SESSION_STOPPED|TURN_ENDED \d+ INTERRUPTED)/.test(line));

/** The stored log, lease records only, without seq: ["SESSION_STARTED <instance>", "SESSION_STOPPED SERVER_RESTARTED <instance>", …]. */
const leaseRecords = (lines: string[]) => leaseLines(lines).map((line) => line.replace(/ \d+/, ''));

const rawClients = new WeakMap<TestDatabase, Promise<pg.Client>>();

/** Reads the database past every server (the SQLite file, or the PostgreSQL schema). */
async function rawQuery<T>(database: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  if (database.provider === 'sqlite') {
    const file = new BetterSqlite3(sqlitePathOfUrl(database.url), { readonly: true });
    try {
      return file.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as T[];
    } finally {
      file.close();
    }
  }
  if (!rawClients.has(database)) rawClients.set(database, rawPostgres(database));
  return (await (await rawClients.get(database)!).query(sql, params)).rows as T[];
}

async function storedLines(database: TestDatabase, sessionId: string): Promise<string[]> {
  const rows = await rawQuery<{ kind: string; seq: number; payload: string }>(
    database,
    'SELECT kind, seq, payload FROM "SessionEvent" WHERE "sessionId" = $1 ORDER BY seq',
    [rawId(sessionId)],
  );
  return rows.map((row) => storedLine({ ...row, payload: JSON.parse(row.payload) as Record<string, unknown> }));
}

const instanceRows = async (database: TestDatabase) =>
  (await rawQuery<{ id: string }>(database, 'SELECT id FROM "ServerInstance" ORDER BY id')).map((row) => row.id);

let markers = 0;

/** A subscriber to the session's events from now on: from its newest stored event, so none is missed while it connects. */
async function watch(server: TestServer, transport: Transport, sessionId: string) {
  const { lastEventSeq } = await readSession(server, sessionId);
  return subscribe(server, transport, LeaseEvents, { sessionId, after: lastEventSeq });
}

/**
 * What each subscriber received while `action` ran, bracketed by two changes every subscriber must see
 * (a title change, made through `api`): a subscription that was not live yet, or an event that
 * arrives late, cannot pass for "nothing seen".
 */
async function seenDuring(watchers: Subscriber<LeaseEventsSubscription>[], api: Api, sessionId: string, action: () => Promise<void>) {
  const mark = async () => {
    const title = `marker ${++markers}`;
    expectTypename((await api.data(LeaseSetTitle, { input: { sessionId, title } })).updateSessionTitle, 'Session');
    const seen = (results: FormattedExecutionResult<LeaseEventsSubscription>[]) =>
      results.some((result) => result.data?.sessionEvents.__typename === 'TitleChangedEvent' && result.data.sessionEvents.title === title);
    for (const received of await Promise.all(watchers.map((watcher) => watcher.received(seen)))) {
      expect(seen(received), `${title} in ${JSON.stringify(seenLines(received))}`).toBe(true);
    }
    return title;
  };
  await mark();
  const from = watchers.map((watcher) => watcher.results.length);
  await action();
  const last = await mark();
  return watchers.map((watcher, index) => {
    const lines = seenLines(watcher.results.slice(from[index]));
    expect(lines.at(-1)).toMatch(new RegExp(`^TITLE_CHANGED \\d+ ${last}$`));
    return lines.slice(0, -1);
  });
}

// ---------------------------------------------------------------------------------------------------

describe('any instance accepts every operation; the holder carries it out', () => {
  it('each runtime operation sent to B is carried out by A with the answer A gives, B holds nothing, and a subscriber on B sees it all', async () => {
    const { a, b } = await pair();
    const workingDir = scratchDir();
    // Twin sessions, both held by A: each step goes to A for the first and to B for the second.
    const onA = await create(a, { workingDir });
    const viaB = await create(a, { workingDir });
    await forwarding(b, viaB);
    const watcher = subscribe(b, 'websocket', LeaseEvents, { sessionId: viaB, after: 0 });

    const step = async <T>(send: (api: Api, sessionId: string) => Promise<T>): Promise<T> => {
      const direct = await send(a, onA);
      const forwarded = await send(b, viaB);
      expect(alike(forwarded, viaB)).toEqual(alike(direct, onA));
      expect(await runtimesOn(b)).toEqual([]);
      return forwarded;
    };
    /** A's memory is alike for both sessions, and matches `expected` (undefined: no runtime). */
    const heldByA = async (expected: Record<string, unknown> | undefined) => {
      const runtimes = await runtimesOn(a);
      const forwarded = runtimes.find((runtime) => runtime.sessionId === viaB);
      expect(alike(forwarded, viaB)).toEqual(alike(runtimes.find((runtime) => runtime.sessionId === onA), onA));
      if (expected) expect(forwarded).toMatchObject(expected);
      else expect(forwarded).toBeUndefined();
    };

    expect(await step((api, id) => setModel(api, id, 'echo-short'))).toMatchObject({
      __typename: 'SetSessionAgentModelPayload',
      agentName: 'root',
      modelRef: 'echo-short',
    });
    await heldByA({ currentAgent: 'root', modelOverrides: [{ agentName: 'root', modelRef: 'echo-short' }], turnId: null });

    expect(await step((api, id) => switchAgent(api, id, 'helper'))).toMatchObject({ __typename: 'SwitchAgentPayload', previousAgentName: 'root' });
    await heldByA({ currentAgent: 'helper' });

    // A turn of root (runTurn's agentName switches back in the same change) that asks before writing.
    expect(await step((api, id) => runTurn(api, id, ASKS_TO_WRITE, 'root'))).toMatchObject({
      __typename: 'TurnPayload',
      session: { currentAgent: 'root' },
    });
    await Promise.all([awaitingConfirmation(b, onA), awaitingConfirmation(b, viaB)]);
    await heldByA({ currentAgent: 'root', turnId: expect.any(String), turnState: 'AWAITING_CONFIRMATION' });

    expect(await step((api, id) => resumeTurn(api, id, 'REJECT'))).toMatchObject({ __typename: 'TurnPayload' });
    await Promise.all([turnOver(b, onA), turnOver(b, viaB)]);
    await heldByA({ turnId: null, turnState: null });

    expect(await step((api, id) => runTurn(api, id, ASKS_TO_WRITE))).toMatchObject({ __typename: 'TurnPayload' });
    await Promise.all([awaitingConfirmation(b, onA), awaitingConfirmation(b, viaB)]);
    expect(await step((api, id) => cancelTurn(api, id))).toMatchObject({ __typename: 'TurnPayload', session: { turn: null } });
    await heldByA({ turnId: null, turnState: null });

    // startSession on B for a session A holds changes nothing.
    const logged = await storedSession(b, viaB);
    expect(await startSession(b, viaB)).toEqual({ __typename: 'Session', id: viaB, running: true, runningOn: idOf(a) });
    expect(await storedSession(b, viaB)).toEqual(logged);
    expect(await runtimesOn(b)).toEqual([]);

    expect(await step((api, id) => stopSession(api, id))).toMatchObject({ __typename: 'Session', running: false, runningOn: null });
    await heldByA(undefined);

    // Started on A again, then deleted: the deletion sent to B is made on A, which drops the runtime.
    for (const id of [onA, viaB]) expect(await startSession(a, id)).toMatchObject({ running: true, runningOn: idOf(a) });
    await heldByA({ currentAgent: 'root', modelOverrides: [{ agentName: 'root', modelRef: 'echo-short' }] });
    const stored = (await storedSession(b, viaB)).events;
    expect(await step((api, id) => deleteSession(api, id))).toEqual({ __typename: 'DeleteSessionPayload', deletedSessionId: viaB });
    expect(await runtimesOn(a)).toEqual([]);

    // The subscriber on B got every change A stored, in order, then the deletion that ended its stream.
    const seen = seenLines(await watcher.received());
    expect(seen).toEqual([...stored.map(storedLine), `SESSION_EXITED ${stored.at(-1)!.seq + 1} deleted`]);
    expect(leaseLines(seen)).toEqual([
      `SESSION_STARTED 2 ${idOf(a)}`,
      expect.stringMatching(new RegExp(`^SESSION_STOPPED \\d+ STOPPED ${idOf(a)}$`)),
      expect.stringMatching(new RegExp(`^SESSION_STARTED \\d+ ${idOf(a)}$`)),
    ]);
  });

  it("the holder's typed failures come back through B: a write the database rejects is rolled back on A, and nobody sees it", async () => {
    const { a, b } = await pair();
    const id = await create(a);
    await forwarding(b, id);
    expect(await setModel(b, id, 'echo-short')).toMatchObject({ __typename: 'SetSessionAgentModelPayload' });
    await rejectEventsMentioning(a, 'reject-me');
    const watchers = [await watch(a, 'websocket', id), await watch(b, 'sse', id)];

    const seen = await seenDuring(watchers, b, id, async () => {
      const before = await storedSession(b, id);
      const rejected = await setModel(b, id, 'openai/reject-me');
      expect(rejected).toMatchObject({ __typename: 'PersistenceFailed', retryable: false, message: expect.stringMatching(/rolled back/) });
      expect(await runtimeOn(a, id)).toMatchObject({ modelOverrides: [{ agentName: 'root', modelRef: 'echo-short' }] });
      expect(await storedSession(b, id)).toEqual(before);

      // The holder's validation errors too, exactly as A answers them.
      const invalid = await setModel(b, id, 'nope/x');
      expect(invalid).toMatchObject({ __typename: 'InvalidModelRef', rejectedRef: 'nope/x', reason: expect.stringMatching(/unknown provider "nope"/) });
      expect(invalid).toEqual(await setModel(a, id, 'nope/x'));
      const unknown = await switchAgent(b, id, 'nobody');
      expect(unknown).toMatchObject({ __typename: 'AgentNotFound', agentName: 'nobody', availableAgents: ['root', 'helper'] });
      expect(unknown).toEqual(await switchAgent(a, id, 'nobody'));
      expect(await runtimeOn(a, id)).toMatchObject({ currentAgent: 'root', modelOverrides: [{ agentName: 'root', modelRef: 'echo-short' }] });
      expect(await storedSession(b, id)).toEqual(before);
    });
    expect(seen).toEqual([[], []]);
  });
});

describe('instances that cannot reach each other', () => {
  it('an instance without REDIS_URL is refused on a PostgreSQL database that a live instance uses', async () => {
    const database = freshDatabase('postgresql');
    const a = await instance(database, { REDIS_URL, LEASE_TTL_MS: '600' });
    const id = await create(a);

    await expect(instance(database, { LEASE_TTL_MS: '600' })).rejects.toThrow(
      new RegExp(`another server instance \\(${idOf(a)}, .*\\) is running on this database; several instances must share one Redis \\(REDIS_URL\\)`),
    );
    // It took nothing: A is the only instance and still holds its session.
    expect(await instanceRows(database)).toEqual([idOf(a)]);
    expect(await readSession(a, id)).toMatchObject({ running: true, runningOn: idOf(a) });
    expect(await runtimeOn(a, id)).toBeDefined();
    expect(leaseRecords(await storedLines(database, id))).toEqual([`SESSION_STARTED ${idOf(a)}`]);
  });

  it('an instance whose Redis cannot be reached answers RuntimeUnreachable (delivered: false) at once', async () => {
    const database = freshDatabase('postgresql');
    const a = await instance(database, { REDIS_URL });
    const id = await create(a);
    // FORWARD_TIMEOUT_MS is ten minutes: this test's own timeout fails it if the answer waited for it.
    const c = await instance(database, { REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, FORWARD_TIMEOUT_MS: '600000' });
    const before = await storedSession(a, id);

    expect(await setModel(c, id, 'echo-short')).toEqual({
      __typename: 'RuntimeUnreachable',
      sessionId: id,
      instanceId: idOf(a),
      delivered: false,
      retryable: true,
      message: expect.stringMatching(/nothing was changed/),
    });
    expect(await storedSession(a, id)).toEqual(before);
    expect(await runtimeOn(a, id)).toMatchObject({ modelOverrides: [] });
  }, 20_000);
});

describe.each(PROVIDERS)('one instance on %s without Redis, killed (kill -9) and started again', (provider) => {
  it('each running session is stopped once, SERVER_RESTARTED (its waiting turn INTERRUPTED first), and starts again', async () => {
    const database = freshDatabase(provider);
    const workingDir = scratchDir();
    // A short lease: the next start waits two heartbeats (400 ms) to see that the killed one is gone.
    const env = { DATABASE_URL: database.url, DEFAULT_TEAM: 'demo', LEASE_TTL_MS: '600' };
    let server: Awaited<ReturnType<typeof launch>> = await launch(env, workingDir);
    const ids = [await create(server.api, { workingDir }), await create(server.api, { workingDir }), await create(server.api, { workingDir })];
    const busy = ids[0]!;
    expectTypename(await runTurn(server.api, busy, ASKS_TO_WRITE), 'TurnPayload');
    await awaitingConfirmation(server.api, busy);

    const records = new Map(ids.map((id) => [id, [] as string[]]));
    /** Kills the server, starts the next one, and checks each session's lease records. */
    const crashAndRestart = async (held: { running: boolean; turn?: string }, last = false) => {
      const killed = server.id;
      await server.kill();
      // The last one is not killed again: it may run in this process (which starts faster).
      server = last ? inProcess(await instance(database, { LEASE_TTL_MS: '600' })) : await launch(env, workingDir);
      expect(await instanceRows(database)).toEqual([server.id]);
      for (const id of ids) {
        const expected = records.get(id)!;
        if (held.running) {
          expected.push(`SESSION_STARTED ${killed}`);
          if (id === held.turn) expected.push('TURN_ENDED INTERRUPTED');
          expected.push(`SESSION_STOPPED SERVER_RESTARTED ${killed}`);
        }
        expect(leaseRecords(await storedLines(database, id))).toEqual(expected);
        expect(await readSession(server.api, id)).toMatchObject({ running: false, runningOn: null, turn: null });
      }
      expect(await runtimesOn(server.api)).toEqual([]);
    };

    await crashAndRestart({ running: true, turn: busy });
    for (const id of ids) expect(await startSession(server.api, id)).toMatchObject({ running: true, runningOn: server.id });
    await crashAndRestart({ running: true });
    // Killed with nothing running: nothing more to record.
    await crashAndRestart({ running: false }, true);
    for (const id of ids) {
      expect(await startSession(server.api, id)).toMatchObject({ running: true, runningOn: server.id });
      const starts = leaseRecords(await storedLines(database, id)).filter((line) => !line.startsWith('TURN_ENDED'));
      expect(starts.map((line) => line.split(' ')[0])).toEqual(['SESSION_STARTED', 'SESSION_STOPPED', 'SESSION_STARTED', 'SESSION_STOPPED', 'SESSION_STARTED']);
    }
    expect((await runtimesOn(server.api)).map((runtime) => runtime.sessionId).sort()).toEqual([...ids].sort());
  });
});

describe.each(PROVIDERS)('a clean stop on %s', (provider) => {
  it('each held session stops SERVER_STOPPED (a waiting turn INTERRUPTED first), the row goes, and the next instance starts them at once', async () => {
    const database = freshDatabase(provider);
    // A long lease: a row left behind would make the next start wait two heartbeats (80 s) for it.
    const env = { LEASE_TTL_MS: '120000' };
    const a = await instance(database, env);
    const workingDir = scratchDir();
    const busy = await create(a, { workingDir });
    const idle = await create(a, { workingDir });
    expectTypename(await runTurn(a, busy, ASKS_TO_WRITE), 'TurnPayload');
    await awaitingConfirmation(a, busy);
    const watchers = [busy, idle].map((sessionId) => subscribe(a, 'websocket', LeaseEvents, { sessionId, after: 0 }));
    // Both have replayed the log so far: the stop finds them open.
    for (const [index, id] of [busy, idle].entries()) {
      const { lastEventSeq } = await readSession(a, id);
      const replayed = await watchers[index]!.received((results) => results.some((result) => result.data?.sessionEvents.seq === lastEventSeq));
      expect(seenLines(replayed)).toEqual(await storedLines(database, id));
    }

    await a.stop();
    expect(await instanceRows(database)).toEqual([]);
    for (const [index, id] of [busy, idle].entries()) {
      const stored = await storedLines(database, id);
      expect(leaseRecords(stored)).toEqual([
        `SESSION_STARTED ${idOf(a)}`,
        ...(id === busy ? ['TURN_ENDED INTERRUPTED'] : []),
        `SESSION_STOPPED SERVER_STOPPED ${idOf(a)}`,
      ]);
      // Each subscriber got everything stored, then the end of its stream.
      expect(seenLines(await watchers[index]!.received())).toEqual([...stored, 'ERROR SERVER_SHUTTING_DOWN']);
    }

    const b = await instance(database, env);
    for (const id of [busy, idle]) expect(await startSession(b, id)).toMatchObject({ running: true, runningOn: idOf(b) });
    expect(await runtimesOn(b)).toHaveLength(2);
  });
});

describe('leases on PostgreSQL shared by two instances', () => {
  it("an instance that loses its database connection refuses changes, keeps its sessions, and works again once it is back", async () => {
    const database = freshDatabase('postgresql');
    const proxy = await startPgProxy();
    // The outage below lasts a few operations: well inside the lease, so nobody may take A's sessions.
    const env = { REDIS_URL, LEASE_TTL_MS: '20000' };
    const a = await instance({ ...database, url: proxy.url(database) }, env);
    const b = await instance(database, env);
    // Should the test fail while the proxy is down, it comes up before A stops (cleanups run newest first).
    onCleanup(() => proxy.comeUp());
    const id = await create(a);
    expect(await setModel(a, id, 'echo-short')).toMatchObject({ __typename: 'SetSessionAgentModelPayload' });
    await forwarding(b, id);
    const watcher = await watch(b, 'websocket', id);

    const seen = await seenDuring([watcher], b, id, async () => {
      const before = await storedSession(b, id);
      await proxy.goDown();
      for (const api of [a, b]) {
        // A lost connection: the same request may well succeed once the database is back.
        expect(await setModel(api, id, 'echo-duo')).toMatchObject({ __typename: 'PersistenceFailed', retryable: true });
        expect(a.app.services.runtimes.get(rawId(id))?.modelRefOf('root')).toBe('echo-short');
      }
      expect(await storedSession(b, id)).toEqual(before);
      proxy.comeUp();
    });
    expect(seen).toEqual([[]]);

    // A answers again, still holds the session with the override it had, and nobody released it.
    expect(await runtimeOn(a, id)).toMatchObject({ modelOverrides: [{ agentName: 'root', modelRef: 'echo-short' }] });
    expect(await setModel(b, id, 'echo-duo')).toMatchObject({ __typename: 'SetSessionAgentModelPayload', modelRef: 'echo-duo' });
    expect(await runtimeOn(a, id)).toMatchObject({ modelOverrides: [{ agentName: 'root', modelRef: 'echo-duo' }] });
    expect(await readSession(b, id)).toMatchObject({ running: true, runningOn: idOf(a), agentModelOverrides: [{ agentName: 'root', modelRef: 'echo-duo' }] });
    expect(leaseRecords(await storedLines(database, id))).toEqual([`SESSION_STARTED ${idOf(a)}`]);
  });

  it('an instance judges another by the lease time that one renews with, not its own', async () => {
    const database = freshDatabase('postgresql');
    const a = await instance(database, { REDIS_URL, LEASE_TTL_MS: '60000' });
    const id = await create(a);
    // B renews every 100 ms and sweeps after each renewal: if it judged A by its own 300 ms, A (renewing
    // every 20 s) would look lost after three of them.
    const b = await instance(database, { REDIS_URL, LEASE_TTL_MS: '300' });
    const beats = async () =>
      (await rawQuery<{ heartbeatAt: Date }>(database, 'SELECT "heartbeatAt" FROM "ServerInstance" WHERE id = $1', [idOf(b)]))[0]!.heartbeatAt;
    const seenBeats = new Set<number>();
    await eventually(async () => {
      seenBeats.add((await beats()).getTime());
      return seenBeats.size > 8 ? true : undefined;
    }, 'B to renew (and sweep) eight times');
    expect(await readSession(b, id)).toMatchObject({ running: true, runningOn: idOf(a) });
    expect(leaseRecords(await storedLines(database, id))).toEqual([`SESSION_STARTED ${idOf(a)}`]);
  });

  /**
   * The fence. The takeover is made in the store, as another instance makes it once it has taken A for
   * lost (without the records it would write): the session released (no holder), or held by B (which
   * has no runtime for it yet, as while it restarts it under RESTART_LOST_SESSIONS).
   */
  it.each([
    { takenBy: 'nobody (released)', holder: (_b: TestServer) => null, answer: { __typename: 'SessionNotRunning' } },
    { takenBy: 'B', holder: (b: TestServer) => idOf(b), answer: { __typename: 'RuntimeUnreachable', delivered: false } },
  ])("the fence: once the store names $takenBy as the holder, A's next change is refused, A drops the runtime, and nothing is written", async ({ holder, answer }) => {
    // Long leases: no sweep runs during the test to release what the takeover leaves unheld.
    const { database, a, b } = await pair({ LEASE_TTL_MS: '60000' });
    const id = await create(a);
    expect(await setModel(a, id, 'echo-short')).toMatchObject({ __typename: 'SetSessionAgentModelPayload' });
    await forwarding(b, id);
    const watchers = [await watch(a, 'websocket', id), await watch(b, 'websocket', id)];

    const seen = await seenDuring(watchers, b, id, async () => {
      await rawQuery(database, 'UPDATE "Session" SET "runtimeInstanceId" = $1 WHERE id = $2', [holder(b), rawId(id)]);
      const before = await storedSession(b, id);
      expect(await setModel(a, id, 'echo-duo')).toMatchObject({ ...answer, sessionId: id });
      expect(await runtimesOn(a)).toEqual([]);
      expect(await runtimesOn(b)).toEqual([]);
      expect(await storedSession(b, id)).toEqual(before);
    });
    expect(seen).toEqual([[], []]);
  });
});
