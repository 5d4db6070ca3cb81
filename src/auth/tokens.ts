/**
 * API tokens: `asg_<id>_<secret>`, random, shown once when created. The store keeps the id, the name
 * (the principal), and a SHA-256 of the secret; a presented secret is hashed and compared in constant
 * time. Tokens are high-entropy random strings, so a fast hash is enough (no password stretching).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../db/client.js';
import type { Principal } from './principal.js';

const TOKEN = /^asg_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
/** How long an open stream's token is known to be active without asking the store again. */
const ACTIVE_MEMO_MS = 1000;
/** lastUsedAt is written at most this often per token. */
const LAST_USED_EVERY_MS = 60_000;

export interface TokenInfo {
  id: string;
  name: string;
  admin: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest();

export class TokenError extends Error {}

export class ApiTokens {
  readonly #active = new Map<string, { active: boolean; until: number }>();
  readonly #lastUsedWritten = new Map<string, number>();

  constructor(private readonly prisma: Store) {}

  /** Creates a token and returns it whole: the only time its secret is seen. */
  async create(name: string, options: { admin?: boolean } = {}): Promise<{ token: string; info: TokenInfo }> {
    if (!NAME.test(name)) throw new TokenError(`a token name is 1 to 64 letters, digits, "_", ".", "@" or "-", starting with a letter or digit; got "${name}"`);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const info = await this.prisma.apiToken.create({
      data: { id, name, secretHash: hash(secret).toString('hex'), admin: options.admin ?? false },
      select: { id: true, name: true, admin: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    });
    return { token: `asg_${id}_${secret}`, info };
  }

  list(): Promise<TokenInfo[]> {
    return this.prisma.apiToken.findMany({
      orderBy: { createdAt: 'asc' },
      select: { id: true, name: true, admin: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    });
  }

  /** Revokes a token by id; false when there is no such token (or it was revoked already). */
  async revoke(id: string): Promise<boolean> {
    const { count } = await this.prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return count > 0;
  }

  /**
   * Whether a token is still usable (not revoked), for streams and sockets that stay open after the
   * token was checked. Remembered for a second, so that a stream delivering many events asks the store
   * at most once a second.
   */
  async isActive(id: string): Promise<boolean> {
    const now = Date.now();
    const known = this.#active.get(id);
    if (known && known.until > now) return known.active;
    const row = await this.prisma.apiToken.findUnique({ where: { id }, select: { revokedAt: true } });
    const active = row !== null && row.revokedAt === null;
    if (this.#active.size >= 10_000) this.#active.clear();
    this.#active.set(id, { active, until: now + ACTIVE_MEMO_MS });
    return active;
  }

  /** Whether any token can be used: the server then requires one on every request. */
  async anyActive(): Promise<boolean> {
    return (await this.prisma.apiToken.count({ where: { revokedAt: null } })) > 0;
  }

  /**
   * The principal a presented token stands for; null when it is malformed, unknown or revoked. Asked
   * of the store each time (one lookup by key), so a revoked token stops working at once, in every
   * instance.
   */
  async authenticate(presented: string): Promise<Principal | null> {
    const match = TOKEN.exec(presented);
    if (!match) return null;
    const now = Date.now();
    const [, id, secret] = match as unknown as [string, string, string];
    const row = await this.prisma.apiToken.findUnique({ where: { id } });
    const principal =
      row && row.revokedAt === null && timingSafeEqual(hash(secret), Buffer.from(row.secretHash, 'hex'))
        ? { name: row.name, admin: row.admin, tokenId: row.id }
        : null;
    if (principal && now - (this.#lastUsedWritten.get(id) ?? 0) > LAST_USED_EVERY_MS) {
      this.#lastUsedWritten.set(id, now);
      await this.prisma.apiToken.update({ where: { id }, data: { lastUsedAt: new Date(now) } });
    }
    return principal;
  }
}

/** The token in an `Authorization: Bearer …` header value, if that is what it holds. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
