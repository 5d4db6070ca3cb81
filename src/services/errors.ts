/**
 * Failures the API reports as typed results. Each carries a message a user can act on; the schema maps
 * them to GraphQL error types. Anything else is unexpected and stays masked.
 */
export { InvalidModelRefError } from '../runtime/model-ref.js';

export class SessionNotFoundError extends Error {
  constructor(readonly sessionId: string) {
    super('no session has this id');
    this.name = 'SessionNotFoundError';
  }
}

export class SessionNotRunningError extends Error {
  constructor(readonly sessionId: string) {
    super('the session is not running; start it with startSession first');
    this.name = 'SessionNotRunningError';
  }
}

export class ModelSwitchingNotSupportedError extends Error {
  constructor(
    readonly sessionId: string,
    readonly teamName: string,
  ) {
    super(`the runtime of this session (team "${teamName}") cannot switch models`);
    this.name = 'ModelSwitchingNotSupportedError';
  }
}

export class TeamNotFoundError extends Error {
  constructor(
    readonly teamName: string,
    readonly availableTeams: string[],
  ) {
    super(`no team named "${teamName}"; available: ${availableTeams.join(', ') || 'none'}`);
    this.name = 'TeamNotFoundError';
  }
}

/** Input that breaks a rule; `field` names the input field, for forms. */
export class InvalidInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** The store rejected a change. Whatever the change had done to the runtime was undone first. */
export class PersistenceFailedError extends Error {
  constructor(
    readonly operation: string,
    /** True when trying again may succeed (a timeout, a conflict, a lost connection). */
    readonly retryable: boolean,
    /** Correlates this answer with the server's log line that has the database's own message. */
    readonly incidentId: string,
  ) {
    super(
      `the store rejected ${operation}; nothing was changed and the runtime was rolled back ` +
        `(incident ${incidentId}${retryable ? ', safe to retry' : ''})`,
    );
    this.name = 'PersistenceFailedError';
  }
}
