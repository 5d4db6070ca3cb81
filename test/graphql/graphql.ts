/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AddMessageInput = {
  agentName?: string | null | undefined;
  /** 1 to 100,000 characters. */
  content: string;
  /** user, assistant, tool, system */
  role: string;
  sessionId: string | number;
};

export type AgentModelOverrideInput = {
  agentName: string;
  /** A model name of the team, or an inline ref. */
  modelRef: string;
};

export type AnswerElicitationInput = {
  action: ElicitationAction;
  /** With ACCEPT: the answer, an object matching the requested schema. */
  content?: unknown;
  sessionId: string | number;
};

export type CreateSessionInput = {
  agentModelOverrides?: Array<AgentModelOverrideInput> | null | undefined;
  /** An object of string values. */
  attributes?: unknown;
  limits?: SessionLimitsInput | null | undefined;
  permissions?: PermissionsInput | null | undefined;
  safetyPolicy?: SafetyPolicy | null | undefined;
  /** Start a runtime at once (default true); false only stores the session. */
  start?: boolean | null | undefined;
  /** A team from `agents`; the server's default team when omitted. */
  team?: string | null | undefined;
  /** 1 to 200 characters. */
  title: string;
  /** An absolute path; inside SESSION_WORKDIR_ROOT when that is set; the server's default when omitted. */
  workingDir?: string | null | undefined;
};

export type ElicitationAction =
  /** The answer is in `content`. */
  | 'ACCEPT'
  /** The user dismissed the question. */
  | 'CANCEL'
  /** The user declined to answer. */
  | 'DECLINE';

export type ForkSessionInput = {
  /** Copy the messages before this one; all of them when omitted. */
  beforeMessageId?: string | number | null | undefined;
  sessionId: string | number;
  /** Start a runtime for the fork (default true). */
  start?: boolean | null | undefined;
};

export type OrderDirection =
  | 'ASC'
  | 'DESC';

export type PermissionsInput = {
  allow: Array<string>;
  ask: Array<string>;
  deny: Array<string>;
};

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

/** How tool calls are approved. */
export type SafetyPolicy =
  /** Never ask. */
  | 'ALLOW_ALL'
  /** Ask the user before every tool call. */
  | 'ASK_ALWAYS'
  /** Ask before tool calls that can change things (the default). */
  | 'ASK_UNSAFE';

export type SessionChangeKind =
  /** The session was created. */
  | 'CREATED'
  /** The session was deleted. */
  | 'DELETED'
  /** Changes after your `after` cursor are no longer retained (the server keeps the newest CHANGE_LOG_RETENTION): what changed in between is unknown. Refetch the list, then apply the changes that follow. `sessionId`, `seq` and `session` are null. */
  | 'GAP'
  /** The session changed (its settings, messages, turns: any of its events). */
  | 'UPDATED';

export type SessionFilter = {
  createdAfter?: string | null | undefined;
  createdBefore?: string | null | undefined;
  running?: boolean | null | undefined;
  /** Words in the title (case-insensitive). */
  search?: string | null | undefined;
  starred?: boolean | null | undefined;
  team?: string | null | undefined;
};

export type SessionLimitsInput = {
  maxConsecutiveToolCalls?: number | null | undefined;
  maxIterations?: number | null | undefined;
  maxOldToolCallTokens?: number | null | undefined;
};

export type SessionOrder = {
  direction?: OrderDirection | null | undefined;
  field: SessionOrderField;
};

export type SessionOrderField =
  | 'CREATED_AT'
  | 'TITLE'
  | 'UPDATED_AT';

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

export type SetSessionStarredInput = {
  sessionId: string | number;
  starred: boolean;
};

export type SwitchAgentInput = {
  agentName: string;
  sessionId: string | number;
};

export type TodoStatus =
  | 'completed'
  | 'in_progress'
  | 'pending';

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

export type UpdateMessageInput = {
  content: string;
  messageId: string | number;
};

export type UpdateSessionPermissionsInput = {
  permissions: PermissionsInput;
  sessionId: string | number;
};

export type UpdateSessionTitleInput = {
  sessionId: string | number;
  title: string;
};

/** The session's new token totals and cost (they replace the totals, as in docker-agent). */
export type UpdateSessionTokensInput = {
  cost: number;
  inputTokens: number;
  outputTokens: number;
  sessionId: string | number;
};

export type NodesQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type NodesQuery = { nodes: Array<
    | { __typename: 'Message', id: string }
    | { __typename: 'Session', id: string }
   | null> };

export type SessionsAfterQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type SessionsAfterQuery = { sessions: { edges: Array<{ cursor: string, node: { id: string } }> } };

export type MessagesAfterQueryVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type MessagesAfterQuery = { session:
    | { __typename: 'InvalidInput' }
    | { __typename: 'Session', messages: { edges: Array<{ node: { content: string } }> } }
    | { __typename: 'SessionNotFound' }
   };

export type AddNoteMutationVariables = Exact<{
  input: AddMessageInput;
}>;


export type AddNoteMutation = { addMessage:
    | { __typename: 'CommitOutcomeUnknown' }
    | { __typename: 'InvalidInput' }
    | { __typename: 'Message', id: string }
    | { __typename: 'PersistenceFailed' }
    | { __typename: 'SessionBusy' }
    | { __typename: 'SessionNotFound' }
   };

export type LimitsBigPageQueryVariables = Exact<{
  sessions?: number | null | undefined;
  messages?: number | null | undefined;
}>;


export type LimitsBigPageQuery = { sessions: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, title: string, createdAt: string, updatedAt: string, starred: boolean, running: boolean, currentAgent: string, attributes: unknown, availableModels: Array<{ ref: string, isCurrent: boolean }>, messages: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, role: string, content: string, createdAt: string } }> } } }> } };

export type LimitsNestedPagesQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type LimitsNestedPagesQuery = { sessions: { edges: Array<{ node: { messages: { edges: Array<{ node: { session: { messages: { edges: Array<{ node: { id: string } }> } } } }> } } }> } };

export type LimitsTwoNodeListsQueryVariables = Exact<{
  a: Array<string | number> | string | number;
  b: Array<string | number> | string | number;
}>;


export type LimitsTwoNodeListsQuery = { a: Array<
    | { id: string }
    | { id: string }
   | null>, b: Array<
    | { id: string }
    | { id: string }
   | null> };

export type LimitsTypenameQueryVariables = Exact<{ [key: string]: never; }>;


export type LimitsTypenameQuery = { __typename: 'Query' };

