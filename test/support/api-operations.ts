/** Operations of the full session API (issue 4); typed by codegen. */
import { graphql } from '../graphql/index.js';

export const SessionDetails = graphql(`
  fragment SessionDetails on Session {
    id title team workingDir starred safetyPolicy inputTokens outputTokens cost attributes forkedFromId
    currentAgent running version lastEventSeq
    permissions { allow ask deny }
    limits { maxIterations maxConsecutiveToolCalls maxOldToolCallTokens }
    agentModelOverrides { agentName modelRef }
    customModelsUsed
    messages(first: 100) { totalCount edges { node { id position role agentName content } } }
  }
`);

export const ReadSession = graphql(`
  query ReadSession($id: ID!) {
    session(id: $id) { __typename ...SessionDetails ... on Error { message } }
  }
`);

export const CreateDetailed = graphql(`
  mutation CreateDetailed($input: CreateSessionInput!) {
    createSession(input: $input) {
      __typename ...SessionDetails
      ... on Error { message } ... on InvalidInput { field }
    }
  }
`);

export const UpdateTitle = graphql(`
  mutation UpdateTitle($input: UpdateSessionTitleInput!) {
    updateSessionTitle(input: $input) { __typename ... on Session { title version } ... on Error { message } ... on InvalidInput { field } }
  }
`);

export const SetStarred = graphql(`
  mutation SetStarred($input: SetSessionStarredInput!) {
    setSessionStarred(input: $input) { __typename ... on Session { starred } ... on Error { message } }
  }
`);

export const UpdatePermissions = graphql(`
  mutation UpdatePermissions($input: UpdateSessionPermissionsInput!) {
    updateSessionPermissions(input: $input) {
      __typename ... on Session { permissions { allow ask deny } } ... on Error { message } ... on InvalidInput { field }
    }
  }
`);

export const UpdateTokens = graphql(`
  mutation UpdateTokens($input: UpdateSessionTokensInput!) {
    updateSessionTokens(input: $input) {
      __typename ... on Session { inputTokens outputTokens cost } ... on Error { message } ... on InvalidInput { field }
    }
  }
`);

export const SwitchAgent = graphql(`
  mutation SwitchAgent($input: SwitchAgentInput!) {
    switchAgent(input: $input) {
      __typename
      ... on SwitchAgentPayload { agentName previousAgentName seq session { currentAgent availableModels { ref isCurrent isDefault } } }
      ... on AgentNotFound { availableAgents }
      ... on Error { message }
    }
  }
`);

export const AddMessage = graphql(`
  mutation AddMessage($input: AddMessageInput!) {
    addMessage(input: $input) { __typename ... on Message { id position role content } ... on Error { message } ... on InvalidInput { field } }
  }
`);

export const UpdateMessage = graphql(`
  mutation UpdateMessage($input: UpdateMessageInput!) {
    updateMessage(input: $input) { __typename ... on Message { id position content } ... on Error { message } ... on InvalidInput { field } }
  }
`);

export const DeleteSessions = graphql(`
  mutation DeleteSessions($ids: [ID!]!) {
    deleteSessions(ids: $ids) {
      __typename
      ... on DeleteSessionsPayload { deletedSessionIds failures { sessionId code message } }
      ... on Error { message } ... on InvalidInput { field }
    }
  }
`);

export const ExportSessions = graphql(`
  mutation ExportSessions($ids: [ID!]!) {
    exportSessions(ids: $ids) {
      __typename ... on ExportSessionsPayload { count json } ... on Error { message } ... on InvalidInput { field }
    }
  }
`);

export const ForkSession = graphql(`
  mutation ForkSession($input: ForkSessionInput!) {
    forkSession(input: $input) { __typename ...SessionDetails ... on Error { message } ... on InvalidInput { field } }
  }
`);

export const SearchSessions = graphql(`
  query SearchSessions($first: Int, $after: String, $filter: SessionFilter, $orderBy: SessionOrder) {
    sessions(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { node { id title } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

/** What a dashboard loads: a page with overrides, custom refs, the last five messages and running state. */
export const DashboardPage = graphql(`
  query DashboardPage($first: Int!) {
    sessions(first: $first) {
      totalCount
      edges {
        node {
          id title running currentAgent
          agentModelOverrides { agentName modelRef }
          customModelsUsed
          messages(last: 5) { totalCount edges { node { id role content } } }
        }
      }
    }
  }
`);

export const Node = graphql(`
  query Node($id: ID!) {
    node(id: $id) { __typename id ... on Session { title } ... on Message { content } }
  }
`);
