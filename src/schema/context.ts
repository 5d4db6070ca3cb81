/** What every resolver gets: built once per request (or per WebSocket subscription) by `createContext`. */
import type { WebSocket } from 'ws';
import type { Store } from '../db/client.js';
import type { AppPubSub } from '../pubsub.js';
import type { RuntimeRegistry } from '../runtime/registry.js';
import type { TeamCatalog } from '../runtime/team.js';
import type { SessionEventStreams } from '../services/event-stream.js';
import type { DatabaseProvider } from '../db/providers.js';
import type { MessageService } from '../services/message-service.js';
import type { SessionBatchService } from '../services/session-batch-service.js';
import type { SessionService } from '../services/session-service.js';
import type { SessionUpdateService } from '../services/session-update-service.js';

export interface AppServices {
  prisma: Store;
  provider: DatabaseProvider;
  sessions: SessionService;
  updates: SessionUpdateService;
  messages: MessageService;
  batches: SessionBatchService;
  streams: SessionEventStreams;
  pubsub: AppPubSub;
  runtimes: RuntimeRegistry;
  teams: TeamCatalog;
  webSocketMaxBufferedBytes: number;
}

export interface Context extends AppServices {
  /** For subscriptions over WebSocket: whether the socket has more unsent than it may. */
  transportBackedUp?: () => boolean;
}

/** `initial` is Yoga's per-request context; over graphql-ws it carries the socket. */
export function createContext(services: AppServices, initial: { socket?: WebSocket }): Context {
  const socket = initial.socket;
  return {
    ...services,
    transportBackedUp: socket ? () => socket.bufferedAmount > services.webSocketMaxBufferedBytes : undefined,
  };
}
