/**
 * Hostile clients, across every transport (README "Security"): one table of requests an attacker on
 * the network could send over HTTP, SSE or WebSocket, in six groups (slow consumers, cross-site,
 * authentication and ownership, cost, errors, production mode), each with what the server must answer.
 * Every answer is checked for leaks (no INTERNAL_SERVER_ERROR, no stack trace) and every case for
 * writes (none, beyond the attacker's own session that group 1 changes to make its subscribers fall
 * behind). After all of them, the server still serves, its memory stayed bounded, and the victim's
 * session is as it was.
 *
 * The per-feature tests (security-limits, auth, slow-subscribers, client-mistakes) show each
 * protection in detail; this table shows them all holding at once, on one server with tokens (on
 * SQLite and on PostgreSQL), and a second one in production mode.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, type FormattedExecutionResult } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiTokens } from '../src/auth/tokens.js';
import type { DatabaseProvider } from '../src/db/providers.js';
import { freshDatabase, PROVIDERS } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { eventually } from './support/faults.js';
import {
  attributeAliases,
  bigPage,
  CREATE_WITH_ATTRIBUTES,
  deepList,
  deepSelection,
  deepVariable,
  directives,
  EVENTS,
  graphqlPost,
  HEAVY_CHANGES,
  HEAVY_EVENTS,
  httpRequest,
  leaks,
  manyTokens,
  NESTED_PAGES,
  nestedFields,
  nestedFragments,
  pageAliases,
  RawSocket,
  scalarAliases,
  ssePost,
  unknownIds,
  wsRun,
  type Caller,
  type Outcome,
} from './support/hostile.js';
import { startTestServer, type TestServer } from './support/server.js';
import { storedSession } from './support/sessions.js';
import { subscribe } from './support/subscribers.js';

const G1 = '1. slow consumers';
const G2 = '2. cross-site';
const G3 = '3. authentication and ownership';
const G4 = '4. cost';
const G5 = '5. errors';
const G6 = '6. production mode';

const APP_ORIGIN = 'https://app.example.com';
const MiB = 1024 * 1024;

// The table, one case a line: group, case, transport, request, expected. `who` is the caller: anonymous
// (no token), attacker, victim, admin, revoked, unknown (well-formed, never issued), spliced (the
// victim's token id with the attacker's secret), or prod (the attacker on the production server).
const CASES: Case[] = [
  // 1. Slow consumers: paused with large selections, ended with a reason; the process stays up (checked after all).
  c(G1, 'sessionsChanged, 200 kB a change, paused', 'ws', slowConsumer('websocket', 'sessionsChanged'), { code: 'SUBSCRIBER_TOO_SLOW' }),
  c(G1, 'sessionsChanged, 200 kB a change, paused', 'sse', slowConsumer('sse', 'sessionsChanged'), { code: 'SUBSCRIBER_TOO_SLOW' }),
  c(G1, 'sessionEvents, 200 kB an event, paused', 'ws', slowConsumer('websocket', 'sessionEvents'), { code: 'SUBSCRIBER_TOO_SLOW' }),
  c(G1, 'sessionEvents, 200 kB an event, paused', 'sse', slowConsumer('sse', 'sessionEvents'), { code: 'SUBSCRIBER_TOO_SLOW' }),

  // 2. Cross-site: what another site's page could make a browser send.
  c(G2, "form-encoded POST renaming the victim's session, with the victim's token", 'http', raw('victim', (ctx) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: `query=${encodeURIComponent(renameVictim(ctx))}` })), { status: 403 }),
  c(G2, 'multipart POST mutation', 'http', raw('victim', (ctx) => ({ method: 'POST', body: multipart(renameVictim(ctx)), headers: { origin: 'https://evil.example' } })), { status: 403 }),
  c(G2, 'text/plain POST mutation (JSON body)', 'http', raw('victim', (ctx) => ({ method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, body: JSON.stringify({ query: renameVictim(ctx) }) })), { status: 403 }),
  c(G2, 'POST mutation without a content-type', 'http', raw('victim', (ctx) => ({ method: 'POST', body: new TextEncoder().encode(JSON.stringify({ query: renameVictim(ctx) })) })), { status: 403 }),
  c(G2, 'GET query without the CSRF header', 'http', raw('victim', () => ({ method: 'GET' }), '?query={sessions{totalCount}}'), { status: 403 }),
  c(G2, 'GET mutation with the CSRF header', 'http', raw('victim', () => ({ method: 'GET', headers: { 'x-graphql-yoga-csrf': '1' } }), (ctx) => `?query=${encodeURIComponent(renameVictim(ctx))}`), { status: 405 }),
  c(G2, 'preflight from an unlisted origin', 'http', preflight('https://evil.example'), { status: 204, cors: null }),
  c(G2, 'preflight with Origin: null', 'http', preflight('null'), { status: 204, cors: null }),
  c(G2, 'preflight from a look-alike of the listed origin', 'http', preflight(`${APP_ORIGIN}.evil.example`), { status: 204, cors: null }),
  c(G2, 'preflight from the listed origin (allowed)', 'http', preflight(APP_ORIGIN), { status: 204, cors: APP_ORIGIN }),
  c(G2, 'JSON POST from an unlisted origin: answered, not readable by its page', 'http', post('attacker', '{ __typename }', {}, { origin: 'https://evil.example' }), { status: 200, cors: null }),
  c(G2, 'upgrade from a foreign Origin', 'ws', ws('attacker', '{ __typename }', {}, { origin: 'https://evil.example' }), { status: 403 }),
  c(G2, 'upgrade with Origin: null', 'ws', ws('attacker', '{ __typename }', {}, { origin: 'null' }), { status: 403 }),
  c(G2, 'upgrade from a look-alike of the listed origin', 'ws', ws('attacker', '{ __typename }', {}, { origin: `${APP_ORIGIN}.evil.example` }), { status: 403 }),
  c(G2, "upgrade from the server's host on another port", 'ws', ws('attacker', '{ __typename }', {}, { origin: 'http://127.0.0.1:1' }), { status: 403 }),
  c(G2, 'upgrade from the listed origin (allowed)', 'ws', ws('attacker', '{ __typename }', {}, { origin: APP_ORIGIN }), { data: { __typename: 'Query' } }),

  // 3. Authentication and ownership.
  c(G3, 'no Authorization header', 'http', post('anonymous', '{ sessions { totalCount } }'), { status: 401, code: 'UNAUTHENTICATED' }),
  c(G3, '"Bearer" without a token', 'http', post('anonymous', '{ sessions { totalCount } }', {}, { authorization: 'Bearer' }), { status: 401, code: 'UNAUTHENTICATED' }),
  c(G3, 'Basic credentials', 'http', post('anonymous', '{ sessions { totalCount } }', {}, { authorization: 'Basic YXR0YWNrZXI6c2VjcmV0' }), { status: 401, code: 'UNAUTHENTICATED' }),
  c(G3, 'a well-formed token never issued', 'http', post('unknown', '{ sessions { totalCount } }'), { status: 401, code: 'UNAUTHENTICATED' }),
  c(G3, "the victim's token id with the attacker's secret", 'http', post('spliced', '{ sessions { totalCount } }'), { status: 401, code: 'UNAUTHENTICATED' }),
  c(G3, 'a revoked token', 'http', post('revoked', '{ sessions { totalCount } }'), { status: 401, code: 'UNAUTHENTICATED' }),
  c(G3, 'sessionEvents without a token', 'sse', sse('anonymous', EVENTS, victim), { status: 401, code: 'UNAUTHENTICATED' }),
  c(G3, 'sessionsChanged with a revoked token', 'sse', sse('revoked', 'subscription { sessionsChanged { sessionId } }'), { status: 401, code: 'UNAUTHENTICATED' }),
  c(G3, 'no connectionParams', 'ws', ws('anonymous', '{ __typename }'), { close: 4403 }),
  c(G3, 'a token never issued', 'ws', ws('unknown', '{ __typename }'), { close: 4403 }),
  c(G3, 'a revoked token', 'ws', ws('revoked', '{ __typename }'), { close: 4403 }),
  c(G3, 'an authorization that is not a string', 'ws', ws('anonymous', '{ __typename }', {}, { connectionParams: { authorization: { toString: 'Bearer x' }, token: 42 } }), { close: 4403 }),
  c(G3, "connectionParams.token: the victim's token id with the attacker's secret", 'ws', (ctx) => wsRun({ url: ctx.server.url }, [{ query: '{ __typename }' }], { connectionParams: { token: callerOf(ctx, 'spliced').token } }), { close: 4403 }),
  c(G3, "session(id) of the victim's session", 'http', post('attacker', 'query($id: ID!) { session(id: $id) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "deleteSession on the victim's session", 'http', post('attacker', 'mutation($id: ID!) { deleteSession(id: $id) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "deleteSessions on the victim's session", 'http', post('attacker', 'mutation($id: ID!) { deleteSessions(ids: [$id]) { ... on DeleteSessionsPayload { deletedSessionIds failures { code } } } }', victim), { data: { deleteSessions: { deletedSessionIds: [], failures: [{ code: 'SessionNotFound' }] } } }),
  c(G3, "updateSessionTitle on the victim's session", 'http', post('attacker', 'mutation($id: ID!) { updateSessionTitle(input: { sessionId: $id, title: "pwned" }) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "updateSessionTitle on the victim's session", 'ws', ws('attacker', 'mutation($id: ID!) { updateSessionTitle(input: { sessionId: $id, title: "pwned" }) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "addMessage to the victim's session", 'http', post('attacker', 'mutation($id: ID!) { addMessage(input: { sessionId: $id, role: "user", content: "injected" }) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "updateMessage on the victim's message", 'http', post('attacker', 'mutation($id: ID!) { updateMessage(input: { messageId: $id, content: "pwned" }) { __typename } }', victimMessage), { typename: 'MessageNotFound' }),
  c(G3, "setSessionSafetyPolicy ALLOW_ALL on the victim's session", 'http', post('attacker', 'mutation($id: ID!) { setSessionSafetyPolicy(sessionId: $id, safetyPolicy: ALLOW_ALL) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "forkSession of the victim's session", 'http', post('attacker', 'mutation($id: ID!) { forkSession(input: { sessionId: $id }) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "runTurn on the victim's session", 'http', post('attacker', 'mutation($id: ID!) { runTurn(input: { sessionId: $id, messages: [{ role: "user", content: "call read_file {}" }] }) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "exportSessions of the victim's session", 'http', post('attacker', 'mutation($id: ID!) { exportSessions(ids: [$id]) { __typename } }', victim), { typename: 'SessionNotFound' }),
  c(G3, "node(id) of the victim's session", 'http', post('attacker', 'query($id: ID!) { node(id: $id) { id } }', victim), { data: { node: null } }),
  c(G3, "node(id) of the victim's message", 'http', post('attacker', 'query($id: ID!) { node(id: $id) { id } }', victimMessage), { data: { node: null } }),
  c(G3, "nodes(ids) of the victim's session and message", 'http', post('attacker', 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', (ctx) => ({ ids: [ctx.victimSession, ctx.victimMessage] })), { data: { nodes: [null, null] } }),
  c(G3, "sessions searched for the victim's title", 'http', post('attacker', '{ sessions(filter: { search: "victim" }) { totalCount edges { node { id } } } }'), { data: { sessions: { totalCount: 0, edges: [] } } }),
  c(G3, 'sessions: the list leaves the victim out', 'http', post('attacker', '{ sessions(first: 100) { totalCount edges { node { title } } } }'), { data: { sessions: { totalCount: 2, edges: [{ node: { title: '50% off' } }, { node: { title: 'attacker driver' } }] } } }),
  c(G3, "sessionEvents of the victim's session", 'ws', ws('attacker', EVENTS, victim), { code: 'SESSION_NOT_FOUND' }),
  c(G3, "sessionEvents of the victim's session", 'sse', sse('attacker', EVENTS, victim), { status: 200, code: 'SESSION_NOT_FOUND' }),

  // 4. Cost: refused before anything runs.
  c(G4, '1,000 aliases of a scalar', 'http', post('attacker', scalarAliases(1000)), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than 30 aliases/ }),
  c(G4, '1,000 aliases of sessions(first: 100)', 'http', post('attacker', pageAliases(1000)), { code: 'GRAPHQL_PARSE_FAILED', message: /longer than 5000 tokens/ }),
  c(G4, 'fields nested 500 deep', 'http', post('attacker', nestedFields(125)), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than 15 levels deep/ }),
  c(G4, 'fields nested 500 deep', 'ws', ws('attacker', nestedFields(125)), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than 15 levels deep/ }),
  c(G4, 'fields nested 16 deep', 'http', post('attacker', nestedFields(3)), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than 15 levels deep/ }),
  c(G4, 'fragments spread 500 deep', 'sse', sse('attacker', nestedFragments(125)), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than 15 levels deep/ }),
  c(G4, '6,000 tokens', 'http', post('attacker', manyTokens(6000)), { code: 'GRAPHQL_PARSE_FAILED', message: /longer than 5000 tokens/ }),
  c(G4, '6,000 tokens', 'ws', ws('attacker', manyTokens(6000)), { code: 'GRAPHQL_PARSE_FAILED', message: /longer than 5000 tokens/ }),
  c(G4, '60 directives', 'http', post('attacker', directives(60)), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than 50 directives/ }),
  c(G4, '2 × sessions(first: 100) { … messages(first: 100) … }', 'http', post('attacker', `{ ${bigPage('a')} ${bigPage('b')} }`), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than the 250000 allowed/ }),
  c(G4, '100 sessions × 100 message contents', 'http', post('attacker', '{ sessions(first: 100) { edges { node { messages(first: 100) { edges { node { content } } } } } } }'), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than the 250000 allowed/ }),
  c(G4, '30 aliases of attributes on 100 sessions', 'ws', ws('attacker', `{ sessions(first: 100) { edges { node { ${attributeAliases(30)} } } } }`), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than the 250000 allowed/ }),
  c(G4, 'messages → session → messages, 100 a page (literal)', 'http', post('attacker', NESTED_PAGES.replace('($first: Int)', '').replaceAll('$first', '100')), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than the 250000 allowed/ }),
  c(G4, 'messages → session → messages, 100 a page (variables)', 'ws', ws('attacker', NESTED_PAGES, { first: 100 }), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than the 250000 allowed/ }),
  c(G4, 'messages → session → messages, 100 a page (variables)', 'sse', sse('attacker', NESTED_PAGES, { first: 100 }), { code: 'GRAPHQL_VALIDATION_FAILED', message: /more than the 250000 allowed/ }),
  c(G4, 'nodes(ids:) with 10,000 ids', 'http', post('attacker', 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: unknownIds(10_000) }), { code: 'BAD_USER_INPUT', message: /at most 100 ids/ }),
  c(G4, 'nodes(ids:) with 60 + 60 ids under two aliases', 'http', post('attacker', 'query($ids: [ID!]!) { a: nodes(ids: $ids) { id } b: nodes(ids: $ids) { id } }', { ids: unknownIds(60) }), { code: 'BAD_USER_INPUT', message: /at most 100 ids/ }),
  c(G4, 'exportSessions aliased twice', 'http', post('attacker', 'mutation($id: ID!) { a: exportSessions(ids: [$id]) { __typename } b: exportSessions(ids: [$id]) { __typename } }', victim), { code: 'GRAPHQL_VALIDATION_FAILED', message: /may appear only once/ }),
  c(G4, 'deleteSessions aliased twice', 'ws', ws('attacker', 'mutation($id: ID!) { a: deleteSessions(ids: [$id]) { __typename } b: deleteSessions(ids: [$id]) { __typename } }', victim), { code: 'GRAPHQL_VALIDATION_FAILED', message: /may appear only once/ }),
  c(G4, 'a 2 MiB body', 'http', post('attacker', '{ __typename }', { padding: 'x'.repeat(2 * MiB) }), { status: 413 }),
  c(G4, 'a 2 MiB message', 'ws', ws('attacker', `{ __typename } # ${'x'.repeat(2 * MiB)}`), { close: 1009 }),
  c(G4, '26 subscriptions on one socket', 'ws', tooManyOperations, { code: 'TOO_MANY_OPERATIONS', message: /already runs 25 operations/ }),
  c(G4, '21 sockets for one principal', 'ws', tooManySockets, { close: 1008, reason: /at most 20 per client/ }),

  // 5. Errors: a client's mistake is its own error, never the server's, and never a write.
  c(G5, 'a syntax error on a socket running a subscription', 'ws', syntaxErrorBesideSubscription, { message: /^Syntax Error: Expected Name, found <EOF>\.$/ }),
  c(G5, 'node(id: "garbage")', 'http', post('attacker', '{ node(id: "garbage") { id } }'), { code: 'BAD_USER_INPUT', message: /is not the id of a Session or a Message/ }),
  c(G5, 'a forged cursor', 'http', post('attacker', '{ sessions(first: 5, after: "forged") { totalCount } }'), { code: 'BAD_USER_INPUT', message: /is not a cursor of this connection/ }),
  c(G5, 'a cursor of the right encoding holding an object', 'ws', ws('attacker', 'query($after: String) { sessions(first: 5, after: $after) { totalCount } }', { after: Buffer.from('GPC:O:{"id":1}').toString('base64') }), { code: 'BAD_USER_INPUT', message: /is not a cursor/ }),
  c(G5, 'a selection nested 10,000 deep', 'http', post('attacker', deepSelection(10_000)), { code: 'GRAPHQL_PARSE_FAILED' }),
  c(G5, 'a selection nested 10,000 deep', 'ws', ws('attacker', deepSelection(10_000)), { code: 'GRAPHQL_PARSE_FAILED' }),
  c(G5, 'lists nested 10,000 deep in an argument', 'sse', sse('attacker', deepList(10_000)), { code: 'GRAPHQL_PARSE_FAILED' }),
  c(G5, 'a body that is not JSON', 'http', raw('attacker', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ __typename }"' })), { status: 400 }),
  c(G5, 'a batch (a JSON array of operations)', 'http', raw('attacker', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) })), { status: 400 }),
  c(G5, 'a query that is not a string', 'http', raw('attacker', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: { kind: 'Document' } }) })), { status: 400 }),
  c(G5, 'a variable nested 100,000 lists deep', 'http', raw('attacker', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: deepVariable('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', 'ids', 100_000, '[]') })), { status: 400, message: /got invalid value/ }),
  c(G5, 'JSON attributes nested 100,000 objects deep', 'ws', rawMessage(`{"id": "1", "type": "subscribe", "payload": ${deepVariable(CREATE_WITH_ATTRIBUTES, 'attributes', 100_000, '{}')}}`, { operation: '1' }), { data: { createSession: { __typename: 'InvalidInput', field: 'attributes' } } }),
  c(G5, 'a negative page size', 'http', post('attacker', '{ sessions(first: -1) { totalCount } }'), { message: /must be a non-negative integer/ }),
  c(G5, 'variables of the wrong type', 'http', post('attacker', 'mutation($input: CreateSessionInput!) { createSession(input: $input) { __typename } }', { input: { title: { $gt: '' }, start: 'yes' } }), { status: 400, message: /got invalid value/ }),
  c(G5, 'variables of the wrong type', 'ws', ws('attacker', 'mutation($id: ID!) { deleteSession(id: $id) { __typename } }', { id: [1, 2] }), { message: /got invalid value/ }),
  c(G5, 'createSession with the title "\\ud800"', 'http', post('attacker', 'mutation($title: String!) { createSession(input: { title: $title }) { __typename ... on InvalidInput { field } } }', { title: 'half \ud800' }), { data: { createSession: { __typename: 'InvalidInput', field: 'title' } } }),
  c(G5, 'workingDir with a newline', 'http', createIn((ctx) => `${ctx.root}\n/etc`), { data: { createSession: { __typename: 'InvalidInput', field: 'workingDir' } } }),
  c(G5, 'workingDir outside SESSION_WORKDIR_ROOT (/etc)', 'http', createIn(() => '/etc'), { data: { createSession: { __typename: 'InvalidInput', field: 'workingDir' } } }),
  c(G5, 'workingDir climbing out with ".."', 'http', createIn((ctx) => `${ctx.root}/../../etc`), { data: { createSession: { __typename: 'InvalidInput', field: 'workingDir' } } }),
  c(G5, 'workingDir through a symbolic link out of the root', 'http', createIn((ctx) => path.join(ctx.root, 'escape')), { data: { createSession: { __typename: 'InvalidInput', field: 'workingDir' } } }),
  c(G5, 'search "%" (the admin sees every session)', 'http', post('admin', '{ sessions(filter: { search: "%" }) { edges { node { title } } } }'), { data: { sessions: { edges: [{ node: { title: '50% off' } }] } } }),
  c(G5, 'search "_"', 'http', post('admin', '{ sessions(filter: { search: "_" }) { totalCount } }'), { data: { sessions: { totalCount: 0 } } }),
  c(G5, 'a message that is not JSON', 'ws', rawMessage('{"type": "subscribe", '), { close: 4400 }),
  c(G5, 'a subscribe before connection_init', 'ws', rawMessage(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } }), { init: false }), { close: 4401 }),
  c(G5, 'a second connection_init', 'ws', rawMessage(JSON.stringify({ type: 'connection_init' })), { close: 4429 }),
  c(G5, 'two operations and no operationName', 'http', post('attacker', 'query A { __typename } mutation B { deleteSessions(ids: []) { __typename } }'), { status: 400, code: 'OPERATION_RESOLUTION_FAILURE' }),
  c(G5, 'two operations and no operationName', 'ws', ws('attacker', 'query A { __typename } mutation B { deleteSessions(ids: []) { __typename } }'), { message: /Unable to identify operation/ }),
  c(G5, 'two operations under one id', 'ws', rawMessage(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { sessionsChanged { kind } }' } }), { twice: true }), { close: 4409 }),

  // 6. Production mode (a second server, NODE_ENV=production): the schema is not handed out.
  c(G6, 'introspection (__schema)', 'http', post('prod', '{ __schema { types { name } } }'), { code: 'GRAPHQL_VALIDATION_FAILED', message: /introspection has been disabled/ }),
  c(G6, 'introspection (__type)', 'http', post('prod', '{ __type(name: "Session") { fields { name } } }'), { code: 'GRAPHQL_VALIDATION_FAILED', message: /introspection has been disabled/ }),
  c(G6, 'introspection (__schema)', 'ws', ws('prod', '{ __schema { queryType { name } } }'), { code: 'GRAPHQL_VALIDATION_FAILED', message: /introspection has been disabled/ }),
  c(G6, 'a misspelt field', 'http', post('prod', '{ sesions { totalCount } }'), { code: 'GRAPHQL_VALIDATION_FAILED', message: /^Cannot query field "sesions" on type "Query"\.$/, noSuggestions: true }),
  c(G6, 'a misspelt argument', 'http', post('prod', '{ sessions(frist: 1) { totalCount } }'), { code: 'GRAPHQL_VALIDATION_FAILED', noSuggestions: true }),
  c(G6, 'a misspelt enum value', 'ws', ws('prod', '{ sessions(orderBy: { field: CREATD_AT }) { totalCount } }'), { code: 'GRAPHQL_VALIDATION_FAILED', noSuggestions: true }),
  c(G6, 'a misspelt enum value in variables', 'http', post('prod', 'query($o: SessionOrder) { sessions(orderBy: $o) { totalCount } }', { o: { field: 'CREATD_AT' } }), { status: 400, message: /got invalid value/, noSuggestions: true }),
  c(G6, 'a misspelt type in a fragment', 'sse', sse('prod', '{ sessions { edges { node { ... on Sesion { id } } } } }'), { code: 'GRAPHQL_VALIDATION_FAILED', noSuggestions: true }),
  c(G6, 'a body that is not JSON', 'http', raw('prod', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' })), { status: 400, code: 'BAD_REQUEST' }),
  c(G6, 'GET /graphql from a browser (accept: text/html)', 'http', raw('prod', () => ({ method: 'GET', headers: { accept: 'text/html' } })), { status: 406 }),
];

// ————————————————————————————————————————————————————————————————————————————————————————————————
// The runner.

type Group = typeof G1 | typeof G2 | typeof G3 | typeof G4 | typeof G5 | typeof G6;
type Transport = 'http' | 'sse' | 'ws';
type Who = 'anonymous' | 'attacker' | 'victim' | 'admin' | 'revoked' | 'unknown' | 'spliced' | 'prod';
type Variables = Record<string, unknown> | ((ctx: Ctx) => Record<string, unknown>);
type Run = (ctx: Ctx) => Promise<Outcome>;

interface Expected {
  /** The HTTP status (of the refused upgrade, for a WebSocket). */
  status?: number;
  /** The WebSocket's close code, and its reason. */
  close?: number;
  reason?: RegExp;
  /** An error with this `extensions.code` and a message matching `message` (either may be left out); nothing else came. */
  code?: string;
  message?: RegExp;
  /** The `__typename` of the answer's (only) root field, without errors. */
  typename?: string;
  /** The first answer's data, exactly, without errors. */
  data?: unknown;
  /** Access-Control-Allow-Origin: that origin, or none at all (null). */
  cors?: string | null;
  /** No "Did you mean…?" anywhere. */
  noSuggestions?: true;
}

