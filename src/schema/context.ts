/** What every resolver gets: built once per request by `createContext`. */
import type { Store } from '../db/client.js';
import type { RuntimeRegistry } from '../runtime/registry.js';
import type { TeamCatalog } from '../runtime/team.js';
import type { SessionService } from '../services/session-service.js';

export interface AppServices {
  prisma: Store;
  sessions: SessionService;
  runtimes: RuntimeRegistry;
  teams: TeamCatalog;
}

export type Context = AppServices;

export function createContext(services: AppServices): Context {
  return { ...services };
}
