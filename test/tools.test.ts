/**
 * Tool calls under the user's control, through the real API: what asks, what runs, what is refused,
 * and what each decision stores. The model is a fake OpenAI server scripted to call tools; what it
 * receives next is what the model saw of each decision. The iteration limit and cancelling a waiting
 * turn are here too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphql } from './graphql/index.js';
import { onCleanup } from './support/dispose.js';
import { PROVIDERS } from './support/databases.js';
import { eventually, rejectEventsMentioning } from './support/faults.js';
import type { DatabaseProvider } from '../src/db/providers.js';
import { startFakeOpenAI, type FakeOpenAI } from './support/fake-providers.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename, storedSession, turnEndStored } from './support/sessions.js';
import { subscribe, TRANSPORTS } from './support/subscribers.js';
import type { CreateSessionInput } from './graphql/graphql.js';
import { CancelTurn, RunTurn } from './support/turn-operations.js';

const ResumeTurn = graphql(`
  mutation ResumeTurn($input: ResumeTurnInput!) {
    resumeTurn(input: $input) {
      __typename
      ... on TurnPayload { turnId }
      ... on Error { message }
      ... on InvalidInput { field }
    }
  }
`);

const SetSafetyPolicy = graphql(`
  mutation SetSafetyPolicy($sessionId: ID!, $safetyPolicy: SafetyPolicy!) {
    setSessionSafetyPolicy(sessionId: $sessionId, safetyPolicy: $safetyPolicy) {
      __typename
      ... on Session { safetyPolicy }
    }
  }
`);

const ToolTurn = graphql(`
  query ToolTurn($id: ID!) {
    session(id: $id) {
      ... on Session {
        toolsApproved
        permissions { allow ask deny }
        turn { id state maxIterations pendingToolCall { toolCallId tool arguments } }
        messages(last: 50) { edges { node { role content toolCalls { id name arguments } toolCallId toolName isError } } }
      }
    }
  }
`);

const ToolEvents = graphql(`
  subscription ToolEvents($sessionId: ID!, $after: Int) {
    sessionEvents(sessionId: $sessionId, after: $after) {
      __typename
      seq
      ... on ToolCallDeltaEvent { toolCallId tool argumentsDelta }
      ... on ToolCallConfirmationEvent { toolCallId tool arguments }
      ... on TurnResumedEvent { decision decidedCall: toolCallId }
      ... on ToolCallEvent { toolCallId tool }
      ... on ToolCallResultEvent { toolCallId tool output isError }
      ... on TurnEndedEvent { reason }
    }
  }
`);

/** A server whose team's root agent has the filesystem and think tools and calls the fake OpenAI. */
async function setup(session: Partial<CreateSessionInput> = {}, teamPermissions = '', provider: DatabaseProvider = 'sqlite') {
  const fake = await startFakeOpenAI();
  const agentsDir = mkdtempSync(path.join(tmpdir(), 'asg-agents-'));
  const workingDir = mkdtempSync(path.join(tmpdir(), 'asg-work-'));
  onCleanup(() => rmSync(agentsDir, { recursive: true, force: true }));
  onCleanup(() => rmSync(workingDir, { recursive: true, force: true }));
  writeFileSync(
    path.join(agentsDir, 'tools.yaml'),
    [
      'agents:',
      '  root:',
      '    model: fake',
      '    toolsets: [{ type: filesystem }, { type: think }]',
      'models:',
      `  fake: { provider: openai, model: fake-model, base_url: "${fake.url}" }`,
      teamPermissions,
    ].join('\n'),
  );
  const server = await startTestServer(provider, { env: { AGENTS_DIR: agentsDir, DEFAULT_TEAM: 'tools' } });
  const created = await createSession(server, { workingDir, ...session });
  return { fake, server, sessionId: created.id, workingDir };
}

async function runTurn(server: TestServer, sessionId: string, content = 'go') {
  const { runTurn } = await server.data(RunTurn, { input: { sessionId, messages: [{ role: 'user', content }] } });
  expectTypename(runTurn, 'TurnPayload');
  return runTurn.turnId;
}

async function readTurn(server: TestServer, sessionId: string) {
  const { session } = await server.data(ToolTurn, { id: sessionId });
  if (!session || !('turn' in session)) throw new Error('no session');
  return session;
}

/** Polls until the turn waits in `state`; returns the turn. */
function awaiting(server: TestServer, sessionId: string, state = 'AWAITING_CONFIRMATION') {
  return eventually(async () => {
    const { turn } = await readTurn(server, sessionId);
    return turn?.state === state ? turn : undefined;
  }, `the turn to be ${state}`);
}