interface Case {
  group: Group;
  name: string;
  transport: Transport;
  run: Run;
  expected: Expected;
}

function c(group: Group, name: string, transport: Transport, run: Run, expected: Expected): Case {
  return { group, name, transport, run, expected };
}

/** What the server, the attacker and the victim hold. */
interface Ctx {
  server: TestServer;
  prod: TestServer;
  tokens: Record<'attacker' | 'victim' | 'admin' | 'swarm' | 'revoked', string>;
  prodToken: string;
  victimSession: string;
  victimMessage: string;
  /** The attacker's own session, with large attributes: group 1 changes it to make subscribers fall behind. */
  driverSession: string;
  /** SESSION_WORKDIR_ROOT. */
  root: string;
}

function victim(ctx: Ctx) {
  return { id: ctx.victimSession };
}

function victimMessage(ctx: Ctx) {
  return { id: ctx.victimMessage };
}

function renameVictim(ctx: Ctx) {
  return `mutation { updateSessionTitle(input: { sessionId: "${ctx.victimSession}", title: "pwned" }) { __typename } }`;
}

function multipart(query: string) {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query }));
  form.set('map', '{}');
  return form;
}

function callerOf(ctx: Ctx, who: Who): Caller {
  const url = ctx.server.url;
  switch (who) {
    case 'anonymous':
      return { url };
    case 'unknown':
      return { url, token: `asg_${'0'.repeat(16)}_${'a'.repeat(43)}` };
    case 'spliced': {
      const [, victimId] = ctx.tokens.victim.split('_');
      const attackerSecret = ctx.tokens.attacker.split('_').slice(2).join('_');
      return { url, token: `asg_${victimId}_${attackerSecret}` };
    }
    case 'prod':
      return { url: ctx.prod.url, token: ctx.prodToken };
    default:
      return { url, token: ctx.tokens[who] };
  }
}

