/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n": typeof types.NodesDocument,
    "\n  query SessionsAfter($after: String) {\n    sessions(first: 5, after: $after) { edges { cursor node { id } } }\n  }\n": typeof types.SessionsAfterDocument,
    "\n  query MessagesAfter($id: ID!, $after: String) {\n    session(id: $id) {\n      __typename\n      ... on Session { messages(first: 5, after: $after) { edges { node { content } } } }\n    }\n  }\n": typeof types.MessagesAfterDocument,
    "\n  mutation AddNote($input: AddMessageInput!) {\n    addMessage(input: $input) { __typename ... on Message { id } }\n  }\n": typeof types.AddNoteDocument,
    "\n  query ListSessions($first: Int, $after: String) {\n    sessions(first: $first, after: $after) {\n      edges { cursor node { id title running } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ListSessionsDocument,
    "\n  query Agents {\n    agents { name modelSwitching agents { name model subAgents } models { name provider model } }\n  }\n": typeof types.AgentsDocument,
    "\n  fragment SessionDetails on Session {\n    id title team workingDir starred safetyPolicy inputTokens outputTokens cost attributes forkedFromId\n    currentAgent running version lastEventSeq\n    permissions { allow ask deny }\n    limits { maxIterations maxConsecutiveToolCalls maxOldToolCallTokens }\n    agentModelOverrides { agentName modelRef }\n    customModelsUsed\n    messages(first: 100) { totalCount edges { node { id position role agentName content } } }\n  }\n": typeof types.SessionDetailsFragmentDoc,
    "\n  query ReadSession($id: ID!) {\n    session(id: $id) { __typename ...SessionDetails ... on Error { message } }\n  }\n": typeof types.ReadSessionDocument,
    "\n  mutation CreateDetailed($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename ...SessionDetails\n      ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": typeof types.CreateDetailedDocument,
    "\n  mutation UpdateTitle($input: UpdateSessionTitleInput!) {\n    updateSessionTitle(input: $input) { __typename ... on Session { title version } ... on Error { message } ... on InvalidInput { field } }\n  }\n": typeof types.UpdateTitleDocument,
    "\n  mutation SetStarred($input: SetSessionStarredInput!) {\n    setSessionStarred(input: $input) { __typename ... on Session { starred } ... on Error { message } }\n  }\n": typeof types.SetStarredDocument,
    "\n  mutation UpdatePermissions($input: UpdateSessionPermissionsInput!) {\n    updateSessionPermissions(input: $input) {\n      __typename ... on Session { permissions { allow ask deny } } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": typeof types.UpdatePermissionsDocument,
    "\n  mutation UpdateTokens($input: UpdateSessionTokensInput!) {\n    updateSessionTokens(input: $input) {\n      __typename ... on Session { inputTokens outputTokens cost } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": typeof types.UpdateTokensDocument,
    "\n  mutation SwitchAgent($input: SwitchAgentInput!) {\n    switchAgent(input: $input) {\n      __typename\n      ... on SwitchAgentPayload { agentName previousAgentName seq session { currentAgent availableModels { ref isCurrent isDefault } } }\n      ... on AgentNotFound { availableAgents }\n      ... on Error { message }\n    }\n  }\n": typeof types.SwitchAgentDocument,
    "\n  mutation AddMessage($input: AddMessageInput!) {\n    addMessage(input: $input) { __typename ... on Message { id position role content } ... on Error { message } ... on InvalidInput { field } }\n  }\n": typeof types.AddMessageDocument,
    "\n  mutation UpdateMessage($input: UpdateMessageInput!) {\n    updateMessage(input: $input) { __typename ... on Message { id position content } ... on Error { message } ... on InvalidInput { field } }\n  }\n": typeof types.UpdateMessageDocument,
    "\n  mutation DeleteSessions($ids: [ID!]!) {\n    deleteSessions(ids: $ids) {\n      __typename\n      ... on DeleteSessionsPayload { deletedSessionIds failures { sessionId code message } }\n      ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": typeof types.DeleteSessionsDocument,
    "\n  mutation ExportSessions($ids: [ID!]!) {\n    exportSessions(ids: $ids) {\n      __typename ... on ExportSessionsPayload { count json } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": typeof types.ExportSessionsDocument,
    "\n  mutation ForkSession($input: ForkSessionInput!) {\n    forkSession(input: $input) { __typename ...SessionDetails ... on Error { message } ... on InvalidInput { field } }\n  }\n": typeof types.ForkSessionDocument,
    "\n  query SearchSessions($first: Int, $after: String, $filter: SessionFilter, $orderBy: SessionOrder) {\n    sessions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges { node { id title } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.SearchSessionsDocument,
    "\n  query DashboardPage($first: Int!) {\n    sessions(first: $first) {\n      totalCount\n      edges {\n        node {\n          id title running currentAgent\n          agentModelOverrides { agentName modelRef }\n          customModelsUsed\n          messages(last: 5) { totalCount edges { node { id role content } } }\n        }\n      }\n    }\n  }\n": typeof types.DashboardPageDocument,
    "\n  query Node($id: ID!) {\n    node(id: $id) { __typename id ... on Session { title } ... on Message { content } }\n  }\n": typeof types.NodeDocument,
    "\n  subscription SessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      agentName\n      sessionId\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { reason }\n      ... on SessionCreatedEvent { title team }\n      ... on TitleChangedEvent { title previousTitle }\n      ... on StarredChangedEvent { starred }\n      ... on PermissionsChangedEvent { allow ask deny }\n      ... on MessageAddedEvent { messageId role }\n      ... on MessageUpdatedEvent { messageId }\n      ... on TokenUsageUpdatedEvent { inputTokens outputTokens cost }\n      ... on CurrentAgentSwitchedEvent { previousAgentName }\n    }\n  }\n": typeof types.SessionEventsDocument,
    "\n  subscription HeavySessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      session { title customModelsUsed availableModels { name ref provider model isCurrent } }\n    }\n  }\n": typeof types.HeavySessionEventsDocument,
    "\n  subscription SessionsChanged {\n    sessionsChanged { kind sessionId seq session { title } }\n  }\n": typeof types.SessionsChangedDocument,
    "\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n    }\n  }\n": typeof types.DeleteSessionDocument,
    "\n  mutation CreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        workingDir\n        running\n        currentAgent\n        agentModelOverrides { agentName modelRef }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on TeamNotFound { team availableTeams }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n    }\n  }\n": typeof types.CreateSessionDocument,
    "\n  mutation SetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload {\n        agentName\n        modelRef\n        previousModelRef\n        seq\n        session { id version customModelsUsed availableModels { ref isCurrent } }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on SessionNotFound { sessionId }\n      ... on SessionNotRunning { sessionId }\n    }\n  }\n": typeof types.SetModelDocument,
    "\n  query GetSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        running\n        currentAgent\n        version\n        lastEventSeq\n        createdAt\n        updatedAt\n        agentModelOverrides { agentName modelRef }\n        customModelsUsed\n        availableModels { name ref provider model isDefault isCurrent isCustom }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on SessionNotFound { sessionId }\n    }\n  }\n": typeof types.GetSessionDocument,
    "\n  mutation StartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running agentModelOverrides { agentName modelRef } availableModels { ref isCurrent } }\n      ... on Error { message }\n    }\n  }\n": typeof types.StartSessionDocument,
    "\n  mutation StopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running }\n      ... on Error { message }\n    }\n  }\n": typeof types.StopSessionDocument,
    "\n  mutation OutcomeSetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef seq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": typeof types.OutcomeSetModelDocument,
    "\n  mutation OutcomeSwitchAgent($input: SwitchAgentInput!) {\n    switchAgent(input: $input) {\n      __typename\n      ... on SwitchAgentPayload { agentName previousAgentName seq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": typeof types.OutcomeSwitchAgentDocument,
    "\n  mutation OutcomeStartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": typeof types.OutcomeStartSessionDocument,
    "\n  mutation OutcomeStopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": typeof types.OutcomeStopSessionDocument,
    "\n  mutation OutcomeCreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": typeof types.OutcomeCreateSessionDocument,
    "\n  mutation OutcomeForkSession($input: ForkSessionInput!) {\n    forkSession(input: $input) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq forkedFromId }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": typeof types.OutcomeForkSessionDocument,
    "\n  mutation OutcomeDeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": typeof types.OutcomeDeleteSessionDocument,
};
const documents: Documents = {
    "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n": types.NodesDocument,
    "\n  query SessionsAfter($after: String) {\n    sessions(first: 5, after: $after) { edges { cursor node { id } } }\n  }\n": types.SessionsAfterDocument,
    "\n  query MessagesAfter($id: ID!, $after: String) {\n    session(id: $id) {\n      __typename\n      ... on Session { messages(first: 5, after: $after) { edges { node { content } } } }\n    }\n  }\n": types.MessagesAfterDocument,
    "\n  mutation AddNote($input: AddMessageInput!) {\n    addMessage(input: $input) { __typename ... on Message { id } }\n  }\n": types.AddNoteDocument,
    "\n  query ListSessions($first: Int, $after: String) {\n    sessions(first: $first, after: $after) {\n      edges { cursor node { id title running } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ListSessionsDocument,
    "\n  query Agents {\n    agents { name modelSwitching agents { name model subAgents } models { name provider model } }\n  }\n": types.AgentsDocument,
    "\n  fragment SessionDetails on Session {\n    id title team workingDir starred safetyPolicy inputTokens outputTokens cost attributes forkedFromId\n    currentAgent running version lastEventSeq\n    permissions { allow ask deny }\n    limits { maxIterations maxConsecutiveToolCalls maxOldToolCallTokens }\n    agentModelOverrides { agentName modelRef }\n    customModelsUsed\n    messages(first: 100) { totalCount edges { node { id position role agentName content } } }\n  }\n": types.SessionDetailsFragmentDoc,
    "\n  query ReadSession($id: ID!) {\n    session(id: $id) { __typename ...SessionDetails ... on Error { message } }\n  }\n": types.ReadSessionDocument,
    "\n  mutation CreateDetailed($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename ...SessionDetails\n      ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": types.CreateDetailedDocument,
    "\n  mutation UpdateTitle($input: UpdateSessionTitleInput!) {\n    updateSessionTitle(input: $input) { __typename ... on Session { title version } ... on Error { message } ... on InvalidInput { field } }\n  }\n": types.UpdateTitleDocument,
    "\n  mutation SetStarred($input: SetSessionStarredInput!) {\n    setSessionStarred(input: $input) { __typename ... on Session { starred } ... on Error { message } }\n  }\n": types.SetStarredDocument,
    "\n  mutation UpdatePermissions($input: UpdateSessionPermissionsInput!) {\n    updateSessionPermissions(input: $input) {\n      __typename ... on Session { permissions { allow ask deny } } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": types.UpdatePermissionsDocument,
    "\n  mutation UpdateTokens($input: UpdateSessionTokensInput!) {\n    updateSessionTokens(input: $input) {\n      __typename ... on Session { inputTokens outputTokens cost } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": types.UpdateTokensDocument,
    "\n  mutation SwitchAgent($input: SwitchAgentInput!) {\n    switchAgent(input: $input) {\n      __typename\n      ... on SwitchAgentPayload { agentName previousAgentName seq session { currentAgent availableModels { ref isCurrent isDefault } } }\n      ... on AgentNotFound { availableAgents }\n      ... on Error { message }\n    }\n  }\n": types.SwitchAgentDocument,
    "\n  mutation AddMessage($input: AddMessageInput!) {\n    addMessage(input: $input) { __typename ... on Message { id position role content } ... on Error { message } ... on InvalidInput { field } }\n  }\n": types.AddMessageDocument,
    "\n  mutation UpdateMessage($input: UpdateMessageInput!) {\n    updateMessage(input: $input) { __typename ... on Message { id position content } ... on Error { message } ... on InvalidInput { field } }\n  }\n": types.UpdateMessageDocument,
    "\n  mutation DeleteSessions($ids: [ID!]!) {\n    deleteSessions(ids: $ids) {\n      __typename\n      ... on DeleteSessionsPayload { deletedSessionIds failures { sessionId code message } }\n      ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": types.DeleteSessionsDocument,
    "\n  mutation ExportSessions($ids: [ID!]!) {\n    exportSessions(ids: $ids) {\n      __typename ... on ExportSessionsPayload { count json } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n": types.ExportSessionsDocument,
    "\n  mutation ForkSession($input: ForkSessionInput!) {\n    forkSession(input: $input) { __typename ...SessionDetails ... on Error { message } ... on InvalidInput { field } }\n  }\n": types.ForkSessionDocument,
    "\n  query SearchSessions($first: Int, $after: String, $filter: SessionFilter, $orderBy: SessionOrder) {\n    sessions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges { node { id title } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.SearchSessionsDocument,
    "\n  query DashboardPage($first: Int!) {\n    sessions(first: $first) {\n      totalCount\n      edges {\n        node {\n          id title running currentAgent\n          agentModelOverrides { agentName modelRef }\n          customModelsUsed\n          messages(last: 5) { totalCount edges { node { id role content } } }\n        }\n      }\n    }\n  }\n": types.DashboardPageDocument,
    "\n  query Node($id: ID!) {\n    node(id: $id) { __typename id ... on Session { title } ... on Message { content } }\n  }\n": types.NodeDocument,
    "\n  subscription SessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      agentName\n      sessionId\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { reason }\n      ... on SessionCreatedEvent { title team }\n      ... on TitleChangedEvent { title previousTitle }\n      ... on StarredChangedEvent { starred }\n      ... on PermissionsChangedEvent { allow ask deny }\n      ... on MessageAddedEvent { messageId role }\n      ... on MessageUpdatedEvent { messageId }\n      ... on TokenUsageUpdatedEvent { inputTokens outputTokens cost }\n      ... on CurrentAgentSwitchedEvent { previousAgentName }\n    }\n  }\n": types.SessionEventsDocument,
    "\n  subscription HeavySessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      session { title customModelsUsed availableModels { name ref provider model isCurrent } }\n    }\n  }\n": types.HeavySessionEventsDocument,
    "\n  subscription SessionsChanged {\n    sessionsChanged { kind sessionId seq session { title } }\n  }\n": types.SessionsChangedDocument,
    "\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n    }\n  }\n": types.DeleteSessionDocument,
    "\n  mutation CreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        workingDir\n        running\n        currentAgent\n        agentModelOverrides { agentName modelRef }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on TeamNotFound { team availableTeams }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n    }\n  }\n": types.CreateSessionDocument,
    "\n  mutation SetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload {\n        agentName\n        modelRef\n        previousModelRef\n        seq\n        session { id version customModelsUsed availableModels { ref isCurrent } }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on SessionNotFound { sessionId }\n      ... on SessionNotRunning { sessionId }\n    }\n  }\n": types.SetModelDocument,
    "\n  query GetSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        running\n        currentAgent\n        version\n        lastEventSeq\n        createdAt\n        updatedAt\n        agentModelOverrides { agentName modelRef }\n        customModelsUsed\n        availableModels { name ref provider model isDefault isCurrent isCustom }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on SessionNotFound { sessionId }\n    }\n  }\n": types.GetSessionDocument,
    "\n  mutation StartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running agentModelOverrides { agentName modelRef } availableModels { ref isCurrent } }\n      ... on Error { message }\n    }\n  }\n": types.StartSessionDocument,
    "\n  mutation StopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running }\n      ... on Error { message }\n    }\n  }\n": types.StopSessionDocument,
    "\n  mutation OutcomeSetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef seq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": types.OutcomeSetModelDocument,
    "\n  mutation OutcomeSwitchAgent($input: SwitchAgentInput!) {\n    switchAgent(input: $input) {\n      __typename\n      ... on SwitchAgentPayload { agentName previousAgentName seq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": types.OutcomeSwitchAgentDocument,
    "\n  mutation OutcomeStartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": types.OutcomeStartSessionDocument,
    "\n  mutation OutcomeStopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": types.OutcomeStopSessionDocument,
    "\n  mutation OutcomeCreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": types.OutcomeCreateSessionDocument,
    "\n  mutation OutcomeForkSession($input: ForkSessionInput!) {\n    forkSession(input: $input) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq forkedFromId }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": types.OutcomeForkSessionDocument,
    "\n  mutation OutcomeDeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n": types.OutcomeDeleteSessionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n"): (typeof documents)["\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionsAfter($after: String) {\n    sessions(first: 5, after: $after) { edges { cursor node { id } } }\n  }\n"): (typeof documents)["\n  query SessionsAfter($after: String) {\n    sessions(first: 5, after: $after) { edges { cursor node { id } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MessagesAfter($id: ID!, $after: String) {\n    session(id: $id) {\n      __typename\n      ... on Session { messages(first: 5, after: $after) { edges { node { content } } } }\n    }\n  }\n"): (typeof documents)["\n  query MessagesAfter($id: ID!, $after: String) {\n    session(id: $id) {\n      __typename\n      ... on Session { messages(first: 5, after: $after) { edges { node { content } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddNote($input: AddMessageInput!) {\n    addMessage(input: $input) { __typename ... on Message { id } }\n  }\n"): (typeof documents)["\n  mutation AddNote($input: AddMessageInput!) {\n    addMessage(input: $input) { __typename ... on Message { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListSessions($first: Int, $after: String) {\n    sessions(first: $first, after: $after) {\n      edges { cursor node { id title running } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ListSessions($first: Int, $after: String) {\n    sessions(first: $first, after: $after) {\n      edges { cursor node { id title running } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Agents {\n    agents { name modelSwitching agents { name model subAgents } models { name provider model } }\n  }\n"): (typeof documents)["\n  query Agents {\n    agents { name modelSwitching agents { name model subAgents } models { name provider model } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionDetails on Session {\n    id title team workingDir starred safetyPolicy inputTokens outputTokens cost attributes forkedFromId\n    currentAgent running version lastEventSeq\n    permissions { allow ask deny }\n    limits { maxIterations maxConsecutiveToolCalls maxOldToolCallTokens }\n    agentModelOverrides { agentName modelRef }\n    customModelsUsed\n    messages(first: 100) { totalCount edges { node { id position role agentName content } } }\n  }\n"): (typeof documents)["\n  fragment SessionDetails on Session {\n    id title team workingDir starred safetyPolicy inputTokens outputTokens cost attributes forkedFromId\n    currentAgent running version lastEventSeq\n    permissions { allow ask deny }\n    limits { maxIterations maxConsecutiveToolCalls maxOldToolCallTokens }\n    agentModelOverrides { agentName modelRef }\n    customModelsUsed\n    messages(first: 100) { totalCount edges { node { id position role agentName content } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReadSession($id: ID!) {\n    session(id: $id) { __typename ...SessionDetails ... on Error { message } }\n  }\n"): (typeof documents)["\n  query ReadSession($id: ID!) {\n    session(id: $id) { __typename ...SessionDetails ... on Error { message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDetailed($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename ...SessionDetails\n      ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDetailed($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename ...SessionDetails\n      ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTitle($input: UpdateSessionTitleInput!) {\n    updateSessionTitle(input: $input) { __typename ... on Session { title version } ... on Error { message } ... on InvalidInput { field } }\n  }\n"): (typeof documents)["\n  mutation UpdateTitle($input: UpdateSessionTitleInput!) {\n    updateSessionTitle(input: $input) { __typename ... on Session { title version } ... on Error { message } ... on InvalidInput { field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetStarred($input: SetSessionStarredInput!) {\n    setSessionStarred(input: $input) { __typename ... on Session { starred } ... on Error { message } }\n  }\n"): (typeof documents)["\n  mutation SetStarred($input: SetSessionStarredInput!) {\n    setSessionStarred(input: $input) { __typename ... on Session { starred } ... on Error { message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePermissions($input: UpdateSessionPermissionsInput!) {\n    updateSessionPermissions(input: $input) {\n      __typename ... on Session { permissions { allow ask deny } } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdatePermissions($input: UpdateSessionPermissionsInput!) {\n    updateSessionPermissions(input: $input) {\n      __typename ... on Session { permissions { allow ask deny } } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTokens($input: UpdateSessionTokensInput!) {\n    updateSessionTokens(input: $input) {\n      __typename ... on Session { inputTokens outputTokens cost } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateTokens($input: UpdateSessionTokensInput!) {\n    updateSessionTokens(input: $input) {\n      __typename ... on Session { inputTokens outputTokens cost } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SwitchAgent($input: SwitchAgentInput!) {\n    switchAgent(input: $input) {\n      __typename\n      ... on SwitchAgentPayload { agentName previousAgentName seq session { currentAgent availableModels { ref isCurrent isDefault } } }\n      ... on AgentNotFound { availableAgents }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation SwitchAgent($input: SwitchAgentInput!) {\n    switchAgent(input: $input) {\n      __typename\n      ... on SwitchAgentPayload { agentName previousAgentName seq session { currentAgent availableModels { ref isCurrent isDefault } } }\n      ... on AgentNotFound { availableAgents }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddMessage($input: AddMessageInput!) {\n    addMessage(input: $input) { __typename ... on Message { id position role content } ... on Error { message } ... on InvalidInput { field } }\n  }\n"): (typeof documents)["\n  mutation AddMessage($input: AddMessageInput!) {\n    addMessage(input: $input) { __typename ... on Message { id position role content } ... on Error { message } ... on InvalidInput { field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMessage($input: UpdateMessageInput!) {\n    updateMessage(input: $input) { __typename ... on Message { id position content } ... on Error { message } ... on InvalidInput { field } }\n  }\n"): (typeof documents)["\n  mutation UpdateMessage($input: UpdateMessageInput!) {\n    updateMessage(input: $input) { __typename ... on Message { id position content } ... on Error { message } ... on InvalidInput { field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSessions($ids: [ID!]!) {\n    deleteSessions(ids: $ids) {\n      __typename\n      ... on DeleteSessionsPayload { deletedSessionIds failures { sessionId code message } }\n      ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteSessions($ids: [ID!]!) {\n    deleteSessions(ids: $ids) {\n      __typename\n      ... on DeleteSessionsPayload { deletedSessionIds failures { sessionId code message } }\n      ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExportSessions($ids: [ID!]!) {\n    exportSessions(ids: $ids) {\n      __typename ... on ExportSessionsPayload { count json } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"): (typeof documents)["\n  mutation ExportSessions($ids: [ID!]!) {\n    exportSessions(ids: $ids) {\n      __typename ... on ExportSessionsPayload { count json } ... on Error { message } ... on InvalidInput { field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ForkSession($input: ForkSessionInput!) {\n    forkSession(input: $input) { __typename ...SessionDetails ... on Error { message } ... on InvalidInput { field } }\n  }\n"): (typeof documents)["\n  mutation ForkSession($input: ForkSessionInput!) {\n    forkSession(input: $input) { __typename ...SessionDetails ... on Error { message } ... on InvalidInput { field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchSessions($first: Int, $after: String, $filter: SessionFilter, $orderBy: SessionOrder) {\n    sessions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges { node { id title } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query SearchSessions($first: Int, $after: String, $filter: SessionFilter, $orderBy: SessionOrder) {\n    sessions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges { node { id title } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardPage($first: Int!) {\n    sessions(first: $first) {\n      totalCount\n      edges {\n        node {\n          id title running currentAgent\n          agentModelOverrides { agentName modelRef }\n          customModelsUsed\n          messages(last: 5) { totalCount edges { node { id role content } } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardPage($first: Int!) {\n    sessions(first: $first) {\n      totalCount\n      edges {\n        node {\n          id title running currentAgent\n          agentModelOverrides { agentName modelRef }\n          customModelsUsed\n          messages(last: 5) { totalCount edges { node { id role content } } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Node($id: ID!) {\n    node(id: $id) { __typename id ... on Session { title } ... on Message { content } }\n  }\n"): (typeof documents)["\n  query Node($id: ID!) {\n    node(id: $id) { __typename id ... on Session { title } ... on Message { content } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      agentName\n      sessionId\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { reason }\n      ... on SessionCreatedEvent { title team }\n      ... on TitleChangedEvent { title previousTitle }\n      ... on StarredChangedEvent { starred }\n      ... on PermissionsChangedEvent { allow ask deny }\n      ... on MessageAddedEvent { messageId role }\n      ... on MessageUpdatedEvent { messageId }\n      ... on TokenUsageUpdatedEvent { inputTokens outputTokens cost }\n      ... on CurrentAgentSwitchedEvent { previousAgentName }\n    }\n  }\n"): (typeof documents)["\n  subscription SessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      agentName\n      sessionId\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { reason }\n      ... on SessionCreatedEvent { title team }\n      ... on TitleChangedEvent { title previousTitle }\n      ... on StarredChangedEvent { starred }\n      ... on PermissionsChangedEvent { allow ask deny }\n      ... on MessageAddedEvent { messageId role }\n      ... on MessageUpdatedEvent { messageId }\n      ... on TokenUsageUpdatedEvent { inputTokens outputTokens cost }\n      ... on CurrentAgentSwitchedEvent { previousAgentName }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HeavySessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      session { title customModelsUsed availableModels { name ref provider model isCurrent } }\n    }\n  }\n"): (typeof documents)["\n  subscription HeavySessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      session { title customModelsUsed availableModels { name ref provider model isCurrent } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SessionsChanged {\n    sessionsChanged { kind sessionId seq session { title } }\n  }\n"): (typeof documents)["\n  subscription SessionsChanged {\n    sessionsChanged { kind sessionId seq session { title } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        workingDir\n        running\n        currentAgent\n        agentModelOverrides { agentName modelRef }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on TeamNotFound { team availableTeams }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        workingDir\n        running\n        currentAgent\n        agentModelOverrides { agentName modelRef }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on TeamNotFound { team availableTeams }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload {\n        agentName\n        modelRef\n        previousModelRef\n        seq\n        session { id version customModelsUsed availableModels { ref isCurrent } }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on SessionNotFound { sessionId }\n      ... on SessionNotRunning { sessionId }\n    }\n  }\n"): (typeof documents)["\n  mutation SetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload {\n        agentName\n        modelRef\n        previousModelRef\n        seq\n        session { id version customModelsUsed availableModels { ref isCurrent } }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on SessionNotFound { sessionId }\n      ... on SessionNotRunning { sessionId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        running\n        currentAgent\n        version\n        lastEventSeq\n        createdAt\n        updatedAt\n        agentModelOverrides { agentName modelRef }\n        customModelsUsed\n        availableModels { name ref provider model isDefault isCurrent isCustom }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on SessionNotFound { sessionId }\n    }\n  }\n"): (typeof documents)["\n  query GetSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        running\n        currentAgent\n        version\n        lastEventSeq\n        createdAt\n        updatedAt\n        agentModelOverrides { agentName modelRef }\n        customModelsUsed\n        availableModels { name ref provider model isDefault isCurrent isCustom }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on SessionNotFound { sessionId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running agentModelOverrides { agentName modelRef } availableModels { ref isCurrent } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation StartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running agentModelOverrides { agentName modelRef } availableModels { ref isCurrent } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation StopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OutcomeSetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef seq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"): (typeof documents)["\n  mutation OutcomeSetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef seq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OutcomeSwitchAgent($input: SwitchAgentInput!) {\n    switchAgent(input: $input) {\n      __typename\n      ... on SwitchAgentPayload { agentName previousAgentName seq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"): (typeof documents)["\n  mutation OutcomeSwitchAgent($input: SwitchAgentInput!) {\n    switchAgent(input: $input) {\n      __typename\n      ... on SwitchAgentPayload { agentName previousAgentName seq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OutcomeStartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"): (typeof documents)["\n  mutation OutcomeStartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OutcomeStopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"): (typeof documents)["\n  mutation OutcomeStopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OutcomeCreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"): (typeof documents)["\n  mutation OutcomeCreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OutcomeForkSession($input: ForkSessionInput!) {\n    forkSession(input: $input) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq forkedFromId }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"): (typeof documents)["\n  mutation OutcomeForkSession($input: ForkSessionInput!) {\n    forkSession(input: $input) {\n      __typename\n      ... on Session { id running currentAgent lastEventSeq forkedFromId }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OutcomeDeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"): (typeof documents)["\n  mutation OutcomeDeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on CommitOutcomeUnknown { sessionId incidentId }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;