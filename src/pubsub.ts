/**
 * The one pubsub of the process. Committed session events are published here after their
 * transaction commits; subscriptions read from it.
 */
import { createPubSub } from 'graphql-yoga';
import type { EventPublisher, SessionEventRecord } from './services/event-log.js';

export type AppPubSub = ReturnType<typeof createAppPubSub>;

export function createAppPubSub() {
  return createPubSub<{ 'session:event': [sessionId: string, event: SessionEventRecord] }>();
}

export function eventPublisher(pubsub: AppPubSub): EventPublisher {
  return { publish: (event) => pubsub.publish('session:event', event.sessionId, event) };
}
