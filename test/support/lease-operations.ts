/** The operations the lease and forwarding tests send (test/leases.test.ts); typed by codegen. */
import { graphql } from '../graphql/index.js';

/** Every instance on the database; the answering one (`self`) with the runtimes it holds in memory. */
export const LeaseInstances = graphql(`
  query LeaseInstances {
    serverInstances {
      id
      self
      sessions
      runtimes { sessionId currentAgent modelOverrides { agentName modelRef } turnId turnState }
    }
  }
`);

/** A session as the store says it is, read through any instance. */
export const LeaseSession = graphql(`
  query LeaseSession($id: ID!) {
    session(id: $id) {
      __typename
      ... on Session {
        running
        runningOn
        currentAgent
        lastEventSeq
        agentModelOverrides { agentName modelRef }
        turn { id state pendingToolCall { tool } }
      }
      ... on Error { message }
    }
  }
`);

export const LeaseSetModel = graphql(`
  mutation LeaseSetModel($input: SetSessionAgentModelInput!) {
    setSessionAgentModel(input: $input) {
      __typename
      ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef seq session { id agentModelOverrides { agentName modelRef } } }
      ... on Error { message }
      ... on InvalidModelRef { rejectedRef reason }
      ... on PersistenceFailed { retryable }
      ... on SessionNotRunning { sessionId }
      ... on RuntimeUnreachable { sessionId instanceId delivered retryable }
    }
  }
`);

export const LeaseSwitchAgent = graphql(`
  mutation LeaseSwitchAgent($input: SwitchAgentInput!) {
    switchAgent(input: $input) {
      __typename
      ... on SwitchAgentPayload { agentName previousAgentName seq session { id currentAgent } }
      ... on Error { message }
      ... on AgentNotFound { agentName availableAgents }
      ... on PersistenceFailed { retryable }
      ... on SessionNotRunning { sessionId }
      ... on RuntimeUnreachable { sessionId instanceId delivered retryable }
    }
  }
`);

export const LeaseRunTurn = graphql(`
  mutation LeaseRunTurn($input: RunTurnInput!) {
    runTurn(input: $input) {
      __typename
      ... on TurnPayload { turnId session { id currentAgent } }
      ... on Error { message }
      ... on RuntimeUnreachable { instanceId delivered }
    }
  }
`);

export const LeaseResumeTurn = graphql(`
  mutation LeaseResumeTurn($input: ResumeTurnInput!) {
    resumeTurn(input: $input) {
      __typename
      ... on TurnPayload { turnId session { id } }
      ... on Error { message }
      ... on RuntimeUnreachable { instanceId delivered }
    }
  }
`);

export const LeaseCancelTurn = graphql(`
  mutation LeaseCancelTurn($sessionId: ID!) {
    cancelTurn(sessionId: $sessionId) {
      __typename
      ... on TurnPayload { turnId session { id turn { id } } }
      ... on Error { message }
      ... on RuntimeUnreachable { instanceId delivered }
    }
  }
`);

export const LeaseStartSession = graphql(`
  mutation LeaseStartSession($id: ID!) {
    startSession(id: $id) {
      __typename
      ... on Session { id running runningOn }
      ... on Error { message }
    }
  }
`);

export const LeaseStopSession = graphql(`
  mutation LeaseStopSession($id: ID!) {
    stopSession(id: $id) {
      __typename
      ... on Session { id running runningOn }
      ... on Error { message }
      ... on RuntimeUnreachable { instanceId delivered }
    }
  }
`);

export const LeaseDeleteSession = graphql(`
  mutation LeaseDeleteSession($id: ID!) {
    deleteSession(id: $id) {
      __typename
      ... on DeleteSessionPayload { deletedSessionId }
      ... on Error { message }
      ... on RuntimeUnreachable { instanceId delivered }
    }
  }
`);

/** A change that needs no runtime (any instance makes it): a marker in a session's log. */
export const LeaseSetTitle = graphql(`
  mutation LeaseSetTitle($input: UpdateSessionTitleInput!) {
    updateSessionTitle(input: $input) {
      __typename
      ... on Session { title }
      ... on Error { message }
    }
  }
`);

/** A session's log, replayed from the start, with what the lease events carry. */
export const LeaseEvents = graphql(`
  subscription LeaseEvents($sessionId: ID!, $after: Int) {
    sessionEvents(sessionId: $sessionId, after: $after) {
      __typename
      seq
      ... on SessionStartedEvent { instanceId }
      ... on SessionStoppedEvent { stopReason: reason instanceId }
      ... on ModelChangedEvent { modelRef }
      ... on CurrentAgentSwitchedEvent { previousAgentName }
      ... on TurnEndedEvent { turnId endReason: reason }
      ... on SessionExitedEvent { exitReason: reason }
      ... on TitleChangedEvent { title }
    }
  }
`);