export type ListSessionsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListSessionsQuery = { sessions: { edges: Array<{ cursor: string, node: { id: string, title: string, running: boolean } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type AgentsQueryVariables = Exact<{ [key: string]: never; }>;


export type AgentsQuery = { agents: Array<{ name: string, modelSwitching: boolean, agents: Array<{ name: string, model: string, subAgents: Array<string> }>, models: Array<{ name: string, provider: string, model: string }> }> };

export type SessionDetailsFragment = { id: string, title: string, team: string, workingDir: string, starred: boolean, safetyPolicy: SafetyPolicy, inputTokens: number, outputTokens: number, cost: number, attributes: unknown, forkedFromId: string | null, currentAgent: string, running: boolean, version: number, lastEventSeq: number, customModelsUsed: Array<string>, permissions: { allow: Array<string>, ask: Array<string>, deny: Array<string> }, limits: { maxIterations: number, maxConsecutiveToolCalls: number, maxOldToolCallTokens: number }, agentModelOverrides: Array<{ agentName: string, modelRef: string }>, messages: { totalCount: number, edges: Array<{ node: { id: string, position: number, role: string, agentName: string | null, content: string } }> } };

export type ReadSessionQueryVariables = Exact<{
  id: string | number;
}>;


export type ReadSessionQuery = { session:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'Session', id: string, title: string, team: string, workingDir: string, starred: boolean, safetyPolicy: SafetyPolicy, inputTokens: number, outputTokens: number, cost: number, attributes: unknown, forkedFromId: string | null, currentAgent: string, running: boolean, version: number, lastEventSeq: number, customModelsUsed: Array<string>, permissions: { allow: Array<string>, ask: Array<string>, deny: Array<string> }, limits: { maxIterations: number, maxConsecutiveToolCalls: number, maxOldToolCallTokens: number }, agentModelOverrides: Array<{ agentName: string, modelRef: string }>, messages: { totalCount: number, edges: Array<{ node: { id: string, position: number, role: string, agentName: string | null, content: string } }> } }
    | { __typename: 'SessionNotFound', message: string }
   };

export type CreateDetailedMutationVariables = Exact<{
  input: CreateSessionInput;
}>;


export type CreateDetailedMutation = { createSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'InvalidModelRef', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', id: string, title: string, team: string, workingDir: string, starred: boolean, safetyPolicy: SafetyPolicy, inputTokens: number, outputTokens: number, cost: number, attributes: unknown, forkedFromId: string | null, currentAgent: string, running: boolean, version: number, lastEventSeq: number, customModelsUsed: Array<string>, permissions: { allow: Array<string>, ask: Array<string>, deny: Array<string> }, limits: { maxIterations: number, maxConsecutiveToolCalls: number, maxOldToolCallTokens: number }, agentModelOverrides: Array<{ agentName: string, modelRef: string }>, messages: { totalCount: number, edges: Array<{ node: { id: string, position: number, role: string, agentName: string | null, content: string } }> } }
    | { __typename: 'TeamNotFound', message: string }
   };

export type UpdateTitleMutationVariables = Exact<{
  input: UpdateSessionTitleInput;
}>;


export type UpdateTitleMutation = { updateSessionTitle:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', title: string, version: number }
    | { __typename: 'SessionNotFound', message: string }
   };

export type SetStarredMutationVariables = Exact<{
  input: SetSessionStarredInput;
}>;


export type SetStarredMutation = { setSessionStarred:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', starred: boolean }
    | { __typename: 'SessionNotFound', message: string }
   };

export type UpdatePermissionsMutationVariables = Exact<{
  input: UpdateSessionPermissionsInput;
}>;


export type UpdatePermissionsMutation = { updateSessionPermissions:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', permissions: { allow: Array<string>, ask: Array<string>, deny: Array<string> } }
    | { __typename: 'SessionNotFound', message: string }
   };

export type UpdateTokensMutationVariables = Exact<{
  input: UpdateSessionTokensInput;
}>;


export type UpdateTokensMutation = { updateSessionTokens:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', inputTokens: number, outputTokens: number, cost: number }
    | { __typename: 'SessionNotFound', message: string }
   };

export type SwitchAgentMutationVariables = Exact<{
  input: SwitchAgentInput;
}>;


export type SwitchAgentMutation = { switchAgent:
    | { __typename: 'AgentNotFound', availableAgents: Array<string>, message: string }
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'SwitchAgentPayload', agentName: string, previousAgentName: string, seq: number, session: { currentAgent: string, availableModels: Array<{ ref: string, isCurrent: boolean, isDefault: boolean }> } }
   };

export type AddMessageMutationVariables = Exact<{
  input: AddMessageInput;
}>;


export type AddMessageMutation = { addMessage:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'Message', id: string, position: number, role: string, content: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'SessionBusy', message: string }
    | { __typename: 'SessionNotFound', message: string }
   };

export type UpdateMessageMutationVariables = Exact<{
  input: UpdateMessageInput;
}>;


export type UpdateMessageMutation = { updateMessage:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'Message', id: string, position: number, content: string }
    | { __typename: 'MessageNotFound', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'SessionBusy', message: string }
   };

export type DeleteSessionsMutationVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type DeleteSessionsMutation = { deleteSessions:
    | { __typename: 'DeleteSessionsPayload', deletedSessionIds: Array<string>, failures: Array<{ sessionId: string, code: string, message: string }> }
    | { __typename: 'InvalidInput', message: string, field: string }
   };

export type ExportSessionsMutationVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type ExportSessionsMutation = { exportSessions:
    | { __typename: 'ExportSessionsPayload', count: number, json: unknown }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'SessionNotFound', message: string }
   };

export type ForkSessionMutationVariables = Exact<{
  input: ForkSessionInput;
}>;


export type ForkSessionMutation = { forkSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', id: string, title: string, team: string, workingDir: string, starred: boolean, safetyPolicy: SafetyPolicy, inputTokens: number, outputTokens: number, cost: number, attributes: unknown, forkedFromId: string | null, currentAgent: string, running: boolean, version: number, lastEventSeq: number, customModelsUsed: Array<string>, permissions: { allow: Array<string>, ask: Array<string>, deny: Array<string> }, limits: { maxIterations: number, maxConsecutiveToolCalls: number, maxOldToolCallTokens: number }, agentModelOverrides: Array<{ agentName: string, modelRef: string }>, messages: { totalCount: number, edges: Array<{ node: { id: string, position: number, role: string, agentName: string | null, content: string } }> } }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'TeamNotFound', message: string }
   };

export type SearchSessionsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: SessionFilter | null | undefined;
  orderBy?: SessionOrder | null | undefined;
}>;


export type SearchSessionsQuery = { sessions: { totalCount: number, edges: Array<{ node: { id: string, title: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type DashboardPageQueryVariables = Exact<{
  first: number;
}>;


export type DashboardPageQuery = { sessions: { totalCount: number, edges: Array<{ node: { id: string, title: string, running: boolean, currentAgent: string, customModelsUsed: Array<string>, agentModelOverrides: Array<{ agentName: string, modelRef: string }>, messages: { totalCount: number, edges: Array<{ node: { id: string, role: string, content: string } }> } } }> } };

export type NodeQueryVariables = Exact<{
  id: string | number;
}>;


export type NodeQuery = { node:
    | { __typename: 'Message', content: string, id: string }
    | { __typename: 'Session', title: string, id: string }
   | null };

export type ServerInstancesQueryVariables = Exact<{ [key: string]: never; }>;


export type ServerInstancesQuery = { serverInstances: Array<{ id: string, name: string | null, self: boolean, sessions: number, runtimes: Array<{ sessionId: string, currentAgent: string, turnId: string | null, turnState: TurnState | null, modelOverrides: Array<{ agentName: string, modelRef: string }> }> | null }> };

export type ClusterSetModelMutationVariables = Exact<{
  input: SetSessionAgentModelInput;
}>;


export type ClusterSetModelMutation = { setSessionAgentModel:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'InvalidModelRef', message: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string, sessionId: string, instanceId: string, delivered: boolean, retryable: boolean }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'SetSessionAgentModelPayload', agentName: string, modelRef: string | null, previousModelRef: string | null, seq: number }
   };

export type ClusterSwitchAgentMutationVariables = Exact<{
  input: SwitchAgentInput;
}>;


export type ClusterSwitchAgentMutation = { switchAgent:
    | { __typename: 'AgentNotFound', message: string }
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string, sessionId: string, instanceId: string, delivered: boolean, retryable: boolean }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'SwitchAgentPayload', agentName: string, previousAgentName: string, seq: number }
   };

export type ClusterStartSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type ClusterStartSessionMutation = { startSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', id: string, running: boolean, runningOn: string | null }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'TeamNotFound', message: string }
   };

