/**
 * Several server instances on one PostgreSQL, joined by Redis pub/sub. Redis delivers at most once,
 * so the stored log, not the pubsub, is what streams trust.
 */
import { describe, expect, it } from 'vitest';
import { freshDatabase } from './support/databases.js';
import { SessionEvents, SessionsChanged } from './support/event-operations.js';
import { openStreams } from './support/faults.js';
import { StartSession, StopSession } from './support/operations.js';
import { startTestServer } from './support/server.js';
import { createSession, expectTypename, storedSession, switchModel } from './support/sessions.js';
import { subscribe, TRANSPORTS } from './support/subscribers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';


describe('several instances through Redis', () => {
  it.each(TRANSPORTS)('a %s subscriber on one instance gets every change made on another, in order', async (transport) => {
    const database = freshDatabase('postgresql');
    const writer = await startTestServer('postgresql', { database, env: { REDIS_URL } });
    const reader = await startTestServer('postgresql', { database, env: { REDIS_URL } });
    // The session list hears only what happens once it is open: change things on the writer until it hears one.
    const dashboard = subscribe(reader, transport, SessionsChanged, {});
    for (let probes = 0; dashboard.results.length === 0; probes += 1) {
      if (probes > 1000) throw new Error('the dashboard never opened');
      await createSession(writer, { title: 'probe' });
    }
    const session = await createSession(writer);
    const watcher = subscribe(reader, transport, SessionEvents, { sessionId: session.id, after: 0 });
    let last = 0;
    for (let index = 0; index < 50; index += 1) last = (await switchModel(writer, session.id, index % 2 ? 'gpt' : 'openai/gpt-5')).seq;
    const stored = (await storedSession(writer, session.id)).events.map((event) => event.seq);
    expect(stored.at(-1)).toBe(last);

    // Every stored event is due: wait until as many arrived, or the newest did, or the stream ended.
    const events = await watcher.received(
      (results) => results.length >= stored.length || results.some((result) => result.data?.sessionEvents.seq === last),
    );
    expect(events.map((result) => result.data?.sessionEvents.seq)).toEqual(stored);

    // The session list hears every change of the session across instances too, in order.
    const changes = await dashboard.received((results) =>
      results.some((result) => result.data?.sessionsChanged.sessionId === session.id && result.data.sessionsChanged.seq === last),
    );
    expect(changes.filter((result) => result.errors)).toEqual([]);
    const mine = changes.map((result) => result.data!.sessionsChanged).filter((change) => change.sessionId === session.id);
    // One change per committed change: the creation (SessionCreated and SessionStarted), then each switch.
    expect(mine.map((change) => [change.kind, change.seq])).toEqual(stored.slice(1).map((seq) => [seq === 2 ? 'CREATED' : 'UPDATED', seq]));
  });

  it('a change whose doorbell never rang is filled in from the store, in order, before the next one', async () => {
    const database = freshDatabase('postgresql');
    const writer = await startTestServer('postgresql', { database, env: { REDIS_URL } });
    const reader = await startTestServer('postgresql', { database, env: { REDIS_URL } });
    // An instance that publishes to nobody (its Redis is a port where nothing listens): its events exist
    // only in the store. It holds the session, so the switches sent to it run there.
    const muted = await startTestServer('postgresql', { database, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const session = await createSession(writer, { start: false });
    const watcher = subscribe(reader, 'websocket', SessionEvents, { sessionId: session.id });
    await openStreams(reader, 1);
    const opened = (await storedSession(writer, session.id)).session!.lastEventSeq;

    const { startSession } = await muted.data(StartSession, { id: session.id });
    expectTypename(startSession, 'Session');
    const silent = await switchModel(muted, session.id, 'local');
    expectTypename((await muted.data(StopSession, { id: session.id })).stopSession, 'Session');
    expectTypename((await writer.data(StartSession, { id: session.id })).startSession, 'Session');
    const rung = await switchModel(writer, session.id, 'gpt');
    // The watcher is due every event stored since it opened: wait until as many arrived, or the newest did, or it ended.
    const due = rung.seq - opened;
    const events = await watcher.received(
      (results) => results.length >= due || results.some((result) => result.data?.sessionEvents.seq === rung.seq),
    );
    expect(events.map((result) => [result.data?.sessionEvents.__typename, result.data?.sessionEvents.seq])).toEqual([
      ['SessionStartedEvent', silent.seq - 1],
      ['ModelChangedEvent', silent.seq],
      ['SessionStoppedEvent', silent.seq + 1],
      ['SessionStartedEvent', rung.seq - 1],
      ['ModelChangedEvent', rung.seq],
    ]);
  });
});
