/** Models: what a session's current agent can switch to, and `setSessionAgentModel`. */
import type { AvailableModel } from '../runtime/agent-runtime.js';
import {
  InvalidInputError,
  InvalidModelRefError,
  ModelSwitchingNotSupportedError,
  SessionNotFoundError,
  SessionNotRunningError,
} from '../services/errors.js';
import type { ModelSwitch } from '../services/session-service.js';
import { ownSessionId } from './access.js';
import { builder } from './builder.js';
import { RUNTIME_ERRORS, STORE_WRITE_ERRORS } from './errors.js';

export const AvailableModelRef = builder.objectRef<AvailableModel>('AvailableModel').implement({
  description: 'A model the current agent can switch to.',
  fields: (t) => ({
    name: t.exposeString('name'),
    ref: t.exposeString('ref', { description: 'Pass this as `modelRef` to switch to the model.' }),
    provider: t.exposeString('provider'),
    model: t.exposeString('model'),
    isDefault: t.exposeBoolean('isDefault', { description: "The agent's own default model." }),
    isCurrent: t.exposeBoolean('isCurrent', { description: 'The model the agent uses now.' }),
    isCustom: t.exposeBoolean('isCustom', { description: 'An inline ref picked in this session.' }),
  }),
});

const ModelSwitchRef = builder.objectRef<ModelSwitch>('SetSessionAgentModelPayload').implement({
  fields: (t) => ({
    session: t.prismaField({
      type: 'Session',
      resolve: (query, change, _args, ctx) => ctx.services.reads.requireSession(query, change.sessionId, ctx.principal),
    }),
    agentName: t.exposeString('agentName', { description: 'The agent whose model changed (the current one).' }),
    modelRef: t.exposeString('modelRef', {
      nullable: true,
      description: 'The override now in force; null when cleared (the agent is back on its default).',
    }),
    previousModelRef: t.exposeString('previousModelRef', {
      nullable: true,
      description: 'The override before the switch; null when there was none.',
    }),
    seq: t.exposeInt('seq', { description: "Sequence number of the event that recorded the switch." }),
  }),
});

const SetSessionAgentModelInput = builder.inputType('SetSessionAgentModelInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    modelRef: t.string({
      required: true,
      description: 'A model name of the team, an inline `provider/model` or alloy ref, or "" to clear the override.',
    }),
  }),
});

builder.mutationField('setSessionAgentModel', (t) =>
  t.field({
    type: ModelSwitchRef,
    description:
      "Switches the model of a running session's current agent. The runtime changes first; if the store " +
      'then rejects the change, the runtime is rolled back and the result is PersistenceFailed.',
    args: { input: t.arg({ type: SetSessionAgentModelInput, required: true }) },
    errors: {
      types: [
        InvalidInputError,
        SessionNotFoundError,
        SessionNotRunningError,
        ModelSwitchingNotSupportedError,
        InvalidModelRefError,
        ...STORE_WRITE_ERRORS,
        ...RUNTIME_ERRORS,
      ],
    },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.sessions.setSessionAgentModel(await ownSessionId(ctx, input.sessionId, 'sessionId'), input.modelRef),
  }),
);
