/**
 * Failures the API reports as typed results. Each carries a message a user can act on; the schema maps
 * them to GraphQL error types. Anything else is unexpected and stays masked.
 */
import { InvalidModelRefError } from '../runtime/model-ref.js';

export { InvalidModelRefError };

/** A failure the API reports as a typed result; anything else is unexpected. */
export class DomainError extends Error {}

export function isDomainError(error: unknown): error is Error {
  return error instanceof DomainError || error instanceof InvalidModelRefError;
}

export class SessionNotFoundError extends DomainError {
  constructor(readonly sessionId: string) {
    super('no session has this id');
    this.name = 'SessionNotFoundError';
  }
}

export class SessionNotRunningError extends DomainError {
  constructor(readonly sessionId: string) {
    super('the session is not running; start it with startSession first');
    this.name = 'SessionNotRunningError';
  }
}

export class ModelSwitchingNotSupportedError extends DomainError {
  constructor(
    readonly sessionId: string,
    readonly teamName: string,
  ) {
    super(`the runtime of this session (team "${teamName}") cannot switch models`);
    this.name = 'ModelSwitchingNotSupportedError';
  }
}

export class TeamNotFoundError extends DomainError {
  constructor(
    readonly teamName: string,
    readonly availableTeams: string[],
  ) {
    super(`no team named "${teamName}"; available: ${availableTeams.join(', ') || 'none'}`);
    this.name = 'TeamNotFoundError';
  }
}

/** Input that breaks a rule; `field` names the input field, for forms. */
export class InvalidInputError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** The store rejected a change. Whatever the change had done to the runtime was undone first. */
export class PersistenceFailedError extends DomainError {
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

export class SessionBusyError extends DomainError {
  constructor(readonly sessionId: string) {
    super('the session is busy with another change (a model switch or another write); try again');
    this.name = 'SessionBusyError';
  }
}

export class AgentNotFoundError extends DomainError {
  constructor(
    readonly agentName: string,
    readonly availableAgents: string[],
  ) {
    super(`the team has no agent "${agentName}"; its agents: ${availableAgents.join(', ')}`);
    this.name = 'AgentNotFoundError';
  }
}

export class MessageNotFoundError extends DomainError {
  constructor(readonly messageId: string) {
    super('no message has this id');
    this.name = 'MessageNotFoundError';
  }
}
