/**
 * The example tabs GraphiQL opens with (src/server/graphiql-examples.ts) are valid operations, and run as
 * they are, left to right, against a real server on the demo team, with only the session id pasted in.
 */
import { Kind, parse, validate, type FormattedExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { expect, it } from 'vitest';
import { buildSchema } from '../src/schema/index.js';
import { GRAPHIQL_EXAMPLE_TABS, SESSION_ID_PLACEHOLDER, type GraphiQLTab } from '../src/server/graphiql-examples.js';
import { eventually } from './support/faults.js';
import { startTestServer, type TestServer } from './support/server.js';
import { storedSession, turnEndStored } from './support/sessions.js';
import { subscribe } from './support/subscribers.js';

function operationOf(tab: GraphiQLTab): OperationDefinitionNode {
  const definitions = parse(tab.query ?? '').definitions;
  expect(definitions, tab.query ?? '').toHaveLength(1);
  const [operation] = definitions;
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`not an operation: ${tab.query}`);
  return operation;
}

const nameOf = (tab: GraphiQLTab) => operationOf(tab).name?.value;
const tabNamed = (name: string) => {
  const tab = GRAPHIQL_EXAMPLE_TABS.find((candidate) => nameOf(candidate) === name);
  if (!tab) throw new Error(`no tab runs ${name}`);
  return tab;
};

/** The tab's variables once the user has pasted `sessionId` over the placeholder, as GraphiQL sends them. */
function pastedVariables(tab: GraphiQLTab, sessionId: string): Record<string, unknown> | undefined {
  return tab.variables ? (JSON.parse(tab.variables.replaceAll(SESSION_ID_PLACEHOLDER, sessionId)) as Record<string, unknown>) : undefined;
}

/** What pressing ▶ in the tab sends (a query or mutation: a POST), and the answer's data. */
async function run(server: TestServer, tab: GraphiQLTab, sessionId = ''): Promise<Record<string, Record<string, unknown>>> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: tab.query, variables: pastedVariables(tab, sessionId), operationName: nameOf(tab) }),
  });
  const body = (await response.json()) as FormattedExecutionResult<Record<string, Record<string, unknown>>>;
  expect(body.errors, tab.query ?? '').toBeUndefined();
  return body.data!;
}

it('each tab is one named operation, valid against the schema, whose variables are all given; together they walk the API', () => {
  const schema = buildSchema();
  expect(GRAPHIQL_EXAMPLE_TABS.length).toBeGreaterThanOrEqual(5);
  for (const tab of GRAPHIQL_EXAMPLE_TABS) {
    const operation = operationOf(tab);
    expect(operation.name?.value, tab.query ?? '').toMatch(/^[A-Z]\w+$/);
    expect(validate(schema, parse(tab.query ?? '')), tab.query ?? '').toEqual([]);
    const declared = (operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value).sort();
    expect(Object.keys(pastedVariables(tab, 'an id') ?? {}).sort(), tab.query ?? '').toEqual(declared);
    // Headers are left to the user (a token, when the server has some).
    expect(tab.headers ?? '').toBe('');
  }
  expect(new Set(GRAPHIQL_EXAMPLE_TABS.map(nameOf)).size).toBe(GRAPHIQL_EXAMPLE_TABS.length);

  // The first creates the session; every other tab works on it, through the id the user pastes.
  const [first, ...others] = GRAPHIQL_EXAMPLE_TABS;
  expect(operationOf(first!).variableDefinitions ?? []).toEqual([]);
  for (const tab of others) expect(pastedVariables(tab, 'the pasted id'), tab.query ?? '').toMatchObject({ sessionId: 'the pasted id' });

  // Create, switch the model, run a turn, watch the events, approve the tool call: in that order.
  const rootFields = GRAPHIQL_EXAMPLE_TABS.map((tab) => {
    const [field] = operationOf(tab).selectionSet.selections;
    return field?.kind === Kind.FIELD ? field.name.value : undefined;
  });
  const walk = ['createSession', 'setSessionAgentModel', 'runTurn', 'sessionEvents', 'resumeTurn'];
  expect(rootFields.filter((field) => walk.includes(field!))).toEqual(walk);
});

it('run in order, pasting the id CreateSession returned, the tabs create a session, switch its model, run a turn that asks for a tool, watch it, and approve the call', async () => {
  const server = await startTestServer('sqlite', { bare: true });

  const { createSession } = await run(server, GRAPHIQL_EXAMPLE_TABS[0]!);
  expect(createSession).toMatchObject({ team: 'demo', running: true });
  const id = createSession!.id as string;
  expect((await storedSession(server, id)).session?.safetyPolicy).toBe('ASK_ALWAYS');

  const { setSessionAgentModel } = await run(server, tabNamed('SwitchModel'), id);
  expect(setSessionAgentModel).toMatchObject({ __typename: 'SetSessionAgentModelPayload', modelRef: 'echo-short' });
  expect((await storedSession(server, id)).overrides).toEqual({ root: 'echo-short' });

  const { runTurn } = await run(server, tabNamed('RunTurn'), id);
  expect(runTurn).toHaveProperty('turnId');
  // The demo model calls the tool the message names, and the session asks before running it.
  const asked = await eventually(async () => {
    const { events } = await storedSession(server, id);
    return events.find((event) => event.kind === 'TOOL_CALL_CONFIRMATION');
  }, 'the turn to ask for its tool call');
  expect(asked.payload).toMatchObject({ tool: 'create_todo' });

  // GraphiQL runs the subscription over SSE, like this.
  const watchTab = tabNamed('WatchEvents');
  type Event = { sessionEvents: { __typename: string; seq: number; reason?: string; tool?: string } };
  const watch = subscribe(server, 'sse', parse(watchTab.query ?? '') as TypedDocumentNode<Event, Record<string, unknown>>, pastedVariables(watchTab, id)!);
  const typenames = (results: FormattedExecutionResult<Event>[]) => results.map((result) => result.data?.sessionEvents.__typename);
  const beforeApproval = await watch.received((results) => typenames(results).includes('ToolCallConfirmationEvent'));
  expect(typenames(beforeApproval)).toEqual(expect.arrayContaining(['SessionCreatedEvent', 'ModelChangedEvent', 'TurnStartedEvent', 'ToolCallConfirmationEvent']));

  const { resumeTurn } = await run(server, tabNamed('ApproveToolCall'), id);
  expect(resumeTurn).toMatchObject({ __typename: 'TurnPayload', turnId: runTurn!.turnId });
  await turnEndStored(server, id);

  // The approved call ran, and the turn ended: live, on the subscription opened before.
  const events = await watch.received((results) => typenames(results).includes('TurnEndedEvent'));
  expect(events.filter((result) => result.errors)).toEqual([]);
  expect(typenames(events)).toEqual(expect.arrayContaining(['TurnResumedEvent', 'ToolCallResultEvent', 'TodosChangedEvent', 'TurnEndedEvent']));
  expect(events.find((result) => result.data?.sessionEvents.__typename === 'TurnEndedEvent')?.data?.sessionEvents.reason).toBe('COMPLETED');
  // Every stored event, once and in order, from the first (the live deltas carry the seq of their turn's start).
  const stored = events.filter((result) => !result.data?.sessionEvents.__typename.endsWith('DeltaEvent'));
  expect(stored.map((result) => result.data?.sessionEvents.seq)).toEqual(stored.map((_, index) => index + 1));

  const { session } = await run(server, tabNamed('ReadSession'), id);
  expect(session).toMatchObject({ turn: null, todos: [{ description: 'Try the approval tab', status: 'pending' }] });
});
