/**
 * The process's pubsub: in memory, or Redis when several server instances share one database.
 * Committed session events are published here after their transaction commits; event streams and
 * the session-list subscription listen. It is only a doorbell: Redis pub/sub may drop a message,
 * and streams fill any hole from the stored log. When the Redis connection that listens comes back
 * after being down, whatever was published meanwhile is lost: every listener is told (`reconnected`)
 * and reads the store for what it may have missed.
 *
 * It holds no buffer of its own. A listener is called with each message as it arrives and keeps what it
 * must within its own bound (an event stream's queue); the iterator forms end with FeedOverflowError once
 * `queueLimit` messages are unread. (Yoga's pubsub queued them in a Repeater, whose overflow at 1,024
 * unread messages was thrown from `publish` as an uncaught exception that ended the process.)
 */
import { Redis } from 'ioredis';
import type { Logger } from './log.js';
import type { SessionListChange } from './services/change-log.js';
import type { EventPublisher, SessionEventRecord } from './services/event-log.js';

/** A change to the list of sessions, for dashboards. */
export type SessionChange = SessionListChange;

/** Told of each message of a topic as it arrives, and once when the pubsub closes. */
export interface PubSubListener<T> {
  message(payload: T): void;
  /**
   * Redis is reachable again after the listening connection was down (or came up late): messages
   * published meanwhile are lost. Told once the subscriptions are in force again, so that what the
   * listener reads from the store now misses nothing. Never told without Redis.
   */
  reconnected?(): void;
  /** The pubsub is closing (the server stops): nothing more will come. */
  closed(): void;
}

/** Stops listening; calling it again does nothing. */
export type Unsubscribe = () => void;

export interface AppPubSub {
  publisher: EventPublisher;
  /** Tells `listener` of each event of the session published from now on, as it is published. */
  listenToSession(sessionId: string, listener: PubSubListener<SessionEventRecord>): Unsubscribe;
  /** The same events as an iterator, bounded (tests and tools). */
  liveEvents(sessionId: string): AsyncIterableIterator<SessionEventRecord>;
  /** Tells `listener` of each session change published from now on (a session list's doorbell). */
  listenToChanges(listener: PubSubListener<SessionChange>): Unsubscribe;
  /**
   * Every session change from now on as an iterator, bounded: fails with FeedOverflowError once too many
   * are unread (tests and tools).
   */
  sessionChanges(): AsyncIterableIterator<SessionChange>;
  /** With Redis: resolves when both connections are up and Redis answers a PING, rejects saying which is not. */
  redisCheck?: () => Promise<void>;
  close(): Promise<void>;
}

