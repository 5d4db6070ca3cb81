/**
 * Global IDs (Relay) and connection cursors: what clients hold instead of the store's ids. Parsing
 * checks the type and the shape of the id inside, so a malformed one is InvalidInput, never a query.
 */
import { parsePrismaCursor } from '@pothos/plugin-prisma';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { InvalidInputError } from '../services/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The types `node(id:)` resolves. */
const NODE_TYPES = ['Session', 'Message'] as const;
type NodeType = (typeof NODE_TYPES)[number];

/** The global id clients know a row by. */
export const globalId = (typename: NodeType, id: string): string => encodeGlobalID(typename, id);

function decode(globalId: string): { typename: string; id: string } | undefined {
  try {
    return decodeGlobalID(globalId);
  } catch {
    return undefined;
  }
}

const quoted = (globalId: string) => `"${globalId.slice(0, 100)}"`;

/** The database id inside a global id of `typename`; InvalidInput (for `field`) when it is not one. */
export function parseGlobalId(globalId: string, typename: NodeType, field: string): string {
  const decoded = decode(globalId);
  if (!decoded || decoded.typename !== typename || !UUID.test(decoded.id)) {
    throw new InvalidInputError(field, `${quoted(globalId)} is not a ${typename} id`);
  }
  return decoded.id;
}

export const parseSessionId = (globalId: string, field: string) => parseGlobalId(globalId, 'Session', field);

/** A global id of any node type, for `node(id:)` and `nodes(ids:)`. */
export function decodeNodeId(globalId: string): { typename: NodeType; id: string } {
  const decoded = decode(globalId);
  const typename = NODE_TYPES.find((candidate) => candidate === decoded?.typename);
  if (!decoded || !typename || !UUID.test(decoded.id)) {
    throw new InvalidInputError('id', `${quoted(globalId)} is not the id of a ${NODE_TYPES.join(' or a ')}`);
  }
  return { typename, id: decoded.id };
}

/** The extension that marks an argument as a connection's cursor (`after`, `before`). */
export const CONNECTION_CURSOR = 'connectionCursor';

/**
 * Whether `cursor` is one a connection could have handed out. Every connection here is ordered by a
 * string id, and plugin-prisma decodes any cursor it can parse, whatever the type of value inside: a
 * number or an object in a forged cursor would otherwise reach the store as a query it rejects.
 */
export function isConnectionCursor(cursor: string): boolean {
  try {
    return typeof parsePrismaCursor(cursor) === 'string';
  } catch {
    return false;
  }
}
