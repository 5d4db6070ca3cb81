/**
 * sessionsChanged(after:) resumes: a dashboard that reconnects with the cursor of the last change it
 * had gets exactly the changes it missed, in the log's order, then live ones; one that comes back from
 * further than the log retains gets a GAP first; a principal's feed holds its own sessions only. On
 * PostgreSQL, changes committed out of order (a transaction that took its place early commits late)
 * are each delivered once, in order. And when Redis restarts, streams read the store for what its lost
 * doorbells would have told them.
 *
 * The stored log (SessionChangeLog, read past the API) is what every feed is compared with.
 */
import net from 'node:net';
import type { FormattedExecutionResult } from 'graphql';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { globalId } from '../src/schema/ids.js';
import { cursorOf } from '../src/services/change-log.js';
import type { ResumeSessionsChangedSubscription } from './graphql/graphql.js';
import { UpdateTitle } from './support/api-operations.js';
import { freshDatabase, PROVIDERS, rawPostgres } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { DeleteSession, ResumeSessionsChanged, SessionEvents } from './support/event-operations.js';
import { eventually, lockSessionRow } from './support/faults.js';
import { startPrivateRedis } from './support/redis-server.js';
import { capturedLog, startTestServer, type TestServer } from './support/server.js';
import { serverWithTokens } from './support/tokens.js';
import { createSession, expectTypename, storedSession } from './support/sessions.js';
import { subscribe, TRANSPORTS, type Subscriber, type Transport } from './support/subscribers.js';

type Dashboard = Subscriber<ResumeSessionsChangedSubscription>;
type Results = FormattedExecutionResult<ResumeSessionsChangedSubscription>[];

/** A change as a client compares it: what the feed says, without the session's current state. */
interface Change {
  kind: string;
  sessionId: string | null;
  seq: number | null;
  cursor: string;
}

/** The changes among `results` (failing on any error), as compared with the store. */
function changesOf(results: Results): Change[] {
  expect(results.filter((result) => result.errors)).toEqual([]);
  return results.map((result) => {
    const { kind, sessionId, seq, cursor } = result.data!.sessionsChanged;
    return { kind, sessionId: sessionId ?? null, seq: seq ?? null, cursor };
  });
}

/** The change log as stored, in its order (PostgreSQL: transaction id, then id), without the pruning marker. */
async function storedChanges(server: TestServer) {
  const rows = await server.app.database.prisma.sessionChangeLog.findMany({ orderBy: [{ txid: 'asc' }, { id: 'asc' }] });
  return rows
    .filter((row) => row.kind !== 'PRUNED')
    .map((row) => ({
      change: { kind: row.kind, sessionId: globalId('Session', row.sessionId), seq: row.seq, cursor: cursorOf(row) } as Change,
      ownerId: row.ownerId,
      row,
    }));
}

/** The stored changes after the one `cursor` names. */
async function storedAfter(server: TestServer, cursor: string): Promise<Change[]> {
  const stored = (await storedChanges(server)).map((entry) => entry.change);
  const index = stored.findIndex((change) => change.cursor === cursor);
  expect(index, `the change ${cursor} is stored`).toBeGreaterThanOrEqual(0);
  return stored.slice(index + 1);
}

async function updateTitle(client: TestServer, sessionId: string, title: string) {
  const { updateSessionTitle } = await client.data(UpdateTitle, { input: { sessionId, title } });
  expectTypename(updateSessionTitle, 'Session');
}

async function deleteSession(client: TestServer, id: string) {
  const { deleteSession: result } = await client.data(DeleteSession, { id });
  expectTypename(result, 'DeleteSessionPayload');
}

/** A feed without `after` carries what is committed once it listens: make changes until it has one. */
async function untilListening(dashboard: Dashboard, change: (probe: number) => Promise<unknown>): Promise<void> {
  for (let probe = 0; dashboard.results.length === 0; probe += 1) {
    if (probe > 1000) throw new Error('the dashboard never opened');
    await change(probe);
  }
}