/** An iterator whose reader left `limit` messages unread: it was ended, its messages dropped. */
export class FeedOverflowError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} messages were left unread`);
    this.name = 'FeedOverflowError';
  }
}

/** Publishes made while Redis is unreachable wait in ioredis' offline queue: at most this many. */
const MAX_PENDING_PUBLISHES = 10_000;
/** How long closing waits for Redis to acknowledge QUIT before dropping the connection. */
const REDIS_QUIT_MS = 1000;

const SESSION_EVENT = 'session:event';
const SESSIONS_CHANGED = 'sessions:changed';
const sessionTopic = (sessionId: string) => `${SESSION_EVENT}:${sessionId}`;

/** Where messages travel: straight to this process's listeners, or through Redis to every instance's. */
interface Transport {
  publish(topic: string, payload: unknown): void;
  /** The first listener of a topic came, or the last one went. */
  watch(topic: string): void;
  unwatch(topic: string): void;
  check?: () => Promise<void>;
  close(): Promise<void>;
}

export function createAppPubSub(options: { redisUrl?: string; log: Logger; queueLimit: number }): AppPubSub {
  const { log, queueLimit } = options;
  const topics = new Map<string, Set<(payload: unknown) => void>>();
  /** Every listener's, to end it as the pubsub closes. */
  const open = new Set<() => void>();
  /** Every listener's that wants to know of reconnections. */
  const reconnectedCallbacks = new Set<() => void>();
  let closed = false;

  const deliver = (topic: string, payload: unknown) => {
    for (const callback of [...(topics.get(topic) ?? [])]) {
      // A listener that throws must not stop the others, nor the publisher (nor reach the event loop).
      try {
        callback(payload);
      } catch (error) {
        log.error('pubsub listener failed', { topic, error: (error as Error).message });
      }
    }
  };
  const reconnected = () => {
    for (const callback of [...reconnectedCallbacks]) {
      try {
        callback();
      } catch (error) {
        log.error('pubsub listener failed', { on: 'reconnected', error: (error as Error).message });
      }
    }
  };
  const transport: Transport = options.redisUrl
    ? redisTransport(options.redisUrl, log.child({ component: 'redis' }), deliver, reconnected)
    : { publish: deliver, watch: () => {}, unwatch: () => {}, close: async () => {} };

  function listen<T>(topic: string, listener: PubSubListener<T>): Unsubscribe {
    if (closed) {
      // Told after the caller has its unsubscribe, as it would be later on.
      queueMicrotask(() => listener.closed());
      return () => {};
    }
    const callback = (payload: unknown) => listener.message(payload as T);
    let callbacks = topics.get(topic);
    if (!callbacks) {
      callbacks = new Set();
      topics.set(topic, callbacks);
      transport.watch(topic);
    }
    callbacks.add(callback);
    const onReconnected = listener.reconnected && (() => listener.reconnected!());
    if (onReconnected) reconnectedCallbacks.add(onReconnected);
    let listening = true;
    const stop = () => {
      if (!listening) return;
      listening = false;
      open.delete(end);
      if (onReconnected) reconnectedCallbacks.delete(onReconnected);
      const current = topics.get(topic);
      current?.delete(callback);
      if (current?.size === 0) {
        topics.delete(topic);
        transport.unwatch(topic);
      }
    };
    const end = () => {
      stop();
      listener.closed();
    };
    open.add(end);
    return stop;
  }

  return {
    publisher: {
      publish: (event) => {
        if (!closed) transport.publish(sessionTopic(event.sessionId), event);
      },
      publishChange: (change) => {
        if (!closed) transport.publish(SESSIONS_CHANGED, change);
      },
    },
    listenToSession: (sessionId, listener) => listen(sessionTopic(sessionId), listener),
    liveEvents: (sessionId) => new BoundedFeed<SessionEventRecord>((listener) => listen(sessionTopic(sessionId), listener), queueLimit),
    listenToChanges: (listener) => listen(SESSIONS_CHANGED, listener),
    sessionChanges: () => new BoundedFeed<SessionChange>((listener) => listen(SESSIONS_CHANGED, listener), queueLimit),
    redisCheck: transport.check,
    close: async () => {
      if (closed) return;
      closed = true;
      // Every listener ends before Redis goes: one ended after would unsubscribe on a closed connection.
      for (const end of [...open]) end();
      await transport.close();
    },
  };
}

/**
 * A topic's messages as an async iterator, holding at most `limit` unread: one more ends it, its unread
 * messages dropped, and `next()` rejects with FeedOverflowError.
 */
class BoundedFeed<T> implements AsyncIterableIterator<T> {
  readonly #queue: T[] = [];
  readonly #stop: Unsubscribe;
  #done = false;
  #failure: FeedOverflowError | undefined;
  #wake: (() => void) | undefined;

  constructor(
    subscribe: (listener: PubSubListener<T>) => Unsubscribe,
    private readonly limit: number,
  ) {
    this.#stop = subscribe({ message: (payload) => this.#push(payload), closed: () => this.#finish() });
  }

  #push(payload: T): void {
    if (this.#done) return;
    if (this.#queue.length >= this.limit) {
      this.#queue.length = 0;
      this.#failure = new FeedOverflowError(this.limit);
      this.#finish();
      return;
    }
    this.#queue.push(payload);
    this.#wakeUp();
  }

  #finish(): void {
    this.#done = true;
    this.#stop();
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.#queue.length > 0) return { value: this.#queue.shift()!, done: false };
      const failure = this.#failure;
      if (failure) {
        this.#failure = undefined;
        throw failure;
      }
      if (this.#done) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  return(): Promise<IteratorResult<T>> {
    this.#queue.length = 0;
    this.#failure = undefined;
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Redis pub/sub: one connection publishes, one subscribes to the topics this process listens to. The
 * server starts, and goes on, while Redis is unreachable: ioredis reconnects, resubscribes, and sends
 * what was published meanwhile (at most MAX_PENDING_PUBLISHES; past that, doorbells are dropped). What
 * other instances published while this one's subscribing connection was down never reaches it, queued
 * or not: each time that connection is ready, `reconnected` sends every listener to the store.
 */
function redisTransport(
  url: string,
  log: Logger,
  deliver: (topic: string, payload: unknown) => void,
  reconnected: () => void,
): Transport {
  const connect = (role: string) => {
    const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: null });
    client.on('error', (error: Error) => log.warn('redis connection error', { role, error: error.message }));
    client.on('ready', () => log.info('redis connected', { role }));
    return client;
  };
  const publishClient = connect('publish');
  const subscribeClient = connect('subscribe');
  subscribeClient.on('message', (topic: string, message: string) => {
    let payload: unknown;
    try {
      payload = message === '' ? null : JSON.parse(message);
    } catch (error) {
      log.warn('redis message is not JSON; dropped', { topic, error: (error as Error).message });
      return;
    }
    deliver(topic, payload);
  });
  subscribeClient.on('ready', () => {
    // ioredis has just sent the subscriptions again (autoResubscribe) on this connection: once Redis
    // answers a PING sent after them, they are in force, and a store read from then on misses nothing.
    subscribeClient.ping().then(reconnected, (error: Error) =>
      log.warn('redis did not answer after reconnecting; streams catch up at their next message', { error: error.message }),
    );
  });
  let pending = 0;
  let dropped = 0;
  const settle = (what: string, topic: string) => (error: Error) =>
    log.warn(`redis ${what} failed`, { topic, error: error.message });
  const close = async (client: Redis) => {
    if (client.status !== 'ready') {
      // QUIT would wait in the offline queue for a connection that may never come.
      client.disconnect();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.quit().catch(() => {}),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, REDIS_QUIT_MS))),
    ]);
    clearTimeout(timer);
    client.disconnect();
  };
  return {
    publish: (topic, payload) => {
      if (pending >= MAX_PENDING_PUBLISHES) {
        if (dropped++ % 1000 === 0) log.warn('redis unreachable: doorbells dropped (streams read them from the store)', { dropped });
        return;
      }
      pending += 1;
      publishClient
        .publish(topic, JSON.stringify(payload))
        .catch(settle('publish', topic))
        .finally(() => (pending -= 1));
    },
    watch: (topic) => void subscribeClient.subscribe(topic).catch(settle('subscribe', topic)),
    unwatch: (topic) => void subscribeClient.unsubscribe(topic).catch(settle('unsubscribe', topic)),
    check: async () => {
      for (const [role, client] of [
        ['publish', publishClient],
        ['subscribe', subscribeClient],
      ] as const) {
        // Not sent while down: it would wait in the offline queue until Redis is back.
        if (client.status !== 'ready') throw new Error(`the ${role} connection is ${client.status}`);
      }
      await publishClient.ping();
    },
    close: async () => {
      await Promise.all([close(publishClient), close(subscribeClient)]);
    },
  };
}
