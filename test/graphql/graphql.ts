/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AgentModelOverrideInput = {
  agentName: string;
  /** A model name of the team, or an inline ref. */
  modelRef: string;
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

export type PermissionsInput = {
  allow: Array<string>;
  ask: Array<string>;
  deny: Array<string>;
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
  | 'CREATED'
  | 'DELETED'
  | 'UPDATED';

export type SessionLimitsInput = {
  maxConsecutiveToolCalls?: number | null | undefined;
  maxIterations?: number | null | undefined;
  maxOldToolCallTokens?: number | null | undefined;
};

export type SetSessionAgentModelInput = {
  /** A model name of the team, an inline `provider/model` or alloy ref, or "" to clear the override. */
  modelRef: string;
  sessionId: string | number;
};

export type ListSessionsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListSessionsQuery = { sessions: { edges: Array<{ cursor: string, node: { id: string, title: string, running: boolean } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type AgentsQueryVariables = Exact<{ [key: string]: never; }>;


export type AgentsQuery = { agents: Array<{ name: string, modelSwitching: boolean, agents: Array<{ name: string, model: string, subAgents: Array<string> }>, models: Array<{ name: string, provider: string, model: string }> }> };

export type SessionEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type SessionEventsSubscription = { sessionEvents:
    | { __typename: 'CurrentAgentSwitchedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'GapEvent', missedFrom: number, missedTo: number, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'MessageAddedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'MessageUpdatedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'ModelChangedEvent', modelRef: string | null, previousModelRef: string | null, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'PermissionsChangedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SessionCreatedEvent', title: string, team: string, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SessionExitedEvent', reason: string, seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SessionStartedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'SessionStoppedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'StarredChangedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TitleChangedEvent', seq: number, agentName: string | null, sessionId: string }
    | { __typename: 'TokenUsageUpdatedEvent', seq: number, agentName: string | null, sessionId: string }
   };

export type HeavySessionEventsSubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: number | null | undefined;
}>;


export type HeavySessionEventsSubscription = { sessionEvents:
    | { __typename: 'CurrentAgentSwitchedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'GapEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'MessageAddedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'MessageUpdatedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'ModelChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'PermissionsChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SessionCreatedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SessionExitedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SessionStartedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'SessionStoppedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'StarredChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TitleChangedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
    | { __typename: 'TokenUsageUpdatedEvent', seq: number, session: { title: string, customModelsUsed: Array<string>, availableModels: Array<{ name: string, ref: string, provider: string, model: string, isCurrent: boolean }> } | null }
   };

export type SessionsChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type SessionsChangedSubscription = { sessionsChanged: { kind: SessionChangeKind, sessionId: string, seq: number, session: { title: string } | null } };

export type DeleteSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteSessionMutation = { deleteSession:
    | { __typename: 'DeleteSessionPayload', deletedSessionId: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'SessionNotFound', message: string }
   };

export type CreateSessionMutationVariables = Exact<{
  input: CreateSessionInput;
}>;


export type CreateSessionMutation = { createSession:
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
    | { __typename: 'InvalidInput', message: string, field: string }
    | { __typename: 'InvalidModelRef', message: string, rejectedRef: string, reason: string, acceptedForms: string }
    | { __typename: 'ModelSwitchingNotSupported', message: string }
    | { __typename: 'PersistenceFailed', message: string, retryable: boolean, incidentId: string }
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
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'PersistenceFailed', message: string }
    | { __typename: 'Session', id: string, running: boolean }
    | { __typename: 'SessionNotFound', message: string }
   };


export const ListSessionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"running"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ListSessionsQuery, ListSessionsQueryVariables>;
export const AgentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Agents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"modelSwitching"}},{"kind":"Field","name":{"kind":"Name","value":"agents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"subAgents"}}]}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"model"}}]}}]}}]}}]} as unknown as DocumentNode<AgentsQuery, AgentsQueryVariables>;
export const SessionEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SessionEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ModelChangedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelRef"}},{"kind":"Field","name":{"kind":"Name","value":"previousModelRef"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GapEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"missedFrom"}},{"kind":"Field","name":{"kind":"Name","value":"missedTo"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionExitedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionCreatedEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}}]}}]}}]}}]} as unknown as DocumentNode<SessionEventsSubscription, SessionEventsSubscriptionVariables>;
export const HeavySessionEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"HeavySessionEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}}]}}]}}]}}]}}]} as unknown as DocumentNode<HeavySessionEventsSubscription, HeavySessionEventsSubscriptionVariables>;
export const SessionsChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SessionsChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionsChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]}}]} as unknown as DocumentNode<SessionsChangedSubscription, SessionsChangedSubscriptionVariables>;
export const DeleteSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteSessionPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedSessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteSessionMutation, DeleteSessionMutationVariables>;
export const CreateSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"workingDir"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TeamNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"availableTeams"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidModelRef"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectedRef"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedForms"}}]}}]}}]}}]} as unknown as DocumentNode<CreateSessionMutation, CreateSessionMutationVariables>;
export const SetModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSessionAgentModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SetSessionAgentModelPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}},{"kind":"Field","name":{"kind":"Name","value":"previousModelRef"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidModelRef"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectedRef"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedForms"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PersistenceFailed"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"incidentId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionNotRunning"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}}]}}]}}]} as unknown as DocumentNode<SetModelMutation, SetModelMutationVariables>;
export const GetSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"GetSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"session"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"team"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"currentAgent"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"lastEventSeq"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"customModelsUsed"}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}},{"kind":"Field","name":{"kind":"Name","value":"isCustom"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidInput"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SessionNotFound"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}}]}}]}}]} as unknown as DocumentNode<GetSessionQuery, GetSessionQueryVariables>;
export const StartSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StartSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}},{"kind":"Field","name":{"kind":"Name","value":"agentModelOverrides"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentName"}},{"kind":"Field","name":{"kind":"Name","value":"modelRef"}}]}},{"kind":"Field","name":{"kind":"Name","value":"availableModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ref"}},{"kind":"Field","name":{"kind":"Name","value":"isCurrent"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<StartSessionMutation, StartSessionMutationVariables>;
export const StopSessionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StopSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stopSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Session"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"running"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<StopSessionMutation, StopSessionMutationVariables>;