const ended = turnEndStored;

async function resume(server: TestServer, sessionId: string, decision: string, reason?: string) {
  const { resumeTurn } = await server.data(ResumeTurn, { input: { sessionId, decision: decision as 'APPROVE', reason } });
  return resumeTurn;
}

/** The tool messages the fake's `n`th request (from 1) carried: what the model was told. */
async function toolMessagesSent(fake: FakeOpenAI, n: number) {
  const requests = await fake.received(n);
  return requests[n - 1]!.body.messages.filter((message) => message.role === 'tool').map((message) => message.content);
}

const kinds = async (server: TestServer, sessionId: string) => (await storedSession(server, sessionId)).events.map((event) => event.kind);
const writeCall = (file: string, content = 'hi') => ({ name: 'write_file', arguments: { path: file, content } });

describe('approving tool calls', () => {
  it('APPROVE runs the call once it is stored; the result reaches the model and the next call asks again', async () => {
    const { fake, server, sessionId, workingDir } = await setup();
    fake.toolCalls([writeCall('a.txt')]).toolCalls([writeCall('b.txt')]);
    const turnId = await runTurn(server, sessionId);

    const turn = await awaiting(server, sessionId);
    expect(turn.pendingToolCall).toMatchObject({ tool: 'write_file', arguments: JSON.stringify({ path: 'a.txt', content: 'hi' }) });
    expect(existsSync(path.join(workingDir, 'a.txt'))).toBe(false);
    expectTypename(await resume(server, sessionId, 'APPROVE'), 'TurnPayload');

    // The second call asks too: APPROVE is for one call.
    await eventually(async () => ((await readTurn(server, sessionId)).turn?.pendingToolCall?.arguments.includes('b.txt') ? true : undefined), 'the second call to wait');
    expect(readFileSync(path.join(workingDir, 'a.txt'), 'utf8')).toBe('hi');
    expect(await toolMessagesSent(fake, 2)).toEqual(['Wrote 2 bytes to a.txt.']);
    const stored = await storedSession(server, sessionId);
    const resumed = stored.events.find((event) => event.kind === 'TURN_RESUMED');
    expect(resumed?.payload).toMatchObject({ turnId, decision: 'APPROVE', toolCallId: turn.pendingToolCall!.toolCallId });
    expect(stored.session!.toolsApproved).toBe(false);

    expectTypename((await server.data(CancelTurn, { sessionId })).cancelTurn, 'TurnPayload');
  });

  it('APPROVE_SESSION stores the flag: every later call runs without asking, in this turn and the next', async () => {
    const { fake, server, sessionId, workingDir } = await setup();
    fake.toolCalls([writeCall('a.txt')]).toolCalls([writeCall('b.txt')]).reply(['done']).toolCalls([writeCall('c.txt')]).reply(['done again']);
    await runTurn(server, sessionId);
    await awaiting(server, sessionId);
    expectTypename(await resume(server, sessionId, 'APPROVE_SESSION'), 'TurnPayload');
    await ended(server, sessionId);
    expect((await readTurn(server, sessionId)).toolsApproved).toBe(true);
    await runTurn(server, sessionId, 'more');
    await ended(server, sessionId);
    expect(['a.txt', 'b.txt', 'c.txt'].map((file) => existsSync(path.join(workingDir, file)))).toEqual([true, true, true]);
    expect((await kinds(server, sessionId)).filter((kind) => kind === 'TOOL_CALL_CONFIRMATION')).toHaveLength(1);
  });

  it("APPROVE_TOOL adds the tool to the session's allow list (stored with its event); other tools still ask", async () => {
    const { fake, server, sessionId } = await setup({ safetyPolicy: 'ASK_ALWAYS' });
    fake.toolCalls([writeCall('a.txt')]).toolCalls([writeCall('b.txt'), { name: 'think', arguments: { thought: 'hmm' } }]);
    await runTurn(server, sessionId);
    await awaiting(server, sessionId);
    expectTypename(await resume(server, sessionId, 'APPROVE_TOOL'), 'TurnPayload');

    // b.txt runs without asking; think (read-only, but ASK_ALWAYS) asks.
    const turn = await eventually(async () => {
      const { turn } = await readTurn(server, sessionId);
      return turn?.pendingToolCall?.tool === 'think' ? turn : undefined;
    }, 'think to wait');
    expect(turn.state).toBe('AWAITING_CONFIRMATION');
    const session = await readTurn(server, sessionId);
    expect(session.permissions.allow).toEqual(['write_file']);
    const stored = await storedSession(server, sessionId);
    expect(JSON.parse(stored.session!.permissions).allow).toEqual(['write_file']);
    const events = stored.events.map((event) => event.kind);
    expect(events.slice(events.indexOf('TOOL_CALL_CONFIRMATION'))).toEqual([
      'TOOL_CALL_CONFIRMATION',
      'PERMISSIONS_CHANGED',
      'TURN_RESUMED',
      'TOOL_CALL',
      'MESSAGE_ADDED',
      'TOOL_CALL_RESULT',
      'MESSAGE_ADDED',
      'TOKEN_USAGE_UPDATED',
      'TOOL_CALL',
      'MESSAGE_ADDED',
      'TOOL_CALL_RESULT',
      'TOOL_CALL_CONFIRMATION',
    ]);
    expectTypename((await server.data(CancelTurn, { sessionId })).cancelTurn, 'TurnPayload');
  });

  it('REJECT reaches the model as a tool error with the reason; nothing runs', async () => {
    const { fake, server, sessionId, workingDir } = await setup();
    fake.toolCalls([writeCall('a.txt')]).reply(['understood']);
    await runTurn(server, sessionId);
    await awaiting(server, sessionId);
    expectTypename(await resume(server, sessionId, 'REJECT', 'not that file'), 'TurnPayload');
    await ended(server, sessionId);
    expect(await toolMessagesSent(fake, 2)).toEqual(['The user rejected the tool call. Reason: not that file']);
    expect(existsSync(path.join(workingDir, 'a.txt'))).toBe(false);
    const { messages } = await readTurn(server, sessionId);
    expect(messages.edges.map((edge) => edge.node).find((message) => message.role === 'tool')).toMatchObject({
      toolName: 'write_file',
      isError: true,
    });
    expect(await kinds(server, sessionId)).not.toContain('TOOL_CALL');
  });
});

