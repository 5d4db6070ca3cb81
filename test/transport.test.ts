/**
 * What the transports must do for long-lived subscriptions: keep idle connections alive, release a
 * stream's listener when its client goes, and end a subscriber that cannot keep up before it costs
 * unbounded memory, telling it where to resume.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HeavySessionEvents, SessionEvents, SessionsChanged, DeleteSession } from './support/event-operations.js';
import { eventually, openStreams } from './support/faults.js';
import { startTestServer } from './support/server.js';
import { createSession, expectTypename, storedSession, switchModel } from './support/sessions.js';
import { subscribe, TRANSPORTS } from './support/subscribers.js';



describe('keep-alive and released listeners', () => {
  it('pings idle WebSockets, and drops a peer that stops answering', async () => {
    const server = await startTestServer('sqlite', { env: { KEEPALIVE_MS: '250' } });
    const session = await createSession(server);
    let pings = 0;
    const healthy = subscribe(server, 'websocket', SessionEvents, { sessionId: session.id });
    // The silent peer answers pings by hand only until its stream is open (which may take longer than
    // two pings on a busy machine), then stops answering.
    let answering = true;
    const silent = subscribe(server, 'websocket', SessionEvents, { sessionId: session.id }, {
      webSocket: { autoPong: false },
      onSocket: (socket) => socket.on('ping', (data) => answering && socket.pong(data)),
    });
    await openStreams(server, 2);
    answering = false;
    const raw = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    raw.on('ping', () => (pings += 1));
    await eventually(async () => (pings >= 3 ? true : undefined), 'three pings');
    raw.close();
    // The peer that stopped answering is terminated, and its stream's listener released; the other stays.
    await silent.received();
    expect(silent.hasEnded, 'the peer that stopped answering was dropped').toBe(true);
    await openStreams(server, 1);
    // The healthy subscriber is still open and still hears changes: exactly this one, and no error.
    const { seq } = await switchModel(server, session.id, 'gpt');
    const heard = await healthy.received((results) => results.length >= 1);
    expect(heard).toEqual([{ data: { sessionEvents: expect.objectContaining({ __typename: 'ModelChangedEvent', seq }) } }]);
    expect(healthy.hasEnded).toBe(false);
  });

  it('sends keep-alive comments on idle SSE streams', async () => {
    const server = await startTestServer('sqlite');
    const session = await createSession(server);
    const stream = subscribe(server, 'sse', SessionEvents, { sessionId: session.id });
    // Yoga comments at once, then every 12 s (300 ms when NODE_ENV is "test", as under vitest).
    await eventually(async () => (stream.comments.length >= 2 ? true : undefined), 'a keep-alive comment', 20_000);
  });

  it.each(TRANSPORTS)('a %s client that goes away releases its stream', async (transport) => {
    const server = await startTestServer('sqlite');
    const session = await createSession(server);
    const subscribers = [1, 2, 3].map(() => subscribe(server, transport, SessionEvents, { sessionId: session.id }));
    await openStreams(server, 3);
    await subscribers[0]!.close();
    await subscribers[1]!.close();
    await openStreams(server, 1);
    await subscribers[2]!.close();
    await openStreams(server, 0);
  });
});

describe('slow consumers', () => {
  it.each(TRANSPORTS)('a %s subscriber that stops reading is ended with a reason, and resumes without a hole', async (transport) => {
    const server = await startTestServer('sqlite', {
      env: { SUBSCRIPTION_QUEUE_LIMIT: '20', WS_MAX_BUFFERED_BYTES: '65536' },
    });
    const session = await createSession(server);
    // A session whose events are large to render: many custom models, listed with every event.
    const { id } = await storedSession(server, session.id);
    await server.app.database.prisma.customModelUsed.createMany({
      data: Array.from({ length: 300 }, (_, index) => ({ sessionId: id, position: index + 1, modelRef: `openai/padding-model-${index}` })),
    });
    const slow = subscribe(server, transport, HeavySessionEvents, { sessionId: session.id, after: 0 });
    const first = await slow.received((results) => results.length >= 2);
    expect(first.map((result) => result.data?.sessionEvents.seq)).toEqual([1, 2]);
    slow.pause();

    // Keep changing the session until the server gives up on the subscriber (bounded, never a sleep).
    let changes = 0;
    while (server.app.services.streams.openCount > 0) {
      await switchModel(server, session.id, changes % 2 ? 'gpt' : 'local');
      changes += 1;
      if (changes > 6000) throw new Error('the slow subscriber was never ended');
    }
    slow.resume();
    const arrived = await slow.received();
    expect(slow.hasEnded, 'the server ended the slow subscriber').toBe(true);
    const last = arrived.at(-1)!;
    expect(last.errors?.[0]?.message).toMatch(/fell too far behind.*subscribe again with after: \d+/);
    expect(last.errors?.[0]?.extensions?.code).toBe('SUBSCRIBER_TOO_SLOW');
    const resumeAfter = last.errors![0]!.extensions!.resumeAfter as number;
    const delivered = arrived.slice(0, -1).map((result) => result.data?.sessionEvents.seq);
    // Everything up to resumeAfter arrived, in order; nothing after it did.
    expect(delivered).toEqual(Array.from({ length: resumeAfter }, (_, index) => index + 1));

    const resumed = subscribe(server, transport, SessionEvents, { sessionId: session.id, after: resumeAfter });
    const newest = (await storedSession(server, session.id)).session!.lastEventSeq;
    // Every stored event after resumeAfter is due: wait until as many arrived, or the newest did, or it ended.
    const replayed = await resumed.received(
      (results) => results.length >= newest - resumeAfter || results.some((result) => result.data?.sessionEvents.seq === newest),
    );
    expect(replayed.map((result) => result.data?.sessionEvents.seq)).toEqual(
      Array.from({ length: newest - resumeAfter }, (_, index) => resumeAfter + index + 1),
    );
  });
});

describe('sessionsChanged', () => {
  it.each(TRANSPORTS)('tells a %s dashboard of sessions created, changed and deleted', async (transport) => {
    const server = await startTestServer('sqlite');
    const dashboard = subscribe(server, transport, SessionsChanged, {});
    // The dashboard hears only what happens once it is open: change things until it hears one.
    for (let probes = 0; dashboard.results.length === 0; probes += 1) {
      if (probes > 1000) throw new Error('the dashboard never opened');
      await createSession(server, { title: 'probe' });
    }

    const session = await createSession(server, { title: 'watched' });
    await switchModel(server, session.id, 'gpt');
    const { deleteSession } = await server.data(DeleteSession, { id: session.id });
    expectTypename(deleteSession, 'DeleteSessionPayload');
    const heard = await dashboard.received((results) =>
      results.some((result) => result.data?.sessionsChanged.sessionId === session.id && result.data.sessionsChanged.kind === 'DELETED'),
    );
    expect(heard.filter((result) => result.errors)).toEqual([]);
    const mine = heard.map((result) => result.data!.sessionsChanged).filter((change) => change.sessionId === session.id);
    // One change per committed change: the creation wrote SessionCreated and SessionStarted (seq 1 and 2).
    expect(mine.map((change) => [change.kind, change.seq])).toEqual([
      ['CREATED', 2],
      ['UPDATED', 3],
      ['DELETED', 4],
    ]);
    expect(mine[0]!.session).toEqual({ title: 'watched' });
    expect(mine.at(-1)!.session).toBeNull();
  });
});

describe('/metrics', () => {
  it('reports statements, open streams, running sessions and memory as they change', async () => {
    const server = await startTestServer('sqlite');
    const metrics = async () => {
      const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
      return Object.fromEntries(
        text
          .split('\n')
          .filter((line) => line && !line.startsWith('#'))
          .map((line) => line.split(' ') as [string, string])
          .map(([name, value]) => [name, Number(value)]),
      );
    };
    const before = await metrics();
    const session = await createSession(server);
    subscribe(server, 'websocket', SessionEvents, { sessionId: session.id });
    await openStreams(server, 1);
    const after = await metrics();
    expect(after.asg_sql_statements_total).toBeGreaterThan(before.asg_sql_statements_total!);
    expect([before.asg_event_streams_open, after.asg_event_streams_open]).toEqual([0, 1]);
    expect([before.asg_sessions_running, after.asg_sessions_running]).toEqual([0, 1]);
    expect(after.process_resident_memory_bytes).toBeGreaterThan(0);
  });
});
