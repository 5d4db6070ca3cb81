/**
 * The process's pubsub: in memory, or Redis when several server instances share one database.
 * Committed session events are published here after their transaction commits; event streams and
 * the session-list subscription listen. It is only a doorbell: Redis pub/sub may drop a message,
 * and streams fill any hole from the stored log.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from './log.js';
import { LIVE_ONLY_KINDS, type EventPublisher, type SessionEventRecord } from './services/event-log.js';
import type { LiveEvents } from './services/event-stream.js';

export type SessionChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/** A change to the list of sessions, for dashboards. */
export interface SessionChange {
  kind: SessionChangeKind;
  sessionId: string;
  seq: number;
}

type Channels = {
  'session:event': [sessionId: string, event: SessionEventRecord];
  'sessions:changed': [change: SessionChange];
};

export interface AppPubSub {
  publisher: EventPublisher;
  liveEvents: LiveEvents;
  sessionChanges(): AsyncIterableIterator<SessionChange>;
  close(): Promise<void>;
}

function changeKind(event: SessionEventRecord): SessionChangeKind {
  if (event.kind === 'SESSION_CREATED') return 'CREATED';
  if (event.kind === 'SESSION_EXITED') return 'DELETED';
  return 'UPDATED';
}

export function createAppPubSub(options: { redisUrl?: string; log: Logger }): AppPubSub {
  let closeRedis = async () => {};
  let eventTarget: ReturnType<typeof createRedisEventTarget> | undefined;
  if (options.redisUrl) {
    const log = options.log.child({ component: 'redis' });
    const connect = (role: string) => {
      const client = new Redis(options.redisUrl!, { lazyConnect: false, maxRetriesPerRequest: null });
      client.on('error', (error: Error) => log.warn('redis connection error', { role, error: error.message }));
      client.on('ready', () => log.info('redis connected', { role }));
      return client;
    };
    const publishClient = connect('publish');
    const subscribeClient = connect('subscribe');
    eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
    closeRedis = async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    };
  }
  const pubsub = createPubSub<Channels>(eventTarget ? { eventTarget } : {});

  // Every listener is tracked so that close() can end them before Redis goes: a listener ended after
  // would unsubscribe on a closed connection.
  const listeners = new Set<AsyncIterableIterator<unknown>>();
  const tracked = <T>(iterator: AsyncIterableIterator<T>): AsyncIterableIterator<T> => {
    listeners.add(iterator);
    return {
      next: () => iterator.next(),
      return: (value?: unknown) => {
        listeners.delete(iterator);
        return iterator.return?.(value) ?? Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };

  return {
    publisher: {
      publish: (event) => {
        pubsub.publish('session:event', event.sessionId, event);
        // A reply streaming in changes nothing a session list shows; its stored events do.
        if (LIVE_ONLY_KINDS.has(event.kind)) return;
        pubsub.publish('sessions:changed', { kind: changeKind(event), sessionId: event.sessionId, seq: event.seq });
      },
    },
    liveEvents: (sessionId) => tracked(pubsub.subscribe('session:event', sessionId)[Symbol.asyncIterator]()),
    sessionChanges: () => tracked(pubsub.subscribe('sessions:changed')[Symbol.asyncIterator]()),
    close: async () => {
      await Promise.allSettled([...listeners].map((listener) => listener.return?.()));
      listeners.clear();
      await closeRedis();
    },
  };
}