/**
 * The cursor of a change everything before it has been delivered with: a session `client` creates,
 * once the listening dashboard has it (probes still on their way come before it).
 */
async function markerCursor(dashboard: Dashboard, client: TestServer): Promise<string> {
  const marker = await createSession(client, { title: 'marker' });
  const heard = await dashboard.received((results) => results.some((result) => result.data?.sessionsChanged.sessionId === marker.id));
  return changesOf(heard).at(-1)!.cursor;
}

describe.each(PROVIDERS)('sessionsChanged(after:) on %s', (provider) => {
  it.each(TRANSPORTS)(
    'a %s dashboard that reconnects gets exactly the changes it missed, its own and another client\'s, in order, then live ones',
    async (transport: Transport) => {
      const { server, admin, alice } = await serverWithTokens(provider);
      const dashboard = subscribe(admin, transport, ResumeSessionsChanged, {});
      await untilListening(dashboard, (probe) => createSession(admin, { title: `probe ${probe}` }));
      const kept = await createSession(admin, { title: 'kept' });
      const doomed = await createSession(admin, { title: 'doomed' });
      const heard = await dashboard.received((results) => results.some((result) => result.data?.sessionsChanged.sessionId === doomed.id));
      const lastCursor = changesOf(heard).at(-1)!.cursor;
      await dashboard.close();

      // While it is away: its own changes, and another client's (a session made, changed and deleted).
      await updateTitle(admin, kept.id, 'kept, renamed');
      const added = await createSession(admin, { title: 'added' });
      await deleteSession(admin, doomed.id);
      const hers = await createSession(alice, { title: 'hers' });
      await updateTitle(alice, hers.id, 'hers, renamed');
      await deleteSession(alice, hers.id);
      const missed = await storedAfter(server, lastCursor);
      expect(missed.map((change) => [change.kind, change.sessionId])).toEqual([
        ['UPDATED', kept.id],
        ['CREATED', added.id],
        ['DELETED', doomed.id],
        ['CREATED', hers.id],
        ['UPDATED', hers.id],
        ['DELETED', hers.id],
      ]);

      const resumed = subscribe(admin, transport, ResumeSessionsChanged, { after: lastCursor });
      const caughtUp = await resumed.received((results) => results.length >= missed.length);
      expect(changesOf(caughtUp)).toEqual(missed);
      expect(caughtUp.map((result) => result.data?.sessionsChanged.session?.title ?? null)).toEqual([
        'kept, renamed',
        'added',
        null,
        null,
        null,
        null,
      ]);

      // Then live ones, each once: everything after the cursor, as stored, and nothing else.
      await updateTitle(alice, (await createSession(alice, { title: 'live' })).id, 'live, renamed');
      const all = await storedAfter(server, lastCursor);
      const withLive = await resumed.received((results) => results.length >= all.length);
      expect(changesOf(withLive)).toEqual(all);
      expect(all).toHaveLength(missed.length + 2);
    },
  );

  it('a cursor older than the log retains gets a GAP first, then every retained change', async () => {
    const server = await startTestServer(provider, { env: { CHANGE_LOG_RETENTION: '3' } });
    const session = await createSession(server, { title: 'busy' });
    const dashboard = subscribe(server, 'websocket', ResumeSessionsChanged, {});
    await untilListening(dashboard, (probe) => updateTitle(server, session.id, `probe ${probe}`));
    const lastCursor = await markerCursor(dashboard, server);
    await dashboard.close();
    for (let index = 0; index < 8; index += 1) await updateTitle(server, session.id, `away ${index}`);
    const retained = (await storedChanges(server)).map((entry) => entry.change);
    expect(retained).toHaveLength(3);

    const resumed = subscribe(server, 'sse', ResumeSessionsChanged, { after: lastCursor });
    const afterGap = await resumed.received((results) => results.length >= 1 + retained.length);
    const [gap, ...rest] = afterGap;
    expect(gap).toEqual({ data: { sessionsChanged: { kind: 'GAP', sessionId: null, seq: null, session: null, cursor: expect.any(String) } } });
    expect(changesOf(rest)).toEqual(retained);

    // Resumed from the GAP's cursor, nothing more is missing.
    const fromGap = subscribe(server, 'websocket', ResumeSessionsChanged, { after: gap!.data!.sessionsChanged.cursor });
    expect(changesOf(await fromGap.received((results) => results.length >= retained.length))).toEqual(retained);
  });

  it("a principal's resumed feed holds its own sessions' changes only", async () => {
    const { server, alice, bob, admin } = await serverWithTokens(provider);
    const feed = subscribe(alice, 'websocket', ResumeSessionsChanged, {});
    const probe = await createSession(alice, { title: 'probe' });
    await untilListening(feed, (index) => updateTitle(alice, probe.id, `probe ${index}`));
    const lastCursor = await markerCursor(feed, alice);
    await feed.close();

    const bobs = await createSession(bob, { title: 'bob' });
    const hers = await createSession(alice, { title: 'hers' });
    await updateTitle(bob, bobs.id, 'bob, renamed');
    await createSession(admin, { title: 'ops' });
    await deleteSession(alice, probe.id);
    await deleteSession(bob, bobs.id);
    await updateTitle(alice, hers.id, 'hers, renamed');
    const stored = await storedChanges(server);
    const after = stored.slice(stored.findIndex((entry) => entry.change.cursor === lastCursor) + 1);
    const hersOnly = after.filter((entry) => entry.ownerId === 'alice').map((entry) => entry.change);
    expect(hersOnly.map((change) => [change.kind, change.sessionId])).toEqual([
      ['CREATED', hers.id],
      ['DELETED', probe.id],
      ['UPDATED', hers.id],
    ]);
    expect(after.length).toBeGreaterThan(hersOnly.length);

    const resumed = subscribe(alice, 'websocket', ResumeSessionsChanged, { after: lastCursor });
    expect(changesOf(await resumed.received((results) => results.length >= hersOnly.length))).toEqual(hersOnly);
    // Live too: bob's change goes by, hers arrives, and nothing else.
    await updateTitle(bob, (await createSession(bob, { title: 'bob again' })).id, 'bob, renamed again');
    await updateTitle(alice, hers.id, 'hers, live');
    const live = await resumed.received((results) => results.length > hersOnly.length);
    const newest = (await storedChanges(server)).at(-1)!.change;
    expect(changesOf(live)).toEqual([...hersOnly, newest]);
  });

  it('a cursor that is not one, or is past the end of the log, is a BAD_USER_INPUT error on `after`', async () => {
    const server = await startTestServer(provider);
    const malformed = ['not a cursor', '', provider === 'sqlite' ? '1.2' : '12'];
    const pastTheEnd = provider === 'sqlite' ? '99999' : '99999999999.1';
    for (const [after, why] of [...malformed.map((after) => [after, /is not one/] as const), [pastTheEnd, /past the end of the log/] as const]) {
      for (const transport of TRANSPORTS) {
        const refused = subscribe(server, transport, ResumeSessionsChanged, { after });
        await refused.ended;
        const error = refused.results.at(-1)?.errors?.[0];
        expect(error?.message, `${transport}: ${after}`).toMatch(/^after must be a cursor this server's sessionsChanged delivered/);
        expect(error?.message, `${transport}: ${after}`).toMatch(why);
        expect(error?.extensions, `${transport}: ${after}`).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
      }
    }
    expect(server.app.services.streams.openChangeFeeds).toBe(0);
  });
});

describe('sessionsChanged on PostgreSQL, with transactions committing out of order', () => {
  it('delivers every committed change exactly once, in the log\'s order, even one that took its place early and committed late', async () => {
    const { log, records } = capturedLog();
    // Room for the change held back on purpose below.
    const server = await startTestServer('postgresql', { log, env: { TRANSACTION_TIMEOUT_MS: '30000' } });
    const sessions = await Promise.all([0, 1, 2, 3].map((index) => createSession(server, { title: `s${index}` })));
    const feed = subscribe(server, 'websocket', ResumeSessionsChanged, {});
    await untilListening(feed, (probe) => updateTitle(server, sessions[0]!.id, `probe ${probe}`));
    const firstCursor = changesOf(feed.results)[0]!.cursor;
    /** What the feed must have delivered so far: every stored change from its first one on. */
    const due = async () => {
      const stored = (await storedChanges(server)).map((entry) => entry.change);
      return stored.slice(stored.findIndex((change) => change.cursor === firstCursor));
    };
    const withheldSoFar = () =>
      records.filter((record) => record.message === 'session changes withheld: a transaction begun before them is still in flight').length;
    /**
     * Resolves once the feed has read the log after what was just committed: it withheld it again (as it
     * reads again by itself while a transaction holds it back), or, a feed that does not withhold, delivered it.
     */
    const feedHasReadPast = async () => {
      const newest = (await due()).at(-1)!.cursor;
      const withheld = withheldSoFar();
      await eventually(
        async () =>
          withheldSoFar() > withheld || feed.results.some((result) => result.data?.sessionsChanged.cursor === newest) ? true : undefined,
        'the feed to read the log again',
      );
    };

    // Writers on every session at once.
    await Promise.all(sessions.map(async (session, index) => {
      for (let round = 0; round < 15; round += 1) await updateTitle(server, session.id, `s${index} round ${round}`);
    }));
    const concurrent = await due();
    expect(changesOf(await feed.received((results) => results.length >= concurrent.length))).toEqual(concurrent);

    // A transaction that holds the horizon back and writes no change: when it ends, no doorbell rings.
    const holder = await rawPostgres(server.database);
    await holder.query('BEGIN');
    await holder.query('SELECT pg_current_xact_id()');
    await Promise.all(sessions.map((session, index) => updateTitle(server, session.id, `s${index} behind the holder`)));
    await feedHasReadPast();
    await holder.query('COMMIT');
    const held = await due();
    expect(changesOf(await feed.received((results) => results.length >= held.length))).toEqual(held);

    // A change that takes its transaction id, then waits for a lock while later transactions commit.
    const lock = await lockSessionRow(server, (await storedSession(server, sessions[0]!.id)).id);
    const late = updateTitle(server, sessions[0]!.id, 'late');
    await lock.blocked();
    await Promise.all(sessions.slice(1).map(async (session, index) => {
      for (let round = 0; round < 10; round += 1) await updateTitle(server, session.id, `s${index + 1} while s0 waits ${round}`);
    }));
    await feedHasReadPast();
    await lock.release();
    await late;

    // The test holds what it claims: transactions begun after the late one committed rows before it did
    // (lower ids), and the late row still comes before theirs in the log's order.
    const stored = await storedChanges(server);
    const lateRow = stored.filter((entry) => entry.change.sessionId === sessions[0]!.id).at(-1)!.row;
    const overtaking = stored.filter((entry) => entry.row.txid! > lateRow.txid! && entry.row.id < lateRow.id);
    expect(overtaking.length).toBeGreaterThanOrEqual(30);

    // Everything, each once and in order; a last change shows nothing more (no duplicate) was on its way.
    await updateTitle(server, sessions[1]!.id, 'last');
    const everything = await due();
    const received = await feed.received((results) => results.length >= everything.length);
    expect(changesOf(received)).toEqual(everything);
  });
});

/** A TCP proxy to a local port that can cut its connections and refuse new ones, as a network partition would. */
async function partitionableProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  onCleanup(close);
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    goDown: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    comeUp: () => {
      down = false;
    },
  };
}