const valuesOf = (ctx: Ctx, variables: Variables | undefined) => (typeof variables === 'function' ? variables(ctx) : variables);

/** A GraphQL POST (JSON) as `who`. */
function post(who: Who, query: string, variables?: Variables, headers?: Record<string, string>): Run {
  return (ctx) => graphqlPost(callerOf(ctx, who), query, valuesOf(ctx, variables), headers);
}

/** A subscription (or any operation) over SSE as `who`. */
function sse(who: Who, query: string, variables?: Variables): Run {
  return (ctx) => ssePost(callerOf(ctx, who), query, valuesOf(ctx, variables));
}

/** One operation on a fresh socket as `who`. */
function ws(who: Who, query: string, variables?: Variables, options?: Parameters<typeof wsRun>[2]): Run {
  return (ctx) => wsRun(callerOf(ctx, who), [{ query, variables: valuesOf(ctx, variables) }], options);
}

/** Any HTTP request to /graphql (plus `query`) as `who`: the token in `authorization`, unless none. */
function raw(who: Who, init: (ctx: Ctx) => RequestInit, query: string | ((ctx: Ctx) => string) = ''): Run {
  return (ctx) => {
    const caller = callerOf(ctx, who);
    const request = init(ctx);
    const headers = new Headers(request.headers);
    if (caller.token) headers.set('authorization', `Bearer ${caller.token}`);
    return httpRequest(caller.url + (typeof query === 'function' ? query(ctx) : query), { ...request, headers });
  };
}

