/**
 * Streams for subscribers, driven by the store: the pubsub only rings the doorbell (Redis pub/sub may
 * drop a message, and loses every one while it is down), so what a stream delivers is read from the
 * stored logs, and a doorbell, a hole or a Redis reconnection only says when to read.
 *
 * - A session's events (sessionEvents): the stored events after `after`, then live ones, with no
 *   duplicate and no hole.
 * - The session list (sessionsChanged): the change log after a cursor, in log order, each change once.
 */
import type { Principal } from '../auth/principal.js';
import { visibleTo } from '../auth/principal.js';
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import type { PubSubListener, Unsubscribe } from '../pubsub.js';
import type { ChangeLog, ChangeLogPage, SessionListChange, SessionListItem } from './change-log.js';
import {
  InvalidInputError,
  ServerShuttingDownError,
  SessionListTooSlowError,
  SessionNotFoundError,
  SubscriberTooSlowError,
} from './errors.js';
import { LIVE_ONLY_KINDS, type EventLog, type SessionEventRecord } from './event-log.js';

/**
 * What a stream yields: events, then perhaps, as its last item, the reason it was ended
 * (SubscriberTooSlowError, ServerShuttingDownError): the resolver throws it.
 */
export type StreamItem = SessionEventRecord | SubscriberTooSlowError | ServerShuttingDownError;

/** What a change feed (sessionsChanged) yields: changes and gaps, then perhaps the reason it was ended. */
export type FeedItem = SessionListItem | SessionListTooSlowError | ServerShuttingDownError;

/**
 * Tells the listener of each event of the session published from now on, synchronously as it is
 * published (the stream keeps what it must, within its own bound); returns how to stop.
 */
export type LiveEvents = (sessionId: string, listener: PubSubListener<SessionEventRecord>) => Unsubscribe;

/** Tells the listener of each session change published from now on: a change feed's doorbell. */
export type LiveChanges = (listener: PubSubListener<SessionListChange>) => Unsubscribe;

export interface StreamOptions {
  /** The transport's own buffer is over its limit (a WebSocket whose client does not read). */
  transportBackedUp?: () => boolean;
}

/** Stored events (or changes) read per page while a stream catches up. */
const PAGE_SIZE = 256;

/**
 * A change feed whose next changes are withheld (an older transaction is still in flight), or whose
 * read failed, reads again after a delay that doubles from the first to the longest: nobody rings the
 * doorbell when a transaction that wrote no change ends.
 */
const RETRY_FIRST_MS = 5;
const RETRY_LONGEST_MS = 500;

/** Something the server ends when it stops; `settled` once its subscriber has taken its last item or left. */
interface Closable {
  readonly settled: Promise<void>;
}

export class SessionEventStreams {
  readonly #eventStreams = new Set<EventStream>();
  readonly #changeFeeds = new Set<ChangeFeed>();
  #shuttingDown = false;

  constructor(
    private readonly options: {
      prisma: Store;
      events: EventLog;
      changeLog: ChangeLog;
      live: LiveEvents;
      liveChanges: LiveChanges;
      /** Live events (or changes) a stream may hold for a subscriber that is not reading before it is ended. */
      queueLimit: number;
      log: Logger;
    },
  ) {}

  /** sessionEvents streams open now; each holds one pubsub listener. */
  get openCount(): number {
    return this.#eventStreams.size;
  }

  /** sessionsChanged feeds open now. */
  get openChangeFeeds(): number {
    return this.#changeFeeds.size;
  }

