/**
 * Session events: an interface with a type per kind, the `sessionEvents` subscription (replay, then
 * live) and `sessionsChanged` for session lists. Failures (an unknown session, a bad `after`, a
 * subscriber that fell behind) are DomainErrors: masking turns them into errors with `extensions.code`.
 */
import type { FieldMap, ObjectFieldBuilder } from '@pothos/core';
import type { SessionListItem } from '../services/change-log.js';
import type { TokenRevokedError } from '../services/errors.js';
import type { SessionEventKind, SessionEventRecord } from '../services/event-log.js';
import type { FeedItem, StreamItem } from '../services/event-stream.js';
import { ownSessionId, whileAuthorized } from './access.js';
import { builder } from './builder.js';
import { globalId } from './ids.js';
import { TodoRef } from './todo.js';

const EVENT_TYPE_BY_KIND: Record<SessionEventKind, string> = {
  SESSION_CREATED: 'SessionCreatedEvent',
  SESSION_STARTED: 'SessionStartedEvent',
  SESSION_STOPPED: 'SessionStoppedEvent',
  MODEL_CHANGED: 'ModelChangedEvent',
  TITLE_CHANGED: 'TitleChangedEvent',
  STARRED_CHANGED: 'StarredChangedEvent',
  PERMISSIONS_CHANGED: 'PermissionsChangedEvent',
  MESSAGE_ADDED: 'MessageAddedEvent',
  MESSAGE_UPDATED: 'MessageUpdatedEvent',
  TOKEN_USAGE_UPDATED: 'TokenUsageUpdatedEvent',
  CURRENT_AGENT_SWITCHED: 'CurrentAgentSwitchedEvent',
  TURN_STARTED: 'TurnStartedEvent',
  MODEL_FALLBACK: 'ModelFallbackEvent',
  TURN_FAILED: 'TurnFailedEvent',
  TURN_ENDED: 'TurnEndedEvent',
  TOOL_CALL: 'ToolCallEvent',
  TOOL_CALL_CONFIRMATION: 'ToolCallConfirmationEvent',
  TOOL_CALL_RESULT: 'ToolCallResultEvent',
  MAX_ITERATIONS_REACHED: 'MaxIterationsReachedEvent',
  ELICITATION_REQUEST: 'ElicitationRequestEvent',
  TURN_RESUMED: 'TurnResumedEvent',
  TOOLSET_FAILED: 'ToolsetFailedEvent',
  TODOS_CHANGED: 'TodosChangedEvent',
  SAFETY_POLICY_CHANGED: 'SafetyPolicyChangedEvent',
  TOOL_CALL_DELTA: 'ToolCallDeltaEvent',
  GAP: 'GapEvent',
  SESSION_EXITED: 'SessionExitedEvent',
  ASSISTANT_DELTA: 'AssistantDeltaEvent',
  REASONING_DELTA: 'ReasoningDeltaEvent',
};

const TurnEndReasonEnum = builder.enumType('TurnEndReason', {
  values: {
    COMPLETED: { description: 'The agent answered.' },
    CANCELLED: { description: 'cancelTurn, stopSession or deleteSession ended it.' },
    FAILED: { description: 'A model call failed (a TurnFailedEvent before this one says why).' },
    MAX_ITERATIONS: { description: 'The turn reached its iteration limit and resumeTurn REJECT stopped it.' },
    INTERRUPTED: {
      description: 'The server stopped while the turn ran: recorded as it stopped, or at its next start after a crash.',
    },
  },
});

export const ResumeDecisionEnum = builder.enumType('ResumeDecision', {
  values: {
    APPROVE: { description: 'Run this tool call (or, at the iteration limit, make 10 more model calls).' },
    APPROVE_SESSION: { description: 'Run it, and every later tool call of the session without asking.' },
    APPROVE_TOOL: { description: "Run it, and add the tool to the session's `allow` permissions." },
    REJECT: { description: 'Do not run it: the model receives a tool error with the reason (at the limit: end the turn).' },
  },
});

export const ElicitationActionEnum = builder.enumType('ElicitationAction', {
  values: {
    ACCEPT: { description: 'The answer is in `content`.' },
    DECLINE: { description: 'The user declined to answer.' },
    CANCEL: { description: 'The user dismissed the question.' },
  },
});