export type ClusterStopSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type ClusterStopSessionMutation = { stopSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string, sessionId: string, instanceId: string, delivered: boolean, retryable: boolean }
    | { __typename: 'Session', id: string, running: boolean, runningOn: string | null }
    | { __typename: 'SessionNotFound', message: string }
   };

export type ClusterSessionQueryVariables = Exact<{
  id: string | number;
}>;


export type ClusterSessionQuery = { session:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'Session', id: string, running: boolean, runningOn: string | null, currentAgent: string, lastEventSeq: number, agentModelOverrides: Array<{ agentName: string, modelRef: string }> }
    | { __typename: 'SessionNotFound', message: string }
   };

export type ClusterSessionEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type ClusterSessionEventsSubscription = { sessionEvents:
    | { __typename: 'AssistantDeltaEvent', seq: number, agentName: string | null }
    | { __typename: 'CurrentAgentSwitchedEvent', previousAgentName: string, seq: number, agentName: string | null }
    | { __typename: 'ElicitationRequestEvent', seq: number, agentName: string | null }
    | { __typename: 'GapEvent', missedFrom: number, missedTo: number, seq: number, agentName: string | null }
    | { __typename: 'MaxIterationsReachedEvent', seq: number, agentName: string | null }
    | { __typename: 'MessageAddedEvent', seq: number, agentName: string | null }
    | { __typename: 'MessageUpdatedEvent', seq: number, agentName: string | null }
    | { __typename: 'ModelChangedEvent', modelRef: string | null, seq: number, agentName: string | null }
    | { __typename: 'ModelFallbackEvent', seq: number, agentName: string | null }
    | { __typename: 'PermissionsChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'ReasoningDeltaEvent', seq: number, agentName: string | null }
    | { __typename: 'SafetyPolicyChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionCreatedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionExitedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionStartedEvent', instanceId: string, seq: number, agentName: string | null }
    | { __typename: 'SessionStoppedEvent', reason: SessionStopReason, instanceId: string, seq: number, agentName: string | null }
    | { __typename: 'StarredChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'TitleChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'TodosChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'TokenUsageUpdatedEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallConfirmationEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallDeltaEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallResultEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolsetFailedEvent', seq: number, agentName: string | null }
    | { __typename: 'TurnEndedEvent', seq: number, agentName: string | null }
    | { __typename: 'TurnFailedEvent', seq: number, agentName: string | null }
    | { __typename: 'TurnResumedEvent', seq: number, agentName: string | null }
    | { __typename: 'TurnStartedEvent', seq: number, agentName: string | null }
   };

export type SessionEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type SessionEventsSubscription = { sessionEvents:
    | { __typename: 'AssistantDeltaEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'CurrentAgentSwitchedEvent', previousAgentName: string, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ElicitationRequestEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'GapEvent', missedFrom: number, missedTo: number, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'MaxIterationsReachedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'MessageAddedEvent', messageId: string, role: string, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'MessageUpdatedEvent', messageId: string, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ModelChangedEvent', modelRef: string | null, previousModelRef: string | null, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ModelFallbackEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'PermissionsChangedEvent', allow: Array<string>, ask: Array<string>, deny: Array<string>, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ReasoningDeltaEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SafetyPolicyChangedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SessionCreatedEvent', title: string, team: string, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SessionExitedEvent', reason: string, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SessionStartedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SessionStoppedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'StarredChangedEvent', starred: boolean, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TitleChangedEvent', title: string, previousTitle: string, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TodosChangedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TokenUsageUpdatedEvent', inputTokens: number, outputTokens: number, cost: number, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ToolCallConfirmationEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ToolCallDeltaEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ToolCallEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ToolCallResultEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ToolsetFailedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TurnEndedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TurnFailedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TurnResumedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TurnStartedEvent', seq: number, agentName: string | null, sessionId: string }
   };

export type HeavySessionEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type HeavySessionEventsSubscription = { sessionEvents:
    | { __typename: 'AssistantDeltaEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'CurrentAgentSwitchedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ElicitationRequestEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'GapEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'MaxIterationsReachedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'MessageAddedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'MessageUpdatedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ModelChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ModelFallbackEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'PermissionsChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ReasoningDeltaEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SafetyPolicyChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SessionCreatedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SessionExitedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SessionStartedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SessionStoppedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'StarredChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TitleChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TodosChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TokenUsageUpdatedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ToolCallConfirmationEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ToolCallDeltaEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ToolCallEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ToolCallResultEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ToolsetFailedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TurnEndedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TurnFailedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TurnResumedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TurnStartedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
   };

export type SessionsChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type SessionsChangedSubscription = { sessionsChanged: { kind: SessionChangeKind, sessionId: string | null, seq: number | null, session: { title: string } | null } };

export type ResumeSessionsChangedSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ResumeSessionsChangedSubscription = { sessionsChanged: { kind: SessionChangeKind, sessionId: string | null, seq: number | null, cursor: string, session: { title: string } | null } };

export type DeleteSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteSessionMutation = { deleteSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'DeleteSessionPayload', deletedSessionId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
   };

export type LeaseInstancesQueryVariables = Exact<{ [key: string]: never; }>;


export type LeaseInstancesQuery = { serverInstances: Array<{ id: string, self: boolean, sessions: number, runtimes: Array<{ sessionId: string, currentAgent: string, turnId: string | null, turnState: TurnState | null, modelOverrides: Array<{ agentName: string, modelRef: string }> }> | null }> };

export type LeaseSessionQueryVariables = Exact<{
  id: string | number;
}>;


export type LeaseSessionQuery = { session:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'Session', running: boolean, runningOn: string | null, currentAgent: string, lastEventSeq: number, agentModelOverrides: Array<{ agentName: string, modelRef: string }>, turn: { id: string, state: TurnState, pendingToolCall: { tool: string } | null } | null }
    | { __typename: 'SessionNotFound', message: string }
   };

export type LeaseSetModelMutationVariables = Exact<{
  input: SetSessionAgentModelInput;
}>;


export type LeaseSetModelMutation = { setSessionAgentModel:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'InvalidModelRef', message: string, rejectedRef: string, reason: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean }
    | { __typename: 'RuntimeUnreachable', message: string, sessionId: string, instanceId: string, delivered: boolean, retryable: boolean }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string, sessionId: string }
    | { __typename: 'SetSessionAgentModelPayload', agentName: string, modelRef: string | null, previousModelRef: string | null, seq: number, session: { id: string, agentModelOverrides: Array<{ agentName: string, modelRef: string }> } }
   };

export type LeaseSwitchAgentMutationVariables = Exact<{
  input: SwitchAgentInput;
}>;


export type LeaseSwitchAgentMutation = { switchAgent:
    | { __typename: 'AgentNotFound', message: string, agentName: string, availableAgents: Array<string> }
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean }
    | { __typename: 'RuntimeUnreachable', message: string, sessionId: string, instanceId: string, delivered: boolean, retryable: boolean }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string, sessionId: string }
    | { __typename: 'SwitchAgentPayload', agentName: string, previousAgentName: string, seq: number, session: { id: string, currentAgent: string } }
   };

export type LeaseRunTurnMutationVariables = Exact<{
  input: RunTurnInput;
}>;


export type LeaseRunTurnMutation = { runTurn:
    | { __typename: 'AgentNotFound', message: string }
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'InvalidModelRef', message: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string, instanceId: string, delivered: boolean }
    | { __typename: 'SessionBusy', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnPayload', turnId: string, session: { id: string, currentAgent: string } }
   };

export type LeaseResumeTurnMutationVariables = Exact<{
  input: ResumeTurnInput;
}>;


