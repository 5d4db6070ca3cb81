/**
 * Failures the API reports as typed results. Each carries a message a user can act on and its `code`;
 * the schema maps them to GraphQL error types. Anything else is unexpected and stays masked.
 */
import { DomainError, isDomainError } from '../domain-error.js';
import { InvalidModelRefError } from '../runtime/model-ref.js';

export { DomainError, InvalidModelRefError, isDomainError };

export class SessionNotFoundError extends DomainError {
  readonly code = 'SESSION_NOT_FOUND';
  constructor(readonly sessionId: string) {
    super('no session has this id');
    this.name = 'SessionNotFoundError';
  }
}

export class SessionNotRunningError extends DomainError {
  readonly code = 'SESSION_NOT_RUNNING';
  constructor(readonly sessionId: string) {
    super('the session is not running; start it with startSession first');
    this.name = 'SessionNotRunningError';
  }
}

export class ModelSwitchingNotSupportedError extends DomainError {
  readonly code = 'MODEL_SWITCHING_NOT_SUPPORTED';
  constructor(
    readonly sessionId: string,
    readonly teamName: string,
  ) {
    super(`the runtime of this session (team "${teamName}") cannot switch models`);
    this.name = 'ModelSwitchingNotSupportedError';
  }
}

export class TeamNotFoundError extends DomainError {
  readonly code = 'TEAM_NOT_FOUND';
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
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }

  override extensions() {
    return { field: this.field };
  }
}

/** The store rejected a change. Whatever the change had done to the runtime was undone first. */
export class PersistenceFailedError extends DomainError {
  readonly code = 'PERSISTENCE_FAILED';
  constructor(
    readonly operation: string,
    /** True when trying again may succeed (a timeout, a conflict, a lost connection). */
    readonly retryable: boolean,
    /** Correlates this answer with the server's log line that has the database's own message. */
    readonly incidentId: string,
    reason = 'the store rejected',
  ) {
    super(
      `${reason} ${operation}; nothing was changed and the runtime was rolled back ` +
        `(incident ${incidentId}${retryable ? ', safe to retry' : ''})`,
    );
    this.name = 'PersistenceFailedError';
  }

  override extensions() {
    return { retryable: this.retryable, incidentId: this.incidentId };
  }
}

/**
 * The connection to the store failed after the change's COMMIT was sent, and the store could not be
 * reached to learn whether it committed. The runtime keeps the change for now; before the session's
 * next change (and as soon as the store answers again) it is reconciled with what the store holds.
 */
export class CommitOutcomeUnknownError extends DomainError {
  readonly code = 'COMMIT_OUTCOME_UNKNOWN';
  constructor(
    readonly operation: string,
    readonly sessionId: string,
    readonly incidentId: string,
  ) {
    super(
      `the store could not be reached to learn whether ${operation} was committed; the session is ` +
        `reconciled with the store before its next change (incident ${incidentId})`,
    );
    this.name = 'CommitOutcomeUnknownError';
  }

  override extensions() {
    return { incidentId: this.incidentId };
  }
}

export class SessionBusyError extends DomainError {
  readonly code = 'SESSION_BUSY';
  constructor(readonly sessionId: string) {
    super('the session is busy with another change or a running turn; try again once it is done');
    this.name = 'SessionBusyError';
  }
}

export class AgentNotFoundError extends DomainError {
  readonly code = 'AGENT_NOT_FOUND';
  constructor(
    readonly agentName: string,
    readonly availableAgents: string[],
  ) {
    super(`the team has no agent "${agentName}"; its agents: ${availableAgents.join(', ')}`);
    this.name = 'AgentNotFoundError';
  }
}

export class MessageNotFoundError extends DomainError {
  readonly code = 'MESSAGE_NOT_FOUND';
  constructor(readonly messageId: string) {
    super('no message has this id');
    this.name = 'MessageNotFoundError';
  }
}

/** Ends a stream whose subscriber does not keep up; it resumes with `after: resumeAfter`. */
export class SubscriberTooSlowError extends DomainError {
  readonly code = 'SUBSCRIBER_TOO_SLOW';
  constructor(readonly resumeAfter: number) {
    super(`this subscriber fell too far behind and was ended; subscribe again with after: ${resumeAfter} to resume`);
    this.name = 'SubscriberTooSlowError';
  }

  override extensions() {
    return { resumeAfter: this.resumeAfter };
  }
}

/** `cancelTurn` on a session that runs no turn. */
export class TurnNotRunningError extends DomainError {
  readonly code = 'TURN_NOT_RUNNING';
  constructor(readonly sessionId: string) {
    super('the session runs no turn; there is nothing to cancel');
    this.name = 'TurnNotRunningError';
  }
}

