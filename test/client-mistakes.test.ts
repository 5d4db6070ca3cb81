/**
 * A client's mistake (a malformed or unknown id, a forged cursor, a query nested absurdly deep) is
 * answered with an error code that says so, never INTERNAL_SERVER_ERROR, and no stack trace reaches
 * the client. What is unexpected stays masked and is logged once, under the id the client gets.
 */
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphql } from './graphql/index.js';
import { Node } from './support/api-operations.js';
import { PROVIDERS, rawPostgres } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { capturedLog, startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename } from './support/sessions.js';

const Nodes = graphql(`
  query Nodes($ids: [ID!]!) {
    nodes(ids: $ids) { __typename id }
  }
`);

const SessionsAfter = graphql(`
  query SessionsAfter($after: String) {
    sessions(first: 5, after: $after) { edges { cursor node { id } } }
  }
`);

const MessagesAfter = graphql(`
  query MessagesAfter($id: ID!, $after: String) {
    session(id: $id) {
      __typename
      ... on Session { messages(first: 5, after: $after) { edges { node { content } } } }
    }
  }
`);

const AddNote = graphql(`
  mutation AddNote($input: AddMessageInput!) {
    addMessage(input: $input) { __typename ... on Message { id } }
  }
`);

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

/** Sends a document that is not worth typing (generated, absurd) over HTTP and returns the body. */
async function post(server: TestServer, query: string): Promise<FormattedExecutionResult> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as FormattedExecutionResult;
}

/** The answer names the mistake by its code, and nothing in it reveals the server's code. */
function expectClientError(result: FormattedExecutionResult, code: string, message?: RegExp): GraphQLFormattedError {
  const error = result.errors?.[0];
  expect(error?.extensions?.code, JSON.stringify(result)).toBe(code);
  if (message) expect(error?.message).toMatch(message);
  const body = JSON.stringify(result);
  expect(body).not.toMatch(/"stack"|\\n\s+at |\.(?:js|ts):\d+/);
  expect(body).not.toContain('INTERNAL_SERVER_ERROR');
  return error!;
}

/**
 * `{ sessions { edges { node { messages { edges { node { session { … leaf } } } } } } } }`: 3 levels,
 * 4 more for each of `repeats`, then the leaf's. Pages of 2 messages, so that only the depth limit
 * can refuse it (20 sessions × 20 messages × 20 × 20 would be refused by the cost limit).
 */
function nestedQuery(repeats: number, leaf = 'id'): string {
  let inner = leaf;
  for (let repeat = 0; repeat < repeats; repeat += 1) inner = `messages(first: 2) { edges { node { session { ${inner} } } } }`;
  return `{ sessions { edges { node { ${inner} } } } }`;
}

/** The same depth reached through a chain of fragments, each spreading the next (4 levels each). */
function nestedFragments(count: number): string {
  const fragments = Array.from(
    { length: count },
    (_, index) =>
      `fragment F${index} on Session { messages { edges { node { session { ${index + 1 < count ? `...F${index + 1}` : 'id'} } } } } }`,
  );
  return `{ sessions { edges { node { ...F0 } } } } ${fragments.join(' ')}`;
}

