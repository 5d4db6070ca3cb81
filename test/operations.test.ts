/**
 * What operators and orchestrators rely on: /health (the process is alive), /ready (it can serve: its
 * database answers with every migration applied, and Redis when configured; 503 saying what is not, and
 * while it shuts down), and a graceful stop on SIGTERM: no new work, in-flight work finishes, running
 * turns end with a stored record, every subscriber gets every committed event and then the reason with
 * where to resume, and the process exits, all within SHUTDOWN_TIMEOUT_MS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readSse, type SseBlock } from '../scripts/sse-reader.js';
import { freshDatabase, POSTGRES_URL, rawPostgres, type TestDatabase } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { eventually, lockSessionRow } from './support/faults.js';
import { startPgProxy } from './support/pg-proxy.js';
import { capturedLog, startTestServer, type TestServer } from './support/server.js';
import { createSession } from './support/sessions.js';
import { startMainProcess } from './support/server-process.js';
import { subscribe } from './support/subscribers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** GET on the server's own origin; the body parsed as JSON. */
async function getJson(server: { url: string }, pathname: string): Promise<{ status: number; type: string | null; body: Json }> {
  const response = await fetch(new URL(pathname, server.url));
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Json };
}

const ready = (server: { url: string }) => getJson(server, '/ready');

/** A port where nothing listens: one the system handed out, then closed. */
async function deadPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A TCP relay in front of PostgreSQL that can hang: once `stall()`ed it forwards nothing more either
 * way and leaves every connection open, new ones included, as a database host that stopped answering.
 */
async function startStallingRelay() {
  const target = new URL(POSTGRES_URL);
  let stalled = false;
  const pairs = new Set<[net.Socket, net.Socket | undefined]>();
  const relay = net.createServer((client) => {
    client.on('error', () => {});
    if (stalled) {
      pairs.add([client, undefined]);
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname || '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => stalled || upstream.write(chunk));
    upstream.on('data', (chunk) => stalled || client.write(chunk));
    pairs.add([client, upstream]);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const port = (relay.address() as net.AddressInfo).port;
  const close = async () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream?.destroy();
    }
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  };
  onCleanup(close);
  return {
    url: (database: TestDatabase) => {
      const url = new URL(POSTGRES_URL);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      url.searchParams.set('schema', database.schema!);
      return url.toString();
    },
    stall: () => (stalled = true),
    /** Ends the hang: every connection it held is cut (the pool makes new ones). */
    recover: () => {
      stalled = false;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      pairs.clear();
    },
  };
}

describe('/health and /ready', () => {
  it('a running server is alive and ready, and says so in JSON', async () => {
    const server = await startTestServer('sqlite');
    const health = await getJson(server, '/health');
    expect(health).toEqual({ status: 200, type: expect.stringMatching(/^application\/json/), body: { status: 'ok' } });
    expect(await ready(server)).toEqual({
      status: 200,
      type: expect.stringMatching(/^application\/json/),
      body: { status: 'ready', checks: { database: { status: 'ok' }, migrations: { status: 'ok' } } },
    });
  });

  it('a PostgreSQL server that goes down makes /ready 503 naming the database, /health stays 200; back up, ready again', async () => {
    const proxy = await startPgProxy();
    const database = freshDatabase('postgresql');
    const server = await startTestServer('postgresql', { database: { ...database, url: proxy.url(database) } });
    expect((await ready(server)).status).toBe(200);

    await proxy.goDown();
    const down = await ready(server);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      status: 'unavailable',
      checks: {
        database: { status: 'failed', error: 'the database did not answer' },
        migrations: { status: 'failed', error: expect.stringMatching(/cannot read the applied migrations/) },
      },
    });
    expect(await getJson(server, '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });

    proxy.comeUp();
    const back = await eventually(async () => {
      const answer = await ready(server);
      return answer.status === 200 ? answer : undefined;
    }, '/ready to answer 200 again');
    expect(back.body.status).toBe('ready');
  });

  it('a database that hangs does not hang /ready: the check fails after READINESS_TIMEOUT_MS', async () => {
    const relay = await startStallingRelay();
    const database = freshDatabase('postgresql');
    const server = await startTestServer('postgresql', {
      database: { ...database, url: relay.url(database) },
      env: { READINESS_TIMEOUT_MS: '300' },
    });
    expect((await ready(server)).status).toBe(200);

    relay.stall();
    const hung = await ready(server);
    expect(hung.status).toBe(503);
    expect(hung.body).toEqual({
      status: 'unavailable',
      checks: {
        database: { status: 'failed', error: 'timed out after 300 ms' },
        migrations: { status: 'failed', error: 'timed out after 300 ms' },
      },
    });
    // Probed again while the first checks still hang (they are not started afresh), it answers again.
    expect((await ready(server)).status).toBe(503);

    relay.recover();
    await eventually(async () => ((await ready(server)).status === 200 ? true : undefined), '/ready to answer 200 again');
  });

  it('a migration this build ships but the database lacks makes /ready 503 naming it', async () => {
    const server = await startTestServer('sqlite');
    const prisma = server.app.database.prisma;
    const [latest] = await prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1',
    );
    // As after restoring a backup taken before the newest migration.
    await prisma.$executeRawUnsafe('DELETE FROM "_prisma_migrations" WHERE migration_name = ?', latest!.migration_name);
    expect(await ready(server)).toMatchObject({
      status: 503,
      body: {
        status: 'unavailable',
        checks: { database: { status: 'ok' }, migrations: { status: 'failed', error: `1 not applied: ${latest!.migration_name}` } },
      },
    });
  });

  it('Redis configured but unreachable: the server starts and serves, /ready is 503 naming Redis', async () => {
    const server = await startTestServer('sqlite', { env: { REDIS_URL: `redis://127.0.0.1:${await deadPort()}` } });
    const session = await createSession(server);
    expect(session.running).toBe(true);
    const answer = await ready(server);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      status: 'unavailable',
      checks: {
        database: { status: 'ok' },
        migrations: { status: 'ok' },
        redis: { status: 'failed', error: expect.stringMatching(/^the publish connection is (connecting|reconnecting)$/) },
      },
    });
  });

  it('Redis configured and up: /ready checks it too', async () => {
    const server = await startTestServer('sqlite', { env: { REDIS_URL } });
    const answer = await eventually(async () => {
      const current = await ready(server);
      return current.status === 200 ? current : undefined;
    }, 'Redis to connect');
    expect(answer.body).toEqual({
      status: 'ready',
      checks: { database: { status: 'ok' }, migrations: { status: 'ok' }, redis: { status: 'ok' } },
    });
  });
});

