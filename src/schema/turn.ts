/** Agent turns: `runTurn`, `cancelTurn`, and `Session.turn` (what runs now). */
import {
  AgentNotFoundError,
  InvalidInputError,
  InvalidModelRefError,
  ModelSwitchingNotSupportedError,
  SessionBusyError,
  SessionNotFoundError,
  SessionNotRunningError,
  TurnNotAwaitingError,
  TurnNotRunningError,
} from '../services/errors.js';
import type { RunningTurn } from '../services/session-reads.js';
import { TURN_MESSAGE_ROLES } from '../services/turn-service.js';
import { ownSessionId } from './access.js';
import { builder } from './builder.js';
import { RUNTIME_ERRORS, STORE_WRITE_ERRORS } from './errors.js';
import { ElicitationActionEnum, ResumeDecisionEnum } from './event.js';
import { SessionRef } from './session.js';

export const TurnStateEnum = builder.enumType('TurnState', {
  values: {
    RUNNING: { description: 'The agent is working: calling its model, streaming its reply, running tools.' },
    AWAITING_CONFIRMATION: { description: 'A tool call waits for resumeTurn (see pendingToolCall).' },
    AWAITING_ITERATION_APPROVAL: { description: 'The turn reached maxIterations: resumeTurn APPROVE grants 10 more calls, REJECT ends it.' },
    AWAITING_ELICITATION: { description: 'An MCP server asks the user something (see elicitation): answerElicitation answers.' },
  },
});

type ConfirmationPause = Extract<NonNullable<RunningTurn['pause']>, { kind: 'confirmation' }>;
type ElicitationPause = Extract<NonNullable<RunningTurn['pause']>, { kind: 'elicitation' }>;

const PendingToolCallRef = builder.objectRef<ConfirmationPause['toolCall']>('PendingToolCall').implement({
  description: 'The tool call a turn waits to have decided.',
  fields: (t) => ({
    toolCallId: t.exposeString('id'),
    tool: t.exposeString('name'),
    arguments: t.exposeString('arguments', { description: 'As the model sent them (JSON text).' }),
  }),
});

const PendingElicitationRef = builder.objectRef<ElicitationPause>('PendingElicitation').implement({
  description: 'What an MCP server asks the user.',
  fields: (t) => ({
    elicitationId: t.exposeString('elicitationId'),
    server: t.string({ resolve: (pause) => pause.request.server }),
    message: t.string({ resolve: (pause) => pause.request.message }),
    requestedSchema: t.field({ type: 'JSON', resolve: (pause) => pause.request.requestedSchema }),
  }),
});

const TurnRef = builder.objectRef<RunningTurn>('Turn').implement({
  description: "A session's running turn.",
  fields: (t) => ({
    id: t.exposeID('id'),
    state: t.field({ type: TurnStateEnum, resolve: (turn) => turn.state }),
    pendingToolCall: t.field({
      type: PendingToolCallRef,
      nullable: true,
      resolve: (turn) => (turn.pause?.kind === 'confirmation' ? turn.pause.toolCall : null),
    }),
    maxIterations: t.int({
      nullable: true,
      description: 'While AWAITING_ITERATION_APPROVAL: the limit reached.',
      resolve: (turn) => (turn.pause?.kind === 'maxIterations' ? turn.pause.maxIterations : null),
    }),
    elicitation: t.field({
      type: PendingElicitationRef,
      nullable: true,
      resolve: (turn) => (turn.pause?.kind === 'elicitation' ? turn.pause : null),
    }),
    agentName: t.exposeString('agentName'),
    model: t.exposeString('model', { description: 'The model the agent calls now (a switch applies at its next call).' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField(SessionRef, 'turn', (t) =>
  t.field({
    type: TurnRef,
    nullable: true,
    description: 'The turn running now; null when none is.',
    select: { agentModelOverrides: { select: { agentName: true, modelRef: true } } },
    resolve: (session, _args, ctx) => ctx.services.reads.turn(session),
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
      resolve: (query, payload, _args, ctx) => ctx.services.reads.requireSession(query, payload.sessionId, ctx.principal),
    }),
  }),
});

const ResumeTurnInput = builder.inputType('ResumeTurnInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    decision: t.field({ type: ResumeDecisionEnum, required: true }),
    reason: t.string({ description: 'With REJECT: why, for the model (at most 2000 characters).' }),
  }),
});

const AnswerElicitationInput = builder.inputType('AnswerElicitationInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    action: t.field({ type: ElicitationActionEnum, required: true }),
    content: t.field({ type: 'JSON', description: 'With ACCEPT: the answer, an object matching the requested schema.' }),
  }),
});

/** What answering a waiting turn can fail with. */
const ANSWER_ERRORS = [InvalidInputError, SessionNotFoundError, SessionNotRunningError, TurnNotAwaitingError, ...STORE_WRITE_ERRORS, ...RUNTIME_ERRORS];

builder.mutationFields((t) => ({
  resumeTurn: t.field({
    type: TurnPayload,
    description:
      'Answers a turn waiting for a tool call decision (AWAITING_CONFIRMATION) or at its iteration limit ' +
      '(AWAITING_ITERATION_APPROVAL). Stored with its effect (APPROVE_TOOL: the permission; APPROVE_SESSION: ' +
      'no more questions), then the turn goes on. TurnNotAwaiting when it waits for nothing of the kind ' +
      '(another client answered first, say).',
    args: { input: t.arg({ type: ResumeTurnInput, required: true }) },
    errors: { types: ANSWER_ERRORS },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.turns.resumeTurn({
        sessionId: await ownSessionId(ctx, input.sessionId, 'sessionId'),
        decision: input.decision,
        reason: input.reason,
      }),
  }),
  answerElicitation: t.field({
    type: TurnPayload,
    description: "Answers an MCP server's question (the turn is AWAITING_ELICITATION); stored, then the turn goes on.",
    args: { input: t.arg({ type: AnswerElicitationInput, required: true }) },
    errors: { types: ANSWER_ERRORS },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.turns.answerElicitation({
        sessionId: await ownSessionId(ctx, input.sessionId, 'sessionId'),
        action: input.action,
        content: input.content,
      }),
  }),
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
        ...RUNTIME_ERRORS,
      ],
    },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.turns.runTurn({
        sessionId: await ownSessionId(ctx, input.sessionId, 'sessionId'),
        messages: input.messages,
        model: input.model,
        agentName: input.agentName,
      }),
  }),
  cancelTurn: t.field({
    type: TurnPayload,
    description: "Cancels the session's running turn: the reply so far is stored, marked cancelled.",
    args: { sessionId: t.arg.id({ required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError, SessionNotRunningError, TurnNotRunningError, ...RUNTIME_ERRORS] },
    resolve: async (_root, args, ctx) => ctx.services.turns.cancelTurn(await ownSessionId(ctx, args.sessionId, 'sessionId')),
  }),
}));
