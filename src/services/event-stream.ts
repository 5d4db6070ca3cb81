/**
 * Streams of one session's events for subscribers: the stored events after `after`, then live ones,
 * with no duplicate and no hole. The pubsub only rings the doorbell (Redis pub/sub may drop a message):
 * the stored log is what a stream trusts, so a hole in the live sequence is filled from the store.
 */
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import { InvalidInputError, SessionNotFoundError } from './errors.js';
import type { EventLog, SessionEventRecord } from './event-log.js';

/** Ends a stream whose subscriber does not keep up; it resumes with `after: resumeAfter`. */
export class SubscriberTooSlowError extends Error {
  constructor(readonly resumeAfter: number) {
    super(
      `this subscriber fell too far behind and was ended; subscribe again with after: ${resumeAfter} to resume`,
    );
    this.name = 'SubscriberTooSlowError';
  }
}

/** What a stream yields: events, then perhaps one SubscriberTooSlowError as its last item. */
export type StreamItem = SessionEventRecord | SubscriberTooSlowError;

export type LiveEvents = (sessionId: string) => AsyncIterableIterator<SessionEventRecord>;

export interface StreamOptions {
  /** The transport's own buffer is over its limit (a WebSocket whose client does not read). */
  transportBackedUp?: () => boolean;
}

export class SessionEventStreams {
  #open = 0;

  constructor(
    private readonly options: {
      prisma: Store;
      events: EventLog;
      live: LiveEvents;
      /** Events a stream may hold for a subscriber that is not reading before it is ended. */
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
   * event with `seq > after` (a GAP event first when some are no longer retained).
   */
  async open(sessionId: string, after: number | null, options: StreamOptions = {}): Promise<AsyncIterableIterator<StreamItem>> {
    const { prisma, events, live, queueLimit, log } = this.options;
    // Listen before reading the store, so that nothing committed in between is missed.
    const stream = new EventStream(live(sessionId), queueLimit, options.transportBackedUp, () => {
      this.#open -= 1;
    });
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
      stream.start(after ?? session.lastEventSeq, after === null ? [] : await events.readAfter(prisma, sessionId, after), (from) =>
        events.readAfter(prisma, sessionId, from),
      );
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

/** One subscriber's stream: a bounded queue fed in sequence order, read by the transport. */
class EventStream implements AsyncIterableIterator<StreamItem> {
  readonly #queue: StreamItem[] = [];
  #waiting: ((result: IteratorResult<StreamItem>) => void) | undefined;
  #finished = false;
  #closed = false;
  /** Newest seq placed in the queue; live events at or below it are duplicates. */
  #lastQueued = 0;
  /** Newest seq the transport has taken: where a subscriber resumes after being ended. */
  #lastTaken = 0;
  /** Live events are handled one after another, each after the previous one's store read. */
  #work: Promise<void> = Promise.resolve();
  #fill: ((after: number) => Promise<SessionEventRecord[]>) | undefined;
  readonly #held: SessionEventRecord[] = [];

  constructor(
    private readonly live: AsyncIterableIterator<SessionEventRecord>,
    private readonly queueLimit: number,
    private readonly transportBackedUp: (() => boolean) | undefined,
    private readonly onClose: () => void,
  ) {
    void this.#pump();
  }

  start(after: number, backlog: SessionEventRecord[], fill: (after: number) => Promise<SessionEventRecord[]>): void {
    this.#lastQueued = after;
    this.#lastTaken = after;
    this.#deliverFromStore(after, backlog);
    this.#fill = fill;
    for (const event of this.#held.splice(0)) this.#onLive(event);
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.live.next();
        if (next.done || this.#closed) return;
        // Events that crossed Redis arrive with their date as a string.
        const event = { ...next.value, at: new Date(next.value.at) };
        if (this.#fill) this.#onLive(event);
        else this.#held.push(event);
      }
    } catch {
      // The pubsub closed under us (server stopping): end the stream.
      this.#end();
    }
  }

  #onLive(event: SessionEventRecord): void {
    this.#work = this.#work.then(async () => {
      if (this.#finished) return;
      if (event.kind === 'SESSION_EXITED') {
        this.#enqueue(event);
        this.#end();
        return;
      }
      if (event.seq <= this.#lastQueued) return;
      if (event.seq === this.#lastQueued + 1) {
        this.#enqueue(event);
        return;
      }
      // A hole: the doorbell for an earlier event was lost. The store has them all.
      const from = this.#lastQueued;
      const stored = await this.#fill!(from);
      this.#deliverFromStore(from, stored.length > 0 ? stored : [event]);
    });
  }

  #deliverFromStore(after: number, events: SessionEventRecord[]): void {
    const first = events[0];
    if (first && first.seq > after + 1) this.#enqueue(gapEvent(first.sessionId, after, first.seq));
    for (const event of events) if (event.seq > this.#lastQueued) this.#enqueue(event);
  }

  #enqueue(item: StreamItem): void {
    if (this.#finished) return;
    if (!(item instanceof SubscriberTooSlowError) && item.kind !== 'GAP' && item.kind !== 'SESSION_EXITED') {
      this.#lastQueued = item.seq;
    }
    if (this.#waiting) {
      this.#take(item);
      return;
    }
    this.#queue.push(item);
    if (this.#queue.length > this.queueLimit || this.transportBackedUp?.()) {
      // Drop what the subscriber has not taken: it resumes from the last event it did take.
      this.#queue.length = 0;
      this.#queue.push(new SubscriberTooSlowError(this.#lastTaken));
      this.#end();
    }
  }

  #take(item: StreamItem): void {
    if (!(item instanceof SubscriberTooSlowError) && item.kind !== 'GAP') this.#lastTaken = Math.max(this.#lastTaken, item.seq);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting({ value: item, done: false });
  }

  /** No more items will be queued; the transport still takes what is queued. */
  #end(): void {
    this.#finished = true;
    this.#close();
    if (this.#queue.length === 0 && this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting({ value: undefined, done: true });
    }
  }

  /** Releases the pubsub listener, once. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.live.return?.();
    this.onClose();
  }

  next(): Promise<IteratorResult<StreamItem>> {
    const item = this.#queue.shift();
    if (item) {
      if (!(item instanceof SubscriberTooSlowError) && item.kind !== 'GAP') this.#lastTaken = Math.max(this.#lastTaken, item.seq);
      return Promise.resolve({ value: item, done: false });
    }
    if (this.#finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiting = resolve));
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
