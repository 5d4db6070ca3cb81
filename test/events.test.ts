/**
 * sessionEvents over WebSocket and SSE against real servers and databases: replay then live, exactly
 * once and in order, across reconnects and restarts; nothing for rolled-back changes.
 */
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from './support/databases.js';
import { DeleteSession, SessionEvents } from './support/event-operations.js';
import { openStreams, rejectEventsMentioning } from './support/faults.js';
import { SetModel, StartSession } from './support/operations.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename, storedSession, switchModel } from './support/sessions.js';
import { subscribe, TRANSPORTS, type Subscriber } from './support/subscribers.js';
import type { SessionEventsSubscription } from './graphql/graphql.js';

type Events = Subscriber<SessionEventsSubscription>;
const REFS = ['gpt', 'openai/gpt-5', 'local', '', 'anthropic/claude-opus-4-1'];

const received = (subscriber: Events) => subscriber.results.map((result) => result.data?.sessionEvents);
const seqs = (subscriber: Events) => received(subscriber).map((event) => event?.seq);
const reached = (seq: number) => (results: Events['results']) => results.some((result) => (result.data?.sessionEvents.seq ?? -1) >= seq);


async function storedSeqs(server: TestServer, sessionId: string, after = 0) {
  return (await storedSession(server, sessionId)).events.map((event) => event.seq).filter((seq) => seq > after);
}

