/**
 * A session's messages. Adding or editing one never waits behind another write of the session: while
 * one holds it (a model switch, say), the answer is SessionBusy and the client tries again.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../db/client.js';
import { InvalidInputError, MessageNotFoundError, SessionBusyError } from './errors.js';
import type { SessionWriter } from './session-writer.js';
import { MESSAGE_ROLES, validateMessageContent } from './validation.js';

export interface AddMessageInput {
  role: string;
  content: string;
  agentName?: string | null;
}

export class MessageService {
  constructor(
    private readonly prisma: Store,
    private readonly writer: SessionWriter,
  ) {}

  async addMessage(sessionId: string, input: AddMessageInput) {
    if (!(MESSAGE_ROLES as readonly string[]).includes(input.role)) {
      throw new InvalidInputError('role', `the role must be one of ${MESSAGE_ROLES.join(', ')}; got "${input.role}"`);
    }
    const content = validateMessageContent(input.content);
    const agentName = input.agentName ?? null;
    if (agentName !== null && (agentName.length === 0 || agentName.length > 100)) {
      throw new InvalidInputError('agentName', 'an agent name is 1 to 100 characters');
    }
    const id = randomUUID();
    return this.#whenFree(sessionId, async () => {
      const { result } = await this.writer.commit('addMessage', sessionId, 'MESSAGE_ADDED', agentName, async (tx) => {
        const last = await tx.message.findFirst({ where: { sessionId }, orderBy: { position: 'desc' }, select: { position: true } });
        const message = await tx.message.create({
          data: { id, sessionId, position: (last?.position ?? 0) + 1, role: input.role, agentName, content },
        });
        return { payload: { messageId: id, role: input.role }, result: message };
      });
      return result;
    });
  }

  async updateMessage(messageId: string, rawContent: string) {
    const content = validateMessageContent(rawContent);
    const message = await this.prisma.message.findUnique({ where: { id: messageId }, select: { sessionId: true } });
    if (!message) throw new MessageNotFoundError(messageId);
    return this.#whenFree(message.sessionId, async () => {
      const { result } = await this.writer.commit('updateMessage', message.sessionId, 'MESSAGE_UPDATED', null, async (tx) => {
        const updated = await tx.message.updateMany({ where: { id: messageId }, data: { content } });
        // Deleted with its session between the lookup and now.
        if (updated.count === 0) throw new MessageNotFoundError(messageId);
        return { payload: { messageId }, result: await tx.message.findUniqueOrThrow({ where: { id: messageId } }) };
      });
      return result;
    });
  }

  #whenFree<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    if (this.writer.lock.isHeld(sessionId)) throw new SessionBusyError(sessionId);
    return this.writer.lock.run(sessionId, work);
  }
}
