/**
 * Which sessions a principal may see and change: its own, or all for an admin. Someone else's session
 * is answered exactly like one that does not exist (SessionNotFound, null, left out of lists), so a
 * caller cannot learn that it exists.
 */
import type { Principal } from '../auth/principal.js';
import { visibleTo } from '../auth/principal.js';
import type { Store } from '../db/client.js';
import { MessageNotFoundError, SessionNotFoundError } from './errors.js';

/**
 * Owners remembered, so that most checks read nothing: an owner never changes, on any instance. A
 * deleted session's stays known; the operation then answers SessionNotFound itself.
 */
const OWNER_CACHE_SIZE = 50_000;

export class SessionAccess {
  /** Session id → owner (null: none), for sessions this process has seen. */
  readonly #owners = new Map<string, string | null>();

  constructor(private readonly prisma: Store) {}

  /** The store filter for the sessions `principal` may see. */
  where(principal: Principal) {
    return visibleTo(principal);
  }

  /** Returns when `principal` may see the session; SessionNotFound otherwise (or when there is none). */
  async check(principal: Principal, sessionId: string): Promise<void> {
    const owner = await this.ownerOf(sessionId);
    if (owner === undefined || !this.#sees(principal, owner)) throw new SessionNotFoundError(sessionId);
  }

  /** Returns when `principal` may see the message's session; MessageNotFound otherwise. */
  async checkMessage(principal: Principal, messageId: string): Promise<void> {
    const message = await this.prisma.message.findUnique({ where: { id: messageId }, select: { session: { select: { id: true, ownerId: true } } } });
    if (!message || !this.#sees(principal, message.session.ownerId)) throw new MessageNotFoundError(messageId);
    this.remember(message.session.id, message.session.ownerId);
  }

  /** The owner of a session (null: none); undefined when it does not exist and was never seen. */
  async ownerOf(sessionId: string): Promise<string | null | undefined> {
    if (this.#owners.has(sessionId)) return this.#owners.get(sessionId);
    const session = await this.prisma.session.findUnique({ where: { id: sessionId }, select: { ownerId: true } });
    if (!session) return undefined;
    this.remember(sessionId, session.ownerId);
    return session.ownerId;
  }

  /** Records a session's owner (it never changes), e.g. as the session is created. */
  remember(sessionId: string, owner: string | null): void {
    if (this.#owners.size >= OWNER_CACHE_SIZE) this.#owners.delete(this.#owners.keys().next().value!);
    this.#owners.set(sessionId, owner);
  }

  #sees(principal: Principal, owner: string | null): boolean {
    return principal.admin || owner === principal.name;
  }
}
