/**
 * Ids that arrive in arguments, parsed and checked against the caller: a session (or message) the
 * caller may not see is answered as not found, exactly like one that does not exist.
 */
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