/** A CORS preflight of a JSON POST with a token, from `origin`. */
function preflight(origin: string): Run {
  return (ctx) =>
    httpRequest(ctx.server.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
}

/** createSession as the attacker, in the working directory `workingDir`. */
function createIn(workingDir: (ctx: Ctx) => string): Run {
  return post(
    'attacker',
    'mutation($dir: String!) { createSession(input: { title: "escape", workingDir: $dir }) { __typename ... on InvalidInput { field } } }',
    (ctx) => ({ dir: workingDir(ctx) }),
  );
}

/**
 * A raw message on the attacker's socket (or before connection_init): how the server closes it, or
 * (with `operation`) how it answers that operation.
 */
function rawMessage(message: string, options: { init?: boolean; twice?: boolean; operation?: string } = {}): Run {
  return async (ctx) => {
    const socket = new RawSocket(ctx.server.url, { token: ctx.tokens.attacker, init: options.init });
    expect(await socket.ready).toEqual({ opened: true });
    socket.send(message);
    if (options.twice) socket.send(message);
    const { operation } = options;
    if (operation === undefined) {
      await socket.until(() => false);
      return socket.outcome();
    }
    await socket.until(() => socket.finished(operation));
    expect(socket.closed).toBeUndefined();
    return socket.outcome(undefined, operation);
  };
}

/** Changes the attacker's own session (its starred flag): one event, one change in the session list. */
async function touch(ctx: Ctx, starred: boolean): Promise<void> {
  const { errors } = await graphqlPost(
    callerOf(ctx, 'attacker'),
    'mutation($id: ID!, $starred: Boolean!) { setSessionStarred(input: { sessionId: $id, starred: $starred }) { __typename } }',
    { id: ctx.driverSession, starred },
  );
  expect(errors).toEqual([]);
}

/**
 * A subscriber with a large selection (200 kB a change) that stops reading: the attacker changes its own
 * session until the server has ended the subscriber (SUBSCRIPTION_QUEUE_LIMIT=16), then reads again.
 */
function slowConsumer(transport: 'websocket' | 'sse', field: 'sessionsChanged' | 'sessionEvents'): Run {
  return async (ctx) => {
    const streams = ctx.server.app.services.streams;
    const open = () => (field === 'sessionsChanged' ? streams.openChangeFeeds : streams.openCount);
    await eventually(async () => (open() === 0 ? true : undefined), `no ${field} stream left open by an earlier case`);
    const [query, variables] = field === 'sessionsChanged' ? [HEAVY_CHANGES, {}] : [HEAVY_EVENTS, { id: ctx.driverSession }];
    const slow = subscribe(ctx.server.as(ctx.tokens.attacker), transport, parse(query) as TypedDocumentNode<Record<string, unknown>, object>, variables);
    // Listening once a change made after it subscribed reaches it (bounded, never a sleep).
    let changes = 0;
    while (slow.results.length === 0 && !slow.hasEnded) {
      if (changes++ > 1000) throw new Error('the subscriber never heard a change');
      await touch(ctx, changes % 2 === 0);
    }
    slow.pause();
    while (open() !== 0) {
      if (changes++ > 400) throw new Error('the slow subscriber was never ended');
      await touch(ctx, changes % 2 === 0);
    }
    slow.resume();
    const results = await slow.received();
    expect(slow.hasEnded, 'the server ended the slow subscriber').toBe(true);
    // What it did take arrived without errors; only the last result is the error.
    expect(results.slice(0, -1).filter((result) => result.errors)).toEqual([]);
    const last = results.at(-1)!;
    return { results: [last], errors: [...(last.errors ?? [])], raw: JSON.stringify(results) };
  };
}

/** 25 subscriptions on one socket, then a 26th: refused alone, the 25 go on. */
async function tooManyOperations(ctx: Ctx): Promise<Outcome> {
  const socket = new RawSocket(ctx.server.url, { token: ctx.tokens.attacker });
  expect(await socket.ready).toEqual({ opened: true });
  for (let id = 1; id <= 26; id += 1) socket.subscribe(String(id), 'subscription { sessionsChanged { kind } }');
  await socket.until(() => socket.finished('26'));
  expect(socket.messages.filter((message) => message.id !== '26' && message.type !== 'connection_ack')).toEqual([]);
  expect(socket.closed).toBeUndefined();
  return socket.outcome();
}

/** 20 sockets for one principal (its own token), then a 21st: closed with 1008 and why. */
async function tooManySockets(ctx: Ctx): Promise<Outcome> {
  const sockets = Array.from({ length: 20 }, () => new RawSocket(ctx.server.url, { token: ctx.tokens.swarm }));
  for (const socket of sockets) expect(await socket.ready).toEqual({ opened: true });
  const last = new RawSocket(ctx.server.url, { token: ctx.tokens.swarm });
  expect((await last.ready).opened).toBe(false);
  for (const socket of sockets) expect(socket.closed).toBeUndefined();
  return last.outcome();
}

/**
 * A socket running a subscription gets a subscribe with a syntax error: an error for that operation
 * only; the socket serves another operation, and the subscription still hears changes.
 */
async function syntaxErrorBesideSubscription(ctx: Ctx): Promise<Outcome> {
  const socket = new RawSocket(ctx.server.url, { token: ctx.tokens.attacker });
  expect(await socket.ready).toEqual({ opened: true });
  socket.subscribe('1', 'subscription { sessionsChanged { kind sessionId } }');
  socket.subscribe('2', 'subscription { sessionsChanged { kind ');
  socket.subscribe('3', '{ __typename }');
  await socket.until(() => socket.finished('2') && socket.finished('3'));
  expect(socket.of('2').map((message) => message.type)).toEqual(['error']);
  expect(socket.of('3').map((message) => message.type)).toEqual(['next', 'complete']);
  // The attacker's own session changes until the subscription hears it (bounded, never a sleep).
  for (let changes = 0; socket.of('1').length === 0 && !socket.closed; changes += 1) {
    if (changes > 1000) throw new Error('the subscription never heard a change');
    await touch(ctx, changes % 2 === 0);
  }
  expect(socket.of('1')[0]).toMatchObject({ type: 'next', payload: { data: { sessionsChanged: { sessionId: ctx.driverSession } } } });
  expect(socket.closed).toBeUndefined();
  return socket.outcome(undefined, '2');
}

/** Rows of every table the API writes, and the victim's session as stored: a hostile case changes none. */
async function written(ctx: Ctx) {
  const count = async (server: TestServer, exceptSession?: string) => {
    const prisma = server.app.database.prisma;
    return {
      sessions: await prisma.session.count(),
      messages: await prisma.message.count(),
      // Group 1's driver session is the attacker's own, changed on purpose.
      events: await prisma.sessionEvent.count({ where: exceptSession ? { sessionId: { not: exceptSession } } : {} }),
      overrides: await prisma.agentModelOverride.count(),
      tokens: await prisma.apiToken.count(),
      revoked: await prisma.apiToken.count({ where: { revokedAt: { not: null } } }),
    };
  };
  const stored = await storedSession(ctx.server, ctx.victimSession);
  const messages = await ctx.server.app.database.prisma.message.findMany({ where: { sessionId: stored.id }, orderBy: { id: 'asc' } });
  return {
    main: await count(ctx.server, (await storedSession(ctx.server, ctx.driverSession)).id),
    prod: await count(ctx.prod),
    victim: { ...stored, messages },
  };
}

function expectOutcome(outcome: Outcome, expected: Expected): void {
  const shown = outcome.raw.slice(0, 1000);
  if (expected.status !== undefined) expect(outcome.status, shown).toBe(expected.status);
  if (expected.close !== undefined) expect(outcome.close, shown).toBe(expected.close);
  if (expected.reason) expect(outcome.closeReason).toMatch(expected.reason);
  if (expected.code || expected.message) {
    const error = outcome.errors.find(
      (candidate) => (!expected.code || candidate.extensions?.code === expected.code) && (!expected.message || expected.message.test(candidate.message)),
    );
    expect(error, `an error with ${expected.code ?? 'any code'} and the message ${expected.message ?? 'any'} in ${shown}`).toBeDefined();
    // Nothing came with a refusal (a nullable field it refused is null).
    const values = outcome.results.flatMap((result) => Object.values(result.data ?? {}));
    expect(values.filter((value) => value !== null), shown).toEqual([]);
  }
  if (expected.typename !== undefined || expected.data !== undefined) {
    expect(outcome.errors, shown).toEqual([]);
    const data = outcome.results[0]?.data as Record<string, { __typename?: string }> | undefined;
    if (expected.typename) expect(Object.values(data ?? {}).map((value) => value?.__typename), shown).toEqual([expected.typename]);
    if (expected.data !== undefined) expect(data, shown).toEqual(expected.data);
  }
  if (expected.cors !== undefined) {
    expect(outcome.headers?.get('access-control-allow-origin') ?? null).toBe(expected.cors);
    if (expected.cors === null) expect([...(outcome.headers?.keys() ?? [])].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    else expect(outcome.headers?.get('access-control-allow-credentials')).toBe('true');
  }
  if (expected.noSuggestions) {
    expect(outcome.errors.length, shown).toBeGreaterThan(0);
    expect(outcome.raw).not.toMatch(/Did you mean|"sessions"|CREATED_AT|"Session"|"first"/);
  }
}

/**
 * The token server (tokens for the attacker, the victim, an admin, a swarm of sockets and a revoked
 * one; SESSION_WORKDIR_ROOT set; one allowed origin; small queues), the victim's session with a
 * message, the attacker's own two, and the production server (always SQLite: its settings are the
 * transport's, not the store's).
 */
async function setUp(provider: DatabaseProvider): Promise<Ctx> {
  const root = mkdtempSync(path.join(tmpdir(), 'asg-hostile-'));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'projects'));
  // A directory inside the root that leads out of it.
  symlinkSync('/etc', path.join(root, 'escape'));
  const env = { SESSION_WORKDIR_ROOT: root, CORS_ORIGINS: APP_ORIGIN, SUBSCRIPTION_QUEUE_LIMIT: '16' };

  // Tokens exist before the servers start, so that they require them (test/auth.test.ts).
  const database = freshDatabase(provider);
  const first = await startTestServer(provider, { bare: true, database, env });
  const store = new ApiTokens(first.app.database.prisma);
  const issue = async (name: string, admin = false) => (await store.create(name, { admin })).token;
  const tokens = { attacker: await issue('attacker'), victim: await issue('victim'), admin: await issue('ops', true), swarm: await issue('swarm'), revoked: await issue('leaver') };
  expect(await store.revoke(tokens.revoked.split('_')[1]!)).toBe(true);
  await first.stop();
  const server = await startTestServer(provider, { bare: true, database, env });

  const prodDatabase = freshDatabase('sqlite');
  const prodFirst = await startTestServer('sqlite', { bare: true, database: prodDatabase, env });
  const prodToken = (await new ApiTokens(prodFirst.app.database.prisma).create('attacker')).token;
  await prodFirst.stop();
  const prod = await startTestServer('sqlite', { bare: true, database: prodDatabase, env: { ...env, NODE_ENV: 'production' } });

  const data = async (token: string, query: string, variables?: Record<string, unknown>) => {
    const outcome = await graphqlPost({ url: server.url, token }, query, variables);
    expect(outcome.errors).toEqual([]);
    return outcome.results[0]!.data as Record<string, { id: string; __typename: string }>;
  };
  const create = 'mutation($input: CreateSessionInput!) { createSession(input: $input) { __typename ... on Session { id } } }';
  const victimSession = (await data(tokens.victim, create, { input: { title: 'victim session', workingDir: path.join(root, 'projects') } })).createSession!.id;
  const victimMessage = (await data(tokens.victim, 'mutation($id: ID!) { addMessage(input: { sessionId: $id, role: "user", content: "secret plans" }) { ... on Message { id } } }', { id: victimSession })).addMessage!.id;
  const attributes = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`key${index}`, `${index}`.padEnd(200, 'x')]));
  const driverSession = (await data(tokens.attacker, create, { input: { title: 'attacker driver', attributes } })).createSession!.id;
  await data(tokens.attacker, create, { input: { title: '50% off' } });
  return { server, prod, tokens, prodToken, victimSession, victimMessage, driverSession, root };
}

