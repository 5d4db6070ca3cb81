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
    "\n  query ListSessions($first: Int, $after: String) {\n    sessions(first: $first, after: $after) {\n      edges { cursor node { id title running } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ListSessionsDocument,
    "\n  query Agents {\n    agents { name modelSwitching agents { name model subAgents } models { name provider model } }\n  }\n": typeof types.AgentsDocument,
    "\n  subscription SessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      agentName\n      sessionId\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { reason }\n      ... on SessionCreatedEvent { title team }\n    }\n  }\n": typeof types.SessionEventsDocument,
    "\n  subscription HeavySessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      session { title customModelsUsed availableModels { name ref provider model isCurrent } }\n    }\n  }\n": typeof types.HeavySessionEventsDocument,
    "\n  subscription SessionsChanged {\n    sessionsChanged { kind sessionId seq session { title } }\n  }\n": typeof types.SessionsChangedDocument,
    "\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n    }\n  }\n": typeof types.DeleteSessionDocument,
    "\n  mutation CreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        workingDir\n        running\n        currentAgent\n        agentModelOverrides { agentName modelRef }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on TeamNotFound { team availableTeams }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n    }\n  }\n": typeof types.CreateSessionDocument,
    "\n  mutation SetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload {\n        agentName\n        modelRef\n        previousModelRef\n        seq\n        session { id version customModelsUsed availableModels { ref isCurrent } }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on SessionNotFound { sessionId }\n      ... on SessionNotRunning { sessionId }\n    }\n  }\n": typeof types.SetModelDocument,
    "\n  query GetSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        running\n        currentAgent\n        version\n        lastEventSeq\n        createdAt\n        updatedAt\n        agentModelOverrides { agentName modelRef }\n        customModelsUsed\n        availableModels { name ref provider model isDefault isCurrent isCustom }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on SessionNotFound { sessionId }\n    }\n  }\n": typeof types.GetSessionDocument,
    "\n  mutation StartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running agentModelOverrides { agentName modelRef } availableModels { ref isCurrent } }\n      ... on Error { message }\n    }\n  }\n": typeof types.StartSessionDocument,
    "\n  mutation StopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running }\n      ... on Error { message }\n    }\n  }\n": typeof types.StopSessionDocument,
};
const documents: Documents = {
    "\n  query ListSessions($first: Int, $after: String) {\n    sessions(first: $first, after: $after) {\n      edges { cursor node { id title running } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ListSessionsDocument,
    "\n  query Agents {\n    agents { name modelSwitching agents { name model subAgents } models { name provider model } }\n  }\n": types.AgentsDocument,
    "\n  subscription SessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      agentName\n      sessionId\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { reason }\n      ... on SessionCreatedEvent { title team }\n    }\n  }\n": types.SessionEventsDocument,
    "\n  subscription HeavySessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      session { title customModelsUsed availableModels { name ref provider model isCurrent } }\n    }\n  }\n": types.HeavySessionEventsDocument,
    "\n  subscription SessionsChanged {\n    sessionsChanged { kind sessionId seq session { title } }\n  }\n": types.SessionsChangedDocument,
    "\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) {\n      __typename\n      ... on DeleteSessionPayload { deletedSessionId }\n      ... on Error { message }\n    }\n  }\n": types.DeleteSessionDocument,
    "\n  mutation CreateSession($input: CreateSessionInput!) {\n    createSession(input: $input) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        workingDir\n        running\n        currentAgent\n        agentModelOverrides { agentName modelRef }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on TeamNotFound { team availableTeams }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n    }\n  }\n": types.CreateSessionDocument,
    "\n  mutation SetModel($input: SetSessionAgentModelInput!) {\n    setSessionAgentModel(input: $input) {\n      __typename\n      ... on SetSessionAgentModelPayload {\n        agentName\n        modelRef\n        previousModelRef\n        seq\n        session { id version customModelsUsed availableModels { ref isCurrent } }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on InvalidModelRef { rejectedRef reason acceptedForms }\n      ... on PersistenceFailed { retryable incidentId }\n      ... on SessionNotFound { sessionId }\n      ... on SessionNotRunning { sessionId }\n    }\n  }\n": types.SetModelDocument,
    "\n  query GetSession($id: ID!) {\n    session(id: $id) {\n      __typename\n      ... on Session {\n        id\n        title\n        team\n        running\n        currentAgent\n        version\n        lastEventSeq\n        createdAt\n        updatedAt\n        agentModelOverrides { agentName modelRef }\n        customModelsUsed\n        availableModels { name ref provider model isDefault isCurrent isCustom }\n      }\n      ... on Error { message }\n      ... on InvalidInput { field }\n      ... on SessionNotFound { sessionId }\n    }\n  }\n": types.GetSessionDocument,
    "\n  mutation StartSession($id: ID!) {\n    startSession(id: $id) {\n      __typename\n      ... on Session { id running agentModelOverrides { agentName modelRef } availableModels { ref isCurrent } }\n      ... on Error { message }\n    }\n  }\n": types.StartSessionDocument,
    "\n  mutation StopSession($id: ID!) {\n    stopSession(id: $id) {\n      __typename\n      ... on Session { id running }\n      ... on Error { message }\n    }\n  }\n": types.StopSessionDocument,
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
export function graphql(source: "\n  query ListSessions($first: Int, $after: String) {\n    sessions(first: $first, after: $after) {\n      edges { cursor node { id title running } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ListSessions($first: Int, $after: String) {\n    sessions(first: $first, after: $after) {\n      edges { cursor node { id title running } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Agents {\n    agents { name modelSwitching agents { name model subAgents } models { name provider model } }\n  }\n"): (typeof documents)["\n  query Agents {\n    agents { name modelSwitching agents { name model subAgents } models { name provider model } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      agentName\n      sessionId\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { reason }\n      ... on SessionCreatedEvent { title team }\n    }\n  }\n"): (typeof documents)["\n  subscription SessionEvents($sessionId: ID!, $after: Int) {\n    sessionEvents(sessionId: $sessionId, after: $after) {\n      __typename\n      seq\n      agentName\n      sessionId\n      ... on ModelChangedEvent { modelRef previousModelRef }\n      ... on GapEvent { missedFrom missedTo }\n      ... on SessionExitedEvent { reason }\n      ... on SessionCreatedEvent { title team }\n    }\n  }\n"];
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

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;