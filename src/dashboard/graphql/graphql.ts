/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type ResumeDecision =
  /** Run this tool call (or, at the iteration limit, make 10 more model calls). */
  | 'APPROVE'
  /** Run it, and every later tool call of the session without asking. */
  | 'APPROVE_SESSION'
  /** Run it, and add the tool to the session's `allow` permissions. */
  | 'APPROVE_TOOL'
  /** Do not run it: the model receives a tool error with the reason (at the limit: end the turn). */
  | 'REJECT';

export type ResumeTurnInput = {
  decision: ResumeDecision;
  /** With REJECT: why, for the model (at most 2000 characters). */
  reason?: string | null | undefined;
  sessionId: string | number;
};

export type RunTurnInput = {
  /** Run the turn on this agent; it becomes the current one. */
  agentName?: string | null | undefined;
  /** What the turn answers (1 to 50). */
  messages: Array<TurnMessageInput>;
  /** Switch the agent's model first, atomically with the turn's start (as setSessionAgentModel). */
  model?: string | null | undefined;
  sessionId: string | number;
};

export type SessionChangeKind =
  /** The session was created. */
  | 'CREATED'
  /** The session was deleted. */
  | 'DELETED'
  /** Changes after your `after` cursor are no longer retained (the server keeps the newest CHANGE_LOG_RETENTION): what changed in between is unknown. Refetch the list, then apply the changes that follow. `sessionId`, `seq` and `session` are null. */
  | 'GAP'
  /** The session changed (its settings, messages, turns: any of its events). */
  | 'UPDATED';

export type SessionStopReason =
  /** The instance that held its runtime stopped renewing its lease (it crashed, or lost the database); recorded once, by whichever instance noticed first. */
  | 'OWNER_LOST'
  /** The instance that held its runtime crashed; recorded when it started again. */
  | 'SERVER_RESTARTED'
  /** The instance that held its runtime stopped cleanly. */
  | 'SERVER_STOPPED'
  /** stopSession stopped it. */
  | 'STOPPED';

export type SetSessionAgentModelInput = {
  /** A model name of the team, an inline `provider/model` or alloy ref, or "" to clear the override. */
  modelRef: string;
  sessionId: string | number;
};

export type TurnEndReason =
  /** cancelTurn, stopSession or deleteSession ended it. */
  | 'CANCELLED'
  /** The agent answered. */
  | 'COMPLETED'
  /** A model call failed (a TurnFailedEvent before this one says why). */
  | 'FAILED'
  /** The server stopped while the turn ran: recorded as it stopped, or at its next start after a crash. */
  | 'INTERRUPTED'
  /** The turn reached its iteration limit and resumeTurn REJECT stopped it. */
  | 'MAX_ITERATIONS';

export type TurnMessageInput = {
  /** 1 to 100,000 characters. */
  content: string;
  /** user or system */
  role: string;
};

export type TurnState =
  /** A tool call waits for resumeTurn (see pendingToolCall). */
  | 'AWAITING_CONFIRMATION'
  /** An MCP server asks the user something (see elicitation): answerElicitation answers. */
  | 'AWAITING_ELICITATION'
  /** The turn reached maxIterations: resumeTurn APPROVE grants 10 more calls, REJECT ends it. */
  | 'AWAITING_ITERATION_APPROVAL'
  /** The agent is working: calling its model, streaming its reply, running tools. */
  | 'RUNNING';

export type DashboardSessionSummaryFragment = { id: string, title: string, team: string, running: boolean, currentAgent: string, lastEventSeq: number, createdAt: string, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean, isCustom: boolean }>, turn: { state: TurnState } | null };

export type DashboardMessageFragment = { id: string, position: number, role: string, content: string, cancelled: boolean, isError: boolean, toolName: string | null, turnId: string | null, agentName: string | null, toolCalls: Array<{ id: string, name: string, arguments: string }> };

export type DashboardSessionsQueryVariables = Exact<{
  first: number;
}>;