describe.each(PROVIDERS)('session events on %s', (provider) => {
  it('500 changes from 4 clients reach every subscriber exactly once, in order, on both transports', async () => {
    const server = await startTestServer(provider);
    const session = await createSession(server);
    // Without `after`, a stream carries what commits once it is open: wait until both are.
    const live = TRANSPORTS.map((transport) => subscribe(server, transport, SessionEvents, { sessionId: session.id }));
    await openStreams(server, 2);
    const first = await switchModel(server, session.id, 'gpt');
    await Promise.all(live.map((subscriber) => subscriber.until(reached(first.seq))));

    let committed = 0;
    const replaying: Events[] = [];
    const openReplaysAt = 100;
    await Promise.all(
      Array.from({ length: 4 }, async (_, client) => {
        for (let index = 0; index < 125; index += 1) {
          await switchModel(server, session.id, REFS[(client + index) % REFS.length]!);
          committed += 1;
          // Replays open while changes keep committing: backlog and live overlap.
          if (committed === openReplaysAt) {
            for (const transport of TRANSPORTS) replaying.push(subscribe(server, transport, SessionEvents, { sessionId: session.id, after: 0 }));
          }
        }
      }),
    );
    const last = (await storedSession(server, session.id)).session!.lastEventSeq;
    await Promise.all([...live, ...replaying].map((subscriber) => subscriber.until(reached(last), `seq ${last}`)));

    const stored = await storedSeqs(server, session.id);
    for (const subscriber of live) expect(seqs(subscriber)).toEqual(stored.filter((seq) => seq >= first.seq));
    for (const subscriber of replaying) expect(seqs(subscriber)).toEqual(stored);
    // What the events say matches what was stored.
    const storedEvents = (await storedSession(server, session.id)).events;
    for (const event of received(replaying[0]!)) {
      const row = storedEvents.find((candidate) => candidate.seq === event?.seq)!;
      if (event?.__typename === 'ModelChangedEvent') expect(event.modelRef ?? null).toBe(row.payload.modelRef);
    }
  });

  it.each(TRANSPORTS)('a %s subscriber reconnecting with `after` misses nothing and repeats nothing', async (transport) => {
    const server = await startTestServer(provider);
    const session = await createSession(server);
    const firstRun = subscribe(server, transport, SessionEvents, { sessionId: session.id, after: 0 });
    const midway = await switchModel(server, session.id, 'gpt');
    await firstRun.until(reached(midway.seq));
    await firstRun.close();
    const lastSeen = seqs(firstRun).at(-1)!;

    for (const modelRef of ['local', 'openai/gpt-5', '']) await switchModel(server, session.id, modelRef);
    const secondRun = subscribe(server, transport, SessionEvents, { sessionId: session.id, after: lastSeen });
    const last = await switchModel(server, session.id, 'claude');
    await secondRun.until(reached(last.seq));
    expect([...seqs(firstRun), ...seqs(secondRun)]).toEqual(await storedSeqs(server, session.id));
  });

  it.each(TRANSPORTS)('the log survives a restart: a %s subscriber resumes on the new server', async (transport) => {
    const before = await startTestServer(provider);
    const session = await createSession(before);
    const watcher = subscribe(before, transport, SessionEvents, { sessionId: session.id, after: 0 });
    const seen = await switchModel(before, session.id, 'gpt');
    await watcher.until(reached(seen.seq));
    await watcher.close();
    await switchModel(before, session.id, 'openai/gpt-5');
    await before.stop();

    const after = await startTestServer(provider, { database: before.database });
    const resumed = subscribe(after, transport, SessionEvents, { sessionId: session.id, after: seen.seq });
    const { startSession } = await after.data(StartSession, { id: session.id });
    expectTypename(startSession, 'Session');
    const last = await switchModel(after, session.id, 'local');
    await resumed.until(reached(last.seq));
    expect([...seqs(watcher), ...seqs(resumed)]).toEqual(await storedSeqs(after, session.id));
    // The stop released the session (SERVER_STOPPED), so the new server starts it afresh.
    expect(received(resumed).map((event) => event?.__typename)).toEqual([
      'ModelChangedEvent',
      'SessionStoppedEvent',
      'SessionStartedEvent',
      'ModelChangedEvent',
    ]);
  });

  it('a rolled-back switch produces no event on any transport', async () => {
    const server = await startTestServer(provider);
    const session = await createSession(server);
    const watchers = TRANSPORTS.map((transport) => subscribe(server, transport, SessionEvents, { sessionId: session.id, after: 0 }));
    await rejectEventsMentioning(server, 'reject-me');
    const { setSessionAgentModel: rejected } = await server.data(SetModel, {
      input: { sessionId: session.id, modelRef: 'openai/reject-me' },
    });
    expectTypename(rejected, 'PersistenceFailed');
    const accepted = await switchModel(server, session.id, 'gpt');
    for (const watcher of watchers) {
      await watcher.until(reached(accepted.seq));
      expect(received(watcher).map((event) => event?.__typename)).toEqual([
        'SessionCreatedEvent',
        'SessionStartedEvent',
        'ModelChangedEvent',
      ]);
      expect(JSON.stringify(watcher.results)).not.toContain('reject-me');
    }
    // The rejected switch took no sequence number either: the log has no hole.
    expect(await storedSeqs(server, session.id)).toEqual([1, 2, 3]);
  });

  it('`after` older than the retained log gets a GapEvent first, then every retained event', async () => {
    const server = await startTestServer(provider, { env: { EVENT_RETENTION: '16', SUBSCRIPTION_QUEUE_LIMIT: '100' } });
    const session = await createSession(server);
    for (let index = 0; index < 60; index += 1) await switchModel(server, session.id, REFS[index % REFS.length]!);
    const retained = await storedSeqs(server, session.id);
    expect(retained.length).toBeGreaterThanOrEqual(16);
    expect(retained[0]).toBeGreaterThan(2);
    for (const transport of TRANSPORTS) {
      const late = subscribe(server, transport, SessionEvents, { sessionId: session.id, after: 1 });
      await late.until(reached(retained.at(-1)!));
      const [gap, ...rest] = received(late);
      expect(gap).toMatchObject({ __typename: 'GapEvent', seq: 1, missedFrom: 2, missedTo: retained[0]! - 1 });
      expect(rest.map((event) => event?.seq)).toEqual(retained);
    }
  });

  it('deleteSession ends every stream with SessionExitedEvent; the session stays deleted', async () => {
    const server = await startTestServer(provider);
    const session = await createSession(server);
    const watchers = TRANSPORTS.map((transport) => subscribe(server, transport, SessionEvents, { sessionId: session.id, after: 0 }));
    await Promise.all(watchers.map((watcher) => watcher.until(reached(2))));
    const { deleteSession } = await server.data(DeleteSession, { id: session.id });
    expectTypename(deleteSession, 'DeleteSessionPayload');
    for (const watcher of watchers) {
      await watcher.ended;
      expect(received(watcher).at(-1)).toMatchObject({ __typename: 'SessionExitedEvent', reason: 'deleted', seq: 3 });
    }
    expect(server.app.services.runtimes.isRunning((await storedSession(server, session.id)).id)).toBe(false);
    expect((await storedSession(server, session.id)).session).toBeNull();
    expect((await storedSession(server, session.id)).events).toEqual([]);

    const again = await server.data(DeleteSession, { id: session.id });
    expectTypename(again.deleteSession, 'SessionNotFound');
    const restart = await server.data(StartSession, { id: session.id });
    expectTypename(restart.startSession, 'SessionNotFound');
    for (const transport of TRANSPORTS) {
      const late = subscribe(server, transport, SessionEvents, { sessionId: session.id, after: 0 });
      await late.ended;
      expect(late.results.at(-1)?.errors?.[0]).toMatchObject({
        message: 'no session has this id',
        extensions: { code: 'SESSION_NOT_FOUND' },
      });
    }
    await openStreams(server, 0);
    expect(server.app.services.streams.openCount).toBe(0);
  });

  it.each([
    ['an unknown session', { sessionId: Buffer.from('Session:00000000-0000-4000-8000-000000000000').toString('base64') }, 'SESSION_NOT_FOUND', /no session has this id/],
    ['a malformed id', { sessionId: 'nope' }, 'BAD_USER_INPUT', /is not a Session id/],
    ['`after` beyond the newest event', { after: 99 }, 'BAD_USER_INPUT', /after must be from 0 to the session's newest event \(2\)/],
    ['a negative `after`', { after: -1 }, 'BAD_USER_INPUT', /after must be from 0/],
  ])('subscribing with %s is a clear error on both transports', async (_case, variables, code, message) => {
    const server = await startTestServer(provider);
    const session = await createSession(server);
    for (const transport of TRANSPORTS) {
      const subscriber = subscribe(server, transport, SessionEvents, { sessionId: session.id, ...variables });
      await subscriber.ended;
      const error = subscriber.results.at(-1)?.errors?.[0];
      expect(error?.message).toMatch(message);
      expect(error?.extensions?.code).toBe(code);
    }
    expect(server.app.services.streams.openCount).toBe(0);
  });
});