const GROUPS = [G1, G2, G3, G4, G5, G6];

describe.each(PROVIDERS)('hostile clients (%s)', (provider) => {
  let ctx: Ctx;
  let rssBefore: number;
  let before: Awaited<ReturnType<typeof written>>;

  beforeAll(async () => {
    ctx = await setUp(provider);
    before = await written(ctx);
    rssBefore = process.memoryUsage().rss;
  });

  for (const group of GROUPS) {
    describe(group, () => {
      it.each(CASES.filter((row) => row.group === group))('$name ($transport)', async ({ run, expected }) => {
        const was = await written(ctx);
        const outcome = await run(ctx);
        expectOutcome(outcome, expected);
        expect(leaks(outcome.raw), outcome.raw.slice(0, 1000)).toBeUndefined();
        expect(outcome.errors.map((error) => error.extensions?.code)).not.toContain('INTERNAL_SERVER_ERROR');
        expect(await written(ctx)).toEqual(was);
      });
    });
  }

  it('afterwards, the server serves, its memory stayed bounded, and nothing was written', async () => {
    for (const server of [ctx.server, ctx.prod]) {
      const health = await fetch(server.url.replace(/\/graphql$/, '/health'));
      expect(health.status).toBe(200);
    }
    const mine = await graphqlPost(callerOf(ctx, 'victim'), 'query($id: ID!) { session(id: $id) { __typename ... on Session { title messages { edges { node { content } } } } } }', victim(ctx));
    expect(mine.results).toEqual([{ data: { session: { __typename: 'Session', title: 'victim session', messages: { edges: [{ node: { content: 'secret plans' } }] } } } }]);
    const prodAnswer = await graphqlPost(callerOf(ctx, 'prod'), '{ sessions { totalCount } }');
    expect(prodAnswer.results).toEqual([{ data: { sessions: { totalCount: 0 } } }]);
    // A fresh subscriber still hears changes on both transports.
    for (const transport of ['websocket', 'sse'] as const) {
      const listener = subscribe(ctx.server.as(ctx.tokens.attacker), transport, parse('subscription { sessionsChanged { sessionId } }') as TypedDocumentNode<{ sessionsChanged: { sessionId: string } }, object>, {});
      for (let changes = 0; listener.results.length === 0 && !listener.hasEnded; changes += 1) {
        if (changes > 1000) throw new Error('the subscriber never heard a change');
        await touch(ctx, changes % 2 === 0);
      }
      expect((listener.results[0] as FormattedExecutionResult<{ sessionsChanged: { sessionId: string } }>).data?.sessionsChanged.sessionId).toBe(ctx.driverSession);
    }
    const growth = process.memoryUsage().rss - rssBefore;
    expect(growth, `rss grew by ${Math.round(growth / MiB)} MiB`).toBeLessThan(300 * MiB);
    expect(await written(ctx)).toEqual(before);
  });
});