export type DashboardSessionsQuery = { sessions: { totalCount: number, edges: Array<{ node: { id: string, title: string, team: string, running: boolean, currentAgent: string, lastEventSeq: number, createdAt: string, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean, isCustom: boolean }>, turn: { state: TurnState } | null } }> } };

export type DashboardSessionQueryVariables = Exact<{
  id: string | number;
}>;


export type DashboardSessionQuery = { session:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'Session', id: string, title: string, team: string, running: boolean, currentAgent: string, lastEventSeq: number, createdAt: string, limits: { maxIterations: number }, turn: { id: string, state: TurnState, agentName: string, model: string, maxIterations: number | null, pendingToolCall: { toolCallId: string, tool: string, arguments: string } | null, elicitation: { server: string, message: string } | null } | null, messages: { totalCount: number, edges: Array<{ node: { id: string, position: number, role: string, content: string, cancelled: boolean, isError: boolean, toolName: string | null, turnId: string | null, agentName: string | null, toolCalls: Array<{ id: string, name: string, arguments: string }> } }> }, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean, isCustom: boolean }> }
    | { __typename: 'SessionNotFound', message: string }
   };

export type DashboardSessionHeadQueryVariables = Exact<{
  id: string | number;
}>;


export type DashboardSessionHeadQuery = { session:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'Session', id: string, title: string, team: string, running: boolean, currentAgent: string, lastEventSeq: number, createdAt: string, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean, isCustom: boolean }>, turn: { state: TurnState } | null }
    | { __typename: 'SessionNotFound', message: string }
   };

export type DashboardMessageByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type DashboardMessageByIdQuery = { node:
    | { __typename: 'Message', id: string, position: number, role: string, content: string, cancelled: boolean, isError: boolean, toolName: string | null, turnId: string | null, agentName: string | null, toolCalls: Array<{ id: string, name: string, arguments: string }> }
    | { __typename: 'Session' }
   | null };

export type DashboardSessionsChangedSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DashboardSessionsChangedSubscription = { sessionsChanged: { kind: SessionChangeKind, sessionId: string | null, seq: number | null, cursor: string, session: { id: string, title: string, team: string, running: boolean, currentAgent: string, lastEventSeq: number, createdAt: string, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean, isCustom: boolean }>, turn: { state: TurnState } | null } | null } };

export type DashboardSessionEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type DashboardSessionEventsSubscription = { sessionEvents:
    | { __typename: 'AssistantDeltaEvent', turnId: string, index: number, content: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'CurrentAgentSwitchedEvent', previousAgentName: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'ElicitationRequestEvent', turnId: string, server: string, message: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'GapEvent', missedFrom: number, missedTo: number, seq: number, at: string, agentName: string | null }
    | { __typename: 'MaxIterationsReachedEvent', turnId: string, maxIterations: number, seq: number, at: string, agentName: string | null }
    | { __typename: 'MessageAddedEvent', messageId: string, role: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'MessageUpdatedEvent', messageId: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'ModelChangedEvent', modelRef: string | null, previousModelRef: string | null, seq: number, at: string, agentName: string | null }
    | { __typename: 'ModelFallbackEvent', fromModel: string, toModel: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'PermissionsChangedEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'ReasoningDeltaEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'SafetyPolicyChangedEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'SessionCreatedEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'SessionExitedEvent', seq: number, at: string, agentName: string | null, exitReason: string }
    | { __typename: 'SessionStartedEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'SessionStoppedEvent', seq: number, at: string, agentName: string | null, stopReason: SessionStopReason }
    | { __typename: 'StarredChangedEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'TitleChangedEvent', title: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'TodosChangedEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'TokenUsageUpdatedEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'ToolCallConfirmationEvent', turnId: string, toolCallId: string, tool: string, arguments: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'ToolCallDeltaEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'ToolCallEvent', tool: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'ToolCallResultEvent', tool: string, isError: boolean, seq: number, at: string, agentName: string | null }
    | { __typename: 'ToolsetFailedEvent', seq: number, at: string, agentName: string | null }
    | { __typename: 'TurnEndedEvent', turnId: string, seq: number, at: string, agentName: string | null, endReason: TurnEndReason }
    | { __typename: 'TurnFailedEvent', turnId: string, message: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'TurnResumedEvent', turnId: string, decision: string, seq: number, at: string, agentName: string | null }
    | { __typename: 'TurnStartedEvent', turnId: string, model: string, seq: number, at: string, agentName: string | null }
   };

export type DashboardSetModelMutationVariables = Exact<{
  input: SetSessionAgentModelInput;
}>;


export type DashboardSetModelMutation = { setSessionAgentModel:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'InvalidModelRef', rejectedRef: string, reason: string, message: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', retryable: boolean, incidentId: string, message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'SetSessionAgentModelPayload', modelRef: string | null, session: { id: string, title: string, team: string, running: boolean, currentAgent: string, lastEventSeq: number, createdAt: string, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean, isCustom: boolean }>, turn: { state: TurnState } | null } }
   };

export type DashboardRunTurnMutationVariables = Exact<{
  input: RunTurnInput;
}>;


export type DashboardRunTurnMutation = { runTurn:
    | { __typename: 'AgentNotFound', message: string }
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'InvalidModelRef', message: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionBusy', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnPayload', turnId: string }
   };

