/**
 * A session's messages. Adding or editing one never waits behind another write of the session: while
 * one holds it (a model switch, say), or a turn runs, the answer is SessionBusy and the client tries again.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../db/client.js';
import { InvalidInputError, MessageNotFoundError } from './errors.js';
import type { SessionWrite } from './session-store.js';
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
    const message = { id: randomUUID(), role: input.role, agentName, content };
    return this.#change('addMessage', sessionId, { kind: 'addMessage', message });
  }

  async updateMessage(messageId: string, rawContent: string) {
    const content = validateMessageContent(rawContent);
    const message = await this.prisma.message.findUnique({ where: { id: messageId }, select: { sessionId: true } });
    if (!message) throw new MessageNotFoundError(messageId);
    return this.#change('updateMessage', message.sessionId, { kind: 'updateMessage', messageId, content });
  }

  /** Commits the write unless the session is busy, then reads the message back. */
  async #change(operation: string, sessionId: string, write: Extract<SessionWrite, { kind: 'addMessage' | 'updateMessage' }>) {
    // A running turn, on whichever instance, makes the store refuse it with SessionBusy.
    await this.writer.change({ operation, sessionId, ifBusy: 'fail', writes: [write] });
    const messageId = write.kind === 'addMessage' ? write.message.id : write.messageId;
    const stored = await this.prisma.message.findUnique({ where: { id: messageId } });
    // Deleted with its session right after the change committed.
    if (!stored) throw new MessageNotFoundError(messageId);
    return stored;
  }
}
