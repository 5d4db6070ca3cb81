/** The full session API through HTTP, on both databases: each change, its event, and its bad input. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddMessage,
  CreateDetailed,
  DeleteSessions,
  ExportSessions,
  ForkSession,
  ReadSession,
  SetStarred,
  SwitchAgent,
  UpdateMessage,
  UpdatePermissions,
  UpdateTitle,
  UpdateTokens,
} from './support/api-operations.js';
import { PROVIDERS } from './support/databases.js';
import { lockSessionRow, rejectEventsMentioning } from './support/faults.js';
import { SessionEvents } from './support/event-operations.js';
import { startTestServer, type TestServer } from './support/server.js';
import { subscribe, TRANSPORTS } from './support/subscribers.js';
import { createSession, expectTypename, setModel, storedSession } from './support/sessions.js';

const encode = (text: string) => Buffer.from(text).toString('base64');
const UNKNOWN = encode('Session:00000000-0000-4000-8000-000000000000');

async function read(server: TestServer, id: string) {
  const { session } = await server.data(ReadSession, { id });
  expectTypename(session, 'Session');
  return session;
}

async function addMessage(server: TestServer, sessionId: string, content: string, role = 'user') {
  const { addMessage: result } = await server.data(AddMessage, { input: { sessionId, role, content } });
  expectTypename(result, 'Message');
  return result;
}

async function eventKinds(server: TestServer, sessionId: string) {
  return (await storedSession(server, sessionId)).events.map((event) => event.kind);
}

describe.each(PROVIDERS)('the session API on %s', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(provider);
  });

  it('creates a session with permissions, safety policy, limits and attributes, and reads every field', async () => {
    const { createSession } = await server.data(CreateDetailed, {
      input: {
        title: 'Configured',
        workingDir: '/srv/project',
        permissions: { allow: ['read_file'], ask: ['shell:*'], deny: ['rm -rf'] },
        safetyPolicy: 'ASK_ALWAYS',
        limits: { maxIterations: 20, maxConsecutiveToolCalls: 5, maxOldToolCallTokens: 4000 },
        attributes: { ticket: 'OPS-12', owner: 'ana' },
      },
    });
    expectTypename(createSession, 'Session');
    expect(await read(server, createSession.id)).toMatchObject({
      title: 'Configured',
      workingDir: '/srv/project',
      starred: false,
      safetyPolicy: 'ASK_ALWAYS',
      permissions: { allow: ['read_file'], ask: ['shell:*'], deny: ['rm -rf'] },
      limits: { maxIterations: 20, maxConsecutiveToolCalls: 5, maxOldToolCallTokens: 4000 },
      attributes: { ticket: 'OPS-12', owner: 'ana' },
      inputTokens: 0,
      outputTokens: 0,
      cost: 0,
      forkedFromId: null,
      messages: { totalCount: 0, edges: [] },
    });
  });

  it('renames, stars, replaces permissions and adds token usage, each with its event', async () => {
    const { id } = await createSession(server);
    const renamed = await server.data(UpdateTitle, { input: { sessionId: id, title: '  Renamed  ' } });
    expectTypename(renamed.updateSessionTitle, 'Session');
    expect(renamed.updateSessionTitle.title).toBe('Renamed');
    const starred = await server.data(SetStarred, { input: { sessionId: id, starred: true } });
    expectTypename(starred.setSessionStarred, 'Session');
    expect(starred.setSessionStarred.starred).toBe(true);
    const permissions = await server.data(UpdatePermissions, {
      input: { sessionId: id, permissions: { allow: ['a'], ask: [], deny: ['b'] } },
    });
    expectTypename(permissions.updateSessionPermissions, 'Session');
    expect(permissions.updateSessionPermissions.permissions).toEqual({ allow: ['a'], ask: [], deny: ['b'] });
    for (const usage of [
      { inputTokens: 100, outputTokens: 20, cost: 0.5 },
      { inputTokens: 1, outputTokens: 2, cost: 0.25 },
    ]) {
      const { updateSessionTokens } = await server.data(UpdateTokens, { input: { sessionId: id, ...usage } });
      expectTypename(updateSessionTokens, 'Session');
    }
    // Each call sets the totals, as docker-agent's UpdateSessionTokens does.
    expect(await read(server, id)).toMatchObject({ inputTokens: 1, outputTokens: 2, cost: 0.25 });
    const stored = await storedSession(server, id);
    expect(stored.events.slice(2).map((event) => [event.kind, event.payload])).toEqual([
      ['TITLE_CHANGED', { title: 'Renamed', previousTitle: 'test session' }],
      ['STARRED_CHANGED', { starred: true }],
      ['PERMISSIONS_CHANGED', { allow: ['a'], ask: [], deny: ['b'] }],
      ['TOKEN_USAGE_UPDATED', { inputTokens: 100, outputTokens: 20, cost: 0.5 }],
      ['TOKEN_USAGE_UPDATED', { inputTokens: 1, outputTokens: 2, cost: 0.25 }],
    ]);
  });

  it.each([
    ['a negative count', { inputTokens: -1, outputTokens: 0, cost: 0 }, 'inputTokens'],
    ['a negative cost', { inputTokens: 0, outputTokens: 0, cost: -0.01 }, 'cost'],
    ['a cost past the limit', { inputTokens: 0, outputTokens: 0, cost: 2e9 }, 'cost'],
  ])('token usage with %s is InvalidInput, and nothing is changed', async (_case, usage, field) => {
    const { id } = await createSession(server);
    const before = await storedSession(server, id);
    const { updateSessionTokens } = await server.data(UpdateTokens, { input: { sessionId: id, ...usage } });
    expectTypename(updateSessionTokens, 'InvalidInput');
    expect(updateSessionTokens.field).toBe(field);
    expect(await storedSession(server, id)).toEqual(before);
  });

  it.each([
    [{ allow: ['x'], ask: ['x'], deny: [] }, /"x" is in both allow and ask/],
    [{ allow: ['p'.repeat(501)], ask: [], deny: [] }, /1 to 500 characters/],
    [{ allow: [''], ask: [], deny: [] }, /1 to 500 characters/],
  ])('permissions %j are InvalidInput', async (permissions, message) => {
    const { id } = await createSession(server);
    const { updateSessionPermissions } = await server.data(UpdatePermissions, { input: { sessionId: id, permissions } });
    expectTypename(updateSessionPermissions, 'InvalidInput');
    expect(updateSessionPermissions.message).toMatch(message);
  });

  it('switches the current agent of a running session; its model list follows', async () => {
    const { id } = await createSession(server);
    const { switchAgent } = await server.data(SwitchAgent, { input: { sessionId: id, agentName: 'researcher' } });
    expectTypename(switchAgent, 'SwitchAgentPayload');
    expect(switchAgent).toMatchObject({ agentName: 'researcher', previousAgentName: 'root' });
    expect(switchAgent.session.currentAgent).toBe('researcher');
    expect(switchAgent.session.availableModels.find((model) => model.isCurrent)).toMatchObject({ ref: 'gpt', isDefault: true });
    // A model switch now applies to the researcher.
    expectTypename(await setModel(server, id, 'local'), 'SetSessionAgentModelPayload');
    expect((await storedSession(server, id)).overrides).toEqual({ researcher: 'local' });
    expect((await storedSession(server, id)).session?.currentAgent).toBe('researcher');

    const unknown = await server.data(SwitchAgent, { input: { sessionId: id, agentName: 'ghost' } });
    expectTypename(unknown.switchAgent, 'AgentNotFound');
    expect(unknown.switchAgent.availableAgents).toEqual(['root', 'researcher']);
    const stopped = await createSession(server, { start: false });
    const notRunning = await server.data(SwitchAgent, { input: { sessionId: stopped.id, agentName: 'researcher' } });
    expectTypename(notRunning.switchAgent, 'SessionNotRunning');
  });

  it('an agent switch the database rejects leaves the runtime on the previous agent', async () => {
    const own = await startTestServer(provider);
    const { id } = await createSession(own);
    await rejectEventsMentioning(own, '"previousAgentName":"root"');
    const { switchAgent } = await own.data(SwitchAgent, { input: { sessionId: id, agentName: 'researcher' } });
    expectTypename(switchAgent, 'PersistenceFailed');
    const stored = await storedSession(own, id);
    expect(own.app.services.runtimes.get(stored.id)?.currentAgent).toBe('root');
    expect(stored.session?.currentAgent).toBe('root');
    expect((await read(own, id)).currentAgent).toBe('root');
  });

  it('adds and edits messages, in order, each with its event', async () => {
    const { id } = await createSession(server);
    const first = await addMessage(server, id, 'Hello');
    const second = await addMessage(server, id, 'Hi! How can I help?', 'assistant');
    expect([first.position, second.position]).toEqual([1, 2]);
    const { updateMessage } = await server.data(UpdateMessage, { input: { messageId: first.id, content: 'Hello there' } });
    expectTypename(updateMessage, 'Message');
    expect(updateMessage).toMatchObject({ position: 1, content: 'Hello there' });
    const session = await read(server, id);
    expect(session.messages.totalCount).toBe(2);
    expect(session.messages.edges.map((edge) => [edge.node.role, edge.node.content])).toEqual([
      ['user', 'Hello there'],
      ['assistant', 'Hi! How can I help?'],
    ]);
    expect((await eventKinds(server, id)).slice(2)).toEqual(['MESSAGE_ADDED', 'MESSAGE_ADDED', 'MESSAGE_UPDATED']);
  });

  it.each([
    [{ role: 'robot', content: 'x' }, 'role', /must be one of user, assistant, tool, system/],
    [{ role: 'user', content: '' }, 'content', /must not be empty/],
    [{ role: 'user', content: 'x'.repeat(100_001) }, 'content', /at most 100000 characters/],
  ])('addMessage(%j) is InvalidInput and writes nothing', async (input, field, message) => {
    const { id } = await createSession(server);
    const before = await storedSession(server, id);
    const { addMessage: result } = await server.data(AddMessage, { input: { sessionId: id, ...input } });
    expectTypename(result, 'InvalidInput');
    expect(result.field).toBe(field);
    expect(result.message).toMatch(message);
    expect(await storedSession(server, id)).toEqual(before);
  });

  it('updateMessage with an unknown message or an id of another type is a typed error', async () => {
    const unknown = await server.data(UpdateMessage, {
      input: { messageId: encode('Message:00000000-0000-4000-8000-000000000000'), content: 'x' },
    });
    expectTypename(unknown.updateMessage, 'MessageNotFound');
    const { id } = await createSession(server);
    const wrongType = await server.data(UpdateMessage, { input: { messageId: id, content: 'x' } });
    expectTypename(wrongType.updateMessage, 'InvalidInput');
    expect(wrongType.updateMessage.message).toMatch(/is not a Message id/);
  });

  it('forks a session up to a message, with its settings, overrides and custom models', async () => {
    const { id } = await createSession(server, { title: 'Original' });
    expectTypename(await setModel(server, id, 'openai/gpt-5'), 'SetSessionAgentModelPayload');
    const messages = [];
    for (const content of ['one', 'two', 'three']) messages.push(await addMessage(server, id, content));
    const { forkSession: fork } = await server.data(ForkSession, { input: { sessionId: id, beforeMessageId: messages[2]!.id } });
    expectTypename(fork, 'Session');
    expect(fork).toMatchObject({
      title: 'Original (fork 1)',
      forkedFromId: id,
      running: true,
      agentModelOverrides: [{ agentName: 'root', modelRef: 'openai/gpt-5' }],
      customModelsUsed: ['openai/gpt-5'],
    });
    expect(fork.messages.edges.map((edge) => edge.node.content)).toEqual(['one', 'two']);
    const { forkSession: second } = await server.data(ForkSession, { input: { sessionId: id, start: false } });
    expectTypename(second, 'Session');
    expect(second).toMatchObject({ title: 'Original (fork 2)', running: false });
    expect(second.messages.totalCount).toBe(3);
    // The source is untouched.
    expect((await read(server, id)).messages.totalCount).toBe(3);

    const other = await createSession(server);
    const foreign = await addMessage(server, other.id, 'elsewhere');
    const wrong = await server.data(ForkSession, { input: { sessionId: id, beforeMessageId: foreign.id } });
    expectTypename(wrong.forkSession, 'InvalidInput');
    expect(wrong.forkSession.field).toBe('beforeMessageId');
  });

  it('deleteSessions deletes each id on its own and reports the ones that failed, and why', async () => {
    const a = await createSession(server);
    const b = await createSession(server);
    const { deleteSessions } = await server.data(DeleteSessions, { ids: [a.id, UNKNOWN, 'garbage', b.id, a.id] });
    expectTypename(deleteSessions, 'DeleteSessionsPayload');
    expect(deleteSessions.deletedSessionIds).toEqual([a.id, b.id]);
    expect(deleteSessions.failures).toEqual([
      { sessionId: UNKNOWN, code: 'SessionNotFound', message: 'no session has this id' },
      { sessionId: 'garbage', code: 'InvalidInput', message: '"garbage" is not a Session id' },
    ]);
    expect((await storedSession(server, a.id)).session).toBeNull();
  });

  it.each([
    ['no ids', []],
    ['10,000 ids', Array.from({ length: 10_000 }, () => UNKNOWN)],
  ])('deleteSessions and exportSessions with %s are InvalidInput, and nothing is deleted', async (_case, ids) => {
    const before = await server.app.database.prisma.session.count();
    const deleted = await server.data(DeleteSessions, { ids });
    expectTypename(deleted.deleteSessions, 'InvalidInput');
    expect(deleted.deleteSessions.message).toMatch(/at least one id|at most 500 ids/);
    const exported = await server.data(ExportSessions, { ids });
    expectTypename(exported.exportSessions, 'InvalidInput');
    expect(await server.app.database.prisma.session.count()).toBe(before);
  });

  it('exports sessions as JSON with messages, tokens and overrides; all or nothing', async () => {
    const { id } = await createSession(server, { title: 'Exported' });
    expectTypename(await setModel(server, id, 'gpt'), 'SetSessionAgentModelPayload');
    await addMessage(server, id, 'question');
    await server.data(UpdateTokens, { input: { sessionId: id, inputTokens: 7, outputTokens: 3, cost: 0.1 } });
    const { exportSessions } = await server.data(ExportSessions, { ids: [id] });
    expectTypename(exportSessions, 'ExportSessionsPayload');
    expect(exportSessions.count).toBe(1);
    const [session] = (exportSessions.json as { sessions: Record<string, unknown>[] }).sessions;
    expect(session).toMatchObject({
      id,
      title: 'Exported',
      tokens: { inputTokens: 7, outputTokens: 3, cost: 0.1 },
      agentModelOverrides: { root: 'gpt' },
      messages: [{ role: 'user', content: 'question' }],
    });
    const partial = await server.data(ExportSessions, { ids: [id, UNKNOWN] });
    expectTypename(partial.exportSessions, 'SessionNotFound');
  });

  it.each([
    ['updateSessionTitle', () => server.data(UpdateTitle, { input: { sessionId: UNKNOWN, title: 'x' } }).then((r) => r.updateSessionTitle)],
    ['setSessionStarred', () => server.data(SetStarred, { input: { sessionId: UNKNOWN, starred: true } }).then((r) => r.setSessionStarred)],
    ['addMessage', () => server.data(AddMessage, { input: { sessionId: UNKNOWN, role: 'user', content: 'x' } }).then((r) => r.addMessage)],
    ['forkSession', () => server.data(ForkSession, { input: { sessionId: UNKNOWN } }).then((r) => r.forkSession)],
  ])('%s on an unknown session is SessionNotFound', async (_name, call) => {
    expect((await call()).__typename).toBe('SessionNotFound');
  });

  it.each([
    [['a', 'list'], /must be an object of string values/],
    [{ count: 3 }, /attribute "count" must be a string/],
    [{ note: 'x'.repeat(1001) }, /at most 1000 characters/],
    [Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v'])), /at most 50 attributes/],
  ])('createSession with attributes %j is InvalidInput and writes nothing', async (attributes, message) => {
    const before = await server.app.database.prisma.session.count();
    const { createSession: result } = await server.data(CreateDetailed, { input: { title: 'x', attributes } });
    expectTypename(result, 'InvalidInput');
    expect(result.field).toBe('attributes');
    expect(result.message).toMatch(message);
    expect(await server.app.database.prisma.session.count()).toBe(before);
  });

  it.each([
    [{ maxIterations: -1 }, 'limits.maxIterations'],
    [{ maxOldToolCallTokens: -5 }, 'limits.maxOldToolCallTokens'],
  ])('createSession with limits %j is InvalidInput', async (limits, field) => {
    const { createSession: result } = await server.data(CreateDetailed, { input: { title: 'x', limits } });
    expectTypename(result, 'InvalidInput');
    expect(result.field).toBe(field);
  });

  it('an over-long title in an update is InvalidInput, and the title stays', async () => {
    const { id } = await createSession(server, { title: 'Kept' });
    const { updateSessionTitle } = await server.data(UpdateTitle, { input: { sessionId: id, title: 't'.repeat(201) } });
    expectTypename(updateSessionTitle, 'InvalidInput');
    expect((await read(server, id)).title).toBe('Kept');
  });
});

describe('messages while the session is held, on postgresql', () => {
  it('addMessage answers SessionBusy while a model switch holds the session, and works once it is done', async () => {
    const server = await startTestServer('postgresql');
    const { id } = await createSession(server);
    const stored = await storedSession(server, id);
    const lock = await lockSessionRow(server, stored.id);
    const switching = setModel(server, id, 'gpt');
    await lock.blocked();

    const busy = await server.data(AddMessage, { input: { sessionId: id, role: 'user', content: 'hi' } });
    expectTypename(busy.addMessage, 'SessionBusy');
    await lock.release();
    expectTypename(await switching, 'SetSessionAgentModelPayload');
    expectTypename((await server.data(AddMessage, { input: { sessionId: id, role: 'user', content: 'hi' } })).addMessage, 'Message');
    expect((await storedSession(server, id)).events.map((event) => event.kind).slice(2)).toEqual(['MODEL_CHANGED', 'MESSAGE_ADDED']);
  });
});

describe('every change reaches subscribers as its own event type', () => {
  it.each(TRANSPORTS)('over %s', async (transport) => {
    const server = await startTestServer('sqlite');
    const { id } = await createSession(server, { title: 'Watched' });
    const watcher = subscribe(server, transport, SessionEvents, { sessionId: id, after: 2 });
    await server.data(UpdateTitle, { input: { sessionId: id, title: 'Renamed' } });
    await server.data(SetStarred, { input: { sessionId: id, starred: true } });
    await server.data(UpdatePermissions, { input: { sessionId: id, permissions: { allow: ['a'], ask: [], deny: [] } } });
    const message = await addMessage(server, id, 'hello');
    await server.data(UpdateMessage, { input: { messageId: message.id, content: 'hello!' } });
    await server.data(UpdateTokens, { input: { sessionId: id, inputTokens: 3, outputTokens: 4, cost: 0.5 } });
    const { switchAgent } = await server.data(SwitchAgent, { input: { sessionId: id, agentName: 'researcher' } });
    expectTypename(switchAgent, 'SwitchAgentPayload');
    await watcher.until((results) => results.some((result) => result.data?.sessionEvents.seq === switchAgent.seq));
    expect(watcher.results.map((result) => result.data?.sessionEvents)).toMatchObject([
      { __typename: 'TitleChangedEvent', title: 'Renamed', previousTitle: 'Watched' },
      { __typename: 'StarredChangedEvent', starred: true },
      { __typename: 'PermissionsChangedEvent', allow: ['a'], ask: [], deny: [] },
      { __typename: 'MessageAddedEvent', messageId: message.id, role: 'user' },
      { __typename: 'MessageUpdatedEvent', messageId: message.id },
      { __typename: 'TokenUsageUpdatedEvent', inputTokens: 3, outputTokens: 4, cost: 0.5 },
      { __typename: 'CurrentAgentSwitchedEvent', agentName: 'researcher', previousAgentName: 'root' },
    ]);
  });
});