describe('what decides without asking', () => {
  it('session deny patterns win, with the tool error naming them; team allow runs; read-only runs under ASK_UNSAFE', async () => {
    const { fake, server, sessionId, workingDir } = await setup(
      { permissions: { allow: [], ask: [], deny: ['write_*'] } },
      'permissions: { allow: [write_file, list_directory] }',
    );
    writeFileSync(path.join(workingDir, 'x.txt'), 'content');
    fake
      .toolCalls([writeCall('a.txt'), { name: 'list_directory', arguments: { path: '.' } }, { name: 'read_file', arguments: { path: 'x.txt' } }])
      .reply(['ok']);
    await runTurn(server, sessionId);
    await ended(server, sessionId);
    const sent = await toolMessagesSent(fake, 2);
    expect(sent[0]).toBe("Tool 'write_file' is denied by session permissions.");
    expect(sent[1]).toContain('x.txt');
    expect(sent[2]).toBe('content');
    expect(existsSync(path.join(workingDir, 'a.txt'))).toBe(false);
    expect(await kinds(server, sessionId)).not.toContain('TOOL_CALL_CONFIRMATION');
  });

  it('argument patterns: allow write_file only for one path, the other asks', async () => {
    const { fake, server, sessionId } = await setup({ permissions: { allow: ['write_file:path=notes/*'], ask: [], deny: [] } });
    fake.toolCalls([writeCall('notes/a.txt'), writeCall('b.txt')]);
    await runTurn(server, sessionId);
    const turn = await awaiting(server, sessionId);
    expect(turn.pendingToolCall?.arguments).toContain('b.txt');
    expect(await toolMessagesSent(fake, 1)).toEqual([]);
    expect((await kinds(server, sessionId)).filter((kind) => kind === 'TOOL_CALL')).toHaveLength(1);
    expectTypename((await server.data(CancelTurn, { sessionId })).cancelTurn, 'TurnPayload');
  });

  it('setSessionSafetyPolicy applies live: switched to ALLOW_ALL while a call waits, the next call runs without asking', async () => {
    const { fake, server, sessionId, workingDir } = await setup();
    fake.toolCalls([writeCall('a.txt'), writeCall('b.txt')]).reply(['ok']);
    await runTurn(server, sessionId);
    await awaiting(server, sessionId);
    const { setSessionSafetyPolicy } = await server.data(SetSafetyPolicy, { sessionId, safetyPolicy: 'ALLOW_ALL' });
    expect(setSessionSafetyPolicy).toMatchObject({ __typename: 'Session', safetyPolicy: 'ALLOW_ALL' });
    expectTypename(await resume(server, sessionId, 'APPROVE'), 'TurnPayload');
    await ended(server, sessionId);
    expect(existsSync(path.join(workingDir, 'b.txt'))).toBe(true);
    const events = await storedSession(server, sessionId);
    expect(events.events.filter((event) => event.kind === 'TOOL_CALL_CONFIRMATION')).toHaveLength(1);
    expect(events.events.find((event) => event.kind === 'SAFETY_POLICY_CHANGED')?.payload).toEqual({
      safetyPolicy: 'ALLOW_ALL',
      previousSafetyPolicy: 'ASK_UNSAFE',
    });
  });

  it('an unknown tool and arguments that are not JSON answer the model with tool errors', async () => {
    const { fake, server, sessionId } = await setup({ safetyPolicy: 'ALLOW_ALL' });
    fake.toolCalls([{ name: 'rm_rf', arguments: {} }, { name: 'think', arguments: '{"thought": ' }]).reply(['ok']);
    await runTurn(server, sessionId);
    await ended(server, sessionId);
    const sent = await toolMessagesSent(fake, 2);
    expect(sent[0]).toBe("Tool 'rm_rf' is not available. You can only use the tools provided to you.");
    expect(sent[1]).toMatch(/^The arguments of 'think' are not valid JSON/);
  });
});

