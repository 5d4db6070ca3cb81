/** Agent turns: `runTurn`, `cancelTurn`, and `Session.turn` (what runs now). */
import {
  AgentNotFoundError,
  InvalidInputError,
  InvalidModelRefError,
  ModelSwitchingNotSupportedError,
  SessionBusyError,
  SessionNotFoundError,
  SessionNotRunningError,
  TurnNotRunningError,
} from '../services/errors.js';
import type { RunningTurn } from '../services/session-reads.js';
import { TURN_MESSAGE_ROLES } from '../services/turn-service.js';
import { builder } from './builder.js';
import { STORE_WRITE_ERRORS } from './errors.js';
import { parseSessionId } from './ids.js';
import { SessionRef } from './session.js';

const TurnStateEnum = builder.enumType('TurnState', {
  values: { RUNNING: { description: 'The agent is working: calling its model, streaming its reply.' } },
});

const TurnRef = builder.objectRef<RunningTurn>('Turn').implement({
  description: "A session's running turn.",
  fields: (t) => ({
    id: t.exposeID('id'),
    state: t.field({ type: TurnStateEnum, resolve: (turn) => turn.state }),
    agentName: t.exposeString('agentName'),
    model: t.exposeString('model', { description: 'The model the agent calls now (a switch applies at its next call).' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
  }),
});

builder.objectField(SessionRef, 'turn', (t) =>
  t.field({
    type: TurnRef,
    nullable: true,
    description: 'The turn running now; null when none is.',
    resolve: (session, _args, ctx) => ctx.services.reads.turn(session.id),
  }),
);

const TurnMessageInput = builder.inputType('TurnMessageInput', {
  fields: (t) => ({
    role: t.string({ required: true, description: TURN_MESSAGE_ROLES.join(' or ') }),
    content: t.string({ required: true, description: '1 to 100,000 characters.' }),
  }),
});

const RunTurnInput = builder.inputType('RunTurnInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    messages: t.field({ type: [TurnMessageInput], required: true, description: 'What the turn answers (1 to 50).' }),
    model: t.string({ description: "Switch the agent's model first, atomically with the turn's start (as setSessionAgentModel)." }),
    agentName: t.string({ description: 'Run the turn on this agent; it becomes the current one.' }),
  }),
});

const TurnPayload = builder.objectRef<{ sessionId: string; turnId: string }>('TurnPayload').implement({
  fields: (t) => ({
    turnId: t.exposeID('turnId'),
    session: t.prismaField({
      type: 'Session',
      resolve: (query, payload, _args, ctx) => ctx.services.reads.requireSession(query, payload.sessionId),
    }),
  }),
});

builder.mutationFields((t) => ({
  runTurn: t.field({
    type: TurnPayload,
    description:
      'Stores the messages and starts a turn of the agent; answers at once with its id. The reply streams ' +
      'to sessionEvents subscribers (AssistantDeltaEvent), then is stored; TurnEndedEvent says how it ended.',
    args: { input: t.arg({ type: RunTurnInput, required: true }) },
    errors: {
      types: [
        InvalidInputError,
        SessionNotFoundError,
        SessionNotRunningError,
        SessionBusyError,
        AgentNotFoundError,
        InvalidModelRefError,
        ModelSwitchingNotSupportedError,
        ...STORE_WRITE_ERRORS,
      ],
    },
    resolve: (_root, { input }, ctx) =>
      ctx.services.turns.runTurn({
        sessionId: parseSessionId(String(input.sessionId), 'sessionId'),
        messages: input.messages,
        model: input.model,
        agentName: input.agentName,
      }),
  }),
  cancelTurn: t.field({
    type: TurnPayload,
    description: "Cancels the session's running turn: the reply so far is stored, marked cancelled.",
    args: { sessionId: t.arg.id({ required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError, SessionNotRunningError, TurnNotRunningError] },
    resolve: (_root, args, ctx) => ctx.services.turns.cancelTurn(parseSessionId(String(args.sessionId), 'sessionId')),
  }),
}));