describe('when Redis restarts', () => {
  it.each(TRANSPORTS)(
    "%s subscribers on another instance get every change committed while it was down, though no doorbell reaches them",
    async (transport) => {
      const redis = await startPrivateRedis();
      // The second instance reaches Redis through a proxy, so that it comes back only after the first
      // has sent the doorbells it queued while Redis was down: they then reach nobody on the second.
      const proxy = await partitionableProxy(redis.port);
      const database = freshDatabase('postgresql');
      const writer = await startTestServer('postgresql', { database, env: { REDIS_URL: redis.url } });
      const reader = await startTestServer('postgresql', { database, env: { REDIS_URL: proxy.url } });
      const session = await createSession(writer, { title: 'watched' });
      const doomed = await createSession(writer, { title: 'deleted while Redis is down' });
      const [rawSessionId, rawDoomedId] = [(await storedSession(writer, session.id)).id, (await storedSession(writer, doomed.id)).id];

      const events = subscribe(reader, transport, SessionEvents, { sessionId: session.id, after: 0 });
      const doomedEvents = subscribe(reader, transport, SessionEvents, { sessionId: doomed.id, after: 0 });
      const dashboard = subscribe(reader, transport, ResumeSessionsChanged, {});
      await untilListening(dashboard, (probe) => updateTitle(writer, session.id, `probe ${probe}`));
      const firstCursor = changesOf(dashboard.results)[0]!.cursor;
      // Both streams are subscribed in Redis (the topics' names are the pubsub's).
      const inspector = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      onCleanup(() => inspector.disconnect());
      await eventually(async () => {
        const channels = ['sessions:changed', `session:event:${rawSessionId}`, `session:event:${rawDoomedId}`];
        const counts = (await inspector.call('PUBSUB', 'NUMSUB', ...channels)) as (string | number)[];
        return channels.every((_, index) => Number(counts[index * 2 + 1]) >= 1) ? true : undefined;
      }, 'the streams to be subscribed in Redis');
      inspector.disconnect();

      await redis.stop();
      proxy.goDown();
      // Changes while Redis is down: their doorbells wait in the first instance's offline queue.
      await updateTitle(writer, session.id, 'renamed while Redis was down');
      await updateTitle(writer, session.id, 'renamed again');
      const other = await createSession(writer, { title: 'made while Redis was down' });
      await deleteSession(writer, other.id);
      const doomedSeqs = (await storedSession(writer, doomed.id)).events.map((event) => event.seq);
      await deleteSession(writer, doomed.id);

      await redis.start();
      // The first instance is connected again: the doorbells it queued have gone out, to nobody.
      await eventually(() => writer.app.pubsub.redisCheck!().then(() => true, () => undefined), 'the first instance to reconnect');
      proxy.comeUp();

      // No further change: the second instance's streams read the store once Redis is back for them.
      const stored = (await storedSession(writer, session.id)).events.map((event) => event.seq);
      const gotEvents = await events.received((results) => results.some((result) => result.data?.sessionEvents.seq === stored.at(-1)));
      expect(gotEvents.map((result) => result.data?.sessionEvents.seq)).toEqual(stored);
      const due = await storedAfter(writer, firstCursor);
      const gotChanges = await dashboard.received((results) => results.length >= 1 + due.length);
      expect(changesOf(gotChanges).slice(1)).toEqual(due);
      expect(due.slice(-5).map((change) => [change.kind, change.sessionId])).toEqual([
        ['UPDATED', session.id],
        ['UPDATED', session.id],
        ['CREATED', other.id],
        ['DELETED', other.id],
        ['DELETED', doomed.id],
      ]);
      // A stream of a session deleted meanwhile ends as the deletion would have ended it.
      const ended = await doomedEvents.received();
      expect(doomedEvents.hasEnded).toBe(true);
      expect(ended.map((result) => [result.data?.sessionEvents.__typename, result.data?.sessionEvents.seq])).toEqual([
        ...doomedSeqs.map((seq, index) => [index === 0 ? 'SessionCreatedEvent' : expect.any(String), seq]),
        ['SessionExitedEvent', due.at(-1)!.seq],
      ]);
    },
  );
});