/** What every event has whatever its kind: the interface's shape. */
type EventBase = Omit<SessionEventRecord, 'payload'>;

/**
 * An event of kind K, its payload narrowed to that kind's. Written with EventBase so that the type
 * system sees, for any K, that it is a SessionEvent.
 */
type EventOfKind<K extends SessionEventKind> = EventBase & SessionEventRecord<K>;

export const SessionEventInterface = builder.interfaceRef<EventBase>('SessionEvent').implement({
  description: 'A committed change of a session, numbered per session.',
  resolveType: (event) => EVENT_TYPE_BY_KIND[event.kind],
  fields: (t) => ({
    seq: t.exposeInt('seq', {
      description:
        'Sequence number within the session; resume a subscription with `after: seq`. ' +
        'GapEvent carries the `after` it answers, SessionExitedEvent the number after the last event.',
    }),
    at: t.expose('at', { type: 'DateTime' }),
    agentName: t.exposeString('agentName', { nullable: true, description: 'The agent the change concerns.' }),
    sessionId: t.id({ resolve: (event) => globalId('Session', event.sessionId) }),
    session: t.prismaField({
      type: 'Session',
      nullable: true,
      description: 'The session as it is now (null once deleted).',
      resolve: (query, event, _args, ctx) => ctx.services.reads.findSession(query, event.sessionId, ctx.principal),
    }),
  }),
});

type SchemaTypes = typeof builder.$inferSchemaTypes;

/** The fields of one kind's type, resolved from that kind's own payload. */
type EventFields<K extends SessionEventKind> = (t: ObjectFieldBuilder<SchemaTypes, EventOfKind<K>>) => FieldMap;

/** One object type per kind: the interface's fields, and its own. */
function eventType<K extends SessionEventKind>(kind: K, description: string, fields: EventFields<K> = () => ({})) {
  builder.objectRef<EventOfKind<K>>(EVENT_TYPE_BY_KIND[kind]).implement({
    description,
    // The interface's resolveType picks the type of each event by its kind.
    interfaces: [SessionEventInterface],
    fields,
  });
}

eventType('SESSION_CREATED', 'The session was created.', (t) => ({
  title: t.string({ resolve: (event) => event.payload.title }),
  team: t.string({ resolve: (event) => event.payload.team }),
}));
const SessionStopReasonEnum = builder.enumType('SessionStopReason', {
  values: {
    STOPPED: { description: 'stopSession stopped it.' },
    SERVER_STOPPED: { description: 'The instance that held its runtime stopped cleanly.' },
    OWNER_LOST: {
      description:
        'The instance that held its runtime stopped renewing its lease (it crashed, or lost the database); ' +
        'recorded once, by whichever instance noticed first.',
    },
    SERVER_RESTARTED: { description: 'The instance that held its runtime crashed; recorded when it started again.' },
  },
});

