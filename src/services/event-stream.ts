/**
 * Streams of one session's events for subscribers: the stored events after `after`, then live ones,
 * with no duplicate and no hole. The pubsub only rings the doorbell (Redis pub/sub may drop a message):
 * the stored log is what a stream trusts, so a hole in the live sequence is filled from the store.
 */
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import { FeedOverflowError, type PubSubListener, type Unsubscribe } from '../pubsub.js';
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

/** What a change feed (sessionsChanged) yields: changes, then perhaps the reason it was ended. */
export type FeedItem<T> = T | Error;

/**
 * Tells the listener of each event of the session published from now on, synchronously as it is
 * published (the stream keeps what it must, within its own bound); returns how to stop.
 */
export type LiveEvents = (sessionId: string, listener: PubSubListener<SessionEventRecord>) => Unsubscribe;

export interface StreamOptions {
  /** The transport's own buffer is over its limit (a WebSocket whose client does not read). */
  transportBackedUp?: () => boolean;
}

/** What a session list does once its feed has ended: it has no cursor to resume from. */
const REFETCH_THE_LIST = 'refetch the list and subscribe again';

/** Stored events read per page while a stream catches up. */
const PAGE_SIZE = 256;

/** Something the server ends when it stops; `settled` once its subscriber has taken its last item or left. */
interface Closable {
  readonly settled: Promise<void>;
}

export class SessionEventStreams {
  readonly #eventStreams = new Set<EventStream>();
  readonly #changeFeeds = new Set<ChangeFeed<unknown>>();
  #shuttingDown = false;

  constructor(
    private readonly options: {
      prisma: Store;
      events: EventLog;
      live: LiveEvents;
      /** Live events a stream may hold for a subscriber that is not reading before it is ended. */
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
      (from) => events.readAfter(prisma, sessionId, from, PAGE_SIZE),
      queueLimit,
      options.transportBackedUp,
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
   * Bounds a feed of changes (sessionsChanged) the way event streams are bounded: it is read as it comes
   * into a queue of at most `queueLimit` unread items; one more, or a transport backed up, ends it with
   * SessionListTooSlowError (there is no cursor to resume from: the subscriber refetches the list).
   */
  changes<T>(source: AsyncIterator<T>, options: StreamOptions = {}): AsyncIterableIterator<FeedItem<T>> {
    if (this.#shuttingDown) {
      void Promise.resolve(source.return?.()).catch(() => {});
      throw new ServerShuttingDownError(undefined, REFETCH_THE_LIST);
    }
    const feed: ChangeFeed<T> = new ChangeFeed(source, this.options.queueLimit, options.transportBackedUp, this.options.log, () =>
      this.#changeFeeds.delete(feed as ChangeFeed<unknown>),
    );
    this.#changeFeeds.add(feed as ChangeFeed<unknown>);
    return feed;
  }

  /**
   * The server stops: no stream opens any more, and each open one ends with ServerShuttingDownError once
   * its subscriber has taken everything committed before now (an event stream reads what it has not had
   * from the store; `resumeAfter` is the last event it delivered). Resolves when every subscriber has
   * taken its last item or gone; a subscriber that does not read keeps it waiting (the caller bounds it).
   */
  async shutDown(): Promise<void> {
    this.#shuttingDown = true;
    const streams = [...this.#eventStreams];
    const feeds = [...this.#changeFeeds];
    const settled: Closable[] = [...streams, ...feeds];
    for (const stream of streams) stream.stopListening();
    // What each session has committed, from the store: with Redis, doorbells may still be on their way.
    let newest = new Map<string, number>();
    const ids = [...new Set(streams.map((stream) => stream.sessionId))];
    if (ids.length > 0) {
      try {
        const rows = await this.options.prisma.session.findMany({ where: { id: { in: ids } }, select: { id: true, lastEventSeq: true } });
        newest = new Map(rows.map((row) => [row.id, row.lastEventSeq]));
      } catch (error) {
        this.options.log.warn('could not read the newest events before ending streams', { error: (error as Error).message });
      }
    }
    for (const stream of streams) stream.shutDown(newest.get(stream.sessionId));
    for (const feed of feeds) feed.shutDown();
    await Promise.all(settled.map((item) => item.settled));
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

/**
 * One subscriber's stream. It is either live (contiguous live events go to a bounded queue) or catching
 * up (events after the cursor are read from the store when the subscriber asks for more): it catches
 * up after opening with `after`, and again whenever the live sequence has a hole.
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
    private readonly readStored: (after: number) => Promise<SessionEventRecord[]>,
    private readonly queueLimit: number,
    private readonly transportBackedUp: (() => boolean) | undefined,
    private readonly onClose: () => void,
  ) {
    this.#unsubscribe = listen({
      // Events that crossed Redis arrive with their date as a string.
      message: (event) => this.#onLive({ ...event, at: new Date(event.at) }),
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
    const page = await this.readStored(this.#cursor);
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
 * A feed of changes (sessionsChanged), read as it comes into a bounded queue: its subscriber may leave
 * `queueLimit` unread, no more. Its last item, if any, is the reason it ended (an Error the resolver throws).
 */
class ChangeFeed<T> implements AsyncIterableIterator<FeedItem<T>>, Closable {
  readonly #queue: FeedItem<T>[] = [];
  readonly #settlement = settlement();
  #finished = false;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly queueLimit: number,
    private readonly transportBackedUp: (() => boolean) | undefined,
    private readonly log: Logger,
    private readonly onClose: () => void,
  ) {
    void this.#pump();
  }

  get settled(): Promise<void> {
    return this.#settlement.promise;
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.source.next();
        if (this.#finished) return;
        // The pubsub is closing (the server stops): nothing more will come.
        if (next.done) return this.#end();
        this.#queue.push(next.value);
        if (this.#queue.length > this.queueLimit || this.transportBackedUp?.()) return this.#fail(new SessionListTooSlowError());
        this.#wakeUp();
      }
    } catch (error) {
      if (this.#finished) return;
      if (error instanceof FeedOverflowError) {
        // The pubsub's own bound: the changes came faster than they could be read (and filtered).
        this.#fail(new SessionListTooSlowError());
        return;
      }
      this.log.warn('session change feed failed', { error: (error as Error)?.message });
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Ends the feed with `reason` as its last item; what the subscriber has not taken is dropped. */
  #fail(reason: Error): void {
    this.#queue.length = 0;
    this.#queue.push(reason);
    this.#end();
  }

  /** The server stops: the subscriber takes what is queued, then ServerShuttingDownError. */
  shutDown(): void {
    if (this.#finished) return;
    this.#queue.push(new ServerShuttingDownError(undefined, REFETCH_THE_LIST));
    this.#end();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #end(): void {
    this.#finished = true;
    if (!this.#closed) {
      this.#closed = true;
      void Promise.resolve(this.source.return?.()).catch(() => {});
      this.onClose();
    }
    this.#wakeUp();
  }

  async next(): Promise<IteratorResult<FeedItem<T>>> {
    for (;;) {
      if (this.#queue.length > 0) return { value: this.#queue.shift()!, done: false };
      if (this.#finished) {
        this.#settlement.settle();
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  return(): Promise<IteratorResult<FeedItem<T>>> {
    this.#queue.length = 0;
    this.#end();
    this.#settlement.settle();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
