/** What every resolver gets: the services, built once per request (or per WebSocket subscription). */
import type { Principal } from '../auth/principal.js';
import type { SessionEventStreams } from '../services/event-stream.js';
import type { MessageService } from '../services/message-service.js';
import type { SessionBatchService } from '../services/session-batch-service.js';
import type { SessionAccess } from '../services/session-access.js';
import type { SessionReads } from '../services/session-reads.js';
import type { SessionService } from '../services/session-service.js';
import type { SessionUpdateService } from '../services/session-update-service.js';
import type { TurnService } from '../services/turn-service.js';

/** The services resolvers call; the store, runtimes and pubsub stay behind them. */
export interface ApiServices {
  sessions: SessionService;
  updates: SessionUpdateService;
  messages: MessageService;
  batches: SessionBatchService;
  reads: SessionReads;
  streams: SessionEventStreams;
  turns: TurnService;
  access: SessionAccess;
}

export interface Context {
  services: ApiServices;
  /** Who is calling: every session it reads or changes must be visible to it. */
  principal: Principal;
  /** For a subscription that stays open: whether its caller's token still holds (not revoked since). */
  stillAuthorized: () => Promise<boolean>;
  /** For subscriptions over WebSocket: whether the socket holds more unsent bytes than it may. */
  transportBackedUp?: () => boolean;
}