/** resumeTurn or answerElicitation for a session whose turn does not wait for that answer. */
export class TurnNotAwaitingError extends DomainError {
  readonly code = 'TURN_NOT_AWAITING';
  constructor(
    readonly sessionId: string,
    readonly expected: 'a decision' | 'an elicitation answer',
  ) {
    super(`the session's turn does not wait for ${expected} (it runs, it waits for something else, it ended, or another client answered first)`);
    this.name = 'TurnNotAwaitingError';
  }
}

/**
 * Ends a sessionsChanged subscriber that does not keep up; it resumes with `after: resumeAfter`, the
 * cursor of the last change it took.
 */
export class SessionListTooSlowError extends DomainError {
  readonly code = 'SUBSCRIBER_TOO_SLOW';
  constructor(readonly resumeAfter: string) {
    super(`this subscriber fell too far behind and was ended; subscribe again with after: ${JSON.stringify(resumeAfter)} to resume`);
    this.name = 'SessionListTooSlowError';
  }

  override extensions() {
    return { resumeAfter: this.resumeAfter };
  }
}

/**
 * Ends every subscription as the server stops, after it has delivered everything committed (and refuses
 * new ones meanwhile). A subscriber resumes, on this instance once it is back or on another, with
 * `after: resumeAfter`: a sequence number (sessionEvents) or a cursor (sessionsChanged).
 */
export class ServerShuttingDownError extends DomainError {
  readonly code = 'SERVER_SHUTTING_DOWN';
  constructor(
    readonly resumeAfter?: number | string,
    advice = 'subscribe again to another instance, or to this one once it is back',
  ) {
    super(
      resumeAfter === undefined
        ? `the server is shutting down; ${advice}`
        : `the server is shutting down; subscribe again with after: ${JSON.stringify(resumeAfter)} to resume`,
    );
    this.name = 'ServerShuttingDownError';
  }

  override extensions() {
    return this.resumeAfter === undefined ? {} : { resumeAfter: this.resumeAfter };
  }
}

/** The API token an open subscription was made with was revoked: the subscription ends. */
export class TokenRevokedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor() {
    super('the API token of this subscription was revoked');
    this.name = 'TokenRevokedError';
  }
}

/**
 * This instance held the session's runtime, but the store says it no longer does: the instance was
 * taken for lost (it could not renew its lease in time) and the session was released or moved. The
 * change did not run; the local runtime is dropped. Answered as SessionNotRunning where it reaches a
 * client; the router tries the session's current holder instead.
 */
export class RuntimeLostError extends SessionNotRunningError {
  constructor(sessionId: string) {
    super(sessionId);
    this.message = "this instance's hold on the session's runtime was lost; the change did not run";
    this.name = 'RuntimeLostError';
  }
}

/**
 * The change needs a session's runtime, which another instance holds: the router sends it there. Only
 * seen inside the server (the writer raises it when a start or a deletion finds the session held elsewhere).
 */
export class RunningElsewhereError extends DomainError {
  readonly code = 'SESSION_RUNNING_ELSEWHERE';
  constructor(
    readonly sessionId: string,
    readonly instanceId: string,
  ) {
    super(`the session's runtime is held by instance ${instanceId}`);
    this.name = 'RunningElsewhereError';
  }
}

/**
 * The session's runtime is held by another instance, and that instance could not be asked (Redis is not
 * configured or not reachable, the instance does not listen) or did not answer in time. `delivered`:
 * the request reached it, so the change may have been made (read the session's events to know);
 * otherwise nothing was changed.
 */
export class RuntimeUnreachableError extends DomainError {
  readonly code = 'RUNTIME_UNREACHABLE';
  readonly retryable = true;
  constructor(
    readonly sessionId: string,
    readonly instanceId: string,
    readonly delivered: boolean,
    reason: string,
  ) {
    super(
      `the session runs on instance ${instanceId}, which ${reason}; ` +
        (delivered
          ? 'the request reached it, so the change may have been made: read the session to know'
          : 'nothing was changed, try again'),
    );
    this.name = 'RuntimeUnreachableError';
  }

  override extensions() {
    return { instanceId: this.instanceId, delivered: this.delivered, retryable: this.retryable };
  }
}

/** An operators' field asked for without an admin token. */
export class AdminOnlyError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(readonly field: string) {
    super(`${field} is for admin tokens only`);
    this.name = 'AdminOnlyError';
  }
}
