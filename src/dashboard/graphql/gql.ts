/* eslint-disable */
import * as types from './graphql.js';



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
    "\n  fragment DashboardSessionSummary on Session {\n    id\n    title\n    team\n    running\n    currentAgent\n    lastEventSeq\n    createdAt\n    availableModels { ref isCurrent isDefault isCustom }\n    turn { state }\n  }\n": typeof types.DashboardSessionSummaryFragmentDoc,
    "\n  fragment DashboardMessage on Message {\n    id\n    position\n    role\n    content\n    cancelled\n    isError\n    toolName\n    toolCalls { id name arguments }\n    turnId\n    agentName\n  }\n": typeof types.DashboardMessageFragmentDoc,
    "\n  query DashboardSessions($first: Int!) {\n    sessions(first: $first) {\n      totalCount\n      edges { node { ...DashboardSessionSummary } }\n    }\n  }\n": typeof types.DashboardSessionsDocument,
    "\n  query DashboardSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        ...DashboardSessionSummary\n        limits { maxIterations }\n        turn {\n          id\n          state\n          agentName\n          model\n          maxIterations\n          pendingToolCall { toolCallId tool arguments }\n          elicitation { server message }\n        }\n        messages(last: 100) {\n          totalCount\n          edges { node { ...DashboardMessage } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n": typeof types.DashboardSessionDocument,
    "\n  query DashboardSessionHead($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n": typeof types.DashboardSessionHeadDocument,
    "\n  query DashboardMessageById($id: ID!) {\n    node(id: $id) { __typename ... on Message { ...DashboardMessage } }\n  }\n": typeof types.DashboardMessageByIdDocument,
    "\n  subscription DashboardSessionsChanged($after: String) {\n    sessionsChanged(after: $after) {\n      kind\n      sessionId\n      seq\n      cursor\n      session { ...DashboardSessionSummary }\n    }\n  }\n": typeof types.DashboardSessionsChangedDocument,
    "\n  subscription DashboardSessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      at\n      agentName\n      ... on AssistantDeltaEvent { turnId index content }\n      ... on MessageAddedEvent { messageId role }\n      ... on MessageUpdatedEvent { messageId }\n      ... on TurnStartedEvent { turnId model }\n      ... on TurnResumedEvent { turnId decision }\n      ... on TurnFailedEvent { turnId message }\n      ... on TurnEndedEvent { turnId endReason: reason }\n      ... on ToolCallConfirmationEvent { turnId toolCallId tool arguments }\n      ... on ToolCallEvent { tool }\n      ... on ToolCallResultEvent { tool isError }\n      ... on MaxIterationsReachedEvent { turnId maxIterations }\n      ... on ElicitationRequestEvent { turnId server message }\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on ModelFallbackEvent { fromModel toModel }\n      ... on CurrentAgentSwitchedEvent { previousAgentName }\n      ... on TitleChangedEvent { title }\n      ... on SessionStoppedEvent { stopReason: reason }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { exitReason: reason }\n    }\n  }\n": typeof types.DashboardSessionEventsDocument,
    "\n  mutation DashboardSetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload { modelRef session { ...DashboardSessionSummary } }\n      ... on InvalidModelRef { rejectedRef reason }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on Error { message }\n    }\n  }\n": typeof types.DashboardSetModelDocument,
    "\n  mutation DashboardRunTurn($input: RunTurnInput!) {\n    runTurn(input: $input) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n": typeof types.DashboardRunTurnDocument,
    "\n  mutation DashboardResumeTurn($input: ResumeTurnInput!) {\n    resumeTurn(input: $input) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n": typeof types.DashboardResumeTurnDocument,
    "\n  mutation DashboardCancelTurn($sessionId: ID!) {\n    cancelTurn(sessionId: $sessionId) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n": typeof types.DashboardCancelTurnDocument,
    "\n  mutation DashboardStartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n": typeof types.DashboardStartSessionDocument,
    "\n  mutation DashboardStopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n": typeof types.DashboardStopSessionDocument,
};
const documents: Documents = {
    "\n  fragment DashboardSessionSummary on Session {\n    id\n    title\n    team\n    running\n    currentAgent\n    lastEventSeq\n    createdAt\n    availableModels { ref isCurrent isDefault isCustom }\n    turn { state }\n  }\n": types.DashboardSessionSummaryFragmentDoc,
    "\n  fragment DashboardMessage on Message {\n    id\n    position\n    role\n    content\n    cancelled\n    isError\n    toolName\n    toolCalls { id name arguments }\n    turnId\n    agentName\n  }\n": types.DashboardMessageFragmentDoc,
    "\n  query DashboardSessions($first: Int!) {\n    sessions(first: $first) {\n      totalCount\n      edges { node { ...DashboardSessionSummary } }\n    }\n  }\n": types.DashboardSessionsDocument,
    "\n  query DashboardSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        ...DashboardSessionSummary\n        limits { maxIterations }\n        turn {\n          id\n          state\n          agentName\n          model\n          maxIterations\n          pendingToolCall { toolCallId tool arguments }\n          elicitation { server message }\n        }\n        messages(last: 100) {\n          totalCount\n          edges { node { ...DashboardMessage } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n": types.DashboardSessionDocument,
    "\n  query DashboardSessionHead($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n": types.DashboardSessionHeadDocument,
    "\n  query DashboardMessageById($id: ID!) {\n    node(id: $id) { __typename ... on Message { ...DashboardMessage } }\n  }\n": types.DashboardMessageByIdDocument,
    "\n  subscription DashboardSessionsChanged($after: String) {\n    sessionsChanged(after: $after) {\n      kind\n      sessionId\n      seq\n      cursor\n      session { ...DashboardSessionSummary }\n    }\n  }\n": types.DashboardSessionsChangedDocument,
    "\n  subscription DashboardSessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      at\n      agentName\n      ... on AssistantDeltaEvent { turnId index content }\n      ... on MessageAddedEvent { messageId role }\n      ... on MessageUpdatedEvent { messageId }\n      ... on TurnStartedEvent { turnId model }\n      ... on TurnResumedEvent { turnId decision }\n      ... on TurnFailedEvent { turnId message }\n      ... on TurnEndedEvent { turnId endReason: reason }\n      ... on ToolCallConfirmationEvent { turnId toolCallId tool arguments }\n      ... on ToolCallEvent { tool }\n      ... on ToolCallResultEvent { tool isError }\n      ... on MaxIterationsReachedEvent { turnId maxIterations }\n      ... on ElicitationRequestEvent { turnId server message }\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on ModelFallbackEvent { fromModel toModel }\n      ... on CurrentAgentSwitchedEvent { previousAgentName }\n      ... on TitleChangedEvent { title }\n      ... on SessionStoppedEvent { stopReason: reason }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { exitReason: reason }\n    }\n  }\n": types.DashboardSessionEventsDocument,
    "\n  mutation DashboardSetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload { modelRef session { ...DashboardSessionSummary } }\n      ... on InvalidModelRef { rejectedRef reason }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on Error { message }\n    }\n  }\n": types.DashboardSetModelDocument,
    "\n  mutation DashboardRunTurn($input: RunTurnInput!) {\n    runTurn(input: $input) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n": types.DashboardRunTurnDocument,
    "\n  mutation DashboardResumeTurn($input: ResumeTurnInput!) {\n    resumeTurn(input: $input) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n": types.DashboardResumeTurnDocument,
    "\n  mutation DashboardCancelTurn($sessionId: ID!) {\n    cancelTurn(sessionId: $sessionId) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n": types.DashboardCancelTurnDocument,
    "\n  mutation DashboardStartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n": types.DashboardStartSessionDocument,
    "\n  mutation DashboardStopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n": types.DashboardStopSessionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardSessionSummary on Session {\n    id\n    title\n    team\n    running\n    currentAgent\n    lastEventSeq\n    createdAt\n    availableModels { ref isCurrent isDefault isCustom }\n    turn { state }\n  }\n"): typeof import('./graphql.js').DashboardSessionSummaryFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardMessage on Message {\n    id\n    position\n    role\n    content\n    cancelled\n    isError\n    toolName\n    toolCalls { id name arguments }\n    turnId\n    agentName\n  }\n"): typeof import('./graphql.js').DashboardMessageFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardSessions($first: Int!) {\n    sessions(first: $first) {\n      totalCount\n      edges { node { ...DashboardSessionSummary } }\n    }\n  }\n"): typeof import('./graphql.js').DashboardSessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        ...DashboardSessionSummary\n        limits { maxIterations }\n        turn {\n          id\n          state\n          agentName\n          model\n          maxIterations\n          pendingToolCall { toolCallId tool arguments }\n          elicitation { server message }\n        }\n        messages(last: 100) {\n          totalCount\n          edges { node { ...DashboardMessage } }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DashboardSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardSessionHead($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DashboardSessionHeadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardMessageById($id: ID!) {\n    node(id: $id) { __typename ... on Message { ...DashboardMessage } }\n  }\n"): typeof import('./graphql.js').DashboardMessageByIdDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardSessionsChanged($after: String) {\n    sessionsChanged(after: $after) {\n      kind\n      sessionId\n      seq\n      cursor\n      session { ...DashboardSessionSummary }\n    }\n  }\n"): typeof import('./graphql.js').DashboardSessionsChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardSessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      at\n      agentName\n      ... on AssistantDeltaEvent { turnId index content }\n      ... on MessageAddedEvent { messageId role }\n      ... on MessageUpdatedEvent { messageId }\n      ... on TurnStartedEvent { turnId model }\n      ... on TurnResumedEvent { turnId decision }\n      ... on TurnFailedEvent { turnId message }\n      ... on TurnEndedEvent { turnId endReason: reason }\n      ... on ToolCallConfirmationEvent { turnId toolCallId tool arguments }\n      ... on ToolCallEvent { tool }\n      ... on ToolCallResultEvent { tool isError }\n      ... on MaxIterationsReachedEvent { turnId maxIterations }\n      ... on ElicitationRequestEvent { turnId server message }\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on ModelFallbackEvent { fromModel toModel }\n      ... on CurrentAgentSwitchedEvent { previousAgentName }\n      ... on TitleChangedEvent { title }\n      ... on SessionStoppedEvent { stopReason: reason }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { exitReason: reason }\n    }\n  }\n"): typeof import('./graphql.js').DashboardSessionEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardSetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload { modelRef session { ...DashboardSessionSummary } }\n      ... on InvalidModelRef { rejectedRef reason }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DashboardSetModelDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardRunTurn($input: RunTurnInput!) {\n    runTurn(input: $input) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DashboardRunTurnDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardResumeTurn($input: ResumeTurnInput!) {\n    resumeTurn(input: $input) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DashboardResumeTurnDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardCancelTurn($sessionId: ID!) {\n    cancelTurn(sessionId: $sessionId) {\n      __typename\n      ... on TurnPayload { turnId }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DashboardCancelTurnDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardStartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DashboardStartSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardStopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { ...DashboardSessionSummary }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DashboardStopSessionDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
