/** The operations the turn tests send; typed by codegen. */
import { graphql } from '../graphql/index.js';

export const RunTurn = graphql(`
  mutation RunTurn($input: RunTurnInput!) {
    runTurn(input: $input) {
      __typename
      ... on TurnPayload { turnId session { id turn { id state agentName model } } }
      ... on Error { message }
      ... on InvalidInput { field }
      ... on AgentNotFound { availableAgents }
      ... on InvalidModelRef { reason }
    }
  }
`);

export const CancelTurn = graphql(`
  mutation CancelTurn($sessionId: ID!) {
    cancelTurn(sessionId: $sessionId) {
      __typename
      ... on TurnPayload { turnId session { turn { id } } }
      ... on Error { message }
    }
  }
`);

export const SessionTurn = graphql(`
  query SessionTurn($id: ID!) {
    session(id: $id) {
      ... on Session {
        inputTokens
        outputTokens
        cost
        turn { id state agentName model }
        messages(last: 50) { edges { node { role content cancelled turnId agentName } } }
      }
      ... on Error { message }
    }
  }
`);

export const TurnEvents = graphql(`
  subscription TurnEvents($sessionId: ID!, $after: Int) {
    sessionEvents(sessionId: $sessionId, after: $after) {
      __typename
      seq
      agentName
      ... on TurnStartedEvent { turnId model }
      ... on MessageAddedEvent { role }
      ... on AssistantDeltaEvent { turnId index content }
      ... on ReasoningDeltaEvent { turnId index content }
      ... on TokenUsageUpdatedEvent { inputTokens outputTokens cost }
      ... on TurnFailedEvent { code message retryable }
      ... on TurnEndedEvent { turnId reason }
      ... on ModelChangedEvent { modelRef }
    }
  }
`);
