/** The operations most tests send; typed by codegen (test/graphql/). */
import { graphql } from '../graphql/index.js';

export const CreateSession = graphql(`
  mutation CreateSession($input: CreateSessionInput!) {
    createSession(input: $input) {
      __typename
      ... on Session {
        id
        title
        team
        workingDir
        running
        currentAgent
        agentModelOverrides { agentName modelRef }
      }
      ... on Error { message }
      ... on InvalidInput { field }
      ... on TeamNotFound { team availableTeams }
      ... on InvalidModelRef { rejectedRef reason acceptedForms }
    }
  }
`);

export const SetModel = graphql(`
  mutation SetModel($input: SetSessionAgentModelInput!) {
    setSessionAgentModel(input: $input) {
      __typename
      ... on SetSessionAgentModelPayload {
        agentName
        modelRef
        previousModelRef
        seq
        session { id version customModelsUsed availableModels { ref isCurrent } }
      }
      ... on Error { message }
      ... on InvalidInput { field }
      ... on InvalidModelRef { rejectedRef reason acceptedForms }
      ... on PersistenceFailed { retryable incidentId }
      ... on SessionNotFound { sessionId }
      ... on SessionNotRunning { sessionId }
    }
  }
`);

export const GetSession = graphql(`
  query GetSession($id: ID!) {
    session(id: $id) {
      __typename
      ... on Session {
        id
        title
        team
        running
        currentAgent
        version
        lastEventSeq
        createdAt
        updatedAt
        agentModelOverrides { agentName modelRef }
        customModelsUsed
        availableModels { name ref provider model isDefault isCurrent isCustom }
      }
      ... on Error { message }
      ... on InvalidInput { field }
      ... on SessionNotFound { sessionId }
    }
  }
`);

export const StartSession = graphql(`
  mutation StartSession($id: ID!) {
    startSession(id: $id) {
      __typename
      ... on Session { id running agentModelOverrides { agentName modelRef } availableModels { ref isCurrent } }
      ... on Error { message }
    }
  }
`);

export const StopSession = graphql(`
  mutation StopSession($id: ID!) {
    stopSession(id: $id) {
      __typename
      ... on Session { id running }
      ... on Error { message }
    }
  }
`);