export type DashboardResumeTurnMutationVariables = Exact<{
  input: ResumeTurnInput;
}>;


export type DashboardResumeTurnMutation = { resumeTurn:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnNotAwaiting', message: string }
    | { __typename: 'TurnPayload', turnId: string }
   };

export type DashboardCancelTurnMutationVariables = Exact<{
  sessionId: string | number;
}>;


export type DashboardCancelTurnMutation = { cancelTurn:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnNotRunning', message: string }
    | { __typename: 'TurnPayload', turnId: string }
   };

export type DashboardStartSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type DashboardStartSessionMutation = { startSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', id: string, title: string, team: string, running: boolean, currentAgent: string, lastEventSeq: number, createdAt: string, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean, isCustom: boolean }>, turn: { state: TurnState } | null }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'TeamNotFound', message: string }
   };

export type DashboardStopSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type DashboardStopSessionMutation = { stopSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'Session', id: string, title: string, team: string, running: boolean, currentAgent: string, lastEventSeq: number, createdAt: string, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean, isCustom: boolean }>, turn: { state: TurnState } | null }
    | { __typename: 'SessionNotFound', message: string }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const DashboardSessionSummaryFragmentDoc = new TypedDocumentString(`
    fragment DashboardSessionSummary on Session {
  id
  title
  team
  running
  currentAgent
  lastEventSeq
  createdAt
  availableModels {
    ref
    isCurrent
    isDefault
    isCustom
  }
  turn {
    state
  }
}
    `, {"fragmentName":"DashboardSessionSummary"}) as unknown as TypedDocumentString<DashboardSessionSummaryFragment, unknown>;
export const DashboardMessageFragmentDoc = new TypedDocumentString(`
    fragment DashboardMessage on Message {
  id
  position
  role
  content
  cancelled
  isError
  toolName
  toolCalls {
    id
    name
    arguments
  }
  turnId
  agentName
}
    `, {"fragmentName":"DashboardMessage"}) as unknown as TypedDocumentString<DashboardMessageFragment, unknown>;