eventType('SESSION_STARTED', 'A runtime was attached.', (t) => ({
  instanceId: t.string({
    description: 'The server instance that holds the runtime from now on.',
    resolve: (event) => event.payload.instanceId ?? '',
  }),
}));
eventType('SESSION_STOPPED', 'The runtime was detached.', (t) => ({
  reason: t.field({ type: SessionStopReasonEnum, resolve: (event) => event.payload.reason ?? 'STOPPED' }),
  instanceId: t.string({
    description: 'The server instance that had held the runtime.',
    resolve: (event) => event.payload.instanceId ?? '',
  }),
}));
eventType('MODEL_CHANGED', "The current agent's model override changed.", (t) => ({
  modelRef: t.string({
    nullable: true,
    description: 'The override now; null when cleared.',
    resolve: (event) => event.payload.modelRef,
  }),
  previousModelRef: t.string({
    nullable: true,
    description: 'The override before; null when none.',
    resolve: (event) => event.payload.previousModelRef,
  }),
}));
eventType('TITLE_CHANGED', 'The title changed.', (t) => ({
  title: t.string({ resolve: (event) => event.payload.title }),
  previousTitle: t.string({ resolve: (event) => event.payload.previousTitle }),
}));
eventType('STARRED_CHANGED', 'The session was starred or unstarred.', (t) => ({
  starred: t.boolean({ resolve: (event) => event.payload.starred }),
}));
eventType('PERMISSIONS_CHANGED', "The session's tool permissions were replaced.", (t) => ({
  allow: t.stringList({ resolve: (event) => event.payload.allow }),
  ask: t.stringList({ resolve: (event) => event.payload.ask }),
  deny: t.stringList({ resolve: (event) => event.payload.deny }),
}));
eventType('MESSAGE_ADDED', 'A message was added to the conversation.', (t) => ({
  messageId: t.id({ resolve: (event) => globalId('Message', event.payload.messageId) }),
  role: t.string({ resolve: (event) => event.payload.role }),
}));
eventType('MESSAGE_UPDATED', "A message's content was edited.", (t) => ({
  messageId: t.id({ resolve: (event) => globalId('Message', event.payload.messageId) }),
}));
eventType('TOKEN_USAGE_UPDATED', "The session's token totals and cost changed (a model call's usage added, or updateSessionTokens); these are the totals now.", (t) => ({
  inputTokens: t.int({ resolve: (event) => event.payload.inputTokens }),
  outputTokens: t.int({ resolve: (event) => event.payload.outputTokens }),
  cost: t.float({ resolve: (event) => event.payload.cost }),
}));
eventType('CURRENT_AGENT_SWITCHED', 'The session switched to another agent.', (t) => ({
  previousAgentName: t.string({ resolve: (event) => event.payload.previousAgentName }),
}));
eventType('TURN_STARTED', 'A turn started on the agent in `agentName`; its messages follow.', (t) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  model: t.string({ description: 'The model the agent was on when the turn started.', resolve: (event) => event.payload.model }),
}));
eventType('MODEL_FALLBACK', "A model call kept failing (429, 5xx, timeouts) and goes on with the agent's next fallback model.", (t) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  fromModel: t.string({ resolve: (event) => event.payload.fromModel }),
  toModel: t.string({ resolve: (event) => event.payload.toModel }),
  reason: t.string({ description: 'The last failure of the model it left.', resolve: (event) => event.payload.reason }),
}));
eventType('TURN_FAILED', 'A turn failed; TurnEndedEvent (FAILED) follows.', (t) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  code: t.string({ description: 'MODEL_CALL_FAILED, MODEL_UNAVAILABLE, or a store error code.', resolve: (event) => event.payload.code }),
  message: t.string({ resolve: (event) => event.payload.message }),
  retryable: t.boolean({ description: 'Whether a new turn may well succeed.', resolve: (event) => event.payload.retryable }),
}));
eventType('TURN_ENDED', 'A turn ended.', (t) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  reason: t.field({ type: TurnEndReasonEnum, resolve: (event) => event.payload.reason }),
}));
const toolCallFields = (t: ObjectFieldBuilder<SchemaTypes, EventOfKind<'TOOL_CALL' | 'TOOL_CALL_CONFIRMATION'>>) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  toolCallId: t.string({ resolve: (event) => event.payload.toolCallId }),
  tool: t.string({ resolve: (event) => event.payload.tool }),
  arguments: t.string({ description: 'The arguments as the model sent them (JSON text).', resolve: (event) => event.payload.arguments }),
});
eventType('TOOL_CALL', 'A tool call runs: it was allowed, or approved.', toolCallFields);
eventType(
  'TOOL_CALL_CONFIRMATION',
  'A tool call waits for the user: the turn is AWAITING_CONFIRMATION until resumeTurn answers.',
  toolCallFields,
);
eventType('TOOL_CALL_RESULT', "A tool call's answer, as the model receives it.", (t) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  toolCallId: t.string({ resolve: (event) => event.payload.toolCallId }),
  tool: t.string({ resolve: (event) => event.payload.tool }),
  output: t.string({
    description: 'The output, cut at 16,384 characters (the tool message has all of it).',
    resolve: (event) => event.payload.output,
  }),
  isError: t.boolean({
    description: 'A failed, refused, rejected or cancelled call: the model receives it as a tool error.',
    resolve: (event) => event.payload.isError,
  }),
}));
eventType(
  'MAX_ITERATIONS_REACHED',
  'The turn made its maxIterations model calls and waits: resumeTurn APPROVE grants 10 more, REJECT ends it.',
  (t) => ({
    turnId: t.id({ resolve: (event) => event.payload.turnId }),
    maxIterations: t.int({ resolve: (event) => event.payload.maxIterations }),
  }),
);
eventType('ELICITATION_REQUEST', 'An MCP server asks the user something; answerElicitation answers.', (t) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  elicitationId: t.string({ resolve: (event) => event.payload.elicitationId }),
  server: t.string({ description: 'The MCP server asking.', resolve: (event) => event.payload.server }),
  message: t.string({ resolve: (event) => event.payload.message }),
  requestedSchema: t.field({
    type: 'JSON',
    description: 'The JSON Schema the answer must match.',
    resolve: (event) => JSON.parse(event.payload.requestedSchema) as unknown,
  }),
}));
eventType('TURN_RESUMED', "The user's answer to a waiting turn (resumeTurn or answerElicitation); the turn goes on.", (t) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  decision: t.string({
    description: 'A ResumeDecision (resumeTurn) or an ElicitationAction (answerElicitation).',
    resolve: (event) => event.payload.decision,
  }),
  reason: t.string({ nullable: true, resolve: (event) => event.payload.reason }),
  toolCallId: t.string({ nullable: true, description: 'The tool call decided on, if any.', resolve: (event) => event.payload.toolCallId }),
}));
eventType('TOOLSET_FAILED', "A toolset of the agent could not start (an MCP server that exits, say); the turn goes on without its tools.", (t) => ({
  toolset: t.string({ resolve: (event) => event.payload.toolset }),
  message: t.string({ resolve: (event) => event.payload.message }),
}));
eventType('TODOS_CHANGED', "The agent changed the session's todo list; these are the todos now.", (t) => ({
  todos: t.field({ type: [TodoRef], resolve: (event) => event.payload.todos }),
}));
eventType('SAFETY_POLICY_CHANGED', 'setSessionSafetyPolicy changed how tool calls are approved.', (t) => ({
  safetyPolicy: t.string({ resolve: (event) => event.payload.safetyPolicy }),
  previousSafetyPolicy: t.string({ resolve: (event) => event.payload.previousSafetyPolicy }),
}));
eventType(
  'TOOL_CALL_DELTA',
  "A piece of a tool call's arguments as the model streams them; live only, like AssistantDeltaEvent.",
  (t) => ({
    turnId: t.id({ resolve: (event) => event.payload.turnId }),
    index: t.int({ description: 'Order within its turn, counted with the reply deltas.', resolve: (event) => event.payload.index }),
    toolCallId: t.string({ resolve: (event) => event.payload.toolCallId }),
    tool: t.string({ resolve: (event) => event.payload.tool }),
    argumentsDelta: t.string({ resolve: (event) => event.payload.argumentsDelta }),
  }),
);
const deltaFields = (t: ObjectFieldBuilder<SchemaTypes, EventOfKind<'ASSISTANT_DELTA' | 'REASONING_DELTA'>>) => ({
  turnId: t.id({ resolve: (event) => event.payload.turnId }),
  index: t.int({ description: 'Order of the piece within its turn, from 0.', resolve: (event) => event.payload.index }),
  content: t.string({ resolve: (event) => event.payload.content }),
});
eventType(
  'ASSISTANT_DELTA',
  'A piece of the reply as the model streams it; live only, never stored (the stored message is the ' +
    'truth), `seq` is that of its TurnStartedEvent.',
  deltaFields,
);
eventType('REASONING_DELTA', "A piece of the model's reasoning as it streams; live only, like AssistantDeltaEvent.", deltaFields);
eventType('GAP', 'Events after `seq` up to `missedTo` are no longer retained: refetch the session.', (t) => ({
  missedFrom: t.int({ resolve: (event) => event.payload.missedFrom }),
  missedTo: t.int({ resolve: (event) => event.payload.missedTo }),
}));
eventType('SESSION_EXITED', 'The session is gone; the stream ends after this event.', (t) => ({
  reason: t.string({ resolve: (event) => event.payload.reason }),
}));