describe.each(PROVIDERS)('client mistakes on %s', (provider) => {
  let server: TestServer;
  let sessionId: string;
  let messageId: string;
  beforeAll(async () => {
    server = await startTestServer(provider);
    sessionId = (await createSession(server)).id;
    const { addMessage } = await server.data(AddNote, { input: { sessionId, role: 'user', content: 'hello' } });
    expectTypename(addMessage, 'Message');
    messageId = addMessage.id;
  });

  it.each([
    ['a string that is not base64', '%%%'],
    ['the global id of a type that is not a node', encode(`Team:${UNKNOWN_UUID}`)],
    ['a Session id whose id is not a UUID', encode('Session:1 OR 1=1')],
    ['an empty id', ''],
  ])('node(id) with %s is BAD_USER_INPUT', async (_case, id) => {
    const result = await server.request(Node, { id });
    const error = expectClientError(result, 'BAD_USER_INPUT', /is not the id of a Session or a Message/);
    expect(error.extensions?.field).toBe('id');
    expect(result.data?.node).toBeNull();
  });

  it.each([
    ['Session', encode(`Session:${UNKNOWN_UUID}`)],
    ['Message', encode(`Message:${UNKNOWN_UUID}`)],
  ])('node(id) with a well-formed %s id that does not exist is null, not an error', async (_type, id) => {
    expect(await server.request(Node, { id })).toEqual({ data: { node: null } });
  });

  it('nodes(ids) answers null for the unknown ids and the nodes for the others', async () => {
    const ids = [encode(`Session:${UNKNOWN_UUID}`), sessionId, messageId];
    expect(await server.request(Nodes, { ids })).toEqual({
      data: { nodes: [null, { __typename: 'Session', id: sessionId }, { __typename: 'Message', id: messageId }] },
    });
  });

  it('nodes(ids) with one malformed id is BAD_USER_INPUT', async () => {
    const result = await server.request(Nodes, { ids: [sessionId, 'bm9wZQ=='] });
    expectClientError(result, 'BAD_USER_INPUT', /"bm9wZQ==" is not the id of a Session or a Message/);
  });

  it.each([
    ['a string no connection gives out', 'forged'],
    ['a cursor of the right encoding holding a number', encode('GPC:N:5')],
    ['a cursor of the right encoding holding an object', encode('GPC:O:{"id":1}')],
  ])('sessions(after:) with %s is BAD_USER_INPUT, while a cursor it gave out pages', async (_case, after) => {
    const { sessions } = await server.data(SessionsAfter, { after: null });
    const given = await server.data(SessionsAfter, { after: sessions.edges[0]!.cursor });
    expect(given.sessions.edges).toEqual(sessions.edges.slice(1));
    const result = await server.request(SessionsAfter, { after });
    const error = expectClientError(result, 'BAD_USER_INPUT', /is not a cursor of this connection/);
    expect(error.extensions?.field).toBe('after');
  });

  it.each([
    ['a string no connection gives out', 'forged'],
    ['a cursor of the right encoding holding a number', encode('GPC:N:5')],
  ])("a session's messages(after:) with %s is BAD_USER_INPUT", async (_case, after) => {
    const result = await server.request(MessagesAfter, { id: sessionId, after });
    const error = expectClientError(result, 'BAD_USER_INPUT', /is not a cursor of this connection/);
    expect(error.extensions?.field).toBe('after');
  });

  it.each([
    ['fields nested 500 levels', nestedQuery(125)],
    ['fragments spread 500 levels', nestedFragments(125)],
  ])('an operation with %s is a validation error', async (_case, query) => {
    expectClientError(await post(server, query), 'GRAPHQL_VALIDATION_FAILED', /nests fields more than 15 levels deep/);
  });

  it('the limit is 15 levels: an operation 15 deep runs, one 16 deep is refused', async () => {
    // 3 + 2 × 4 + messages { edges { node { content } } }: 15 levels; one more with `session { id }`.
    expect((await post(server, nestedQuery(2, 'messages(first: 2) { edges { node { content } } }'))).errors).toBeUndefined();
    const tooDeep = await post(server, nestedQuery(2, 'messages(first: 2) { edges { node { session { id } } } }'));
    expectClientError(tooDeep, 'GRAPHQL_VALIDATION_FAILED', /nests fields more than 15 levels deep/);
  });

  it('a document nested too deep for the parser (lists in an argument) is a parse error', async () => {
    const list = `${'['.repeat(20_000)}"release"${']'.repeat(20_000)}`;
    const result = await post(server, `{ sessions(filter: { search: ${list} }) { totalCount } }`);
    expectClientError(result, 'GRAPHQL_PARSE_FAILED', /nests too deep to be read/);
  });

  /** The errors a WebSocket operation is answered with (it must be answered with errors). */
  function overWebSocket(query: string) {
    const client = createClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    onCleanup(() => client.dispose());
    return new Promise<readonly GraphQLFormattedError[]>((resolve, reject) => {
      client.subscribe(
        { query },
        {
          next: (result) => reject(new Error(`expected an error, got ${JSON.stringify(result).slice(0, 500)}`)),
          error: (error) => (Array.isArray(error) ? resolve(error) : reject(error)),
          complete: () => reject(new Error('completed without an error')),
        },
      );
    });
  }

  it('an operation nested 500 levels over WebSocket is a validation error', async () => {
    expectClientError({ errors: await overWebSocket(nestedQuery(125)) }, 'GRAPHQL_VALIDATION_FAILED', /nests fields more than 15 levels deep/);
  });

  it('over WebSocket, a syntax error and an unknown field carry the codes HTTP gives them', async () => {
    expectClientError({ errors: await overWebSocket('subscription { sessionsChanged { kind ') }, 'GRAPHQL_PARSE_FAILED', /Syntax Error/);
    expectClientError({ errors: await overWebSocket('{ sessionz { totalCount } }') }, 'GRAPHQL_VALIDATION_FAILED', /sessionz/);
  });
});

describe('unexpected failures', () => {
  it('stay masked, with an incident id logged once, with the details, under that id', async () => {
    const { log, records } = capturedLog();
    const server = await startTestServer('postgresql', { log });
    await createSession(server);
    // A table gone from under the server: nothing a client did, so nothing a client is told about.
    const raw = await rawPostgres(server.database);
    await raw.query('ALTER TABLE "Message" RENAME TO "MessageGone"');
    const before = records.length;

    const result = await server.request(MessagesAfter, { id: (await server.data(SessionsAfter, { after: null })).sessions.edges[0]!.node.id });
    const error = result.errors?.[0];
    expect(error).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(result)).not.toMatch(/MessageGone|"stack"|\.(?:js|ts):\d+/);
    const incidentId = error?.extensions?.incidentId;
    expect(incidentId).toEqual(expect.any(String));

    const errorRecords = records.slice(before).filter((record) => record.level === 'error');
    expect(errorRecords, JSON.stringify(errorRecords)).toHaveLength(1);
    expect(errorRecords[0]).toMatchObject({ message: 'unexpected error', incidentId });
    expect(String(errorRecords[0]!.error)).toMatch(/MessageGone|Message/);
  });
});
