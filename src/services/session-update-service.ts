/** Changes of a session's own fields: title, star, permissions, token usage. Each is one event. */
import type { Store } from '../db/client.js';
import { InvalidInputError, SessionNotFoundError } from './errors.js';
import type { StoredEventKind, TransactionClient } from './event-log.js';
import type { SessionWriter } from './session-writer.js';
import {
  LIMITS,
  validateCost,
  validateCount,
  validatePermissions,
  validateTitle,
  type Permissions,
} from './validation.js';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

export class SessionUpdateService {
  constructor(
    private readonly prisma: Store,
    private readonly writer: SessionWriter,
  ) {}

  async updateTitle(sessionId: string, rawTitle: string) {
    const title = validateTitle(rawTitle);
    return this.#change('updateSessionTitle', sessionId, 'TITLE_CHANGED', async (tx) => {
      const { title: previousTitle } = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { title: true } });
      await tx.session.update({ where: { id: sessionId }, data: { title } });
      return { title, previousTitle };
    });
  }

  async setStarred(sessionId: string, starred: boolean) {
    return this.#change('setSessionStarred', sessionId, 'STARRED_CHANGED', async (tx) => {
      await tx.session.update({ where: { id: sessionId }, data: { starred } });
      return { starred };
    });
  }

  async updatePermissions(sessionId: string, input: Permissions) {
    const permissions = validatePermissions(input);
    return this.#change('updateSessionPermissions', sessionId, 'PERMISSIONS_CHANGED', async (tx) => {
      await tx.session.update({ where: { id: sessionId }, data: { permissions: JSON.stringify(permissions) } });
      return { ...permissions };
    });
  }

  /** Adds usage to the session's totals; a total that would overflow is refused, nothing added. */
  async addTokenUsage(sessionId: string, usage: TokenUsage) {
    const inputTokens = validateCount(usage.inputTokens, 'inputTokens');
    const outputTokens = validateCount(usage.outputTokens, 'outputTokens');
    const cost = validateCost(usage.cost, 'cost');
    return this.#change('updateSessionTokens', sessionId, 'TOKEN_USAGE_UPDATED', async (tx) => {
      // Read under the row lock the change already holds, so no other writer moves the totals meanwhile.
      const totals = await tx.session.findUniqueOrThrow({
        where: { id: sessionId },
        select: { inputTokens: true, outputTokens: true },
      });
      for (const [field, total] of [
        ['inputTokens', totals.inputTokens + inputTokens],
        ['outputTokens', totals.outputTokens + outputTokens],
      ] as const) {
        if (total > LIMITS.counter) {
          throw new InvalidInputError(field, `the session's ${field} total would exceed ${LIMITS.counter}`);
        }
      }
      await tx.session.update({
        where: { id: sessionId },
        data: { inputTokens: { increment: inputTokens }, outputTokens: { increment: outputTokens }, cost: { increment: cost } },
      });
      return { inputTokens, outputTokens, cost };
    });
  }

  /** Commits one change with its event (the payload `apply` returns), then reads the session back. */
  async #change(
    operation: string,
    sessionId: string,
    kind: StoredEventKind,
    apply: (tx: TransactionClient) => Promise<Record<string, unknown>>,
  ) {
    await this.writer.lock.run(sessionId, () =>
      this.writer.commit(operation, sessionId, kind, null, async (tx) => ({ payload: await apply(tx), result: undefined })),
    );
    const session = await this.prisma.session.findUnique({ where: { id: sessionId } });
    if (!session) throw new SessionNotFoundError(sessionId);
    return session;
  }
}