const SessionChangeKindEnum = builder.enumType('SessionChangeKind', {
  values: {
    CREATED: { description: 'The session was created.' },
    UPDATED: { description: 'The session changed (its settings, messages, turns: any of its events).' },
    DELETED: { description: 'The session was deleted.' },
    GAP: {
      description:
        'Changes after your `after` cursor are no longer retained (the server keeps the newest ' +
        'CHANGE_LOG_RETENTION): what changed in between is unknown. Refetch the list, then apply the ' +
        'changes that follow. `sessionId`, `seq` and `session` are null.',
    },
  },
});

const SessionChangeRef = builder.objectRef<SessionListItem>('SessionChange').implement({
  description:
    'A session was created, changed or deleted, or (GAP) changes were missed. Keep the `cursor` of the last one ' +
    'you received: `sessionsChanged(after: cursor)` resumes right after it.',
  fields: (t) => ({
    kind: t.field({ type: SessionChangeKindEnum, resolve: (change) => change.kind }),
    sessionId: t.id({
      nullable: true,
      description: 'The session changed; null for a GAP.',
      resolve: (change) => (change.sessionId === null ? null : globalId('Session', change.sessionId)),
    }),
    seq: t.int({
      nullable: true,
      description: "The session's newest event after the change (`sessionEvents(after:)` goes on from it); null for a GAP.",
      resolve: (change) => change.seq,
    }),
    cursor: t.exposeString('cursor', { description: 'Where the feed resumes after this item: pass it as `sessionsChanged(after:)`. Opaque.' }),
    session: t.prismaField({
      type: 'Session',
      nullable: true,
      description: 'The session as it is now (null once deleted, and for a GAP).',
      resolve: (query, change, _args, ctx) =>
        change.sessionId === null ? null : ctx.services.reads.findSession(query, change.sessionId, ctx.principal),
    }),
  }),
});

