/** The operations the toolset tests send (test/toolsets.test.ts, test/tool-crash.test.ts); typed by codegen. */
import { graphql } from '../graphql/index.js';

/** A session as the toolset tests look at it: its waiting turn, its todo list and its conversation. */
export const ToolsetSession = graphql(`
  query ToolsetSession($id: ID!) {
    session(id: $id) {
      __typename
      ... on Session {
        running
        safetyPolicy
        lastEventSeq
        todos { id description status }
        turn {
          id
          state
          pendingToolCall { toolCallId tool arguments }
          elicitation { elicitationId server message requestedSchema }
        }
        messages(last: 50) {
          edges { node { role content turnId toolCalls { id name arguments } toolCallId toolName isError } }
        }
      }
      ... on Error { message }
    }
  }
`);

export const ToolsetResumeTurn = graphql(`
  mutation ToolsetResumeTurn($input: ResumeTurnInput!) {
    resumeTurn(input: $input) {
      __typename
      ... on TurnPayload { turnId }
      ... on Error { message }
    }
  }
`);

export const ToolsetAnswerElicitation = graphql(`
  mutation ToolsetAnswerElicitation($input: AnswerElicitationInput!) {
    answerElicitation(input: $input) {
      __typename
      ... on TurnPayload { turnId }
      ... on Error { message }
      ... on TurnNotAwaiting { sessionId }
      ... on InvalidInput { field }
    }
  }
`);

/** The stored log, replayed from the start (`after: 0`), with what the tool events carry. */
export const ToolsetEvents = graphql(`
  subscription ToolsetEvents($sessionId: ID!, $after: Int) {
    sessionEvents(sessionId: $sessionId, after: $after) {
      __typename
      seq
      agentName
      ... on TurnStartedEvent { turnId }
      ... on ToolCallConfirmationEvent { turnId toolCallId tool arguments }
      ... on ToolCallEvent { turnId toolCallId tool arguments }
      ... on ToolCallResultEvent { turnId toolCallId tool output isError }
      ... on ToolsetFailedEvent { toolset message }
      ... on ElicitationRequestEvent { turnId elicitationId server message requestedSchema }
      ... on TurnResumedEvent { turnId decision resumedCall: toolCallId }
      ... on TodosChangedEvent { todos { id description status } }
      ... on TurnEndedEvent { turnId reason }
    }
  }
`);