describe('a waiting turn', () => {
  it.each(TRANSPORTS)('a second client approves while a %s subscriber watches the call stream, wait, resume and run', async (transport) => {
    const { fake, server, sessionId } = await setup();
    fake.toolCalls([writeCall('a.txt', 'watched')]).reply(['done']);
    const before = (await storedSession(server, sessionId)).session!.lastEventSeq;
    const watcher = subscribe(server, transport, ToolEvents, { sessionId, after: before });
    await runTurn(server, sessionId);
    await watcher.until((results) => results.some((result) => result.data?.sessionEvents.__typename === 'ToolCallConfirmationEvent'));
    expectTypename(await resume(server, sessionId, 'APPROVE'), 'TurnPayload');
    const events = (
      await watcher.received((results) => results.some((result) => result.data?.sessionEvents.__typename === 'TurnEndedEvent'))
    ).map((result) => result.data!.sessionEvents);
    const names = events.map((event) => event.__typename).filter((name, index, all) => name !== all[index - 1]);
    expect(names.filter((name) => name.startsWith('ToolCall') || name === 'TurnResumedEvent' || name === 'TurnEndedEvent')).toEqual([
      'ToolCallDeltaEvent',
      'ToolCallConfirmationEvent',
      'TurnResumedEvent',
      'ToolCallEvent',
      'ToolCallResultEvent',
      'TurnEndedEvent',
    ]);
    const streamed = events.map((event) => (event.__typename === 'ToolCallDeltaEvent' ? event.argumentsDelta : '')).join('');
    expect(JSON.parse(streamed)).toEqual({ path: 'a.txt', content: 'watched' });
  });

  it('a subscriber that reconnects while the turn waits gets the confirmation again from the log, and can answer it', async () => {
    const { fake, server, sessionId } = await setup();
    fake.toolCalls([writeCall('a.txt')]).reply(['done']);
    const before = (await storedSession(server, sessionId)).session!.lastEventSeq;
    const first = subscribe(server, 'websocket', ToolEvents, { sessionId, after: before });
    await runTurn(server, sessionId);
    await first.until((results) => results.some((result) => result.data?.sessionEvents.__typename === 'ToolCallConfirmationEvent'));
    await first.close();

    const again = subscribe(server, 'sse', ToolEvents, { sessionId, after: before });
    await again.until((results) => results.some((result) => result.data?.sessionEvents.__typename === 'ToolCallConfirmationEvent'));
    expect((await readTurn(server, sessionId)).turn?.state).toBe('AWAITING_CONFIRMATION');
    expectTypename(await resume(server, sessionId, 'APPROVE'), 'TurnPayload');
    await again.until((results) => results.some((result) => result.data?.sessionEvents.__typename === 'TurnEndedEvent'));
  });

  it('two clients answer at once: one resumes the turn, the other gets TurnNotAwaiting, and the call runs once', async () => {
    const { fake, server, sessionId } = await setup();
    fake.toolCalls([writeCall('a.txt')]).reply(['done']);
    await runTurn(server, sessionId);
    await awaiting(server, sessionId);
    const answers = await Promise.all([resume(server, sessionId, 'APPROVE'), resume(server, sessionId, 'REJECT')]);
    expect(answers.map((answer) => answer.__typename).sort()).toEqual(['TurnNotAwaiting', 'TurnPayload']);
    await ended(server, sessionId);
    expect((await kinds(server, sessionId)).filter((kind) => kind === 'TURN_RESUMED' || kind === 'TOOL_CALL_RESULT')).toEqual([
      'TURN_RESUMED',
      'TOOL_CALL_RESULT',
    ]);
  });

  it('resumeTurn with nothing waiting, or a decision that does not fit, is a typed error that stores nothing', async () => {
    const { fake, server, sessionId } = await setup({ limits: { maxIterations: 1 } });
    const before = await storedSession(server, sessionId);
    expectTypename(await resume(server, sessionId, 'APPROVE'), 'TurnNotAwaiting');
    expect(await storedSession(server, sessionId)).toEqual(before);

    fake.toolCalls([{ name: 'think', arguments: { thought: 'a' } }]);
    await runTurn(server, sessionId);
    await awaiting(server, sessionId, 'AWAITING_ITERATION_APPROVAL');
    const stored = await storedSession(server, sessionId);
    const wrong = await resume(server, sessionId, 'APPROVE_TOOL');
    expectTypename(wrong, 'InvalidInput');
    expect(wrong.field).toBe('decision');
    const long = await resume(server, sessionId, 'REJECT', 'x'.repeat(5000));
    expectTypename(long, 'InvalidInput');
    expect(await storedSession(server, sessionId)).toEqual(stored);
    expectTypename((await server.data(CancelTurn, { sessionId })).cancelTurn, 'TurnPayload');
  });

  it('cancelTurn while a call waits: the call and the rest of its batch are answered as cancelled, the turn ends CANCELLED', async () => {
    const { fake, server, sessionId, workingDir } = await setup();
    fake.toolCalls([writeCall('a.txt'), writeCall('b.txt')]).reply(['next turn']);
    await runTurn(server, sessionId);
    await awaiting(server, sessionId);
    expectTypename((await server.data(CancelTurn, { sessionId })).cancelTurn, 'TurnPayload');
    const { turn, messages } = await readTurn(server, sessionId);
    expect(turn).toBeNull();
    expect(messages.edges.map((edge) => edge.node).filter((message) => message.role === 'tool').map((message) => message.content)).toEqual([
      'The tool call was canceled by the user.',
      'The tool call was canceled because a previous tool call in the same batch was canceled by the user.',
    ]);
    expect(existsSync(path.join(workingDir, 'a.txt'))).toBe(false);
    const events = await storedSession(server, sessionId);
    expect(events.events.at(-1)).toMatchObject({ kind: 'TURN_ENDED', payload: { reason: 'CANCELLED' } });
    expect(events.session!.activeTurnId).toBeNull();

    // The conversation goes on: the next request carries both calls with their answers.
    await runTurn(server, sessionId, 'again');
    await ended(server, sessionId);
    expect(await toolMessagesSent(fake, 2)).toHaveLength(2);
  });

  it('a server stopping while a call waits ends the turn INTERRUPTED as it stops; a restarted server goes on', async () => {
    const { fake, server, sessionId } = await setup();
    fake.toolCalls([writeCall('a.txt')]).reply(['after the restart']);
    const turnId = await runTurn(server, sessionId);
    await awaiting(server, sessionId);
    await server.stop();

    const restarted = await startTestServer('sqlite', { database: server.database, env: server.app.config.providerEnv as Record<string, string> });
    const stored = await storedSession(restarted, sessionId);
    expect(stored.events.filter((event) => event.kind === 'TURN_ENDED').map((event) => event.payload)).toEqual([{ turnId, reason: 'INTERRUPTED' }]);
    expect(stored.session!.activeTurnId).toBeNull();
  });
});

