/**
 * API tokens and ownership through every transport: a server with tokens refuses callers without a
 * valid one (HTTP 401, SSE 401, WebSocket close 4403), and a principal sees and changes only its own
 * sessions: someone else's is answered exactly like one that does not exist, on every query, mutation,
 * subscription and list. An admin token sees all. A server without tokens listens on loopback only.
 */
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { DatabaseProvider } from '../src/db/providers.js';
import { globalId } from '../src/schema/ids.js';
import { freshDatabase, PROVIDERS } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { eventually } from './support/faults.js';
import { capturedLog, startTestServer, type TestServer } from './support/server.js';
import { serverWithTokens } from './support/tokens.js';
import { storedSession } from './support/sessions.js';
import { subscribe } from './support/subscribers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** One raw operation as `client` (its token, if any); the whole result, errors included. */
async function send(client: TestServer, query: string, variables: Record<string, unknown> = {}) {
  return (await client.request(parse(query) as TypedDocumentNode<Any, Any>, variables)) as { data?: Any; errors?: Any[] };
}

/** serverWithTokens, and a server on its database without SESSION_WORKDIR_ROOT refuses to start. */
async function tokenServer(provider: DatabaseProvider) {
  const started = await serverWithTokens(provider);
  await expect(startTestServer(provider, { bare: true, database: started.database })).rejects.toThrow(
    /SESSION_WORKDIR_ROOT must be set once API tokens exist/,
  );
  return started;
}

async function createOwned(client: TestServer, title: string) {
  const { data } = await send(client, `mutation($title: String!) { createSession(input: { title: $title }) { __typename ... on Session { id } } }`, { title });
  expect(data.createSession.__typename).toBe('Session');
  const id: string = data.createSession.id;
  const added = await send(client, `mutation($id: ID!) { addMessage(input: { sessionId: $id, role: "user", content: "hello" }) { ... on Message { id } } }`, { id });
  return { id, messageId: added.data.addMessage.id as string };
}

describe('without a valid token', () => {
  it('HTTP answers 401 UNAUTHENTICATED, for a missing, malformed, unknown or revoked token', async () => {
    const { server, alice, tokens } = await tokenServer('sqlite');
    const query = JSON.stringify({ query: '{ sessions(first: 1) { totalCount } }' });
    const post = (authorization?: string) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization && { authorization }) }, body: query });
    const [id] = (await tokens.list()).filter((token) => token.name === 'alice').map((token) => token.id);
    for (const authorization of [undefined, 'Bearer', 'Basic YWxpY2U6c2VjcmV0', 'Bearer asg_0000000000000000_' + 'a'.repeat(43), `Bearer ${alice.token!.slice(0, -1)}x`]) {
      const response = await post(authorization);
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await response.json()) as Any;
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(body.data ?? null).toBeNull();
    }
    expect((await post(`Bearer ${alice.token}`)).status).toBe(200);
    expect(await tokens.revoke(id!)).toBe(true);
    expect((await post(`Bearer ${alice.token}`)).status).toBe(401);
  });

  it('SSE answers 401; a WebSocket is closed with 4403 before any operation runs', async () => {
    const { server, alice } = await tokenServer('sqlite');
    const { id } = await createOwned(alice, 'mine');
    const document = parse(`subscription($id: ID!) { sessionEvents(sessionId: $id, after: 0) { seq } }`) as TypedDocumentNode<Any, Any>;
    const sse = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription($id: ID!) { sessionEvents(sessionId: $id, after: 0) { seq } }', variables: { id } }),
    });
    expect(sse.status).toBe(401);
    const stream = await sse.text();
    expect(stream).toContain('UNAUTHENTICATED');
    expect(stream).toContain('event: complete');

    for (const token of [undefined, 'asg_not_a_token']) {
      let closeCode: number | undefined;
      const client = token ? server.as(token) : server;
      const ws = subscribe(client, 'websocket', document, { id }, { onSocket: (socket) => socket.on('close', (code) => (closeCode = code)) });
      await ws.ended;
      expect(closeCode).toBe(4403);
      expect(ws.results.filter((result) => result.data)).toEqual([]);
    }
    const allowed = subscribe(alice, 'websocket', document, { id });
    expect((await allowed.received((results) => results.length >= 1))[0]?.data?.sessionEvents.seq).toBe(1);
  });
});

