/**
 * The base of every expected failure (a client's mistake, a session in the wrong state, a store that
 * rejected a change). Each one carries its machine-readable `code`; the schema turns it into a typed
 * result where a field declares it, and into a GraphQL error with `extensions.code` everywhere else.
 * Anything that is not a DomainError is unexpected and stays masked.
 */
export abstract class DomainError extends Error {
  /** Stable, machine-readable: `extensions.code` in GraphQL errors (e.g. `SESSION_NOT_FOUND`). */
  abstract readonly code: string;

  /** Fields a GraphQL error carries in `extensions` beside `code` (typed results expose them as fields). */
  extensions(): Record<string, unknown> {
    return {};
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
