/**
 * The tabs GraphiQL opens with: a walk through the API on the bundled demo team, one named operation per
 * tab, meant to be run left to right. They need no key (the demo team's "models" echo) and change nothing
 * outside the session they create (its tool call adds a todo to the session, no file is written).
 *
 * GraphiQL keeps its tabs in the browser's storage: these are what a browser that has not opened GraphiQL
 * on this origin before sees. test/graphiql-examples.test.ts runs them, in order, against a real server.
 */
import type { GraphiQLOptions } from 'graphql-yoga';

export type GraphiQLTab = NonNullable<GraphiQLOptions['defaultTabs']>[number];

/**
 * What the tabs after the first carry as their session id until the user pastes the one CreateSession
 * returned. Run as it is, it is refused as a malformed id (InvalidInput, or BAD_USER_INPUT for the
 * subscription), which says what is wrong.
 */
export const SESSION_ID_PLACEHOLDER = 'paste the id CreateSession returned';

/** What RunTurn sends: the demo model answers `call <tool> <JSON arguments>` by calling that tool. */
const TOOL_CALL_MESSAGE = 'call create_todo {"description": "Try the approval tab"}';

const withSessionId = (values: Record<string, unknown> = {}) => JSON.stringify({ sessionId: SESSION_ID_PLACEHOLDER, ...values }, null, 2);

// The comments are wrapped to fit the query editor of a laptop-sized window.

const createSession: GraphiQLTab = {
  query: `# These tabs try the API on the bundled demo team, whose
# "models" echo your messages (no key needed). Run them
# from left to right: the ▶ button, or Ctrl-Enter.
# With API tokens, put in each tab's Headers (below):
#   {"Authorization": "Bearer asg_…"}
#
# 1. Create a session. ASK_ALWAYS: its agent asks before
#    every tool call, so the turn of tab 3 waits for
#    your approval. Copy the id it returns: the other
#    tabs take it in their Variables (below the editor)
#    as "sessionId".
mutation CreateSession {
  createSession(
    input: {
      title: "Tried in GraphiQL"
      team: "demo"
      safetyPolicy: ASK_ALWAYS
    }
  ) {
    ... on Session {
      id title team running currentAgent
      availableModels { ref isCurrent }
    }
    ... on Error { __typename message }
  }
}
`,
};

const switchModel: GraphiQLTab = {
  query: `# 2. Switch the model of the session's current agent.
#    First paste the id CreateSession returned into
#    Variables (below) as "sessionId". "echo-short" is
#    another model of the demo team (CreateSession's
#    availableModels lists them); an inline
#    "provider/model" ref such as "echo/other" works too.
mutation SwitchModel($sessionId: ID!, $modelRef: String!) {
  setSessionAgentModel(
    input: { sessionId: $sessionId, modelRef: $modelRef }
  ) {
    __typename
    ... on SetSessionAgentModelPayload {
      agentName modelRef previousModelRef seq
    }
    ... on InvalidModelRef { reason acceptedForms }
    ... on Error { message }
  }
}
`,
  variables: withSessionId({ modelRef: 'echo-short' }),
};

const runTurn: GraphiQLTab = {
  query: `# 3. Run a turn (paste the session id into Variables
#    first). It answers at once; the agent works on. The
#    demo model calls a tool when a message reads
#    \`call <tool> <JSON arguments>\`: this one asks it
#    to add a todo, and the session (ASK_ALWAYS) waits
#    for your approval.
mutation RunTurn($sessionId: ID!, $message: String!) {
  runTurn(
    input: {
      sessionId: $sessionId
      messages: [{ role: "user", content: $message }]
    }
  ) {
    ... on TurnPayload {
      turnId
      session { turn { state agentName model } }
    }
    ... on Error { __typename message }
  }
}
`,
  variables: withSessionId({ message: TOOL_CALL_MESSAGE }),
};

const watchEvents: GraphiQLTab = {
  query: `# 4. Watch the session's events (paste the session id
#    into Variables first). \`after: 0\` replays the
#    stored ones, then live ones come as they happen.
#    GraphiQL shows the newest: now the
#    ToolCallConfirmationEvent of the waiting turn. It
#    stops a subscription when you leave its tab: after
#    approving in tab 5, run this again to see the turn
#    end (TurnEndedEvent).
subscription WatchEvents($sessionId: ID!) {
  sessionEvents(sessionId: $sessionId, after: 0) {
    __typename seq at agentName
    ... on ModelChangedEvent { modelRef previousModelRef }
    ... on TurnStartedEvent { model }
    ... on AssistantDeltaEvent { index content }
    ... on ToolCallConfirmationEvent { tool arguments }
    ... on TurnResumedEvent { decision }
    ... on ToolCallResultEvent { output isError }
    ... on TodosChangedEvent {
      todos { description status }
    }
    ... on TurnEndedEvent { reason }
  }
}
`,
  variables: withSessionId(),
};

const approveToolCall: GraphiQLTab = {
  query: `# 5. Approve the tool call the turn waits for (paste
#    the session id into Variables first): the tool runs,
#    and the turn goes on to its end. REJECT (with a
#    reason) refuses it; APPROVE_SESSION approves every
#    later call too. TurnNotAwaiting: the turn is not
#    waiting (yet, or any more).
mutation ApproveToolCall($sessionId: ID!) {
  resumeTurn(
    input: { sessionId: $sessionId, decision: APPROVE }
  ) {
    __typename
    ... on TurnPayload { turnId }
    ... on Error { message }
  }
}
`,
  variables: withSessionId(),
};

const readSession: GraphiQLTab = {
  query: `# 6. Read the session (paste the session id into
#    Variables first): no turn runs any more, the todo
#    the tool added is there, and the conversation ends
#    with the agent's answer to the tool's result.
query ReadSession($sessionId: ID!) {
  session(id: $sessionId) {
    ... on Session {
      title currentAgent
      agentModelOverrides { agentName modelRef }
      turn { state }
      todos { description status }
      messages(last: 4) {
        edges { node { role content } }
      }
    }
    ... on Error { __typename message }
  }
}
`,
  variables: withSessionId(),
};

/** In the order they are run; GraphiQL names each tab after its operation. */
export const GRAPHIQL_EXAMPLE_TABS: GraphiQLTab[] = [createSession, switchModel, runTurn, watchEvents, approveToolCall, readSession];

