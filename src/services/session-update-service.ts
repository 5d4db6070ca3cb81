/** Changes of a session's own fields: title, star, permissions, token usage. Each is one event. */
import type { Store } from '../db/client.js';
import { SessionNotFoundError } from './errors.js';
import type { SessionWrite } from './session-store.js';
import type { SessionWriter } from './session-writer.js';
import { validateCost, validateCount, validatePermissions, validateTitle, type Permissions, type SafetyPolicy } from './validation.js';

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

  updateTitle(sessionId: string, title: string) {
    return this.#change('updateSessionTitle', sessionId, { kind: 'setTitle', title: validateTitle(title) });
  }

  setStarred(sessionId: string, starred: boolean) {
    return this.#change('setSessionStarred', sessionId, { kind: 'setStarred', starred });
  }

  updatePermissions(sessionId: string, permissions: Permissions) {
    return this.#change('updateSessionPermissions', sessionId, {
      kind: 'setPermissions',
      permissions: validatePermissions(permissions),
    });
  }

  /** Changes how tool calls are approved; a running turn reads it at its next tool call. */
  setSafetyPolicy(sessionId: string, safetyPolicy: SafetyPolicy) {
    return this.#change('setSessionSafetyPolicy', sessionId, { kind: 'setSafetyPolicy', safetyPolicy });
  }

  /** Sets the session's token totals and cost, as docker-agent's UpdateSessionTokens does. */
  setTokenUsage(sessionId: string, usage: TokenUsage) {
    return this.#change('updateSessionTokens', sessionId, {
      kind: 'setTokenUsage',
      inputTokens: validateCount(usage.inputTokens, 'inputTokens'),
      outputTokens: validateCount(usage.outputTokens, 'outputTokens'),
      cost: validateCost(usage.cost, 'cost'),
    });
  }

  /** Commits one write with its event, then reads the session back. */
  async #change(operation: string, sessionId: string, write: SessionWrite) {
    await this.writer.change({ operation, sessionId, writes: [write] });
    const session = await this.prisma.session.findUnique({ where: { id: sessionId } });
    if (!session) throw new SessionNotFoundError(sessionId);
    return session;
  }
}
