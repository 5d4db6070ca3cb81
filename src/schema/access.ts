/**
 * Ids that arrive in arguments, parsed and checked against the caller: a session (or message) the
 * caller may not see is answered as not found, exactly like one that does not exist.
 */
import { TokenRevokedError } from '../services/errors.js';
import type { Context } from './context.js';
import { parseGlobalId, parseSessionId } from './ids.js';

/** The store id of a session the caller may see; InvalidInput for a malformed id, else SessionNotFound. */
export async function ownSessionId(ctx: Context, globalId: unknown, field: string): Promise<string> {
  const id = parseSessionId(String(globalId), field);
  await ctx.services.access.check(ctx.principal, id);
  return id;
}

/** The store id of a message in a session the caller may see; MessageNotFound otherwise. */
export async function ownMessageId(ctx: Context, globalId: unknown, field: string): Promise<string> {
  const id = parseGlobalId(String(globalId), 'Message', field);
  await ctx.services.access.checkMessage(ctx.principal, id);
  return id;
}

/**
 * A subscription's items for as long as its caller's token holds: once the token is revoked, the next
 * item is TokenRevokedError (the subscriber is ended with it) and the source is closed.
 */
export function whileAuthorized<T>(ctx: Context, source: AsyncIterableIterator<T>): AsyncIterableIterator<T | TokenRevokedError> {
  let revoked = false;
  return {
    async next() {
      if (revoked) return { value: undefined, done: true };
      const item = await source.next();
      if (item.done || (await ctx.stillAuthorized())) return item;
      revoked = true;
      await source.return?.();
      return { value: new TokenRevokedError(), done: false };
    },
    return: async (value?: unknown) => (await source.return?.(value)) ?? { value: undefined, done: true },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