describe.each(PROVIDERS)('a decision the store refuses (%s)', (provider) => {
  it('resumeTurn is PersistenceFailed: the turn still waits on the same call, nothing stored or published; a retry goes on', async () => {
    const { fake, server, sessionId, workingDir } = await setup({}, '', provider);
    fake.toolCalls([writeCall('a.txt')]).reply(['done']);
    const before = (await storedSession(server, sessionId)).session!.lastEventSeq;
    const watcher = subscribe(server, 'websocket', ToolEvents, { sessionId, after: before });
    await runTurn(server, sessionId);
    const waiting = await awaiting(server, sessionId);
    await rejectEventsMentioning(server, 'APPROVE_TOOL');
    const stored = await storedSession(server, sessionId);

    expectTypename(await resume(server, sessionId, 'APPROVE_TOOL'), 'PersistenceFailed');
    // Runtime, store and subscribers agree: nothing happened.
    const after = await readTurn(server, sessionId);
    expect(after.turn).toEqual(waiting);
    expect(after.permissions.allow).toEqual([]);
    expect(await storedSession(server, sessionId)).toEqual(stored);
    expect(existsSync(path.join(workingDir, 'a.txt'))).toBe(false);

    expectTypename(await resume(server, sessionId, 'APPROVE'), 'TurnPayload');
    const seen = (
      await watcher.received((results) => results.some((result) => result.data?.sessionEvents.__typename === 'TurnEndedEvent'))
    ).map((result) => result.data!.sessionEvents.__typename);
    expect(seen.filter((name) => name === 'TurnResumedEvent' || name === 'PermissionsChangedEvent')).toEqual(['TurnResumedEvent']);
    expect(readFileSync(path.join(workingDir, 'a.txt'), 'utf8')).toBe('hi');
  });

  it('a pause the store refuses fails the turn: the call never runs, the session is free again', async () => {
    const { fake, server, sessionId, workingDir } = await setup({}, '', provider);
    fake.toolCalls([writeCall('poison.txt')]).reply(['next']);
    await rejectEventsMentioning(server, 'poison.txt');
    await runTurn(server, sessionId);
    await ended(server, sessionId);
    const stored = await storedSession(server, sessionId);
    expect(stored.events.filter((event) => event.kind === 'TURN_FAILED' || event.kind === 'TURN_ENDED').map((event) => event.payload)).toEqual([
      expect.objectContaining({ code: 'PERSISTENCE_FAILED' }),
      expect.objectContaining({ reason: 'FAILED' }),
    ]);
    expect(stored.session!.activeTurnId).toBeNull();
    expect(existsSync(path.join(workingDir, 'poison.txt'))).toBe(false);
    await runTurn(server, sessionId, 'again');
    await ended(server, sessionId);
  });
});

