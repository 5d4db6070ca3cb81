/**
 * Streams of one session's events for subscribers: the stored events after `after`, then live ones,
 * with no duplicate and no hole. The pubsub only rings the doorbell (Redis pub/sub may drop a message):
 * the stored log is what a stream trusts, so a hole in the live sequence is filled from the store.
 */
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import { InvalidInputError, SessionNotFoundError, SubscriberTooSlowError } from './errors.js';
import { LIVE_ONLY_KINDS, type EventLog, type SessionEventRecord } from './event-log.js';

/** What a stream yields: events, then perhaps one SubscriberTooSlowError as its last item. */
export type StreamItem = SessionEventRecord | SubscriberTooSlowError;

export type LiveEvents = (sessionId: string) => AsyncIterableIterator<SessionEventRecord>;

export interface StreamOptions {
  /** The transport's own buffer is over its limit (a WebSocket whose client does not read). */
  transportBackedUp?: () => boolean;
}

/** Stored events read per page while a stream catches up. */
const PAGE_SIZE = 256;

export class SessionEventStreams {
  #open = 0;

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

  /** Streams open now; each holds one pubsub listener. */
  get openCount(): number {
    return this.#open;
  }

  /**
   * Opens a stream. Without `after` it carries what happens from now on; with it, first every retained
   * event with `seq > after` (a GAP event first when some are no longer retained), read from the store
   * page by page as the subscriber takes them.
   */
  async open(sessionId: string, after: number | null, options: StreamOptions = {}): Promise<AsyncIterableIterator<StreamItem>> {
    const { prisma, events, live, queueLimit, log } = this.options;
    // Listen before reading the store, so that nothing committed in between is missed.
    const stream = new EventStream(
      live(sessionId),
      (from) => events.readAfter(prisma, sessionId, from, PAGE_SIZE),
      queueLimit,
      options.transportBackedUp,
      () => (this.#open -= 1),
    );
    this.#open += 1;
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
  !(item instanceof SubscriberTooSlowError) && item.kind !== 'GAP' && item.kind !== 'SESSION_EXITED' && !LIVE_ONLY_KINDS.has(item.kind);

/**
 * One subscriber's stream. It is either live (contiguous live events go to a bounded queue) or catching
 * up (events after the cursor are read from the store when the subscriber asks for more): it catches
 * up after opening with `after`, and again whenever the live sequence has a hole.
 */
class EventStream implements AsyncIterableIterator<StreamItem> {
  readonly #queue: StreamItem[] = [];
  /** Newest seq queued or taken: the store is read after it, live events at or below it are duplicates. */
  #cursor = 0;
  /** Newest seq the subscriber has taken: where it resumes if it is ended. */
  #lastTaken = 0;
  /** Newest seq known to exist. */
  #newest = 0;
  #catchingUp = false;
  #started = false;
  #finished = false;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly live: AsyncIterableIterator<SessionEventRecord>,
    private readonly readStored: (after: number) => Promise<SessionEventRecord[]>,
    private readonly queueLimit: number,
    private readonly transportBackedUp: (() => boolean) | undefined,
    private readonly onClose: () => void,
  ) {
    void this.#listen();
  }

  start(after: number, newest: number): void {
    this.#cursor = after;
    this.#lastTaken = after;
    this.#newest = Math.max(this.#newest, newest);
    this.#catchingUp = this.#newest > after;
    this.#started = true;
  }

  async #listen(): Promise<void> {
    try {
      for (;;) {
        const next = await this.live.next();
        if (this.#closed) return;
        if (next.done) {
          // The pubsub is closing (the server stops): nothing more will come.
          this.#end();
          return;
        }
        // Events that crossed Redis arrive with their date as a string.
        this.#onLive({ ...next.value, at: new Date(next.value.at) });
      }
    } catch {
      // The pubsub closed under us (the server is stopping): end the stream.
      this.#end();
    }
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
      void this.live.return?.();
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
      if (this.#finished) return { value: undefined, done: true };
      if (this.#catchingUp) await this.#catchUp();
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  return(): Promise<IteratorResult<StreamItem>> {
    this.#queue.length = 0;
    this.#end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
