/** The operations the several-instances tests send; typed by codegen (test/graphql/). */
import { graphql } from '../graphql/index.js';

/** Every instance sharing the database; `runtimes` only on the one answering (`self`). */
export const ServerInstances = graphql(`
  query ServerInstances {
    serverInstances {
      id
      name
      self
      sessions
      runtimes {
        sessionId
        currentAgent
        modelOverrides { agentName modelRef }
        turnId
        turnState
      }
    }
  }
`);

export const ClusterSetModel = graphql(`
  mutation ClusterSetModel($input: SetSessionAgentModelInput!) {
    setSessionAgentModel(input: $input) {
      __typename
      ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef seq }
      ... on Error { message }
      ... on RuntimeUnreachable { sessionId instanceId delivered retryable }
    }
  }
`);

export const ClusterSwitchAgent = graphql(`
  mutation ClusterSwitchAgent($input: SwitchAgentInput!) {
    switchAgent(input: $input) {
      __typename
      ... on SwitchAgentPayload { agentName previousAgentName seq }
      ... on Error { message }
      ... on RuntimeUnreachable { sessionId instanceId delivered retryable }
    }
  }
`);

export const ClusterStartSession = graphql(`
  mutation ClusterStartSession($id: ID!) {
    startSession(id: $id) {
      __typename
      ... on Session { id running runningOn }
      ... on Error { message }
    }
  }
`);

export const ClusterStopSession = graphql(`
  mutation ClusterStopSession($id: ID!) {
    stopSession(id: $id) {
      __typename
      ... on Session { id running runningOn }
      ... on Error { message }
      ... on RuntimeUnreachable { sessionId instanceId delivered retryable }
    }
  }
`);

export const ClusterSession = graphql(`
  query ClusterSession($id: ID!) {
    session(id: $id) {
      __typename
      ... on Session { id running runningOn currentAgent lastEventSeq agentModelOverrides { agentName modelRef } }
      ... on Error { message }
    }
  }
`);

/** A session's events with what the lease history needs: who started and stopped it, and why. */
export const ClusterSessionEvents = graphql(`
  subscription ClusterSessionEvents($sessionId: ID!, $after: Int) {
    sessionEvents(sessionId: $sessionId, after: $after) {
      __typename
      seq
      agentName
      ... on SessionStartedEvent { instanceId }
      ... on SessionStoppedEvent { reason instanceId }
      ... on ModelChangedEvent { modelRef }
      ... on CurrentAgentSwitchedEvent { previousAgentName }
      ... on GapEvent { missedFrom missedTo }
    }
  }
`);
