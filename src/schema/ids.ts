/** Global IDs: `Session` ids are Relay global ids; parsing checks the type and the shape. */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { InvalidInputError } from '../services/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The database id inside a Session global id; InvalidInput (for `field`) when it is not one. */
export function parseSessionId(globalId: string, field: string): string {
  let decoded: { typename: string; id: string } | undefined;
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded.typename !== 'Session' || !UUID.test(decoded.id)) {
    throw new InvalidInputError(field, `"${globalId.slice(0, 100)}" is not a Session id`);
  }
  return decoded.id;
}
