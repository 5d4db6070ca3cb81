/**
 * Several server instances on one PostgreSQL, joined by Redis pub/sub. Redis delivers at most once,
 * so the stored log, not the pubsub, is what streams trust.
 */
import { describe, expect, it } from 'vitest';
import { freshDatabase } from './support/databases.js';
import { SessionEvents, SessionsChanged } from './support/event-operations.js';
import { openStreams } from './support/faults.js';
import { StartSession } from './support/operations.js';
import { startTestServer } from './support/server.js';
import { createSession, expectTypename, storedSession, switchModel } from './support/sessions.js';
import { subscribe, TRANSPORTS } from './support/subscribers.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';


describe('several instances through Redis', () => {
  it.each(TRANSPORTS)('a %s subscriber on one instance gets every change made on another, in order', async (transport) => {
    const database = freshDatabase('postgresql');
    const writer = await startTestServer('postgresql', { database, env: { REDIS_URL } });
    const reader = await startTestServer('postgresql', { database, env: { REDIS_URL } });
    const session = await createSession(writer);
    const watcher = subscribe(reader, transport, SessionEvents, { sessionId: session.id, after: 0 });
    const dashboard = subscribe(reader, transport, SessionsChanged, {});
    let last = 0;
    for (let index = 0; index < 50; index += 1) last = (await switchModel(writer, session.id, index % 2 ? 'gpt' : 'openai/gpt-5')).seq;
    await watcher.until((results) => results.some((result) => result.data?.sessionEvents.seq === last), `seq ${last}`);
    const stored = (await storedSession(writer, session.id)).events.map((event) => event.seq);
    expect(watcher.results.map((result) => result.data?.sessionEvents.seq)).toEqual(stored);
    // The session list hears across instances too (once its subscription is open).
    await dashboard.until((results) => results.some((result) => result.data?.sessionsChanged.sessionId === session.id));
  });

  it('a change whose doorbell never rang is filled in from the store, in order, before the next one', async () => {
    const database = freshDatabase('postgresql');
    const writer = await startTestServer('postgresql', { database, env: { REDIS_URL } });
    const reader = await startTestServer('postgresql', { database, env: { REDIS_URL } });
    // An instance that publishes to nobody: its events exist only in the store.
    const muted = await startTestServer('postgresql', { database });
    const session = await createSession(writer);
    const watcher = subscribe(reader, 'websocket', SessionEvents, { sessionId: session.id });
    await openStreams(reader, 1);

    const { startSession } = await muted.data(StartSession, { id: session.id });
    expectTypename(startSession, 'Session');
    const silent = await switchModel(muted, session.id, 'local');
    const rung = await switchModel(writer, session.id, 'gpt');
    await watcher.until((results) => results.some((result) => result.data?.sessionEvents.seq === rung.seq));
    expect(watcher.results.map((result) => [result.data?.sessionEvents.__typename, result.data?.sessionEvents.seq])).toEqual([
      ['SessionStartedEvent', silent.seq - 1],
      ['ModelChangedEvent', silent.seq],
      ['ModelChangedEvent', rung.seq],
    ]);
  });
});