export type LeaseResumeTurnMutation = { resumeTurn:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string, instanceId: string, delivered: boolean }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnNotAwaiting', message: string }
    | { __typename: 'TurnPayload', turnId: string, session: { id: string } }
   };

export type LeaseCancelTurnMutationVariables = Exact<{
  sessionId: string | number;
}>;


export type LeaseCancelTurnMutation = { cancelTurn:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'RuntimeUnreachable', message: string, instanceId: string, delivered: boolean }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnNotRunning', message: string }
    | { __typename: 'TurnPayload', turnId: string, session: { id: string, turn: { id: string } | null } }
   };

export type LeaseStartSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type LeaseStartSessionMutation = { startSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', id: string, running: boolean, runningOn: string | null }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'TeamNotFound', message: string }
   };

export type LeaseStopSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type LeaseStopSessionMutation = { stopSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string, instanceId: string, delivered: boolean }
    | { __typename: 'Session', id: string, running: boolean, runningOn: string | null }
    | { __typename: 'SessionNotFound', message: string }
   };

export type LeaseDeleteSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type LeaseDeleteSessionMutation = { deleteSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'DeleteSessionPayload', deletedSessionId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string, instanceId: string, delivered: boolean }
    | { __typename: 'SessionNotFound', message: string }
   };

export type LeaseSetTitleMutationVariables = Exact<{
  input: UpdateSessionTitleInput;
}>;


export type LeaseSetTitleMutation = { updateSessionTitle:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', title: string }
    | { __typename: 'SessionNotFound', message: string }
   };

export type LeaseEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type LeaseEventsSubscription = { sessionEvents:
    | { __typename: 'AssistantDeltaEvent', seq: number }
    | { __typename: 'CurrentAgentSwitchedEvent', previousAgentName: string, seq: number }
    | { __typename: 'ElicitationRequestEvent', seq: number }
    | { __typename: 'GapEvent', seq: number }
    | { __typename: 'MaxIterationsReachedEvent', seq: number }
    | { __typename: 'MessageAddedEvent', seq: number }
    | { __typename: 'MessageUpdatedEvent', seq: number }
    | { __typename: 'ModelChangedEvent', modelRef: string | null, seq: number }
    | { __typename: 'ModelFallbackEvent', seq: number }
    | { __typename: 'PermissionsChangedEvent', seq: number }
    | { __typename: 'ReasoningDeltaEvent', seq: number }
    | { __typename: 'SafetyPolicyChangedEvent', seq: number }
    | { __typename: 'SessionCreatedEvent', seq: number }
    | { __typename: 'SessionExitedEvent', seq: number, exitReason: string }
    | { __typename: 'SessionStartedEvent', instanceId: string, seq: number }
    | { __typename: 'SessionStoppedEvent', instanceId: string, seq: number, stopReason: SessionStopReason }
    | { __typename: 'StarredChangedEvent', seq: number }
    | { __typename: 'TitleChangedEvent', title: string, seq: number }
    | { __typename: 'TodosChangedEvent', seq: number }
    | { __typename: 'TokenUsageUpdatedEvent', seq: number }
    | { __typename: 'ToolCallConfirmationEvent', seq: number }
    | { __typename: 'ToolCallDeltaEvent', seq: number }
    | { __typename: 'ToolCallEvent', seq: number }
    | { __typename: 'ToolCallResultEvent', seq: number }
    | { __typename: 'ToolsetFailedEvent', seq: number }
    | { __typename: 'TurnEndedEvent', turnId: string, seq: number, endReason: TurnEndReason }
    | { __typename: 'TurnFailedEvent', seq: number }
    | { __typename: 'TurnResumedEvent', seq: number }
    | { __typename: 'TurnStartedEvent', seq: number }
   };

export type CreateSessionMutationVariables = Exact<{
  input: CreateSessionInput;
}>;


export type CreateSessionMutation = { createSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'InvalidModelRef', message: string, rejectedRef: string, reason: string, acceptedForms: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', id: string, title: string, team: string, workingDir: string, running: boolean, currentAgent: string, agentModelOverrides: Array<{ agentName: string, modelRef: string }> }
    | { __typename: 'TeamNotFound', message: string, team: string, availableTeams: Array<string> }
   };

export type SetModelMutationVariables = Exact<{
  input: SetSessionAgentModelInput;
}>;


export type SetModelMutation = { setSessionAgentModel:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'InvalidModelRef', message: string, rejectedRef: string, reason: string, acceptedForms: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string, sessionId: string }
    | { __typename: 'SessionNotRunning', message: string, sessionId: string }
    | { __typename: 'SetSessionAgentModelPayload', agentName: string, modelRef: string | null, previousModelRef: string | null, seq: number, session: { id: string, version: number, customModelsUsed: Array<string>, availableModels: Array<{ ref: string, isCurrent: boolean }> } }
   };

export type GetSessionQueryVariables = Exact<{
  id: string | number;
}>;


export type GetSessionQuery = { session:
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'Session', id: string, title: string, team: string, running: boolean, currentAgent: string, version: number, lastEventSeq: number, createdAt: string, updatedAt: string, customModelsUsed: Array<string>, agentModelOverrides: Array<{ agentName: string, modelRef: string }>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isDefault: boolean, isCurrent: boolean, isCustom: boolean }> }
    | { __typename: 'SessionNotFound', message: string, sessionId: string }
   };

export type StartSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type StartSessionMutation = { startSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', id: string, running: boolean, agentModelOverrides: Array<{ agentName: string, modelRef: string }>, availableModels: Array<{ ref: string, isCurrent: boolean }> }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'TeamNotFound', message: string }
   };

export type StopSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type StopSessionMutation = { stopSession:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'Session', id: string, running: boolean }
    | { __typename: 'SessionNotFound', message: string }
   };

export type OutcomeSetModelMutationVariables = Exact<{
  input: SetSessionAgentModelInput;
}>;


export type OutcomeSetModelMutation = { setSessionAgentModel:
    | { __typename: 'CommitOutcomeUnknown', message: string, sessionId: string, incidentId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'InvalidModelRef', message: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'SetSessionAgentModelPayload', agentName: string, modelRef: string | null, previousModelRef: string | null, seq: number }
   };

export type OutcomeSwitchAgentMutationVariables = Exact<{
  input: SwitchAgentInput;
}>;


export type OutcomeSwitchAgentMutation = { switchAgent:
    | { __typename: 'AgentNotFound', message: string }
    | { __typename: 'CommitOutcomeUnknown', message: string, sessionId: string, incidentId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'SwitchAgentPayload', agentName: string, previousAgentName: string, seq: number }
   };

export type OutcomeStartSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type OutcomeStartSessionMutation = { startSession:
    | { __typename: 'CommitOutcomeUnknown', message: string, sessionId: string, incidentId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
    | { __typename: 'Session', id: string, running: boolean, currentAgent: string, lastEventSeq: number }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'TeamNotFound', message: string }
   };

export type OutcomeStopSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type OutcomeStopSessionMutation = { stopSession:
    | { __typename: 'CommitOutcomeUnknown', message: string, sessionId: string, incidentId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'Session', id: string, running: boolean, currentAgent: string, lastEventSeq: number }
    | { __typename: 'SessionNotFound', message: string }
   };

export type OutcomeCreateSessionMutationVariables = Exact<{
  input: CreateSessionInput;
}>;