describe('the iteration limit', () => {
  it('at maxIterations the turn waits; APPROVE grants 10 more calls and the turn completes', async () => {
    const { fake, server, sessionId } = await setup({ limits: { maxIterations: 2 } });
    const think = { name: 'think', arguments: { thought: 'step' } };
    fake.toolCalls([think]).toolCalls([think]).reply(['finished']);
    await runTurn(server, sessionId);
    const turn = await awaiting(server, sessionId, 'AWAITING_ITERATION_APPROVAL');
    expect(turn.maxIterations).toBe(2);
    expect(fake.requests).toHaveLength(2);
    expectTypename(await resume(server, sessionId, 'APPROVE'), 'TurnPayload');
    await ended(server, sessionId);
    expect(fake.requests).toHaveLength(3);
    const events = (await storedSession(server, sessionId)).events;
    expect(events.find((event) => event.kind === 'MAX_ITERATIONS_REACHED')?.payload).toMatchObject({ maxIterations: 2 });
    expect(events.at(-1)).toMatchObject({ kind: 'TURN_ENDED', payload: { reason: 'COMPLETED' } });
  });

  it("REJECT ends the turn MAX_ITERATIONS with docker-agent's message, and no further model call", async () => {
    const { fake, server, sessionId } = await setup({ limits: { maxIterations: 1 } });
    fake.toolCalls([{ name: 'think', arguments: { thought: 'step' } }]);
    await runTurn(server, sessionId);
    await awaiting(server, sessionId, 'AWAITING_ITERATION_APPROVAL');
    expectTypename(await resume(server, sessionId, 'REJECT'), 'TurnPayload');
    await ended(server, sessionId);
    expect(fake.requests).toHaveLength(1);
    const { messages } = await readTurn(server, sessionId);
    expect(messages.edges.at(-1)?.node).toMatchObject({
      role: 'assistant',
      content: 'Execution stopped after reaching the configured max_iterations limit (1).',
    });
    expect((await storedSession(server, sessionId)).events.at(-1)).toMatchObject({ kind: 'TURN_ENDED', payload: { reason: 'MAX_ITERATIONS' } });
  });
});
