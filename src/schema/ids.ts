/** Global IDs (Relay): parsing checks the type and the shape of the id inside. */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { InvalidInputError } from '../services/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The database id inside a global id of `typename`; InvalidInput (for `field`) when it is not one. */
export function parseGlobalId(globalId: string, typename: 'Session' | 'Message', field: string): string {
  let decoded: { typename: string; id: string } | undefined;
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded.typename !== typename || !UUID.test(decoded.id)) {
    throw new InvalidInputError(field, `"${globalId.slice(0, 100)}" is not a ${typename} id`);
  }
  return decoded.id;
}

export const parseSessionId = (globalId: string, field: string) => parseGlobalId(globalId, 'Session', field);
