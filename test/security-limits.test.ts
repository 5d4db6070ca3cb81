/**
 * What the server refuses to an untrusted client, through the real server: requests another site's page
 * could make with the user's browser (CSRF, CORS, WebSocket Origin), documents and operations past the
 * limits (tokens, depth, aliases, directives, cost, `nodes` ids, one export or batch delete per
 * operation, body and message sizes), too many operations on one WebSocket or sockets from one client,
 * and, in production, GraphiQL, introspection and suggestions. Each limit is shown both ways: what a
 * frontend asks for passes, what is past the limit is refused with a code, and runs no SQL.
 */
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../src/config.js';
import { graphql } from './graphql/index.js';
import { onCleanup } from './support/dispose.js';
import { SessionsChanged } from './support/event-operations.js';
import { eventually } from './support/faults.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession } from './support/sessions.js';

/** What a frontend's list page asks for: 100 sessions, and 100 messages of each. */
const BigPage = graphql(`
  query LimitsBigPage($sessions: Int, $messages: Int) {
    sessions(first: $sessions) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id title createdAt updatedAt starred running currentAgent attributes
          availableModels { ref isCurrent }
          messages(first: $messages) {
            totalCount
            pageInfo { hasNextPage endCursor }
            edges { cursor node { id role content createdAt } }
          }
        }
      }
    }
  }
`);

/** Sessions → messages → session → messages: each level's page multiplies the answer. */
const NestedPages = graphql(`
  query LimitsNestedPages($first: Int) {
    sessions(first: $first) {
      edges { node { messages(first: $first) { edges { node { session { messages(first: $first) { edges { node { id } } } } } } } } }
    }
  }
`);

const TwoNodeLists = graphql(`
  query LimitsTwoNodeLists($a: [ID!]!, $b: [ID!]!) {
    a: nodes(ids: $a) { id }
    b: nodes(ids: $b) { id }
  }
`);

const Typename = graphql(`
  query LimitsTypename { __typename }
`);

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
const UNKNOWN_SESSION = Buffer.from('Session:00000000-0000-4000-8000-000000000000').toString('base64');
const ids = (count: number) => Array.from({ length: count }, () => UNKNOWN_SESSION);

/** A raw document over HTTP (one not worth typing: generated, hostile). */
async function post(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<FormattedExecutionResult> {
  const response = await fetch(server.url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as FormattedExecutionResult;
}

/** Refused before anything ran: one error with `code` and a message matching `message`, no data, no SQL. */
async function expectRefused(server: TestServer, send: () => Promise<FormattedExecutionResult>, code: string, message: RegExp) {
  const before = server.app.database.statements.count;
  const result = await send();
  expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result).slice(0, 500)).toBe(code);
  expect(result.errors?.[0]?.message).toMatch(message);
  expect(result.data ?? undefined).toBeUndefined();
  expect(server.app.database.statements.count, 'no SQL ran').toBe(before);
}

const sessionCount = (server: TestServer) => server.app.database.prisma.session.count();
const wsUrl = (server: TestServer) => server.url.replace(/^http/, 'ws');

/** A graphql-ws client on its own socket, closed after the test. */
function wsClient(server: TestServer): Client {
  const client = createClient({ url: wsUrl(server), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  onCleanup(() => client.dispose());
  return client;
}

/** One operation over `client`: its results until it completes, or its errors when refused. */
function runOver(client: Client, query: string, variables?: Record<string, unknown>) {
  return new Promise<FormattedExecutionResult[]>((resolve) => {
    const results: FormattedExecutionResult[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (result) => results.push(result as FormattedExecutionResult),
        error: (error) => resolve([{ errors: Array.isArray(error) ? error : [{ message: String((error as Error)?.message ?? error) }] }]),
        complete: () => resolve(results),
      },
    );
  });
}

type Opened = { opened: true; socket: WebSocket } | { opened: false; status?: number; code?: number; reason?: string };

/**
 * A raw graphql-transport-ws socket: resolves once the server acknowledged it, or refused the upgrade
 * (its HTTP status), or closed it (code and reason).
 */
function openSocket(server: TestServer, origin?: string): Promise<Opened> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl(server), 'graphql-transport-ws', origin ? { origin } : {});
    onCleanup(() => socket.close());
    socket.on('unexpected-response', (_request, response) => resolve({ opened: false, status: response.statusCode }));
    socket.on('error', () => resolve({ opened: false }));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve({ opened: true, socket });
    });
    socket.on('close', (code, reason) => resolve({ opened: false, code, reason: String(reason) }));
  });
}

