/** Subscription documents the event tests use; typed by codegen. */
import { graphql } from '../graphql/index.js';

export const SessionEvents = graphql(`
  subscription SessionEvents($sessionId: ID!, $after: Int) {
    sessionEvents(sessionId: $sessionId, after: $after) {
      __typename
      seq
      agentName
      sessionId
      ... on ModelChangedEvent { modelRef previousModelRef }
      ... on GapEvent { missedFrom missedTo }
      ... on SessionExitedEvent { reason }
      ... on SessionCreatedEvent { title team }
      ... on TitleChangedEvent { title previousTitle }
      ... on StarredChangedEvent { starred }
      ... on PermissionsChangedEvent { allow ask deny }
      ... on MessageAddedEvent { messageId role }
      ... on MessageUpdatedEvent { messageId }
      ... on TokenUsageUpdatedEvent { inputTokens outputTokens cost }
      ... on CurrentAgentSwitchedEvent { previousAgentName }
    }
  }
`);

/** Each event also carries a large selection of its session, to fill transport buffers quickly. */
export const HeavySessionEvents = graphql(`
  subscription HeavySessionEvents($sessionId: ID!, $after: Int) {
    sessionEvents(sessionId: $sessionId, after: $after) {
      __typename
      seq
      session { title customModelsUsed availableModels { name ref provider model isCurrent } }
    }
  }
`);

export const SessionsChanged = graphql(`
  subscription SessionsChanged {
    sessionsChanged { kind sessionId seq session { title } }
  }
`);

/** The session list from a cursor (`after`), each change with the cursor to resume after it. */
export const ResumeSessionsChanged = graphql(`
  subscription ResumeSessionsChanged($after: String) {
    sessionsChanged(after: $after) { kind sessionId seq cursor session { title } }
  }
`);

export const DeleteSession = graphql(`
  mutation DeleteSession($id: ID!) {
    deleteSession(id: $id) {
      __typename
      ... on DeleteSessionPayload { deletedSessionId }
      ... on Error { message }
    }
  }
`);
