/**
 * Expected failures as schema types: every one implements `Error { message }`, and mutations return
 * them in union results (plugin-errors). Unexpected failures stay masked by Yoga.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import {
  AgentNotFoundError,
  InvalidInputError,
  MessageNotFoundError,
  SessionBusyError,
  InvalidModelRefError,
  ModelSwitchingNotSupportedError,
  PersistenceFailedError,
  SessionNotFoundError,
  SessionNotRunningError,
  TeamNotFoundError,
} from '../services/errors.js';
import { builder } from './builder.js';

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