describe('cross-site requests over HTTP', () => {
  it('a form-encoded, multipart or text POST is refused (403) and runs nothing; a JSON POST needs no extra header', async () => {
    const server = await startTestServer('sqlite');
    const mutation = 'mutation { createSession(input: { title: "cross-site" }) { __typename } }';
    const multipart = new FormData();
    multipart.set('operations', JSON.stringify({ query: mutation }));
    multipart.set('map', '{}');
    const bodies: RequestInit[] = [
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent(mutation)}` },
      { body: multipart },
      { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: mutation }) },
    ];
    for (const init of bodies) {
      const response = await fetch(server.url, { method: 'POST', ...init, headers: { ...init.headers, origin: 'https://evil.example' } });
      expect(response.status).toBe(403);
      expect(await response.text()).toMatch(/CSRF/);
    }
    expect(await sessionCount(server)).toBe(0);

    const result = await post(server, mutation);
    expect(result).toEqual({ data: { createSession: { __typename: 'Session' } } });
    expect(await sessionCount(server)).toBe(1);
  });

  it('a GET without a content-type needs the CSRF header (a page can send a GET without a preflight)', async () => {
    const server = await startTestServer('sqlite');
    const url = `${server.url}?query=${encodeURIComponent('{ __typename }')}`;
    expect((await fetch(url)).status).toBe(403);
    const allowed = await fetch(url, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(await allowed.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it.each(['https://evil.example', 'null'])('a preflight from %s gets no CORS header, credentials least of all', async (origin) => {
    const server = await startTestServer('sqlite', { env: { CORS_ORIGINS: 'https://app.example' } });
    const response = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    const cors = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
    expect(cors).toEqual([]);
    const answer = await fetch(server.url, { method: 'POST', headers: { ...JSON_HEADERS, origin }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an origin in CORS_ORIGINS is allowed, with credentials; none is by default', async () => {
    const preflight = (server: TestServer) =>
      fetch(server.url, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const open = await startTestServer('sqlite', { env: { CORS_ORIGINS: 'https://app.example, https://other.example' } });
    const allowed = await preflight(open);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const answer = await fetch(open.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, origin: 'https://other.example' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://other.example');
    expect(answer.headers.get('vary')).toMatch(/Origin/);

    const closed = await startTestServer('sqlite');
    expect((await preflight(closed)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each(['*', 'null', 'https://app.example/path', 'app.example'])('CORS_ORIGINS=%s is a configuration error', (value) => {
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS must list origins/);
  });
});

describe('cross-site WebSockets', () => {
  it('a page from another origin cannot open one (403 at the upgrade); the server itself, no Origin, or an allowed origin can', async () => {
    const server = await startTestServer('sqlite', { env: { CORS_ORIGINS: 'https://app.example' } });
    const own = new URL(server.url).origin;
    for (const origin of ['https://evil.example', 'null', own.replace('127.0.0.1', 'localhost')]) {
      expect(await openSocket(server, origin), origin).toEqual({ opened: false, status: 403 });
    }
    for (const origin of [undefined, own, 'https://app.example']) {
      expect((await openSocket(server, origin)).opened, String(origin)).toBe(true);
    }
  });
});

describe('WebSocket bounds', () => {
  it('a message larger than WS_MAX_MESSAGE_BYTES (1 MiB by default) closes the socket with 1009', async () => {
    const server = await startTestServer('sqlite');
    const opened = await openSocket(server);
    if (!opened.opened) throw new Error(`not opened: ${JSON.stringify(opened)}`);
    const answer = new Promise<string>((resolve) => {
      opened.socket.on('message', (data) => resolve(`message ${String(data).slice(0, 200)}`));
      opened.socket.on('close', (code) => resolve(`close ${code}`));
    });
    const query = `{ __typename } # ${'x'.repeat(1024 * 1024)}`;
    opened.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
    expect(await answer).toBe('close 1009');
  });

  it('a socket runs at most WS_MAX_SUBSCRIPTIONS_PER_SOCKET operations at once; the next is answered with an error', async () => {
    const server = await startTestServer('sqlite', { env: { WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2' } });
    const client = wsClient(server);
    const subscription = print(SessionsChanged);
    const first = client.iterate({ query: subscription });
    const second = client.iterate({ query: subscription });
    // Both are registered as they arrive, in order, before the third does.
    void first.next();
    void second.next();
    const [refused] = await runOver(client, '{ __typename }');
    expect(refused?.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/already runs 2 operations.*complete one/),
      extensions: { code: 'TOO_MANY_OPERATIONS' },
    });
    // Completing one frees its place (the complete message arrives before the next subscribe).
    await first.return?.();
    expect(await runOver(client, '{ __typename }')).toEqual([{ data: { __typename: 'Query' } }]);
    await second.return?.();
  });

  it('a client opens at most WS_MAX_SOCKETS_PER_CLIENT sockets at once; the next is closed with 1008 and why', async () => {
    const server = await startTestServer('sqlite', { env: { WS_MAX_SOCKETS_PER_CLIENT: '2' } });
    const first = await openSocket(server);
    const second = await openSocket(server);
    expect([first.opened, second.opened]).toEqual([true, true]);
    expect(await openSocket(server)).toEqual({
      opened: false,
      code: 1008,
      reason: 'too many connections: at most 2 per client; close one first',
    });
    // Once one has closed, another may open (the server counts it closed a moment after the client does).
    if (first.opened) first.socket.close();
    await eventually(async () => ((await openSocket(server)).opened ? true : undefined), 'a socket to open again');
  });
});

describe('limits on documents and operations', () => {
  it("a frontend's largest page passes: 100 sessions with their last 5 messages, over HTTP and WebSocket", async () => {
    const server = await startTestServer('sqlite');
    await createSession(server);
    const { sessions } = await server.data(BigPage, { sessions: 100, messages: 5 });
    expect(sessions.totalCount).toBe(1);
    const [overSocket] = await runOver(wsClient(server), print(BigPage), { sessions: 100, messages: 5 });
    expect(overSocket?.errors).toBeUndefined();
    // A message's content may hold 100 KB: 100 × 100 of them (up to a gigabyte) are refused before any SQL.
    await expectRefused(
      server,
      () => server.request(BigPage, { sessions: 100, messages: 100 }) as Promise<FormattedExecutionResult>,
      'GRAPHQL_VALIDATION_FAILED',
      /may cost \d+, more than the 250000 allowed/,
    );
  });

  it('aliases of a heavy field count by what it may hold: 30 aliases of attributes on 100 sessions are refused', async () => {
    const server = await startTestServer('sqlite');
    const aliases = Array.from({ length: 30 }, (_, index) => `a${index}: attributes`).join(' ');
    await expectRefused(
      server,
      () => post(server, `{ sessions(first: 100) { edges { node { ${aliases} } } } }`),
      'GRAPHQL_VALIDATION_FAILED',
      /may cost \d+, more than the 250000 allowed/,
    );
    expect((await post(server, `{ sessions(first: 100) { edges { node { id attributes } } } }`)).errors).toBeUndefined();
  });

  it('pages multiplied past MAX_QUERY_COST are refused, the page sizes read from the variables', async () => {
    const server = await startTestServer('sqlite');
    await createSession(server);
    // The same document: 2 × 2 × 2 runs; 100 × 100 × 100 (a million messages) is refused before any SQL.
    expect((await server.request(NestedPages, { first: 2 })).errors).toBeUndefined();
    await expectRefused(
      server,
      () => server.request(NestedPages, { first: 100 }) as Promise<FormattedExecutionResult>,
      'GRAPHQL_VALIDATION_FAILED',
      /may cost \d+, more than the 250000 allowed/,
    );
    // Without first, each connection counts its default page (20): 20 × 20 × 20 × 20 messages.
    const defaults = '{ sessions { edges { node { messages { edges { node { session { messages { edges { node { session { messages { edges { node { id } } } } } } } } } } } } } } }';
    await expectRefused(server, () => post(server, defaults), 'GRAPHQL_VALIDATION_FAILED', /may cost \d+, more than the 250000 allowed/);
    // And over WebSocket.
    const [overSocket] = await runOver(wsClient(server), print(NestedPages), { first: 100 });
    expect(overSocket?.errors?.[0]?.message).toMatch(/may cost \d+, more than the 250000 allowed/);
  });

  it('1,000 aliases of sessions(first: 100) are refused before any SQL', async () => {
    const server = await startTestServer('sqlite');
    const query = `{ ${Array.from({ length: 1000 }, (_, index) => `a${index}: sessions(first: 100) { edges { node { id } } }`).join(' ')} }`;
    const before = server.app.database.statements.count;
    const result = await post(server, query);
    expect(result.errors?.[0]?.extensions?.code).toMatch(/GRAPHQL_(PARSE|VALIDATION)_FAILED/);
    expect(server.app.database.statements.count).toBe(before);
  });

  it('MAX_ALIASES (30): 30 aliases run, 31 are refused', async () => {
    const server = await startTestServer('sqlite');
    const aliased = (count: number) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: sessions(first: 1) { totalCount }`).join(' ')} }`;
    expect((await post(server, aliased(30))).errors).toBeUndefined();
    await expectRefused(server, () => post(server, aliased(31)), 'GRAPHQL_VALIDATION_FAILED', /more than 30 aliases/);
  });

  it('MAX_DIRECTIVES (50): 50 directives run, 51 are refused', async () => {
    const server = await startTestServer('sqlite');
    const directed = (count: number) => `{ ${'__typename @include(if: true) '.repeat(count)} }`;
    expect(await post(server, directed(50))).toEqual({ data: { __typename: 'Query' } });
    await expectRefused(server, () => post(server, directed(51)), 'GRAPHQL_VALIDATION_FAILED', /more than 50 directives/);
  });

  it('MAX_TOKENS (5000): a longer document is refused as it is read', async () => {
    const server = await startTestServer('sqlite');
    const long = `{ nodes(ids: [${'"x" '.repeat(5000)}]) { id } }`;
    await expectRefused(server, () => post(server, long), 'GRAPHQL_PARSE_FAILED', /longer than 5000 tokens/);
  });

  it('a document nested too deep for the parser is still a parse error with MAX_TOKENS raised', async () => {
    const server = await startTestServer('sqlite', { env: { MAX_TOKENS: '1000000' } });
    const list = `${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`;
    await expectRefused(server, () => post(server, `{ nodes(ids: ${list}) { id } }`), 'GRAPHQL_PARSE_FAILED', /nests too deep to be read/);
  });

  it('nodes takes at most MAX_NODE_IDS (100) ids per request, over all its aliases', async () => {
    const server = await startTestServer('sqlite');
    const { a, b } = await server.data(TwoNodeLists, { a: ids(50), b: ids(50) });
    expect([a.length, b.length]).toEqual([50, 50]);
    for (const variables of [
      { a: ids(101), b: [] },
      { a: ids(60), b: ids(60) },
    ]) {
      await expectRefused(
        server,
        () => server.request(TwoNodeLists, variables) as Promise<FormattedExecutionResult>,
        'BAD_USER_INPUT',
        /nodes takes at most 100 ids per request \(over all its aliases\); got 1[02][01]/,
      );
    }
    const literal = `{ nodes(ids: [${ids(101).map((id) => `"${id}"`).join(', ')}]) { id } }`;
    await expectRefused(server, () => post(server, literal), 'BAD_USER_INPUT', /at most 100 ids/);
  });

  it.each([
    ['exportSessions, under two aliases', 'mutation($ids: [ID!]!) { a: exportSessions(ids: $ids) { __typename } b: exportSessions(ids: $ids) { __typename } }'],
    ['deleteSessions, under two aliases', 'mutation($ids: [ID!]!) { a: deleteSessions(ids: $ids) { __typename } b: deleteSessions(ids: $ids) { __typename } }'],
    [
      'deleteSessions, once more in a fragment',
      'mutation($ids: [ID!]!) { a: deleteSessions(ids: $ids) { __typename } ...More } fragment More on Mutation { b: deleteSessions(ids: $ids) { __typename } }',
    ],
  ])('%s is refused: its cap on ids holds per request', async (_case, mutation) => {
    const server = await startTestServer('sqlite');
    const { id } = await createSession(server);
    await expectRefused(server, () => post(server, mutation, { ids: [id] }), 'GRAPHQL_VALIDATION_FAILED', /may appear only once in an operation/);
    expect(await sessionCount(server)).toBe(1);
  });

  it('a request body larger than MAX_REQUEST_BYTES (1 MiB by default) is answered 413, streamed or not', async () => {
    const server = await startTestServer('sqlite');
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(1024 * 1024) } });
    const sized = await fetch(server.url, { method: 'POST', headers: JSON_HEADERS, body });
    expect(sized.status).toBe(413);
    const streamed = await fetch(server.url, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: new Blob([body]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await post(server, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });

  it('each limit is set through the environment', async () => {
    const server = await startTestServer('sqlite', {
      env: { MAX_QUERY_DEPTH: '3', MAX_ALIASES: '1', MAX_DIRECTIVES: '1', MAX_NODE_IDS: '2', MAX_QUERY_COST: '100', MAX_TOKENS: '100' },
    });
    await expectRefused(server, () => post(server, '{ sessions { edges { node { id } } } }'), 'GRAPHQL_VALIDATION_FAILED', /more than 3 levels deep/);
    await expectRefused(server, () => post(server, '{ a: sessions { totalCount } b: sessions { totalCount } }'), 'GRAPHQL_VALIDATION_FAILED', /more than 1 aliases/);
    await expectRefused(server, () => post(server, '{ __typename @skip(if: false) __typename @include(if: true) }'), 'GRAPHQL_VALIDATION_FAILED', /more than 1 directives/);
    await expectRefused(server, () => post(server, `{ nodes(ids: ${JSON.stringify(ids(3))}) { id } }`), 'BAD_USER_INPUT', /at most 2 ids/);
    await expectRefused(server, () => post(server, '{ sessions(first: 100) { totalCount } }'), 'GRAPHQL_VALIDATION_FAILED', /more than the 100 allowed/);
    await expectRefused(server, () => post(server, `{ ${'__typename '.repeat(101)} }`), 'GRAPHQL_PARSE_FAILED', /longer than 100 tokens/);
    expect(await server.data(Typename)).toEqual({ __typename: 'Query' });
  });
});

describe('production mode', () => {
  const introspection = '{ __schema { queryType { name } } }';
  const typo = '{ sesions { totalCount } }';
  const enumTypo = '{ sessions(orderBy: { field: CREATD_AT }) { totalCount } }';
  const variableTypo = ['query($order: SessionOrder) { sessions(orderBy: $order) { totalCount } }', { order: { field: 'CREATD_AT' } }] as const;

  async function graphiqlServed(server: TestServer): Promise<boolean> {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    const page = await response.text();
    return response.status === 200 && (response.headers.get('content-type') ?? '').includes('text/html') && page.includes('<html');
  }

  it('by default GraphiQL, introspection and suggestions are on', async () => {
    const server = await startTestServer('sqlite');
    expect(await graphiqlServed(server)).toBe(true);
    expect(await post(server, introspection)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    expect((await post(server, typo)).errors?.[0]?.message).toMatch(/Did you mean "sessions"/);
    expect((await post(server, enumTypo)).errors?.[0]?.message).toMatch(/Did you mean the enum value "CREATED_AT"/);
  });

  it.each<Record<string, string>>([{ NODE_ENV: 'production' }, { PRODUCTION: 'true' }])('with %o they are off, over HTTP and WebSocket', async (env) => {
    const server = await startTestServer('sqlite', { env });
    expect(await graphiqlServed(server)).toBe(false);
    const refused = await post(server, introspection);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    const [overSocket] = await runOver(wsClient(server), introspection);
    expect(overSocket?.errors?.[0]?.message).toMatch(/introspection has been disabled/);

    const answers = [
      await post(server, typo),
      await post(server, enumTypo),
      await post(server, ...variableTypo),
      ...(await runOver(wsClient(server), enumTypo)),
      ...(await runOver(wsClient(server), ...variableTypo)),
    ];
    for (const answer of answers) {
      expect(answer.errors?.length, JSON.stringify(answer)).toBeGreaterThan(0);
      expect(JSON.stringify(answer)).not.toMatch(/Did you mean|CREATED_AT|"sessions"/);
    }
    expect(answers[0]!.errors?.[0]?.message).toMatch(/Cannot query field "sesions" on type "Query"\.$/);
  });

  it('GRAPHIQL=true and INTROSPECTION=true turn them back on in production', async () => {
    const server = await startTestServer('sqlite', { env: { NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: 'true' } });
    expect(await graphiqlServed(server)).toBe(true);
    expect(await post(server, introspection)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    expect((await post(server, typo)).errors?.[0]?.message).toMatch(/Did you mean "sessions"/);
  });

  it('GRAPHIQL=false turns GraphiQL off outside production; a flag that is not true or false is a configuration error', async () => {
    const server = await startTestServer('sqlite', { env: { GRAPHIQL: 'false' } });
    expect(await graphiqlServed(server)).toBe(false);
    expect(() => loadConfig({ INTROSPECTION: 'yes' })).toThrow(/INTROSPECTION must be one of true, false/);
  });
});