export type OutcomeCreateSessionMutation = { createSession:
    | { __typename: 'CommitOutcomeUnknown', message: string, sessionId: string, incidentId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'InvalidModelRef', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
    | { __typename: 'Session', id: string, running: boolean, currentAgent: string, lastEventSeq: number }
    | { __typename: 'TeamNotFound', message: string }
   };

export type OutcomeForkSessionMutationVariables = Exact<{
  input: ForkSessionInput;
}>;


export type OutcomeForkSessionMutation = { forkSession:
    | { __typename: 'CommitOutcomeUnknown', message: string, sessionId: string, incidentId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
    | { __typename: 'Session', id: string, running: boolean, currentAgent: string, lastEventSeq: number, forkedFromId: string | null }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'TeamNotFound', message: string }
   };

export type OutcomeDeleteSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type OutcomeDeleteSessionMutation = { deleteSession:
    | { __typename: 'CommitOutcomeUnknown', message: string, sessionId: string, incidentId: string }
    | { __typename: 'DeleteSessionPayload', deletedSessionId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
   };

export type ToolsetSessionQueryVariables = Exact<{
  id: string | number;
}>;


export type ToolsetSessionQuery = { session:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'Session', running: boolean, safetyPolicy: SafetyPolicy, lastEventSeq: number, todos: Array<{ id: string, description: string, status: TodoStatus }>, turn: { id: string, state: TurnState, pendingToolCall: { toolCallId: string, tool: string, arguments: string } | null, elicitation: { elicitationId: string, server: string, message: string, requestedSchema: unknown } | null } | null, messages: { edges: Array<{ node: { role: string, content: string, turnId: string | null, toolCallId: string | null, toolName: string | null, isError: boolean, toolCalls: Array<{ id: string, name: string, arguments: string }> } }> } }
    | { __typename: 'SessionNotFound', message: string }
   };

export type ToolsetResumeTurnMutationVariables = Exact<{
  input: ResumeTurnInput;
}>;


export type ToolsetResumeTurnMutation = { resumeTurn:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnNotAwaiting', message: string }
    | { __typename: 'TurnPayload', turnId: string }
   };

export type ToolsetAnswerElicitationMutationVariables = Exact<{
  input: AnswerElicitationInput;
}>;


export type ToolsetAnswerElicitationMutation = { answerElicitation:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnNotAwaiting', message: string, sessionId: string }
    | { __typename: 'TurnPayload', turnId: string }
   };

export type ToolsetEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type ToolsetEventsSubscription = { sessionEvents:
    | { __typename: 'AssistantDeltaEvent', seq: number, agentName: string | null }
    | { __typename: 'CurrentAgentSwitchedEvent', seq: number, agentName: string | null }
    | { __typename: 'ElicitationRequestEvent', turnId: string, elicitationId: string, server: string, message: string, requestedSchema: unknown, seq: number, agentName: string | null }
    | { __typename: 'GapEvent', seq: number, agentName: string | null }
    | { __typename: 'MaxIterationsReachedEvent', seq: number, agentName: string | null }
    | { __typename: 'MessageAddedEvent', seq: number, agentName: string | null }
    | { __typename: 'MessageUpdatedEvent', seq: number, agentName: string | null }
    | { __typename: 'ModelChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'ModelFallbackEvent', seq: number, agentName: string | null }
    | { __typename: 'PermissionsChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'ReasoningDeltaEvent', seq: number, agentName: string | null }
    | { __typename: 'SafetyPolicyChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionCreatedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionExitedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionStartedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionStoppedEvent', seq: number, agentName: string | null }
    | { __typename: 'StarredChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'TitleChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'TodosChangedEvent', seq: number, agentName: string | null, todos: Array<{ id: string, description: string, status: TodoStatus }> }
    | { __typename: 'TokenUsageUpdatedEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallConfirmationEvent', turnId: string, toolCallId: string, tool: string, arguments: string, seq: number, agentName: string | null }
    | { __typename: 'ToolCallDeltaEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallEvent', turnId: string, toolCallId: string, tool: string, arguments: string, seq: number, agentName: string | null }
    | { __typename: 'ToolCallResultEvent', turnId: string, toolCallId: string, tool: string, output: string, isError: boolean, seq: number, agentName: string | null }
    | { __typename: 'ToolsetFailedEvent', toolset: string, message: string, seq: number, agentName: string | null }
    | { __typename: 'TurnEndedEvent', turnId: string, reason: TurnEndReason, seq: number, agentName: string | null }
    | { __typename: 'TurnFailedEvent', seq: number, agentName: string | null }
    | { __typename: 'TurnResumedEvent', turnId: string, decision: string, seq: number, agentName: string | null, resumedCall: string | null }
    | { __typename: 'TurnStartedEvent', turnId: string, seq: number, agentName: string | null }
   };

export type RunTurnMutationVariables = Exact<{
  input: RunTurnInput;
}>;


export type RunTurnMutation = { runTurn:
    | { __typename: 'AgentNotFound', message: string, availableAgents: Array<string> }
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'InvalidModelRef', message: string, reason: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionBusy', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnPayload', turnId: string, session: { id: string, turn: { id: string, state: TurnState, agentName: string, model: string } | null } }
   };

export type CancelTurnMutationVariables = Exact<{
  sessionId: string | number;
}>;


export type CancelTurnMutation = { cancelTurn:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnNotRunning', message: string }
    | { __typename: 'TurnPayload', turnId: string, session: { turn: { id: string } | null } }
   };

export type SessionTurnQueryVariables = Exact<{
  id: string | number;
}>;


export type SessionTurnQuery = { session:
    | { message: string }
    | { inputTokens: number, outputTokens: number, cost: number, turn: { id: string, state: TurnState, agentName: string, model: string } | null, messages: { edges: Array<{ node: { role: string, content: string, cancelled: boolean, turnId: string | null, agentName: string | null } }> } }
    | { message: string }
   };

export type TurnEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type TurnEventsSubscription = { sessionEvents:
    | { __typename: 'AssistantDeltaEvent', turnId: string, index: number, content: string, seq: number, agentName: string | null }
    | { __typename: 'CurrentAgentSwitchedEvent', seq: number, agentName: string | null }
    | { __typename: 'ElicitationRequestEvent', seq: number, agentName: string | null }
    | { __typename: 'GapEvent', seq: number, agentName: string | null }
    | { __typename: 'MaxIterationsReachedEvent', seq: number, agentName: string | null }
    | { __typename: 'MessageAddedEvent', role: string, seq: number, agentName: string | null }
    | { __typename: 'MessageUpdatedEvent', seq: number, agentName: string | null }
    | { __typename: 'ModelChangedEvent', modelRef: string | null, seq: number, agentName: string | null }
    | { __typename: 'ModelFallbackEvent', seq: number, agentName: string | null }
    | { __typename: 'PermissionsChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'ReasoningDeltaEvent', turnId: string, index: number, content: string, seq: number, agentName: string | null }
    | { __typename: 'SafetyPolicyChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionCreatedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionExitedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionStartedEvent', seq: number, agentName: string | null }
    | { __typename: 'SessionStoppedEvent', seq: number, agentName: string | null }
    | { __typename: 'StarredChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'TitleChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'TodosChangedEvent', seq: number, agentName: string | null }
    | { __typename: 'TokenUsageUpdatedEvent', inputTokens: number, outputTokens: number, cost: number, seq: number, agentName: string | null }
    | { __typename: 'ToolCallConfirmationEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallDeltaEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolCallResultEvent', seq: number, agentName: string | null }
    | { __typename: 'ToolsetFailedEvent', seq: number, agentName: string | null }
    | { __typename: 'TurnEndedEvent', turnId: string, reason: TurnEndReason, seq: number, agentName: string | null }
    | { __typename: 'TurnFailedEvent', code: string, message: string, retryable: boolean, seq: number, agentName: string | null }
    | { __typename: 'TurnResumedEvent', seq: number, agentName: string | null }
    | { __typename: 'TurnStartedEvent', turnId: string, model: string, seq: number, agentName: string | null }
   };

export type ResumeTurnMutationVariables = Exact<{
  input: ResumeTurnInput;
}>;


export type ResumeTurnMutation = { resumeTurn:
    | { __typename: 'CommitOutcomeUnknown', message: string }
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'RuntimeUnreachable', message: string }
    | { __typename: 'SessionNotFound', message: string }
    | { __typename: 'SessionNotRunning', message: string }
    | { __typename: 'TurnNotAwaiting', message: string }
    | { __typename: 'TurnPayload', turnId: string }
   };

export type SetSafetyPolicyMutationVariables = Exact<{
  sessionId: string | number;
  safetyPolicy: SafetyPolicy;
}>;


export type SetSafetyPolicyMutation = { setSessionSafetyPolicy:
    | { __typename: 'CommitOutcomeUnknown' }
    | { __typename: 'InvalidInput' }
    | { __typename: 'PersistenceFailed' }
    | { __typename: 'Session', safetyPolicy: SafetyPolicy }
    | { __typename: 'SessionNotFound' }
   };

export type ToolTurnQueryVariables = Exact<{
  id: string | number;
}>;


export type ToolTurnQuery = { session:
    | { toolsApproved: boolean, permissions: { allow: Array<string>, ask: Array<string>, deny: Array<string> }, turn: { id: string, state: TurnState, maxIterations: number | null, pendingToolCall: { toolCallId: string, tool: string, arguments: string } | null } | null, messages: { edges: Array<{ node: { role: string, content: string, toolCallId: string | null, toolName: string | null, isError: boolean, toolCalls: Array<{ id: string, name: string, arguments: string }> } }> } }
    | Record<PropertyKey, never>
   };

export type ToolEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type ToolEventsSubscription = { sessionEvents:
    | { __typename: 'AssistantDeltaEvent', seq: number }
    | { __typename: 'CurrentAgentSwitchedEvent', seq: number }
    | { __typename: 'ElicitationRequestEvent', seq: number }
    | { __typename: 'GapEvent', seq: number }
    | { __typename: 'MaxIterationsReachedEvent', seq: number }
    | { __typename: 'MessageAddedEvent', seq: number }
    | { __typename: 'MessageUpdatedEvent', seq: number }
    | { __typename: 'ModelChangedEvent', seq: number }
    | { __typename: 'ModelFallbackEvent', seq: number }
    | { __typename: 'PermissionsChangedEvent', seq: number }
    | { __typename: 'ReasoningDeltaEvent', seq: number }
    | { __typename: 'SafetyPolicyChangedEvent', seq: number }
    | { __typename: 'SessionCreatedEvent', seq: number }
    | { __typename: 'SessionExitedEvent', seq: number }
    | { __typename: 'SessionStartedEvent', seq: number }
    | { __typename: 'SessionStoppedEvent', seq: number }
    | { __typename: 'StarredChangedEvent', seq: number }
    | { __typename: 'TitleChangedEvent', seq: number }
    | { __typename: 'TodosChangedEvent', seq: number }
    | { __typename: 'TokenUsageUpdatedEvent', seq: number }
    | { __typename: 'ToolCallConfirmationEvent', toolCallId: string, tool: string, arguments: string, seq: number }
    | { __typename: 'ToolCallDeltaEvent', toolCallId: string, tool: string, argumentsDelta: string, seq: number }
    | { __typename: 'ToolCallEvent', toolCallId: string, tool: string, seq: number }
    | { __typename: 'ToolCallResultEvent', toolCallId: string, tool: string, output: string, isError: boolean, seq: number }
    | { __typename: 'ToolsetFailedEvent', seq: number }
    | { __typename: 'TurnEndedEvent', reason: TurnEndReason, seq: number }
    | { __typename: 'TurnFailedEvent', seq: number }
    | { __typename: 'TurnResumedEvent', decision: string, seq: number, decidedCall: string | null }
    | { __typename: 'TurnStartedEvent', seq: number }
   };

export const SessionDetailsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SessionDetails"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"workingDir"}},{"kind":"Field","name":{"kind":"Name","value":"starred"}},{"kind":"Field","name":{"kind":"Name","value":"safetyPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}},{"kind":"Field","name":{"kind":"Name","value":"attributes"}},{"kind":"Field","name":{"kind":"Name","value":"forkedFromId"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allow"}},{"kind":"Field","name":{"kind":"Name","value":"ask"}},{"kind":"Field","name":{"kind":"Name","value":"deny"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxIterations"}},{"kind":"Field","name":{"kind":"Name","value":"maxConsecutiveToolCalls"}},{"kind":"Field","name":{"kind":"Name","value":"maxOldToolCallTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SessionDetailsFragment, unknown>;
export const NodesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Nodes"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<NodesQuery, NodesQueryVariables>;
export const SessionsAfterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SessionsAfter"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SessionsAfterQuery, SessionsAfterQueryVariables>;
export const MessagesAfterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MessagesAfter"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"content"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<MessagesAfterQuery, MessagesAfterQueryVariables>;
export const AddNoteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddNote"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<AddNoteMutation, AddNoteMutationVariables>;
export const LimitsBigPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LimitsBigPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessions"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messages"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessions"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"starred"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"attributes"}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messages"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<LimitsBigPageQuery, LimitsBigPageQueryVariables>;
export const LimitsNestedPagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LimitsNestedPages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<LimitsNestedPagesQuery, LimitsNestedPagesQueryVariables>;
export const LimitsTwoNodeListsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LimitsTwoNodeLists"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"a"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"b"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"a"},"name":{"kind":"Name","value":"nodes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"a"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"b"},"name":{"kind":"Name","value":"nodes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"b"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<LimitsTwoNodeListsQuery, LimitsTwoNodeListsQueryVariables>;
export const LimitsTypenameDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LimitsTypename"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]} as unknown as DocumentNode<LimitsTypenameQuery, LimitsTypenameQueryVariables>;
export const ListSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"running"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ListSessionsQuery, ListSessionsQueryVariables>;
export const AgentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Agents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"modelSwitching"}},{"kind":"Field","name":{"kind":"Name","value":"agents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"subAgents"}}]}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"model"}}]}}]}}]}}]} as unknown as DocumentNode<AgentsQuery, AgentsQueryVariables>;
export const ReadSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReadSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"SessionDetails"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SessionDetails"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"workingDir"}},{"kind":"Field","name":{"kind":"Name","value":"starred"}},{"kind":"Field","name":{"kind":"Name","value":"safetyPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}},{"kind":"Field","name":{"kind":"Name","value":"attributes"}},{"kind":"Field","name":{"kind":"Name","value":"forkedFromId"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allow"}},{"kind":"Field","name":{"kind":"Name","value":"ask"}},{"kind":"Field","name":{"kind":"Name","value":"deny"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxIterations"}},{"kind":"Field","name":{"kind":"Name","value":"maxConsecutiveToolCalls"}},{"kind":"Field","name":{"kind":"Name","value":"maxOldToolCallTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReadSessionQuery, ReadSessionQueryVariables>;
export const CreateDetailedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateDetailed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"SessionDetails"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SessionDetails"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"workingDir"}},{"kind":"Field","name":{"kind":"Name","value":"starred"}},{"kind":"Field","name":{"kind":"Name","value":"safetyPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}},{"kind":"Field","name":{"kind":"Name","value":"attributes"}},{"kind":"Field","name":{"kind":"Name","value":"forkedFromId"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allow"}},{"kind":"Field","name":{"kind":"Name","value":"ask"}},{"kind":"Field","name":{"kind":"Name","value":"deny"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxIterations"}},{"kind":"Field","name":{"kind":"Name","value":"maxConsecutiveToolCalls"}},{"kind":"Field","name":{"kind":"Name","value":"maxOldToolCallTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CreateDetailedMutation, CreateDetailedMutationVariables>;
export const UpdateTitleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateTitle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSessionTitleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSessionTitle"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateTitleMutation, UpdateTitleMutationVariables>;
export const SetStarredDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetStarred"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionStarredInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSessionStarred"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"starred"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SetStarredMutation, SetStarredMutationVariables>;
export const UpdatePermissionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdatePermissions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSessionPermissionsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSessionPermissions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"permissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allow"}},{"kind":"Field","name":{"kind":"Name","value":"ask"}},{"kind":"Field","name":{"kind":"Name","value":"deny"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<UpdatePermissionsMutation, UpdatePermissionsMutationVariables>;
export const UpdateTokensDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateTokens"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSessionTokensInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSessionTokens"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateTokensMutation, UpdateTokensMutationVariables>;
export const SwitchAgentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SwitchAgent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchAgentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"switchAgent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchAgentPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"previousAgentName"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AgentNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"availableAgents"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SwitchAgentMutation, SwitchAgentMutationVariables>;
export const AddMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<AddMessageMutation, AddMessageMutationVariables>;
export const UpdateMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateMessageMutation, UpdateMessageMutationVariables>;
export const DeleteSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteSessionsPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedSessionIds"}},{"kind":"Field","name":{"kind":"Name","value":"failures"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteSessionsMutation, DeleteSessionsMutationVariables>;
export const ExportSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ExportSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"exportSessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ExportSessionsPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"json"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<ExportSessionsMutation, ExportSessionsMutationVariables>;
export const ForkSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ForkSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ForkSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"forkSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"SessionDetails"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SessionDetails"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"workingDir"}},{"kind":"Field","name":{"kind":"Name","value":"starred"}},{"kind":"Field","name":{"kind":"Name","value":"safetyPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}},{"kind":"Field","name":{"kind":"Name","value":"attributes"}},{"kind":"Field","name":{"kind":"Name","value":"forkedFromId"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allow"}},{"kind":"Field","name":{"kind":"Name","value":"ask"}},{"kind":"Field","name":{"kind":"Name","value":"deny"}}]}},{"kind":"Field","name":{"kind":"Name","value":"limits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxIterations"}},{"kind":"Field","name":{"kind":"Name","value":"maxConsecutiveToolCalls"}},{"kind":"Field","name":{"kind":"Name","value":"maxOldToolCallTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ForkSessionMutation, ForkSessionMutationVariables>;
export const SearchSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"SessionFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"SessionOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<SearchSessionsQuery, SearchSessionsQueryVariables>;
export const DashboardPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DashboardPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<DashboardPageQuery, DashboardPageQueryVariables>;
export const NodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Node"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"content"}}]}}]}}]}}]} as unknown as DocumentNode<NodeQuery, NodeQueryVariables>;
export const ServerInstancesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ServerInstances"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serverInstances"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"self"}},{"kind":"Field","name":{"kind":"Name","value":"sessions"}},{"kind":"Field","name":{"kind":"Name","value":"runtimes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"modelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"turnState"}}]}}]}}]}}]} as unknown as DocumentNode<ServerInstancesQuery, ServerInstancesQueryVariables>;
export const ClusterSetModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ClusterSetModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSessionAgentModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}},{"kind":"Field","name":{"kind":"Name","value":"previousModelRef"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}}]}}]}}]} as unknown as DocumentNode<ClusterSetModelMutation, ClusterSetModelMutationVariables>;
export const ClusterSwitchAgentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ClusterSwitchAgent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchAgentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"switchAgent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchAgentPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"previousAgentName"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}}]}}]}}]} as unknown as DocumentNode<ClusterSwitchAgentMutation, ClusterSwitchAgentMutationVariables>;
export const ClusterStartSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ClusterStartSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"runningOn"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ClusterStartSessionMutation, ClusterStartSessionMutationVariables>;
export const ClusterStopSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ClusterStopSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stopSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"runningOn"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}}]}}]}}]} as unknown as DocumentNode<ClusterStopSessionMutation, ClusterStopSessionMutationVariables>;
export const ClusterSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ClusterSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"runningOn"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ClusterSessionQuery, ClusterSessionQueryVariables>;
export const ClusterSessionEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ClusterSessionEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionStartedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"instanceId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionStoppedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ModelChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CurrentAgentSwitchedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previousAgentName"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GapEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"missedFrom"}},{"kind":"Field","name":{"kind":"Name","value":"missedTo"}}]}}]}}]}}]} as unknown as DocumentNode<ClusterSessionEventsSubscription, ClusterSessionEventsSubscriptionVariables>;
export const SessionEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SessionEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ModelChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelRef"}},{"kind":"Field","name":{"kind":"Name","value":"previousModelRef"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GapEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"missedFrom"}},{"kind":"Field","name":{"kind":"Name","value":"missedTo"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionExitedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionCreatedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TitleChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"previousTitle"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StarredChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"starred"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PermissionsChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allow"}},{"kind":"Field","name":{"kind":"Name","value":"ask"}},{"kind":"Field","name":{"kind":"Name","value":"deny"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageAddedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageUpdatedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TokenUsageUpdatedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CurrentAgentSwitchedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previousAgentName"}}]}}]}}]}}]} as unknown as DocumentNode<SessionEventsSubscription, SessionEventsSubscriptionVariables>;
export const HeavySessionEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"HeavySessionEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}}]}}]}}]}}]}}]} as unknown as DocumentNode<HeavySessionEventsSubscription, HeavySessionEventsSubscriptionVariables>;
export const SessionsChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SessionsChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionsChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]}}]} as unknown as DocumentNode<SessionsChangedSubscription, SessionsChangedSubscriptionVariables>;
export const ResumeSessionsChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ResumeSessionsChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionsChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]}}]} as unknown as DocumentNode<ResumeSessionsChangedSubscription, ResumeSessionsChangedSubscriptionVariables>;
export const DeleteSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteSessionPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedSessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteSessionMutation, DeleteSessionMutationVariables>;
export const LeaseInstancesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LeaseInstances"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serverInstances"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"self"}},{"kind":"Field","name":{"kind":"Name","value":"sessions"}},{"kind":"Field","name":{"kind":"Name","value":"runtimes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"modelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"turnState"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseInstancesQuery, LeaseInstancesQueryVariables>;
export const LeaseSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LeaseSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"runningOn"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"turn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"pendingToolCall"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tool"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseSessionQuery, LeaseSessionQueryVariables>;
export const LeaseSetModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseSetModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSessionAgentModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}},{"kind":"Field","name":{"kind":"Name","value":"previousModelRef"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidModelRef"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectedRef"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionNotRunning"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseSetModelMutation, LeaseSetModelMutationVariables>;
export const LeaseSwitchAgentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseSwitchAgent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchAgentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"switchAgent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchAgentPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"previousAgentName"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AgentNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"availableAgents"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionNotRunning"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseSwitchAgentMutation, LeaseSwitchAgentMutationVariables>;
export const LeaseRunTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseRunTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RunTurnInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runTurn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseRunTurnMutation, LeaseRunTurnMutationVariables>;
export const LeaseResumeTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseResumeTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResumeTurnInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumeTurn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseResumeTurnMutation, LeaseResumeTurnMutationVariables>;
export const LeaseCancelTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseCancelTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelTurn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"turn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseCancelTurnMutation, LeaseCancelTurnMutationVariables>;
export const LeaseStartSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseStartSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"runningOn"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseStartSessionMutation, LeaseStartSessionMutationVariables>;
export const LeaseStopSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseStopSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stopSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"runningOn"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseStopSessionMutation, LeaseStopSessionMutationVariables>;
export const LeaseDeleteSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseDeleteSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteSessionPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedSessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RuntimeUnreachable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"instanceId"}},{"kind":"Field","name":{"kind":"Name","value":"delivered"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseDeleteSessionMutation, LeaseDeleteSessionMutationVariables>;
export const LeaseSetTitleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaseSetTitle"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSessionTitleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSessionTitle"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseSetTitleMutation, LeaseSetTitleMutationVariables>;
export const LeaseEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LeaseEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionStartedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"instanceId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionStoppedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"stopReason"},"name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ModelChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CurrentAgentSwitchedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previousAgentName"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnEndedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","alias":{"kind":"Name","value":"endReason"},"name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionExitedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"exitReason"},"name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TitleChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]}}]} as unknown as DocumentNode<LeaseEventsSubscription, LeaseEventsSubscriptionVariables>;
export const CreateSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"workingDir"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TeamNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"availableTeams"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidModelRef"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectedRef"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedForms"}}]}}]}}]}}]} as unknown as DocumentNode<CreateSessionMutation, CreateSessionMutationVariables>;
export const SetModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSessionAgentModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}},{"kind":"Field","name":{"kind":"Name","value":"previousModelRef"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidModelRef"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectedRef"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedForms"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionNotRunning"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}}]}}]}}]} as unknown as DocumentNode<SetModelMutation, SetModelMutationVariables>;
export const GetSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GetSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"isCustom"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}}]}}]}}]} as unknown as DocumentNode<GetSessionQuery, GetSessionQueryVariables>;
export const StartSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StartSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<StartSessionMutation, StartSessionMutationVariables>;
export const StopSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StopSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stopSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<StopSessionMutation, StopSessionMutationVariables>;
export const OutcomeSetModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeSetModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSessionAgentModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}},{"kind":"Field","name":{"kind":"Name","value":"previousModelRef"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CommitOutcomeUnknown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeSetModelMutation, OutcomeSetModelMutationVariables>;
export const OutcomeSwitchAgentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeSwitchAgent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchAgentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"switchAgent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SwitchAgentPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"previousAgentName"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CommitOutcomeUnknown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeSwitchAgentMutation, OutcomeSwitchAgentMutationVariables>;
export const OutcomeStartSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeStartSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CommitOutcomeUnknown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeStartSessionMutation, OutcomeStartSessionMutationVariables>;
export const OutcomeStopSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeStopSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stopSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CommitOutcomeUnknown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeStopSessionMutation, OutcomeStopSessionMutationVariables>;
export const OutcomeCreateSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeCreateSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CommitOutcomeUnknown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeCreateSessionMutation, OutcomeCreateSessionMutationVariables>;
export const OutcomeForkSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeForkSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ForkSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"forkSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"forkedFromId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CommitOutcomeUnknown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeForkSessionMutation, OutcomeForkSessionMutationVariables>;
export const OutcomeDeleteSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeDeleteSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteSessionPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedSessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CommitOutcomeUnknown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeDeleteSessionMutation, OutcomeDeleteSessionMutationVariables>;
export const ToolsetSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ToolsetSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"safetyPolicy"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"todos"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"turn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"pendingToolCall"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"elicitation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"elicitationId"}},{"kind":"Field","name":{"kind":"Name","value":"server"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"requestedSchema"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}},{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"toolCalls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"toolName"}},{"kind":"Field","name":{"kind":"Name","value":"isError"}}]}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ToolsetSessionQuery, ToolsetSessionQueryVariables>;
export const ToolsetResumeTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ToolsetResumeTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResumeTurnInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumeTurn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ToolsetResumeTurnMutation, ToolsetResumeTurnMutationVariables>;
export const ToolsetAnswerElicitationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ToolsetAnswerElicitation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AnswerElicitationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"answerElicitation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnNotAwaiting"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<ToolsetAnswerElicitationMutation, ToolsetAnswerElicitationMutationVariables>;
export const ToolsetEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ToolsetEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnStartedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolCallConfirmationEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolCallEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolCallResultEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}},{"kind":"Field","name":{"kind":"Name","value":"output"}},{"kind":"Field","name":{"kind":"Name","value":"isError"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolsetFailedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"toolset"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ElicitationRequestEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"elicitationId"}},{"kind":"Field","name":{"kind":"Name","value":"server"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"requestedSchema"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnResumedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"decision"}},{"kind":"Field","alias":{"kind":"Name","value":"resumedCall"},"name":{"kind":"Name","value":"toolCallId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TodosChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"todos"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnEndedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<ToolsetEventsSubscription, ToolsetEventsSubscriptionVariables>;
export const RunTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RunTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RunTurnInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runTurn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"turn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"model"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AgentNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"availableAgents"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidModelRef"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<RunTurnMutation, RunTurnMutationVariables>;
export const CancelTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelTurn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CancelTurnMutation, CancelTurnMutationVariables>;
export const SessionTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SessionTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}},{"kind":"Field","name":{"kind":"Name","value":"turn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"model"}}]}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}},{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}}]}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SessionTurnQuery, SessionTurnQueryVariables>;
export const TurnEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"TurnEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnStartedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"model"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageAddedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AssistantDeltaEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ReasoningDeltaEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TokenUsageUpdatedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputTokens"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnFailedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnEndedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ModelChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}}]}}]}}]} as unknown as DocumentNode<TurnEventsSubscription, TurnEventsSubscriptionVariables>;
export const ResumeTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ResumeTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ResumeTurnInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumeTurn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"turnId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}}]}}]}}]} as unknown as DocumentNode<ResumeTurnMutation, ResumeTurnMutationVariables>;
export const SetSafetyPolicyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetSafetyPolicy"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"safetyPolicy"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SafetyPolicy"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSessionSafetyPolicy"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"safetyPolicy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"safetyPolicy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"safetyPolicy"}}]}}]}}]}}]} as unknown as DocumentNode<SetSafetyPolicyMutation, SetSafetyPolicyMutationVariables>;
export const ToolTurnDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ToolTurn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"toolsApproved"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allow"}},{"kind":"Field","name":{"kind":"Name","value":"ask"}},{"kind":"Field","name":{"kind":"Name","value":"deny"}}]}},{"kind":"Field","name":{"kind":"Name","value":"turn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"maxIterations"}},{"kind":"Field","name":{"kind":"Name","value":"pendingToolCall"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"content"}},{"kind":"Field","name":{"kind":"Name","value":"toolCalls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"toolName"}},{"kind":"Field","name":{"kind":"Name","value":"isError"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ToolTurnQuery, ToolTurnQueryVariables>;
export const ToolEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ToolEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolCallDeltaEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}},{"kind":"Field","name":{"kind":"Name","value":"argumentsDelta"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolCallConfirmationEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnResumedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"decision"}},{"kind":"Field","alias":{"kind":"Name","value":"decidedCall"},"name":{"kind":"Name","value":"toolCallId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolCallEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ToolCallResultEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"toolCallId"}},{"kind":"Field","name":{"kind":"Name","value":"tool"}},{"kind":"Field","name":{"kind":"Name","value":"output"}},{"kind":"Field","name":{"kind":"Name","value":"isError"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TurnEndedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<ToolEventsSubscription, ToolEventsSubscriptionVariables>;