builder.subscriptionType({});

builder.subscriptionFields((t) => ({
  sessionEvents: t.field({
    type: SessionEventInterface,
    description:
      "A session's events: with `after`, first every retained event after it (GapEvent first when some " +
      'are gone), then live ones, each exactly once and in order. Ends after SessionExitedEvent; a ' +
      'subscriber that falls too far behind gets an error with `extensions.resumeAfter`.',
    args: { sessionId: t.arg.id({ required: true }), after: t.arg.int() },
    subscribe: async (_root, args, ctx) =>
      whileAuthorized(
        ctx,
        await ctx.services.streams.open(await ownSessionId(ctx, args.sessionId, 'sessionId'), args.after ?? null, {
          transportBackedUp: ctx.transportBackedUp,
        }),
      ),
    resolve: (item: StreamItem | TokenRevokedError) => {
      // The stream's last item (too slow, or the server stops): the subscriber is ended with the reason
      // and where to resume.
      if (item instanceof Error) throw item;
      return item;
    },
  }),
  sessionsChanged: t.field({
    type: SessionChangeRef,
    description:
      'Every session created, changed or deleted, for session lists, in one order for all subscribers: ' +
      'without `after`, from now on; with `after` (the `cursor` of a change received before), first every ' +
      'retained change after it (a GAP first when some are gone), then live ones, each exactly once. A ' +
      'subscriber that falls too far behind, or whose server stops, gets an error with ' +
      '`extensions.resumeAfter`: the cursor to resume after.',
    args: {
      after: t.arg.string({ description: 'The `cursor` of the last change received: resume right after it.' }),
    },
    // Bounded like sessionEvents: read into a queue of its own, the subscriber ended once too much is unread.
    subscribe: async (_root, args, ctx) =>
      whileAuthorized(
        ctx,
        await ctx.services.streams.changes(ctx.principal, args.after ?? null, { transportBackedUp: ctx.transportBackedUp }),
      ),
    resolve: (item: FeedItem | TokenRevokedError) => {
      // The feed's last item: why the subscriber is ended, and where to resume.
      if (item instanceof Error) throw item;
      return item;
    },
  }),
}));
