/**
 * Who is calling. Every request, SSE stream and WebSocket acts as one principal: the name of the API
 * token it presented, or the local principal of a server that runs without tokens.
 */
export interface Principal {
  /** The token's name; sessions it creates belong to it. */
  name: string;
  /** Sees and changes every session. */
  admin: boolean;
  /** The token it presented (none for the local principal): checked again while a stream stays open. */
  tokenId?: string;
}

/**
 * The caller of a server without tokens: it listens on loopback only, so whoever reaches it is on the
 * machine, and sees everything.
 */
export const LOCAL_PRINCIPAL: Principal = { name: 'local', admin: true };

/** The owner a session created by `principal` gets: none for the local principal. */
export const ownerFor = (principal: Principal): string | null => (principal === LOCAL_PRINCIPAL ? null : principal.name);

/** The sessions `principal` may see, as a store filter: all for an admin, else its own. */
export const visibleTo = (principal: Principal): { ownerId?: string } => (principal.admin ? {} : { ownerId: principal.name });