describe('a token revoked while in use', () => {
  it('stops an open WebSocket at its next operation, and ends open subscriptions before their next event', async () => {
    const { server, alice, admin, tokens } = await tokenServer('sqlite');
    const { id } = await createOwned(alice, 'mine');
    const client = createClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${alice.token}` }, retryAttempts: 0, lazy: false });
    onCleanup(() => client.dispose());
    const run = (query: string) =>
      new Promise<Any>((resolve) => {
        let result: Any;
        client.subscribe({ query }, { next: (value) => (result = value), error: (error) => resolve({ errors: error }), complete: () => resolve(result) });
      });
    expect((await run('{ sessions(first: 5) { totalCount } }')).data.sessions.totalCount).toBe(1);

    const changes = parse(`subscription { sessionsChanged { kind session { title } } }`) as TypedDocumentNode<Any, Any>;
    const watchers = (['sse', 'websocket'] as const).map((transport) => subscribe(alice, transport, changes, {}));
    // Both listen once a change of alice's reaches them (a list subscription replays nothing: change until one does).
    for (const watcher of watchers) {
      await eventually(async () => {
        await send(alice, `mutation($id: ID!) { updateSessionTitle(input: { sessionId: $id, title: "before" }) { __typename } }`, { id });
        return watcher.results.some((result) => result.data?.sessionsChanged.session?.title === 'before') || undefined;
      }, 'the watcher to listen');
    }

    const [token] = (await tokens.list()).filter((row) => row.name === 'alice');
    await tokens.revoke(token!.id);
    // The server remembers a token's state for a second at most: the socket's next operations are refused from then on.
    const after = await eventually(async () => {
      const result = await run('{ sessions(first: 5) { totalCount } }');
      return result.errors ? result : undefined;
    }, 'the revoked token to be refused on the open socket');
    expect(JSON.stringify(after.errors)).toMatch(/revoked/);
    expect((await run('mutation { createSession(input: { title: "after revoke" }) { __typename } }')).errors).toBeDefined();
    await send(admin, `mutation($id: ID!) { updateSessionTitle(input: { sessionId: $id, title: "secret after revocation" }) { __typename } }`, { id });
    for (const watcher of watchers) {
      const seen = await watcher.received((results) => results.some((result) => result.errors));
      expect(JSON.stringify(seen)).not.toContain('secret after revocation');
      expect(seen.at(-1)?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect((await send(admin, `{ sessions(first: 10) { totalCount } }`)).data.sessions.totalCount).toBe(1);
  });
});

describe.each(PROVIDERS)('ownership (%s)', (provider) => {
  it("someone else's session is not found on every query, mutation and subscription, and nothing is written", async () => {
    const { alice, bob, admin } = await tokenServer(provider);
    const theirs = await createOwned(alice, 'alice only');
    const mine = await createOwned(bob, 'bob only');
    const before = await storedSession(alice, theirs.id);
    const missing = globalId('Session', randomUUID());

    // Exactly the answer a session that does not exist gets, apart from the id it names.
    const asMissing = async (query: string, field: string, variables: Record<string, unknown>) => {
      const forTheirs = await send(bob, query, { ...variables, id: theirs.id });
      const forMissing = await send(bob, query, { ...variables, id: missing });
      expect(forTheirs.errors, query).toBeUndefined();
      const shape = (result: Any) => JSON.stringify(result.data[field]).replaceAll(theirs.id, 'ID').replaceAll(missing, 'ID')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');
      expect(shape(forTheirs), query).toBe(shape(forMissing));
      expect(forTheirs.data[field].__typename, query).toBe('SessionNotFound');
    };
    await asMissing(`query($id: ID!) { session(id: $id) { __typename ... on Error { message } } }`, 'session', {});
    for (const [field, args] of [
      ['updateSessionTitle', 'input: { sessionId: $id, title: "stolen" }'],
      ['setSessionStarred', 'input: { sessionId: $id, starred: true }'],
      ['updateSessionPermissions', 'input: { sessionId: $id, permissions: { allow: ["*"], ask: [], deny: [] } }'],
      ['setSessionSafetyPolicy', 'sessionId: $id, safetyPolicy: ALLOW_ALL'],
      ['updateSessionTokens', 'input: { sessionId: $id, inputTokens: 1, outputTokens: 1, cost: 1 }'],
      ['startSession', 'id: $id'],
      ['stopSession', 'id: $id'],
      ['deleteSession', 'id: $id'],
      ['forkSession', 'input: { sessionId: $id }'],
      ['addMessage', 'input: { sessionId: $id, role: "user", content: "injected" }'],
      ['runTurn', 'input: { sessionId: $id, messages: [{ role: "user", content: "hi" }] }'],
      ['cancelTurn', 'sessionId: $id'],
      ['resumeTurn', 'input: { sessionId: $id, decision: APPROVE }'],
      ['answerElicitation', 'input: { sessionId: $id, action: DECLINE }'],
      ['setSessionAgentModel', 'input: { sessionId: $id, modelRef: "echo-short" }'],
      ['switchAgent', 'input: { sessionId: $id, agentName: "helper" }'],
      ['exportSessions', 'ids: [$id]'],
    ] as const) {
      await asMissing(`mutation($id: ID!) { ${field}(${args}) { __typename ... on Error { message } } }`, field, {});
    }
    const batch = await send(bob, `mutation($id: ID!) { deleteSessions(ids: [$id]) { ... on DeleteSessionsPayload { deletedSessionIds failures { sessionId code } } } }`, { id: theirs.id });
    expect(batch.errors).toBeUndefined();
    expect(batch.data.deleteSessions).toEqual({ deletedSessionIds: [], failures: [{ sessionId: theirs.id, code: "SessionNotFound" }] });
    const edit = await send(bob, `mutation($id: ID!) { updateMessage(input: { messageId: $id, content: "x" }) { __typename } }`, { id: theirs.messageId });
    expect(edit.data.updateMessage.__typename).toBe('MessageNotFound');

    // Lists, counts and node lookups leave it out.
    const listed = await send(bob, `{ sessions(first: 50) { totalCount edges { node { id } } } }`);
    expect(listed.data.sessions).toEqual({ totalCount: 1, edges: [{ node: { id: mine.id } }] });
    const nodes = await send(bob, `query($ids: [ID!]!) { nodes(ids: $ids) { id } node(id: "${theirs.messageId}") { id } }`, { ids: [theirs.id, mine.id] });
    expect(nodes.data).toEqual({ nodes: [null, { id: mine.id }], node: null });

    // Subscriptions: its events are refused as for a missing session, on both transports.
    const events = parse(`subscription($id: ID!) { sessionEvents(sessionId: $id, after: 0) { seq } }`) as TypedDocumentNode<Any, Any>;
    for (const transport of ['sse', 'websocket'] as const) {
      const refused = await subscribe(bob, transport, events, { id: theirs.id }).received();
      expect(refused.flatMap((result) => result.errors ?? []).map((error: Any) => error.extensions?.code), transport).toEqual(['SESSION_NOT_FOUND']);
      expect(refused.filter((result) => result.data?.sessionEvents)).toEqual([]);
    }

    // Nothing of alice's session changed; the admin sees both.
    expect(await storedSession(alice, theirs.id)).toEqual(before);
    const all = await send(admin, `{ sessions(first: 50) { totalCount } }`);
    expect(all.data.sessions.totalCount).toBe(2);
    expect((await send(admin, `query($id: ID!) { session(id: $id) { __typename } }`, { id: theirs.id })).data.session.__typename).toBe('Session');
  });

  it("sessionsChanged shows a principal its own sessions' changes only; an admin sees every change", async () => {
    const { alice, bob, admin } = await tokenServer(provider);
    const changes = parse(`subscription { sessionsChanged { kind sessionId } }`) as TypedDocumentNode<Any, Any>;
    const bobs = subscribe(bob, 'websocket', changes, {});
    const admins = subscribe(admin, 'sse', changes, {});
    // Each watcher is listening once a change made after it subscribed reaches it.
    const probe = await createOwned(bob, 'probe');
    await bobs.until((results) => results.some((result) => result.data?.sessionsChanged.sessionId === probe.id));
    await admins.until((results) => results.some((result) => result.data?.sessionsChanged.sessionId === probe.id));

    const theirs = await createOwned(alice, 'alice');
    await send(alice, `mutation($id: ID!) { deleteSession(id: $id) { __typename } }`, { id: theirs.id });
    const last = await createOwned(bob, 'last');
    const seenByBob = await bobs.received((results) => results.some((result) => result.data?.sessionsChanged.sessionId === last.id));
    expect(seenByBob.map((result) => result.data?.sessionsChanged.sessionId).filter((id) => id === theirs.id)).toEqual([]);
    const seenByAdmin = await admins.received((results) => results.some((result) => result.data?.sessionsChanged.sessionId === last.id));
    expect(seenByAdmin.filter((result) => result.data?.sessionsChanged.sessionId === theirs.id).map((result) => result.data.sessionsChanged.kind)).toContain('DELETED');
  });
});

describe('a server without tokens', () => {
  it('listens on loopback only, whatever HOST says, and says why', async () => {
    const { log, records } = capturedLog();
    const server = await startTestServer('sqlite', { bare: true, env: { HOST: '0.0.0.0' }, log });
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(records.find((record) => String(record.message).includes('loopback only'))).toMatchObject({ ignoredHost: '0.0.0.0' });
  });

  it('answers loopback Host names only (no DNS rebinding): another Host gets 421 and its WebSocket is refused', async () => {
    const server = await startTestServer('sqlite', { bare: true });
    const { port } = new URL(server.url);
    const rebound = (path: string, headers: Record<string, string>, body?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', headers }, (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, body: text }));
        });
        request.on('error', reject);
        request.end(body);
      });
    const evil = { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'content-type': 'application/json' };
    const posted = await rebound('/graphql', evil, JSON.stringify({ query: 'mutation { createSession(input: { title: "rebound" }) { __typename } }' }));
    expect(posted.status).toBe(421);
    expect(JSON.parse(posted.body).errors[0].extensions.code).toBe('MISDIRECTED_REQUEST');
    const upgrade = await rebound('/graphql', { ...evil, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'graphql-transport-ws' });
    expect(upgrade.status).toBe(421);
    expect(await server.app.database.prisma.session.count()).toBe(0);
    expect((await rebound('/graphql', { host: `localhost:${port}`, 'content-type': 'application/json' }, JSON.stringify({ query: '{ sessions { totalCount } }' }))).status).toBe(200);
  });

  it('`npm run token` creates, lists and revokes tokens, showing the secret only once', () => {
    const database = freshDatabase('sqlite');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/token-cli.ts', ...args], {
        cwd: root,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url },
        encoding: 'utf8',
      });
    const created = run('create', '--name', 'ci', '--admin');
    expect(created.status, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^asg_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const listed = run('list');
    const id = token.split('_')[1]!;
    expect(listed.stdout).toContain(`${id}  ci (admin)`);
    expect(listed.stdout).not.toContain(token.split('_')[2]);
    expect(run('revoke', id).status).toBe(0);
    expect(run('list').stdout).toMatch(/revoked/);
    expect(run('revoke', id).status).toBe(1);
    expect(run('create').status).toBe(2);
    expect(run('create', '--name', 'bad name').status).toBe(2);
  });
});
