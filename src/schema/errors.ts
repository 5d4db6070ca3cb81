/**
 * Expected failures (DomainErrors) in GraphQL, two ways: as schema types that implement
 * `Error { message }`, which fields list in their union results (plugin-errors); and, where a field has
 * no typed result for one, as a GraphQL error with `extensions.code` (toGraphQLError, for masking).
 * Unexpected failures stay masked.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import {
  AgentNotFoundError,
  CommitOutcomeUnknownError,
  TurnNotAwaitingError,
  TurnNotRunningError,
  InvalidInputError,
  MessageNotFoundError,
  SessionBusyError,
  InvalidModelRefError,
  ModelSwitchingNotSupportedError,
  PersistenceFailedError,
  RuntimeUnreachableError,
  SessionNotFoundError,
  SessionNotRunningError,
  TeamNotFoundError,
  type DomainError,
} from '../services/errors.js';
import { builder } from './builder.js';

/** The one mapping of an expected failure to a GraphQL error: its message, its code, its own details. */
export function toGraphQLError(
  error: DomainError,
  { nodes, path }: Pick<GraphQLErrorOptions, 'nodes' | 'path'> = {},
): GraphQLError {
  return new GraphQLError(error.message, { nodes, path, extensions: { code: error.code, ...error.extensions() } });
}

/**
 * What any change written to the store may answer besides its own errors: the store rejected it, or the
 * connection failed after the commit was sent and nobody can tell yet whether it was stored.
 */
export const STORE_WRITE_ERRORS = [PersistenceFailedError, CommitOutcomeUnknownError] as const;

/**
 * What an operation carried out by the instance holding the session's runtime may answer besides its
 * own errors: that instance could not be asked, or did not answer in time.
 */
export const RUNTIME_ERRORS = [RuntimeUnreachableError] as const;

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'An expected failure; `message` says what happened and what to do.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

const sessionGlobalId = (error: { sessionId: string }) => encodeGlobalID('Session', error.sessionId);

builder.objectType(SessionNotFoundError, {
  name: 'SessionNotFound',
  interfaces: [ErrorInterface],
  fields: (t) => ({ sessionId: t.id({ resolve: sessionGlobalId }) }),
});

builder.objectType(SessionNotRunningError, {
  name: 'SessionNotRunning',
  interfaces: [ErrorInterface],
  fields: (t) => ({ sessionId: t.id({ resolve: sessionGlobalId }) }),
});

builder.objectType(ModelSwitchingNotSupportedError, {
  name: 'ModelSwitchingNotSupported',
  interfaces: [ErrorInterface],
  fields: (t) => ({ sessionId: t.id({ resolve: sessionGlobalId }), team: t.exposeString('teamName') }),
});

builder.objectType(InvalidModelRefError, {
  name: 'InvalidModelRef',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    rejectedRef: t.exposeString('modelRef', { description: 'The ref that was rejected.' }),
    reason: t.exposeString('reason'),
    acceptedForms: t.exposeString('acceptedForms', { description: 'The forms of ref the runtime accepts.' }),
  }),
});

builder.objectType(TeamNotFoundError, {
  name: 'TeamNotFound',
  interfaces: [ErrorInterface],
  fields: (t) => ({ team: t.exposeString('teamName'), availableTeams: t.exposeStringList('availableTeams') }),
});

builder.objectType(InvalidInputError, {
  name: 'InvalidInput',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field', { description: 'The input field at fault.' }) }),
});

builder.objectType(PersistenceFailedError, {
  name: 'PersistenceFailed',
  description: 'The store rejected the change; nothing was changed, and the runtime was rolled back.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryable: t.exposeBoolean('retryable', { description: 'Whether the same request may succeed if sent again.' }),
    incidentId: t.exposeString('incidentId', { description: "Find the database's own message in the server log." }),
  }),
});

builder.objectType(SessionBusyError, {
  name: 'SessionBusy',
  description: 'Another change holds the session; nothing was done. Try again.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ sessionId: t.id({ resolve: sessionGlobalId }) }),
});

builder.objectType(AgentNotFoundError, {
  name: 'AgentNotFound',
  interfaces: [ErrorInterface],
  fields: (t) => ({ agentName: t.exposeString('agentName'), availableAgents: t.exposeStringList('availableAgents') }),
});

builder.objectType(MessageNotFoundError, {
  name: 'MessageNotFound',
  interfaces: [ErrorInterface],
  fields: (t) => ({ messageId: t.id({ resolve: (error) => encodeGlobalID('Message', error.messageId) }) }),
});

builder.objectType(TurnNotRunningError, {
  name: 'TurnNotRunning',
  interfaces: [ErrorInterface],
  fields: (t) => ({ sessionId: t.id({ resolve: sessionGlobalId }) }),
});

builder.objectType(TurnNotAwaitingError, {
  name: 'TurnNotAwaiting',
  interfaces: [ErrorInterface],
  fields: (t) => ({ sessionId: t.id({ resolve: sessionGlobalId }) }),
});

builder.objectType(CommitOutcomeUnknownError, {
  name: 'CommitOutcomeUnknown',
  description:
    'The connection to the store failed after the change was sent to be committed, and the store could not be ' +
    'reached to learn whether it was. The session is reconciled with the store before its next change and as ' +
    'soon as the store answers again; read the session to see which way it went.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    sessionId: t.id({ resolve: sessionGlobalId }),
    incidentId: t.exposeString('incidentId', { description: 'Find the failure in the server log under this id.' }),
  }),
});

builder.objectType(RuntimeUnreachableError, {
  name: 'RuntimeUnreachable',
  description:
    "Another server instance holds the session's runtime and could not be asked (Redis is unreachable, or the " +
    'instance stopped) or did not answer in time.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    sessionId: t.id({ resolve: sessionGlobalId }),
    instanceId: t.exposeString('instanceId', { description: 'The instance the store names as the holder.' }),
    delivered: t.exposeBoolean('delivered', {
      description: 'The request reached that instance: the change may have been made (read the session to know). False: nothing was changed.',
    }),
    retryable: t.exposeBoolean('retryable'),
  }),
});