  /**
   * Opens a stream. Without `after` it carries what happens from now on; with it, first every retained
   * event with `seq > after` (a GAP event first when some are no longer retained), read from the store
   * page by page as the subscriber takes them.
   */
  async open(sessionId: string, after: number | null, options: StreamOptions = {}): Promise<AsyncIterableIterator<StreamItem>> {
    const { prisma, events, live, queueLimit, log } = this.options;
    if (this.#shuttingDown) throw new ServerShuttingDownError(after ?? undefined);
    // Listen before reading the store, so that nothing committed in between is missed.
    const stream: EventStream = new EventStream(
      sessionId,
      (listener) => live(sessionId, listener),
      {
        readAfter: (from) => events.readAfter(prisma, sessionId, from, PAGE_SIZE),
        newest: () => this.#newestOf(sessionId),
      },
      queueLimit,
      options.transportBackedUp,
      log,
      () => this.#eventStreams.delete(stream),
    );
    this.#eventStreams.add(stream);
    try {
      const session = await prisma.session.findUnique({ where: { id: sessionId }, select: { lastEventSeq: true } });
      if (!session) throw new SessionNotFoundError(sessionId);
      if (after !== null && (after < 0 || after > session.lastEventSeq)) {
        throw new InvalidInputError(
          'after',
          `after must be from 0 to the session's newest event (${session.lastEventSeq}); got ${after}`,
        );
      }
      stream.start(after ?? session.lastEventSeq, session.lastEventSeq);
    } catch (error) {
      await stream.return();
      throw error;
    }
    log.debug('event stream opened', { sessionId, after: after ?? undefined });
    return stream;
  }

  /**
   * Opens a feed of the changes of the sessions `principal` may see: without `after`, those committed
   * from now on; with it (a cursor the feed delivered), first every retained change after it (a GAP
   * first when some are no longer retained), read page by page as the subscriber takes them. Live
   * changes are bounded like sessionEvents' live events: more than `queueLimit` unread, or a transport
   * backed up, ends the feed with SessionListTooSlowError and the cursor to resume after.
   */
  async changes(principal: Principal, after: string | null, options: StreamOptions = {}): Promise<AsyncIterableIterator<FeedItem>> {
    const { prisma, changeLog, liveChanges, queueLimit, log } = this.options;
    if (this.#shuttingDown) throw new ServerShuttingDownError(after ?? undefined);
    const visibility = visibleTo(principal);
    // Listen before reading the store, so that nothing committed in between is missed.
    const feed: ChangeFeed = new ChangeFeed(
      liveChanges,
      (cursor) => changeLog.readAfter(prisma, cursor, visibility, PAGE_SIZE),
      queueLimit,
      options.transportBackedUp,
      log,
      () => this.#changeFeeds.delete(feed),
    );
    this.#changeFeeds.add(feed);
    try {
      if (after === null) feed.start(await changeLog.head(prisma), { catchUp: false });
      else feed.start(await changeLog.checkCursor(prisma, after, 'after'), { catchUp: true });
    } catch (error) {
      await feed.return();
      throw error;
    }
    log.debug('change feed opened', { after: after ?? undefined });
    return feed;
  }

  /**
   * The server stops: no stream opens any more, and each open one ends with ServerShuttingDownError once
   * its subscriber has taken everything committed before now (read from the store: with Redis, doorbells
   * may still be on their way); `resumeAfter` is the last event, or change, it delivered. Resolves when
   * every subscriber has taken its last item or gone; a subscriber that does not read keeps it waiting
   * (the caller bounds it).
   */
  async shutDown(): Promise<void> {
    this.#shuttingDown = true;
    const streams = [...this.#eventStreams];
    const feeds = [...this.#changeFeeds];
    const settled: Closable[] = [...streams, ...feeds];
    for (const stream of streams) stream.stopListening();
    for (const feed of feeds) feed.stopListening();
    const { prisma, changeLog, log } = this.options;
    // What each session has committed, and the change log's end.
    let newest = new Map<string, number>();
    const ids = [...new Set(streams.map((stream) => stream.sessionId))];
    if (ids.length > 0) {
      try {
        const rows = await prisma.session.findMany({ where: { id: { in: ids } }, select: { id: true, lastEventSeq: true } });
        newest = new Map(rows.map((row) => [row.id, row.lastEventSeq]));
      } catch (error) {
        log.warn('could not read the newest events before ending streams', { error: (error as Error).message });
      }
    }
    let logEnd: string | undefined;
    if (feeds.length > 0) {
      try {
        logEnd = await changeLog.newest(prisma);
      } catch (error) {
        log.warn('could not read the newest change before ending change feeds', { error: (error as Error).message });
      }
    }
    for (const stream of streams) stream.shutDown(newest.get(stream.sessionId));
    for (const feed of feeds) feed.shutDown(logEnd === undefined ? undefined : (withheld) => !changeLog.isAfter(withheld, logEnd));
    await Promise.all(settled.map((item) => item.settled));
  }

  /**
   * The newest event a session has committed, from the store; for a session deleted meanwhile, the
   * number its streams end with (its SessionExitedEvent), when the change log still says.
   */
  async #newestOf(sessionId: string): Promise<{ newest: number } | { exitSeq: number | undefined }> {
    const { prisma, changeLog } = this.options;
    const session = await prisma.session.findUnique({ where: { id: sessionId }, select: { lastEventSeq: true } });
    if (session) return { newest: session.lastEventSeq };
    return { exitSeq: await changeLog.exitSeq(prisma, sessionId) };
  }
}

function gapEvent(sessionId: string, after: number, firstAvailable: number): SessionEventRecord {
  return {
    sessionId,
    seq: after,
    kind: 'GAP',
    agentName: null,
    payload: { missedFrom: after + 1, missedTo: firstAvailable - 1 },
    at: new Date(),
  };
}

const isSeqEvent = (item: StreamItem): item is SessionEventRecord =>
  !(item instanceof Error) && item.kind !== 'GAP' && item.kind !== 'SESSION_EXITED' && !LIVE_ONLY_KINDS.has(item.kind);

/** Resolves once, when `settle` is first called. */
function settlement(): { promise: Promise<void>; settle: () => void } {
  let settle!: () => void;
  const promise = new Promise<void>((resolve) => (settle = resolve));
  return { promise, settle };
}

/** What an event stream reads from the store. */
interface StoredEvents {
  /** A page of the session's stored events after `after`. */
  readAfter(after: number): Promise<SessionEventRecord[]>;
  /** The session's newest committed event; for a deleted session, the number its streams end with. */
  newest(): Promise<{ newest: number } | { exitSeq: number | undefined }>;
}

/**
 * One subscriber's stream. It is either live (contiguous live events go to a bounded queue) or catching
 * up (events after the cursor are read from the store when the subscriber asks for more): it catches
 * up after opening with `after`, again whenever the live sequence has a hole, and whenever Redis comes
 * back (the doorbells of what was committed meanwhile are lost: the store says how far to read).
 */
class EventStream implements AsyncIterableIterator<StreamItem>, Closable {
  readonly #queue: StreamItem[] = [];
  readonly #unsubscribe: Unsubscribe;
  readonly #settlement = settlement();
  /** Newest seq queued or taken: the store is read after it, live events at or below it are duplicates. */
  #cursor = 0;
  /** Newest seq the subscriber has taken: where it resumes if it is ended. */
  #lastTaken = 0;
  /** Newest seq known to exist. */
  #newest = 0;
  #catchingUp = false;
  #started = false;
  /** The server stops: once the subscriber has everything up to #newest, the stream ends. */
  #shuttingDown = false;
  #finished = false;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(
    readonly sessionId: string,
    listen: (listener: PubSubListener<SessionEventRecord>) => Unsubscribe,
    private readonly stored: StoredEvents,
    private readonly queueLimit: number,
    private readonly transportBackedUp: (() => boolean) | undefined,
    private readonly log: Logger,
    private readonly onClose: () => void,
  ) {
    this.#unsubscribe = listen({
      // Events that crossed Redis arrive with their date as a string.
      message: (event) => this.#onLive({ ...event, at: new Date(event.at) }),
      reconnected: () => void this.#catchUpWithStore(),
      // The pubsub is closing (the server stops): nothing more will come. (It never is while a stream
      // opens: streams are shut down first, and refuse to open from then on.)
      closed: () => this.#end(),
    });
  }