const SetModel = parse(`
  mutation SetModelForShutdown($input: SetSessionAgentModelInput!) {
    setSessionAgentModel(input: $input) { __typename ... on SetSessionAgentModelPayload { seq } ... on Error { message } }
  }
`) as TypedDocumentNode<{ setSessionAgentModel: { __typename: string; seq?: number; message?: string } }, { input: { sessionId: string; modelRef: string } }>;

/** Each event carries 20 copies of its session's attributes (50 × 1,000 characters): about 1 MB to send. */
const HeavyEvents = parse(`
  subscription HeavyEventsForShutdown($sessionId: ID!) {
    sessionEvents(sessionId: $sessionId, after: 0) {
      seq
      session { ${Array.from({ length: 20 }, (_, index) => `a${index}: attributes`).join(' ')} }
    }
  }
`) as TypedDocumentNode<{ sessionEvents: { seq: number } }, { sessionId: string }>;

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').replace(/^Session:/, '');

describe('stopping in process', () => {
  it('while it stops: /ready is 503, the port is closed, new operations are refused, and the one in flight is answered', async () => {
    const server = await startTestServer('postgresql');
    const session = await createSession(server);
    const lock = await lockSessionRow(server, rawId(session.id));
    // A keep-alive connection, by hand: the mutation on it waits on the row lock.
    const { port } = new URL(server.url);
    const connection = net.connect(Number(port), '127.0.0.1');
    let received = '';
    connection.on('data', (chunk) => (received += chunk.toString()));
    const connectionClosed = new Promise((resolve) => connection.once('close', resolve));
    await new Promise((resolve) => connection.once('connect', resolve));
    const send = (body: Json) => {
      const text = JSON.stringify(body);
      connection.write(
        `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
      );
    };
    send({ query: print(SetModel), variables: { input: { sessionId: session.id, modelRef: 'gpt' } } });
    await lock.blocked();

    const stopped = server.app.stop();
    expect(await (await server.app.yoga.fetch('http://localhost/ready')).json()).toEqual({ status: 'shutting down', checks: {} });
    expect((await server.app.yoga.fetch('http://localhost/ready')).status).toBe(503);
    // Nothing new connects; on the connection still open, a new request is refused with the reason.
    expect(await new Promise((resolve) => net.connect(Number(port), '127.0.0.1').once('error', resolve).once('connect', () => resolve('connected')))).toMatchObject({
      code: 'ECONNREFUSED',
    });
    send({ query: '{ __typename }' });
    // Over a WebSocket opened before, an operation is refused too (it reaches Yoga's execution).
    const refused = await server.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await refused.json()).toEqual({
      errors: [expect.objectContaining({ message: expect.stringMatching(/shutting down/), extensions: { code: 'SERVER_SHUTTING_DOWN' } })],
    });

    // The mutation in flight finishes and is answered before the store closes; then the refusal.
    await lock.release();
    await stopped;
    await connectionClosed;
    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200[\s\S]*"__typename":"SetSessionAgentModelPayload","seq":\d+/);
    expect(second).toMatch(/^HTTP\/1\.1 503[\s\S]*"code":"SERVER_SHUTTING_DOWN"/);
    const seq = Number(/"seq":(\d+)/.exec(first!)![1]);
    // The switch committed; then, as the server stopped, the session was released.
    const { rows } = await (await rawPostgres(server.database)).query('SELECT seq, kind FROM "SessionEvent" WHERE "sessionId" = $1 AND seq >= $2 ORDER BY seq', [
      rawId(session.id),
      seq,
    ]);
    expect(rows).toEqual([
      { seq, kind: 'MODEL_CHANGED' },
      { seq: seq + 1, kind: 'SESSION_STOPPED' },
    ]);
  });

  it('a subscriber that does not read cannot hold the stop past SHUTDOWN_TIMEOUT_MS', async () => {
    const { log, records } = capturedLog();
    const server = await startTestServer('sqlite', { log, env: { SHUTDOWN_TIMEOUT_MS: '1000', SUBSCRIPTION_QUEUE_LIMIT: '100000' } });
    const attributes = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`key${index}`, `${index}`.padEnd(1000, 'x')]));
    const session = await createSession(server, { attributes });
    const stuck = subscribe(server, 'sse', HeavyEvents, { sessionId: session.id });
    await stuck.received((results) => results.length >= 1);
    stuck.pause();
    // Far more than any socket buffer holds: the stream still has events to hand over when the stop begins.
    for (let index = 0; index < 40; index += 1) {
      await server.data(SetModel, { input: { sessionId: session.id, modelRef: index % 2 ? 'gpt' : 'local' } });
    }

    await server.stop();
    // (A paused reader never notices its stream was cut; reading again, it does.)
    stuck.resume();
    const stopped = records.find((record) => record.message === 'server stopped');
    expect(stopped?.cutShort).toContain('subscribers to take their last events');
    expect(records).toContainEqual(
      expect.objectContaining({ message: 'shutdown timeout reached: going on without waiting', waitingFor: 'subscribers to take their last events' }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// SIGTERM to the server as `npm start` runs it: a child process.

async function post(url: string, query: string, variables: Json = {}): Promise<Json> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Json;
}

/** A client as apps write one: one WebSocket, several subscriptions on it (graphql-transport-ws). */
async function webSocketClient(url: string) {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: { id?: string; type: string; payload?: Json }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: string; type: string; payload?: Json };
    messages.push(message);
    if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  await eventually(async () => (messages.some((message) => message.type === 'connection_ack') ? true : undefined), 'connection_ack');
  onCleanup(() => socket.terminate());
  return {
    closed,
    subscribe: (id: string, query: string, variables: Json = {}) =>
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
    /** The `next` payloads of one subscription so far. */
    results: (id: string) => messages.filter((message) => message.id === id && message.type === 'next').map((message) => message.payload!),
    /** Every message of one subscription, `next` or not. */
    types: (id: string) => messages.filter((message) => message.id === id).map((message) => message.type),
  };
}

/** An SSE subscription read block by block, `complete` included. */
function sseClient(url: string, query: string, variables: Json = {}) {
  const blocks: SseBlock[] = [];
  const done = (async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query, variables }),
    });
    await readSse(response.body!, (block) => void blocks.push(block));
  })().catch((error: unknown) => blocks.push({ event: 'client-error', data: String(error), comment: false }));
  return {
    done,
    blocks,
    results: () => blocks.filter((block) => block.event === 'next').map((block) => JSON.parse(block.data) as Json),
  };
}

const EVENTS = `subscription($sessionId: ID!) {
  sessionEvents(sessionId: $sessionId, after: 0) { __typename seq ... on TurnEndedEvent { reason } }
}`;
const CHANGES = `subscription { sessionsChanged { kind sessionId seq cursor } }`;

/** The stored events of the session, read straight from the database. */
async function storedSeqs(database: TestDatabase, globalId: string) {
  const client = await rawPostgres(database);
  const { rows } = await client.query<{ seq: number; kind: string; payload: string }>(
    'SELECT seq, kind, payload FROM "SessionEvent" WHERE "sessionId" = $1 ORDER BY seq',
    [rawId(globalId)],
  );
  return rows;
}

describe('SIGTERM', () => {
  it(
    'ends gracefully: the mutation in flight commits and is answered, the running turn ends INTERRUPTED, every ' +
      'subscriber gets every committed event then SERVER_SHUTTING_DOWN with resumeAfter, SSE completes, ' +
      'WebSockets close 1001 with a reason, and the process exits 0',
    async () => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'asg-shutdown-'));
      onCleanup(() => rmSync(cwd, { recursive: true, force: true }));
      const database = freshDatabase('postgresql');
      const server = startMainProcess({ DATABASE_URL: database.url, SHUTDOWN_TIMEOUT_MS: '30000' }, cwd);
      const url = await server.listening;
      const create = async (title: string) =>
        (await post(url, `mutation($title: String!) { createSession(input: { title: $title }) { ... on Session { id } } }`, { title }))
          .data.createSession.id as string;
      // A turns: its turn waits for a tool call's approval when the server stops. B: a mutation is in flight.
      const [a, b] = [await create('turn'), await create('mutation')];

      const ws = await webSocketClient(url);
      ws.subscribe('a', EVENTS, { sessionId: a });
      ws.subscribe('b', EVENTS, { sessionId: b });
      ws.subscribe('changes', CHANGES);
      const sse = { a: sseClient(url, EVENTS, { sessionId: a }), b: sseClient(url, EVENTS, { sessionId: b }), changes: sseClient(url, CHANGES) };
      const opened = () =>
        ws.results('a').length > 0 && ws.results('b').length > 0 && sse.a.results().length > 0 && sse.b.results().length > 0;
      await eventually(async () => (opened() ? true : undefined), 'the event streams to replay');
      // The session lists hear only what happens once they are open: change a title until both heard one.
      for (let probes = 0; ws.results('changes').length === 0 || sse.changes.results().length === 0; probes += 1) {
        if (probes > 1000) throw new Error('the session lists never opened');
        await post(url, `mutation($id: ID!, $title: String!) { updateSessionTitle(input: { sessionId: $id, title: $title }) { __typename } }`, {
          id: b,
          title: `probe ${probes}`,
        });
      }

      const turn = await post(
        url,
        `mutation($id: ID!, $content: String!) { runTurn(input: { sessionId: $id, messages: [{ role: "user", content: $content }] }) { __typename } }`,
        { id: a, content: 'call write_file {"path": "x.txt", "content": "hi"}' },
      );
      expect(turn).toEqual({ data: { runTurn: { __typename: 'TurnPayload' } } });
      await eventually(
        async () => (ws.results('a').some((result) => result.data?.sessionEvents.__typename === 'ToolCallConfirmationEvent') ? true : undefined),
        'the turn to wait for approval',
      );

      const lock = await lockSessionRow({ database } as TestServer, rawId(b));
      const inFlight = post(url, `mutation($id: ID!) { setSessionAgentModel(input: { sessionId: $id, modelRef: "echo-short" }) { __typename ... on SetSessionAgentModelPayload { seq } ... on Error { message } } }`, { id: b });
      // (Awaited below; a server that cuts it fails the test there, not as an unhandled rejection.)
      inFlight.catch(() => {});
      await lock.blocked();

      server.child.kill('SIGTERM');
      expect(await server.logged('shutdown: waiting for in-flight operations')).toMatchObject({ count: 1 });
      await lock.release();

      const answered = await inFlight;
      expect(answered).toEqual({ data: { setSessionAgentModel: { __typename: 'SetSessionAgentModelPayload', seq: expect.any(Number) } } });
      expect(await server.exited).toBe(0);
      await Promise.all([sse.a.done, sse.b.done, sse.changes.done]);
      const close = await ws.closed;
      expect(close).toEqual({ code: 1001, reason: expect.stringMatching(/shutting down/) });

      const storedA = await storedSeqs(database, a);
      const storedB = await storedSeqs(database, b);
      // The turn was ended, and that was recorded; the mutation in flight was committed; then both
      // sessions were released as the server stopped.
      expect(storedA.at(-2)).toMatchObject({ kind: 'TURN_ENDED', payload: expect.stringContaining('INTERRUPTED') });
      expect(storedB.at(-2)).toMatchObject({ kind: 'MODEL_CHANGED', seq: answered.data.setSessionAgentModel.seq });
      for (const stored of [storedA, storedB]) {
        expect(stored.at(-1)).toMatchObject({ kind: 'SESSION_STOPPED', payload: expect.stringContaining('SERVER_STOPPED') });
      }

      for (const [name, results, stored] of [
        ['websocket a', ws.results('a'), storedA],
        ['websocket b', ws.results('b'), storedB],
        ['sse a', sse.a.results(), storedA],
        ['sse b', sse.b.results(), storedB],
      ] as const) {
        const events = results.slice(0, -1).filter((result) => !String(result.data?.sessionEvents.__typename).endsWith('DeltaEvent'));
        expect(events.map((result) => result.data.sessionEvents.seq), name).toEqual(stored.map((event) => event.seq));
        expect(results.at(-1), name).toEqual({
          data: null,
          errors: [
            expect.objectContaining({
              message: `the server is shutting down; subscribe again with after: ${stored.at(-1)!.seq} to resume`,
              extensions: { code: 'SERVER_SHUTTING_DOWN', resumeAfter: stored.at(-1)!.seq },
            }),
          ],
        });
      }
      expect(ws.results('a').some((result) => result.data?.sessionEvents.reason === 'INTERRUPTED')).toBe(true);

      for (const [name, results] of [
        ['websocket changes', ws.results('changes')],
        ['sse changes', sse.changes.results()],
      ] as const) {
        const changes = results.slice(0, -1).map((result) => result.data.sessionsChanged);
        // Every change made once the list listened: the last ones, the turn's end and the mutation's.
        expect(changes, name).toContainEqual(expect.objectContaining({ kind: 'UPDATED', sessionId: a, seq: storedA.at(-1)!.seq }));
        expect(changes, name).toContainEqual(expect.objectContaining({ kind: 'UPDATED', sessionId: b, seq: storedB.at(-1)!.seq }));
        // It resumes after the last change it took.
        const resumeAfter = changes.at(-1).cursor;
        expect(results.at(-1), name).toEqual({
          data: null,
          errors: [
            expect.objectContaining({
              message: `the server is shutting down; subscribe again with after: ${JSON.stringify(resumeAfter)} to resume`,
              extensions: { code: 'SERVER_SHUTTING_DOWN', resumeAfter },
            }),
          ],
        });
      }
      // SSE streams end with `complete`; each WebSocket subscription got its error, then the close.
      for (const stream of [sse.a, sse.b, sse.changes]) expect(stream.blocks.at(-1)?.event).toBe('complete');
      for (const id of ['a', 'b', 'changes']) expect(ws.types(id), id).toEqual([...ws.types(id).slice(0, -1).map(() => 'next'), 'complete']);

      const messages = server.lines.map((line) => line.message);
      expect(messages).toEqual(
        expect.arrayContaining(['shutting down', 'shutdown: no longer accepting requests', 'shutdown: waiting for in-flight operations', 'server stopped']),
      );
      expect(server.lines.find((line) => line.message === 'server stopped')).not.toHaveProperty('cutShort');
    },
  );
});
