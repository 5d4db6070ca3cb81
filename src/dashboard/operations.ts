/**
 * Every operation the dashboard sends, typed by codegen (`npm run codegen` writes ./graphql/ from these
 * and schema.graphql). Each result union selects its typed errors, so a failure is shown in plain words
 * rather than arriving as an empty object.
 */
import { graphql } from './graphql/index.js';

/** What the list shows of a session, and what the detail panel's header reads. */
export const SessionSummaryFragment = graphql(`
  fragment DashboardSessionSummary on Session {
    id
    title
    team
    running
    currentAgent
    lastEventSeq
    createdAt
    availableModels { ref isCurrent isDefault isCustom }
    turn { state }
  }
`);

export const MessageFragment = graphql(`
  fragment DashboardMessage on Message {
    id
    position
    role
    content
    cancelled
    isError
    toolName
    toolCalls { id name arguments }
    turnId
    agentName
  }
`);

export const SessionsQuery = graphql(`
  query DashboardSessions($first: Int!) {
    sessions(first: $first) {
      totalCount
      edges { node { ...DashboardSessionSummary } }
    }
  }
`);

export const SessionQuery = graphql(`
  query DashboardSession($id: ID!) {
    session(id: $id) {
      __typename
      ... on Session {
        ...DashboardSessionSummary
        limits { maxIterations }
        turn {
          id
          state
          agentName
          model
          maxIterations
          pendingToolCall { toolCallId tool arguments }
          elicitation { server message }
        }
        messages(last: 100) {
          totalCount
          edges { node { ...DashboardMessage } }
        }
      }
      ... on Error { message }
    }
  }
`);

/** A session's summary alone: where its events stand now, to know when a resumed feed has caught up. */
export const SessionHeadQuery = graphql(`
  query DashboardSessionHead($id: ID!) {
    session(id: $id) {
      __typename
      ... on Session { ...DashboardSessionSummary }
      ... on Error { message }
    }
  }
`);

export const MessageQuery = graphql(`
  query DashboardMessageById($id: ID!) {
    node(id: $id) { __typename ... on Message { ...DashboardMessage } }
  }
`);

export const SessionsChangedSubscription = graphql(`
  subscription DashboardSessionsChanged($after: String) {
    sessionsChanged(after: $after) {
      kind
      sessionId
      seq
      cursor
      session { ...DashboardSessionSummary }
    }
  }
`);

export const SessionEventsSubscription = graphql(`
  subscription DashboardSessionEvents($sessionId: ID!, $after: Int) {
    sessionEvents(sessionId: $sessionId, after: $after) {
      __typename
      seq
      at
      agentName
      ... on AssistantDeltaEvent { turnId index content }
      ... on MessageAddedEvent { messageId role }
      ... on MessageUpdatedEvent { messageId }
      ... on TurnStartedEvent { turnId model }
      ... on TurnResumedEvent { turnId decision }
      ... on TurnFailedEvent { turnId message }
      ... on TurnEndedEvent { turnId endReason: reason }
      ... on ToolCallConfirmationEvent { turnId toolCallId tool arguments }
      ... on ToolCallEvent { tool }
      ... on ToolCallResultEvent { tool isError }
      ... on MaxIterationsReachedEvent { turnId maxIterations }
      ... on ElicitationRequestEvent { turnId server message }
      ... on ModelChangedEvent { modelRef previousModelRef }
      ... on ModelFallbackEvent { fromModel toModel }
      ... on CurrentAgentSwitchedEvent { previousAgentName }
      ... on TitleChangedEvent { title }
      ... on SessionStoppedEvent { stopReason: reason }
      ... on GapEvent { missedFrom missedTo }
      ... on SessionExitedEvent { exitReason: reason }
    }
  }
`);

export const SetModelMutation = graphql(`
  mutation DashboardSetModel($input: SetSessionAgentModelInput!) {
    setSessionAgentModel(input: $input) {
      __typename
      ... on SetSessionAgentModelPayload { modelRef session { ...DashboardSessionSummary } }
      ... on InvalidModelRef { rejectedRef reason }
      ... on PersistenceFailed { retryable incidentId }
      ... on Error { message }
    }
  }
`);

export const RunTurnMutation = graphql(`
  mutation DashboardRunTurn($input: RunTurnInput!) {
    runTurn(input: $input) {
      __typename
      ... on TurnPayload { turnId }
      ... on Error { message }
    }
  }
`);

export const ResumeTurnMutation = graphql(`
  mutation DashboardResumeTurn($input: ResumeTurnInput!) {
    resumeTurn(input: $input) {
      __typename
      ... on TurnPayload { turnId }
      ... on Error { message }
    }
  }
`);

export const CancelTurnMutation = graphql(`
  mutation DashboardCancelTurn($sessionId: ID!) {
    cancelTurn(sessionId: $sessionId) {
      __typename
      ... on TurnPayload { turnId }
      ... on Error { message }
    }
  }
`);

export const StartSessionMutation = graphql(`
  mutation DashboardStartSession($id: ID!) {
    startSession(id: $id) {
      __typename
      ... on Session { ...DashboardSessionSummary }
      ... on Error { message }
    }
  }
`);

export const StopSessionMutation = graphql(`
  mutation DashboardStopSession($id: ID!) {
    stopSession(id: $id) {
      __typename
      ... on Session { ...DashboardSessionSummary }
      ... on Error { message }
    }
  }
`);