export const DashboardSessionsDocument = new TypedDocumentString(`
    query DashboardSessions($first: Int!) {
  sessions(first: $first) {
    totalCount
    edges {
      node {
        ...DashboardSessionSummary
      }
    }
  }
}
    fragment DashboardSessionSummary on Session {
  id
  title
  team
  running
  currentAgent
  lastEventSeq
  createdAt
  availableModels {
    ref
    isCurrent
    isDefault
    isCustom
  }
  turn {
    state
  }
}`) as unknown as TypedDocumentString<DashboardSessionsQuery, DashboardSessionsQueryVariables>;
export const DashboardSessionDocument = new TypedDocumentString(`
    query DashboardSession($id: ID!) {
  session(id: $id) {
    __typename
    ... on Session {
      ...DashboardSessionSummary
      limits {
        maxIterations
      }
      turn {
        id
        state
        agentName
        model
        maxIterations
        pendingToolCall {
          toolCallId
          tool
          arguments
        }
        elicitation {
          server
          message
        }
      }
      messages(last: 100) {
        totalCount
        edges {
          node {
            ...DashboardMessage
          }
        }
      }
    }
    ... on Error {
      message
    }
  }
}
    fragment DashboardSessionSummary on Session {
  id
  title
  team
  running
  currentAgent
  lastEventSeq
  createdAt
  availableModels {
    ref
    isCurrent
    isDefault
    isCustom
  }
  turn {
    state
  }
}
fragment DashboardMessage on Message {
  id
  position
  role
  content
  cancelled
  isError
  toolName
  toolCalls {
    id
    name
    arguments
  }
  turnId
  agentName
}`) as unknown as TypedDocumentString<DashboardSessionQuery, DashboardSessionQueryVariables>;
export const DashboardSessionHeadDocument = new TypedDocumentString(`
    query DashboardSessionHead($id: ID!) {
  session(id: $id) {
    __typename
    ... on Session {
      ...DashboardSessionSummary
    }
    ... on Error {
      message
    }
  }
}
    fragment DashboardSessionSummary on Session {
  id
  title
  team
  running
  currentAgent
  lastEventSeq
  createdAt
  availableModels {
    ref
    isCurrent
    isDefault
    isCustom
  }
  turn {
    state
  }
}`) as unknown as TypedDocumentString<DashboardSessionHeadQuery, DashboardSessionHeadQueryVariables>;
export const DashboardMessageByIdDocument = new TypedDocumentString(`
    query DashboardMessageById($id: ID!) {
  node(id: $id) {
    __typename
    ... on Message {
      ...DashboardMessage
    }
  }
}
    fragment DashboardMessage on Message {
  id
  position
  role
  content
  cancelled
  isError
  toolName
  toolCalls {
    id
    name
    arguments
  }
  turnId
  agentName
}`) as unknown as TypedDocumentString<DashboardMessageByIdQuery, DashboardMessageByIdQueryVariables>;
export const DashboardSessionsChangedDocument = new TypedDocumentString(`
    subscription DashboardSessionsChanged($after: String) {
  sessionsChanged(after: $after) {
    kind
    sessionId
    seq
    cursor
    session {
      ...DashboardSessionSummary
    }
  }
}
    fragment DashboardSessionSummary on Session {
  id
  title
  team
  running
  currentAgent
  lastEventSeq
  createdAt
  availableModels {
    ref
    isCurrent
    isDefault
    isCustom
  }
  turn {
    state
  }
}`) as unknown as TypedDocumentString<DashboardSessionsChangedSubscription, DashboardSessionsChangedSubscriptionVariables>;
export const DashboardSessionEventsDocument = new TypedDocumentString(`
    subscription DashboardSessionEvents($sessionId: ID!, $after: Int) {
  sessionEvents(sessionId: $sessionId, after: $after) {
    __typename
    seq
    at
    agentName
    ... on AssistantDeltaEvent {
      turnId
      index
      content
    }
    ... on MessageAddedEvent {
      messageId
      role
    }
    ... on MessageUpdatedEvent {
      messageId
    }
    ... on TurnStartedEvent {
      turnId
      model
    }
    ... on TurnResumedEvent {
      turnId
      decision
    }
    ... on TurnFailedEvent {
      turnId
      message
    }
    ... on TurnEndedEvent {
      turnId
      endReason: reason
    }
    ... on ToolCallConfirmationEvent {
      turnId
      toolCallId
      tool
      arguments
    }
    ... on ToolCallEvent {
      tool
    }
    ... on ToolCallResultEvent {
      tool
      isError
    }
    ... on MaxIterationsReachedEvent {
      turnId
      maxIterations
    }
    ... on ElicitationRequestEvent {
      turnId
      server
      message
    }
    ... on ModelChangedEvent {
      modelRef
      previousModelRef
    }
    ... on ModelFallbackEvent {
      fromModel
      toModel
    }
    ... on CurrentAgentSwitchedEvent {
      previousAgentName
    }
    ... on TitleChangedEvent {
      title
    }
    ... on SessionStoppedEvent {
      stopReason: reason
    }
    ... on GapEvent {
      missedFrom
      missedTo
    }
    ... on SessionExitedEvent {
      exitReason: reason
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardSessionEventsSubscription, DashboardSessionEventsSubscriptionVariables>;
export const DashboardSetModelDocument = new TypedDocumentString(`
    mutation DashboardSetModel($input: SetSessionAgentModelInput!) {
  setSessionAgentModel(input: $input) {
    __typename
    ... on SetSessionAgentModelPayload {
      modelRef
      session {
        ...DashboardSessionSummary
      }
    }
    ... on InvalidModelRef {
      rejectedRef
      reason
    }
    ... on PersistenceFailed {
      retryable
      incidentId
    }
    ... on Error {
      message
    }
  }
}
    fragment DashboardSessionSummary on Session {
  id
  title
  team
  running
  currentAgent
  lastEventSeq
  createdAt
  availableModels {
    ref
    isCurrent
    isDefault
    isCustom
  }
  turn {
    state
  }
}`) as unknown as TypedDocumentString<DashboardSetModelMutation, DashboardSetModelMutationVariables>;
export const DashboardRunTurnDocument = new TypedDocumentString(`
    mutation DashboardRunTurn($input: RunTurnInput!) {
  runTurn(input: $input) {
    __typename
    ... on TurnPayload {
      turnId
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardRunTurnMutation, DashboardRunTurnMutationVariables>;
export const DashboardResumeTurnDocument = new TypedDocumentString(`
    mutation DashboardResumeTurn($input: ResumeTurnInput!) {
  resumeTurn(input: $input) {
    __typename
    ... on TurnPayload {
      turnId
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardResumeTurnMutation, DashboardResumeTurnMutationVariables>;
export const DashboardCancelTurnDocument = new TypedDocumentString(`
    mutation DashboardCancelTurn($sessionId: ID!) {
  cancelTurn(sessionId: $sessionId) {
    __typename
    ... on TurnPayload {
      turnId
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardCancelTurnMutation, DashboardCancelTurnMutationVariables>;
export const DashboardStartSessionDocument = new TypedDocumentString(`
    mutation DashboardStartSession($id: ID!) {
  startSession(id: $id) {
    __typename
    ... on Session {
      ...DashboardSessionSummary
    }
    ... on Error {
      message
    }
  }
}
    fragment DashboardSessionSummary on Session {
  id
  title
  team
  running
  currentAgent
  lastEventSeq
  createdAt
  availableModels {
    ref
    isCurrent
    isDefault
    isCustom
  }
  turn {
    state
  }
}`) as unknown as TypedDocumentString<DashboardStartSessionMutation, DashboardStartSessionMutationVariables>;
export const DashboardStopSessionDocument = new TypedDocumentString(`
    mutation DashboardStopSession($id: ID!) {
  stopSession(id: $id) {
    __typename
    ... on Session {
      ...DashboardSessionSummary
    }
    ... on Error {
      message
    }
  }
}
    fragment DashboardSessionSummary on Session {
  id
  title
  team
  running
  currentAgent
  lastEventSeq
  createdAt
  availableModels {
    ref
    isCurrent
    isDefault
    isCustom
  }
  turn {
    state
  }
}`) as unknown as TypedDocumentString<DashboardStopSessionMutation, DashboardStopSessionMutationVariables>;