/**
 * Operations on many sessions at once. deleteSessions goes id by id and reports each failure (one
 * failure does not undo the others); exportSessions is all or nothing.
 */
import type { Store } from '../db/client.js';
import { isDomainError, SessionNotFoundError } from './errors.js';
import type { SessionService } from './session-service.js';
import { LIMITS, validateBatchSize } from './validation.js';

export class SessionBatchService {
  constructor(
    private readonly prisma: Store,
    private readonly sessions: SessionService,
  ) {}

  /**
   * `ids` are parsed by the caller; an id it could not parse comes as an Error, reported as a failure.
   */
  async deleteSessions(ids: readonly (string | Error)[]): Promise<{ deleted: string[]; failed: { id: string | null; error: Error }[] }> {
    validateBatchSize(ids.length, LIMITS.batchIds);
    const deleted: string[] = [];
    const failed: { id: string | null; error: Error }[] = [];
    for (const id of new Set(ids)) {
      if (id instanceof Error) {
        failed.push({ id: null, error: id });
        continue;
      }
      try {
        await this.sessions.deleteSession(id);
        deleted.push(id);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        failed.push({ id, error });
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
