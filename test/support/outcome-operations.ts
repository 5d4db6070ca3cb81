/**
 * Every change that touches a runtime, selecting each way it can end when its COMMIT's answer is lost:
 * success, PersistenceFailed (rolled back) or CommitOutcomeUnknown (the store could not tell). Typed by
 * codegen.
 */
import { graphql } from '../graphql/index.js';

export const OutcomeSetModel = graphql(`
  mutation OutcomeSetModel($input: SetSessionAgentModelInput!) {
    setSessionAgentModel(input: $input) {
      __typename
      ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef seq }
      ... on Error { message }
      ... on PersistenceFailed { retryable incidentId }
      ... on CommitOutcomeUnknown { sessionId incidentId }
    }
  }
`);

export const OutcomeSwitchAgent = graphql(`
  mutation OutcomeSwitchAgent($input: SwitchAgentInput!) {
    switchAgent(input: $input) {
      __typename
      ... on SwitchAgentPayload { agentName previousAgentName seq }
      ... on Error { message }
      ... on PersistenceFailed { retryable incidentId }
      ... on CommitOutcomeUnknown { sessionId incidentId }
    }
  }
`);

export const OutcomeStartSession = graphql(`
  mutation OutcomeStartSession($id: ID!) {
    startSession(id: $id) {
      __typename
      ... on Session { id running currentAgent lastEventSeq }
      ... on Error { message }
      ... on PersistenceFailed { retryable incidentId }
      ... on CommitOutcomeUnknown { sessionId incidentId }
    }
  }
`);

export const OutcomeStopSession = graphql(`
  mutation OutcomeStopSession($id: ID!) {
    stopSession(id: $id) {
      __typename
      ... on Session { id running currentAgent lastEventSeq }
      ... on Error { message }
      ... on PersistenceFailed { retryable incidentId }
      ... on CommitOutcomeUnknown { sessionId incidentId }
    }
  }
`);

export const OutcomeCreateSession = graphql(`
  mutation OutcomeCreateSession($input: CreateSessionInput!) {
    createSession(input: $input) {
      __typename
      ... on Session { id running currentAgent lastEventSeq }
      ... on Error { message }
      ... on PersistenceFailed { retryable incidentId }
      ... on CommitOutcomeUnknown { sessionId incidentId }
    }
  }
`);

export const OutcomeForkSession = graphql(`
  mutation OutcomeForkSession($input: ForkSessionInput!) {
    forkSession(input: $input) {
      __typename
      ... on Session { id running currentAgent lastEventSeq forkedFromId }
      ... on Error { message }
      ... on PersistenceFailed { retryable incidentId }
      ... on CommitOutcomeUnknown { sessionId incidentId }
    }
  }
`);

export const OutcomeDeleteSession = graphql(`
  mutation OutcomeDeleteSession($id: ID!) {
    deleteSession(id: $id) {
      __typename
      ... on DeleteSessionPayload { deletedSessionId }
      ... on Error { message }
      ... on PersistenceFailed { retryable incidentId }
      ... on CommitOutcomeUnknown { sessionId incidentId }
    }
  }
`);