  get settled(): Promise<void> {
    return this.#settlement.promise;
  }

  start(after: number, newest: number): void {
    this.#cursor = after;
    this.#lastTaken = after;
    this.#newest = Math.max(this.#newest, newest);
    this.#catchingUp = this.#newest > after;
    this.#started = true;
  }

  /** Live events stop coming; what is committed is read from the store from now on. */
  stopListening(): void {
    this.#unsubscribe?.();
  }

  /**
   * The server stops: the subscriber gets every event up to `newest` (the session's newest committed
   * one; those it has not had are read from the store), then ServerShuttingDownError with the last seq
   * it took.
   */
  shutDown(newest: number | undefined): void {
    if (this.#finished) return;
    this.stopListening();
    this.#shuttingDown = true;
    if (newest !== undefined) this.#newest = Math.max(this.#newest, newest);
    if (this.#started && this.#newest > this.#cursor) this.#catchingUp = true;
    this.#wakeUp();
  }

  #onLive(event: SessionEventRecord): void {
    if (this.#finished) return;
    if (event.kind === 'SESSION_EXITED') {
      // The session's log went with it: nothing before this is left to read.
      this.#queue.push(event);
      this.#end();
      return;
    }
    if (LIVE_ONLY_KINDS.has(event.kind)) {
      // A delta follows its turn's stored start: it goes out only once the subscriber has had that, and
      // is dropped while the stream catches up (the stored reply will carry what it said).
      if (this.#started && !this.#catchingUp && event.seq <= this.#cursor) this.#enqueue(event);
      return;
    }
    this.#newest = Math.max(this.#newest, event.seq);
    // Before start() every event is at most the newest the store will report: it will be read there.
    if (!this.#started || this.#catchingUp || event.seq <= this.#cursor) return;
    if (event.seq > this.#cursor + 1) {
      // A hole: the doorbell for an earlier event was lost (Redis drops messages). The store has it.
      this.#catchingUp = true;
      this.#wakeUp();
      return;
    }
    this.#cursor = event.seq;
    this.#enqueue(event);
  }

  /**
   * Doorbells may have been lost (Redis was down): reads how far the session has got, and catches up
   * if that is past the cursor. A session deleted meanwhile ends the stream as its deletion would have.
   */
  async #catchUpWithStore(): Promise<void> {
    let found: Awaited<ReturnType<StoredEvents['newest']>>;
    try {
      found = await this.stored.newest();
    } catch (error) {
      // The next doorbell finds the hole instead.
      this.log.warn('could not read how far a session has got after Redis came back', {
        sessionId: this.sessionId,
        error: (error as Error).message,
      });
      return;
    }
    if (this.#finished) return;
    if ('exitSeq' in found) {
      const exit = { reason: 'deleted' };
      const seq = found.exitSeq ?? Math.max(this.#cursor, this.#newest) + 1;
      this.#onLive({ sessionId: this.sessionId, seq, kind: 'SESSION_EXITED', agentName: null, payload: exit, at: new Date() });
      return;
    }
    this.#newest = Math.max(this.#newest, found.newest);
    if (this.#started && !this.#catchingUp && this.#newest > this.#cursor) {
      this.#catchingUp = true;
      this.#wakeUp();
    }
  }

  /** Queues a live event, or ends a subscriber that leaves too many unread. */
  #enqueue(event: SessionEventRecord): void {
    this.#queue.push(event);
    if (this.#queue.length > this.queueLimit || this.transportBackedUp?.()) {
      // Drop what the subscriber has not taken: it resumes after the last event it did take.
      this.#queue.length = 0;
      this.#queue.push(new SubscriberTooSlowError(this.#lastTaken));
      this.#end();
      return;
    }
    this.#wakeUp();
  }

  /** Reads the next page after the cursor; back to live once the store has nothing newer. */
  async #catchUp(): Promise<void> {
    const page = await this.stored.readAfter(this.#cursor);
    if (this.#finished) return;
    const first = page[0];
    if (first && first.seq > this.#cursor + 1) this.#queue.push(gapEvent(first.sessionId, this.#cursor, first.seq));
    for (const event of page) {
      if (event.seq > this.#cursor) {
        this.#queue.push(event);
        this.#cursor = event.seq;
      }
    }
    // An empty page while newer events are known means they are gone (the session is being deleted).
    if (page.length < PAGE_SIZE && (this.#cursor >= this.#newest || page.length === 0)) this.#catchingUp = false;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** No more items will be queued; the subscriber still takes what is queued. */
  #end(): void {
    this.#finished = true;
    if (!this.#closed) {
      this.#closed = true;
      this.stopListening();
      this.onClose();
    }
    this.#wakeUp();
  }

  async next(): Promise<IteratorResult<StreamItem>> {
    for (;;) {
      const item = this.#queue.shift();
      if (item) {
        if (isSeqEvent(item)) this.#lastTaken = Math.max(this.#lastTaken, item.seq);
        return { value: item, done: false };
      }
      if (this.#finished) {
        this.#settlement.settle();
        return { value: undefined, done: true };
      }
      if (this.#catchingUp) await this.#catchUp();
      else if (this.#shuttingDown) {
        // Everything committed has been taken: the last item says why the stream ends, and where to resume.
        this.#queue.push(new ServerShuttingDownError(this.#lastTaken));
        this.#end();
      } else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  return(): Promise<IteratorResult<StreamItem>> {
    this.#queue.length = 0;
    this.#end();
    this.#settlement.settle();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * One subscriber's feed of session changes, read from the change log after its cursor. It is either
 * catching up (a page is read when the subscriber has taken everything queued: a feed resuming from far
 * behind is not too slow) or live (every doorbell reads what is new at once into a bounded queue). One
 * read at a time: doorbells that ring meanwhile are one more read once it is done.
 */
class ChangeFeed implements AsyncIterableIterator<FeedItem>, Closable {
  readonly #queue: FeedItem[] = [];
  readonly #unsubscribe: Unsubscribe;
  readonly #settlement = settlement();
  /** Cursor of the newest item queued or taken: the log is read after it. */
  #cursor = '';
  /** Cursor of the newest item the subscriber has taken: where it resumes if it is ended. */
  #lastTaken = '';
  #catchingUp = false;
  #started = false;
  #reading = false;
  /** Something may have been committed since the read in flight (or the last one) began. */
  #dirty = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = RETRY_FIRST_MS;
  /** The read before failed: the next failure is not logged again. */
  #failing = false;
  /**
   * The server stops: the feed ends once the subscriber has every change committed before now. Those
   * withheld behind a transaction still in flight are waited for when this says they are due.
   */
  #shuttingDown = false;
  #dueBeforeEnd: ((withheld: string) => boolean) | undefined;
  #finished = false;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(
    listen: LiveChanges,
    private readonly readAfter: (cursor: string) => Promise<ChangeLogPage>,
    private readonly queueLimit: number,
    private readonly transportBackedUp: (() => boolean) | undefined,
    private readonly log: Logger,
    private readonly onClose: () => void,
  ) {
    this.#unsubscribe = listen({
      message: () => this.#ring(),
      reconnected: () => this.#ring(),
      closed: () => this.#end(),
    });
  }

  get settled(): Promise<void> {
    return this.#settlement.promise;
  }

  /**
   * From `cursor` on: caught up with at once when `catchUp` is false (a feed opened at the log's head;
   * one read picks up what committed before it listened), page by page as the subscriber asks otherwise.
   */
  start(cursor: string, { catchUp }: { catchUp: boolean }): void {
    this.#cursor = cursor;
    this.#lastTaken = cursor;
    this.#catchingUp = catchUp;
    this.#started = true;
    this.#ring();
  }

  /** Doorbells stop; what is committed is read from the store from now on. */
  stopListening(): void {
    this.#unsubscribe();
  }

  /**
   * The server stops: the subscriber gets what the log holds (read on demand), then
   * ServerShuttingDownError with the cursor of the last change it took. `due` tells whether a withheld
   * change is one of those committed before now, to be waited for (without it, none is waited for).
   */
  shutDown(due: ((withheld: string) => boolean) | undefined): void {
    if (this.#finished) return;
    this.stopListening();
    this.#shuttingDown = true;
    this.#dueBeforeEnd = due;
    this.#catchingUp = true;
    this.#cancelRetry();
    this.#wakeUp();
  }

  /** Something was committed (or may have been, unheard): read the log again. */
  #ring(): void {
    if (!this.#started || this.#finished) return;
    this.#dirty = true;
    // While catching up, the subscriber's next() reads: waking it is enough.
    if (this.#catchingUp) this.#wakeUp();
    else if (!this.#reading) void this.#readLive();
  }

  /** Live: reads until the log has nothing new, queueing each change at once (bounded). */
  async #readLive(): Promise<void> {
    this.#reading = true;
    try {
      while (this.#dirty && !this.#finished && !this.#catchingUp) {
        this.#dirty = false;
        const page = await this.#read();
        if (!page || this.#finished) return;
        for (const item of page.items) if (!this.#enqueueLive(item)) return;
        if (page.full) this.#dirty = true;
      }
    } finally {
      this.#reading = false;
      // A subscriber waiting for a read to finish (the server stops) goes on.
      this.#wakeUp();
    }
  }

  /** Catching up: reads the next page for a subscriber that has taken everything queued. */
  async #catchUp(): Promise<void> {
    this.#reading = true;
    this.#dirty = false;
    let page: ChangeLogPage | undefined;
    try {
      page = await this.#read();
    } finally {
      this.#reading = false;
    }
    if (this.#finished) return;
    if (!page) {
      // The server stops: the subscriber resumes from where it got to, rather than wait for the store.
      if (this.#shuttingDown) this.#catchingUp = false;
      return;
    }
    for (const item of page.items) this.#push(item);
    if (page.full) return;
    if (this.#shuttingDown) {
      // Caught up once nothing withheld is due (it is retried meanwhile).
      if (page.withheld === undefined || !this.#dueBeforeEnd?.(page.withheld)) this.#catchingUp = false;
      else this.#retryLater();
      return;
    }
    this.#catchingUp = false;
    // A doorbell that rang during the read may be for a change it did not see.
    if (this.#dirty) void this.#readLive();
  }

  /**
   * Reads the page after the cursor. Withheld changes, or a failure, schedule another read (doubling
   * the delay each time): undefined after a failure.
   */
  async #read(): Promise<ChangeLogPage | undefined> {
    this.#cancelRetry();
    let page: ChangeLogPage;
    try {
      page = await this.readAfter(this.#cursor);
    } catch (error) {
      if (this.#finished) return undefined;
      if (!this.#failing) this.log.warn('could not read the session change log; retrying', { error: (error as Error).message });
      this.#failing = true;
      this.#retryLater();
      return undefined;
    }
    this.#failing = false;
    if (page.withheld !== undefined && !page.full) {
      this.log.debug('session changes withheld: a transaction begun before them is still in flight', {
        after: this.#cursor,
        withheld: page.withheld,
        retryInMs: this.#retryDelayMs,
      });
      if (!this.#shuttingDown) this.#retryLater();
    } else {
      this.#retryDelayMs = RETRY_FIRST_MS;
    }
    return page;
  }

  #retryLater(): void {
    if (this.#finished || this.#retryTimer) return;
    const delay = this.#retryDelayMs;
    this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, RETRY_LONGEST_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#ring();
    }, delay);
  }

  #cancelRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #push(item: SessionListItem): void {
    this.#queue.push(item);
    this.#cursor = item.cursor;
  }

  /** Queues a live change; ends a subscriber that leaves too many unread (false then). */
  #enqueueLive(item: SessionListItem): boolean {
    this.#push(item);
    if (this.#queue.length > this.queueLimit || this.transportBackedUp?.()) {
      // Drop what the subscriber has not taken: it resumes after the last change it did take.
      this.#queue.length = 0;
      this.#queue.push(new SessionListTooSlowError(this.#lastTaken));
      this.#end();
      return false;
    }
    this.#wakeUp();
    return true;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** No more items will be queued; the subscriber still takes what is queued. */
  #end(): void {
    this.#finished = true;
    this.#cancelRetry();
    if (!this.#closed) {
      this.#closed = true;
      this.stopListening();
      this.onClose();
    }
    this.#wakeUp();
  }

  async next(): Promise<IteratorResult<FeedItem>> {
    for (;;) {
      const item = this.#queue.shift();
      if (item) {
        if (!(item instanceof Error)) this.#lastTaken = item.cursor;
        return { value: item, done: false };
      }
      if (this.#finished) {
        this.#settlement.settle();
        return { value: undefined, done: true };
      }
      // A read in flight, or one waiting for its retry, wakes the subscriber when it is done.
      const idle = !this.#reading && this.#retryTimer === undefined;
      if (this.#catchingUp && idle) await this.#catchUp();
      else if (this.#shuttingDown && !this.#catchingUp && idle) {
        // Everything committed has been taken: the last item says why the feed ends, and where to resume.
        this.#queue.push(new ServerShuttingDownError(this.#lastTaken));
        this.#end();
      } else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  return(): Promise<IteratorResult<FeedItem>> {
    this.#queue.length = 0;
    this.#end();
    this.#settlement.settle();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
