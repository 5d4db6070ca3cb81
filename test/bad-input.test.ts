import { beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from './support/databases.js';
import { CreateSession, GetSession, SetModel, StartSession } from './support/operations.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename, storedSession } from './support/sessions.js';

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const UNKNOWN_SESSION = encode('Session:00000000-0000-4000-8000-000000000000');

/** Counts every row the service writes, to prove a rejected request wrote none. */
async function rowCounts(server: TestServer) {
  const prisma = server.app.database.prisma;
  return {
    sessions: await prisma.session.count(),
    overrides: await prisma.agentModelOverride.count(),
    customs: await prisma.customModelUsed.count(),
    events: await prisma.sessionEvent.count(),
  };
}

describe.each(PROVIDERS)('bad input on %s', (provider) => {
  let server: TestServer;
  let sessionId: string;
  beforeAll(async () => {
    server = await startTestServer(provider);
    sessionId = (await createSession(server)).id;
  });

  it.each([
    ['an unknown session', UNKNOWN_SESSION, 'SessionNotFound', /no session has this id/],
    ['a string that is not base64', '%%%', 'InvalidInput', /is not a Session id/],
    ['a global id of another type', encode('Team:00000000-0000-4000-8000-000000000000'), 'InvalidInput', /is not a Session id/],
    ['a Session id that is not a UUID', encode('Session:1 OR 1=1'), 'InvalidInput', /is not a Session id/],
    ['an empty id', '', 'InvalidInput', /is not a Session id/],
  ])('session(id) with %s answers %s', async (_case, id, typename, message) => {
    const { session } = await server.data(GetSession, { id });
    expect(session.__typename).toBe(typename);
    expect('message' in session ? session.message : '').toMatch(message);
  });

  it.each([
    ['an unknown session', UNKNOWN_SESSION, 'SessionNotFound'],
    ['a malformed id', 'bm9wZQ==', 'InvalidInput'],
  ])('setSessionAgentModel on %s answers %s and writes nothing', async (_case, id, typename) => {
    const before = await rowCounts(server);
    const { setSessionAgentModel: result } = await server.data(SetModel, { input: { sessionId: id, modelRef: 'gpt' } });
    expect(result.__typename).toBe(typename);
    if (result.__typename === 'InvalidInput') expect(result.field).toBe('sessionId');
    expect(await rowCounts(server)).toEqual(before);
  });

  it('startSession on an unknown session answers SessionNotFound', async () => {
    const { startSession: result } = await server.data(StartSession, { id: UNKNOWN_SESSION });
    expectTypename(result, 'SessionNotFound');
  });

  it.each([
    ['/', /names no provider/],
    ['openai/', /names no model/],
    ['nope/x', /unknown provider "nope"/],
    ['a,b', /every part of an alloy/],
    ['openai/gpt-5,', /every part of an alloy/],
    ['unknown-model', /has no model named "unknown-model"/],
    [' gpt', /leading or trailing spaces/],
    ['openai/gpt 5', /is not a model name/],
    ['x'.repeat(600), /longer than 512 characters/],
  ])('the ref %j is InvalidModelRef, and nothing changes anywhere', async (modelRef, reason) => {
    const before = await storedSession(server, sessionId);
    const runtime = server.app.services.runtimes.get(before.id)!;
    const runtimeBefore = runtime.modelRefOf('root');
    const events = server.publishedEvents(before.id);
    const publishedBefore = events.length;

    const { setSessionAgentModel: result } = await server.data(SetModel, { input: { sessionId, modelRef } });
    expectTypename(result, 'InvalidModelRef');
    expect(result.reason).toMatch(reason);
    expect(result.acceptedForms).toContain('provider/model');

    expect(runtime.modelRefOf('root')).toBe(runtimeBefore);
    expect(await storedSession(server, sessionId)).toEqual(before);
    expect(events.length).toBe(publishedBefore);
  });

  it.each([
    [{ title: '' }, 'title', /must not be empty/],
    [{ title: '    ' }, 'title', /must not be empty/],
    [{ title: 't'.repeat(201) }, 'title', /at most 200/],
    [{ title: 'bell\u0007' }, 'title', /control characters/],
    [{ title: 'ok', workingDir: 'relative/path' }, 'workingDir', /absolute path/],
    [{ title: 'ok', workingDir: '' }, 'workingDir', /must not be empty/],
    [{ title: 'half a pair \ud800' }, 'title', /surrogate/],
    [{ title: 'ok', workingDir: '/tmp/line\nbreak' }, 'workingDir', /control characters/],
    [{ title: 'ok', workingDir: '/tmp/\udfff' }, 'workingDir', /surrogate/],
    [{ title: 'ok', attributes: { note: 'x\udbff' } }, 'attributes', /surrogate/],
    [{ title: 'ok', permissions: { allow: ['read_\ud800'], ask: [], deny: [] } }, 'permissions.allow', /surrogate/],
    [{ title: 'ok', agentModelOverrides: [{ agentName: 'ghost', modelRef: 'gpt' }] }, 'agentModelOverrides[0].agentName', /no agent "ghost"/],
    [
      { title: 'ok', agentModelOverrides: [{ agentName: 'root', modelRef: 'gpt' }, { agentName: 'root', modelRef: 'local' }] },
      'agentModelOverrides[1].agentName',
      /overridden twice/,
    ],
  ])('createSession(%j) answers InvalidInput on %s and writes nothing', async (input, field, message) => {
    const before = await rowCounts(server);
    const { createSession: result } = await server.data(CreateSession, { input });
    expectTypename(result, 'InvalidInput');
    expect(result.field).toBe(field);
    expect(result.message).toMatch(message);
    expect(await rowCounts(server)).toEqual(before);
  });

  it('createSession with an unknown team answers TeamNotFound with the teams there are', async () => {
    const before = await rowCounts(server);
    const { createSession: result } = await server.data(CreateSession, { input: { title: 'x', team: 'nope' } });
    expectTypename(result, 'TeamNotFound');
    expect(result.availableTeams).toEqual(['demo', 'example', 'pinned']);
    expect(await rowCounts(server)).toEqual(before);
  });

  it('createSession with an override the runtime rejects answers InvalidModelRef and writes nothing', async () => {
    const before = await rowCounts(server);
    const { createSession: result } = await server.data(CreateSession, {
      input: { title: 'x', agentModelOverrides: [{ agentName: 'root', modelRef: 'nope/x' }] },
    });
    expectTypename(result, 'InvalidModelRef');
    expect(await rowCounts(server)).toEqual(before);
  });

  it('a malformed request is a GraphQL validation error, without a stack trace', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { setSessionAgentModel(input: { sessionId: 1 }) { __typename } }' }),
    });
    const body = (await response.json()) as { errors: { message: string; extensions?: Record<string, unknown> }[] };
    expect(body.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });
});
