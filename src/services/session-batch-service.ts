/**
 * Operations on many sessions at once. deleteSessions goes id by id and reports each failure (one
 * failure does not undo the others); exportSessions is all or nothing.
 */
import type { Principal } from '../auth/principal.js';
import type { Store } from '../db/client.js';
import { isDomainError, SessionNotFoundError } from './errors.js';
import type { SessionAccess } from './session-access.js';
import type { SessionService } from './session-service.js';
import { LIMITS, validateBatchSize } from './validation.js';

export interface BatchDeletion {
  deleted: string[];
  failed: { given: string; error: Error }[];
}

/** The ids clients know a session or a message by (the API's own ids, not the store's). */
export type PublicId = (type: 'Session' | 'Message', id: string) => string;

/** One JSON document of sessions; `count` is how many it holds. */
export interface SessionExport {
  count: number;
  json: {
    exportedAt: string;
    sessions: Record<string, unknown>[];
  };
}

export class SessionBatchService {
  constructor(
    private readonly prisma: Store,
    private readonly sessions: SessionService,
    /** An export names sessions and messages as clients know them, so that it can be matched with what they hold. */
    private readonly publicId: PublicId,
    private readonly access: SessionAccess,
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

  /**
   * Every session with its settings, tokens, overrides, custom models and messages, read at once, as one
   * document in the order the ids were given (repeated ids once).
   */
  async exportSessions(rawIds: readonly string[], principal: Principal): Promise<SessionExport> {
    validateBatchSize(rawIds.length, LIMITS.exportIds);
    const ids = [...new Set(rawIds)];
    const sessions = await this.prisma.session.findMany({
      // Another principal's session is missing, like one that does not exist.
      where: { id: { in: ids }, ...this.access.where(principal) },
      include: {
        agentModelOverrides: { orderBy: { agentName: 'asc' } },
        customModelsUsed: { orderBy: { position: 'asc' } },
        messages: { orderBy: { position: 'asc' } },
      },
    });
    const byId = new Map(sessions.map((session) => [session.id, session]));
    const missing = ids.find((id) => !byId.has(id));
    if (missing) throw new SessionNotFoundError(missing);
    const exported = ids.map((id) => byId.get(id)!).map((session) => ({
      id: this.publicId('Session', session.id),
      title: session.title,
      team: session.teamName,
      workingDir: session.workingDir,
      currentAgent: session.currentAgent,
      starred: session.starred,
      createdAt: session.createdAt.toISOString(),
      updatedAt: session.updatedAt.toISOString(),
      permissions: JSON.parse(session.permissions) as unknown,
      safetyPolicy: session.safetyPolicy,
      limits: {
        maxIterations: session.maxIterations,
        maxConsecutiveToolCalls: session.maxConsecutiveToolCalls,
        maxOldToolCallTokens: session.maxOldToolCallTokens,
      },
      tokens: { inputTokens: session.inputTokens, outputTokens: session.outputTokens, cost: session.cost },
      attributes: JSON.parse(session.attributes) as unknown,
      agentModelOverrides: Object.fromEntries(session.agentModelOverrides.map((row) => [row.agentName, row.modelRef])),
      customModelsUsed: session.customModelsUsed.map((row) => row.modelRef),
      messages: session.messages.map((message) => ({
        id: this.publicId('Message', message.id),
        role: message.role,
        agentName: message.agentName,
        content: message.content,
        createdAt: message.createdAt.toISOString(),
      })),
    }));
    return { count: exported.length, json: { exportedAt: new Date().toISOString(), sessions: exported } };
  }
}
