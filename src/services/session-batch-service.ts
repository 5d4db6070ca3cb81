/**
 * Operations on many sessions at once. deleteSessions goes id by id and reports each failure (one
 * failure does not undo the others); exportSessions is all or nothing.
 */
import type { Store } from '../db/client.js';
import { isDomainError, SessionNotFoundError } from './errors.js';
import type { SessionService } from './session-service.js';
import { LIMITS, validateBatchSize } from './validation.js';

export interface BatchDeletion {
  deleted: string[];
  failed: { given: string; error: Error }[];
}

export class SessionBatchService {
  constructor(
    private readonly prisma: Store,
    private readonly sessions: SessionService,
  ) {}

  /**
   * Each entry is an id as the client gave it, with the session id parsed from it (or why it could not
   * be); failures are reported under the id as given. Repeated ids count once.
   */
  async deleteSessions(entries: readonly { given: string; id: string | Error }[]): Promise<BatchDeletion> {
    validateBatchSize(entries.length, LIMITS.batchIds);
    const deleted: string[] = [];
    const failed: BatchDeletion['failed'] = [];
    const seen = new Set<string>();
    for (const { given, id } of entries) {
      if (seen.has(given)) continue;
      seen.add(given);
      if (id instanceof Error) {
        failed.push({ given, error: id });
        continue;
      }
      try {
        await this.sessions.deleteSession(id);
        deleted.push(id);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        failed.push({ given, error });
      }
    }
    return { deleted, failed };
  }

  /** Every session with its settings, tokens, overrides, custom models and messages, in one read. */
  async exportSessions(rawIds: readonly string[]) {
    validateBatchSize(rawIds.length, LIMITS.exportIds);
    const ids = [...new Set(rawIds)];
    const sessions = await this.prisma.session.findMany({
      where: { id: { in: ids } },
      include: {
        agentModelOverrides: { orderBy: { agentName: 'asc' } },
        customModelsUsed: { orderBy: { position: 'asc' } },
        messages: { orderBy: { position: 'asc' } },
      },
    });
    const missing = ids.find((id) => !sessions.some((session) => session.id === id));
    if (missing) throw new SessionNotFoundError(missing);
    const byId = new Map(sessions.map((session) => [session.id, session]));
    return ids.map((id) => byId.get(id)!);
  }
}
