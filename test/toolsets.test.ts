/**
 * The toolsets an agent is given in its team file, through the real API: the model (a fake OpenAI
 * server) calls them in a turn, and what it receives in its next request is what the tool answered.
 * Filesystem confinement, the shell's timeout, output cap and environment, the todo list, and MCP
 * servers (a tool that runs, one that asks, one that fails to start, one that asks the user a question).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CreateSessionInput } from './graphql/graphql.js';
import { onCleanup } from './support/dispose.js';
import { eventually } from './support/faults.js';
import { startFakeOpenAI, type FakeOpenAI } from './support/fake-providers.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename, turnEndStored } from './support/sessions.js';
import { subscribe } from './support/subscribers.js';
import { ToolsetAnswerElicitation, ToolsetEvents, ToolsetResumeTurn, ToolsetSession } from './support/tool-operations.js';
import { RunTurn } from './support/turn-operations.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/mcp-server.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');
const FIXTURE_TOOLS = ['echo', 'write_note', 'ask_name', 'slow', 'crash', 'pid'];

/** The fixture MCP server over stdio, as a team's toolset. */
const fixtureToolset = (name: string, env: Record<string, string> = {}) => ({
  type: 'mcp',
  name,
  command: process.execPath,
  args: ['--import', TSX_LOADER, FIXTURE],
  env,
});

/**
 * A server whose `toolsets` team has one agent, root, on the fake OpenAI server, with `toolsets`
 * (written as JSON, which YAML reads as it is), and a session working in a fresh directory.
 */
async function setup(toolsets: unknown[], session: Partial<CreateSessionInput> = {}, env: Record<string, string> = {}) {
  const fake = await startFakeOpenAI();
  const agentsDir = mkdtempSync(path.join(tmpdir(), 'asg-agents-'));
  onCleanup(() => rmSync(agentsDir, { recursive: true, force: true }));
  const base = mkdtempSync(path.join(tmpdir(), 'asg-toolsets-'));
  onCleanup(() => rmSync(base, { recursive: true, force: true }));
  const workingDir = path.join(base, 'work');
  mkdirSync(workingDir);
  writeFileSync(
    path.join(agentsDir, 'toolsets.yaml'),
    [
      'agents:',
      '  root:',
      '    model: fake',
      '    instruction: You use tools.',
      `    toolsets: ${JSON.stringify(toolsets)}`,
      'models:',
      `  fake: { provider: openai, model: fake-model, base_url: "${fake.url}" }`,
    ].join('\n'),
  );
  const server = await startTestServer('sqlite', { env: { AGENTS_DIR: agentsDir, DEFAULT_TEAM: 'toolsets', ...env } });
  const created = await createSession(server, { workingDir, ...session });
  return { fake, server, sessionId: created.id, base, workingDir };
}

async function runTurn(server: TestServer, sessionId: string, content = 'go') {
  const { runTurn } = await server.data(RunTurn, { input: { sessionId, messages: [{ role: 'user', content }] } });
  expectTypename(runTurn, 'TurnPayload');
  return runTurn.turnId;
}

async function readSession(server: TestServer, sessionId: string) {
  const { session } = await server.data(ToolsetSession, { id: sessionId });
  expectTypename(session!, 'Session');
  return session;
}

/** Polls until the session runs no turn. */
const turnOver = turnEndStored;

/** Polls until the turn waits in `state`; returns the turn. */
function turnAwaiting(server: TestServer, sessionId: string, state: 'AWAITING_CONFIRMATION' | 'AWAITING_ELICITATION') {
  return eventually(async () => {
    const { turn } = await readSession(server, sessionId);
    return turn?.state === state ? turn : undefined;
  }, `the turn to be ${state}`);
}

/** The session's stored log through the API: a subscription replaying it from the start, up to its newest event. */
async function storedEvents(server: TestServer, sessionId: string) {
  const { lastEventSeq } = await readSession(server, sessionId);
  const watcher = subscribe(server, 'websocket', ToolsetEvents, { sessionId, after: 0 });
  const results = await watcher.received((all) => all.some((result) => (result.data?.sessionEvents.seq ?? 0) >= lastEventSeq));
  await watcher.close();
  expect(results.filter((result) => result.errors)).toEqual([]);
  const events = results.map((result) => result.data!.sessionEvents);
  expect(events.at(-1)?.seq).toBe(lastEventSeq);
  return events;
}

type StoredEvent = Awaited<ReturnType<typeof storedEvents>>[number];
const ofType = <N extends StoredEvent['__typename']>(events: StoredEvent[], typename: N) =>
  events.filter((event): event is Extract<StoredEvent, { __typename: N }> => event.__typename === typename);

/** The fake's `n`th request (from 1), which must have arrived: tests look once the turn is over or waits. */
function request(fake: FakeOpenAI, n: number) {
  expect(fake.requests.length, `the model to have been called ${n} times`).toBeGreaterThanOrEqual(n);
  return fake.requests[n - 1]!;
}

/** The tool messages of the fake's `n`th request (from 1), by the call they answer: what the model was told. */
function toolMessages(fake: FakeOpenAI, n: number): Record<string, string> {
  return Object.fromEntries(
    request(fake, n).body.messages.filter((message) => message.role === 'tool').map((message) => [message.tool_call_id!, String(message.content)]),
  );
}

const toolNamesOffered = (fake: FakeOpenAI, n: number) => (request(fake, n).body.tools ?? []).map((tool) => tool.function.name);

describe('the filesystem toolset', () => {
  it('refuses paths that leave the working directory (.., absolute, links to a file, to a missing file, to a directory); inside, writes and reads', async () => {
    const { fake, server, sessionId, base, workingDir } = await setup([{ type: 'filesystem' }], { safetyPolicy: 'ALLOW_ALL' });
    const outsideFile = path.join(base, 'outside.txt');
    const outsideDir = path.join(base, 'elsewhere');
    writeFileSync(outsideFile, 'secret outside');
    mkdirSync(outsideDir);
    symlinkSync(outsideFile, path.join(workingDir, 'link.txt'));
    symlinkSync(outsideDir, path.join(workingDir, 'linked-dir'));
    // A dangling link: writing through it would create its target, outside.
    symlinkSync(path.join(base, 'made-by-link.txt'), path.join(workingDir, 'dangling.txt'));

    fake
      .toolCalls([
        { id: 'dotdot', name: 'read_file', arguments: { path: '../outside.txt' } },
        { id: 'absolute', name: 'read_file', arguments: { path: outsideFile } },
        { id: 'file-link', name: 'read_file', arguments: { path: 'link.txt' } },
        { id: 'dir-link', name: 'write_file', arguments: { path: 'linked-dir/planted.txt', content: 'planted' } },
        { id: 'dangling-link', name: 'write_file', arguments: { path: 'dangling.txt', content: 'planted' } },
      ])
      .toolCalls([
        { id: 'write', name: 'write_file', arguments: { path: 'notes/today.txt', content: 'inside the lines' } },
        { id: 'read', name: 'read_file', arguments: { path: 'notes/today.txt' } },
      ])
      .reply(['done']);
    await runTurn(server, sessionId);
    await turnOver(server, sessionId);

    // Each escape reaches the model as a tool error saying so, and nothing outside was read or written.
    const refused = toolMessages(fake, 2);
    expect(Object.keys(refused)).toEqual(['dotdot', 'absolute', 'file-link', 'dir-link', 'dangling-link']);
    for (const content of Object.values(refused)) {
      expect(content).toMatch(/escapes the working directory/);
      expect(content).not.toContain('secret outside');
    }
    expect(readFileSync(outsideFile, 'utf8')).toBe('secret outside');
    expect(readdirSync(outsideDir)).toEqual([]);
    expect(readdirSync(base).sort()).toEqual(['elsewhere', 'outside.txt', 'work']);

    const inside = toolMessages(fake, 3);
    expect(inside.read).toBe('inside the lines');
    expect(readFileSync(path.join(workingDir, 'notes', 'today.txt'), 'utf8')).toBe('inside the lines');

    const results = ofType(await storedEvents(server, sessionId), 'ToolCallResultEvent');
    expect(results.map((event) => [event.toolCallId, event.tool, event.isError])).toEqual([
      ['dotdot', 'read_file', true],
      ['absolute', 'read_file', true],
      ['file-link', 'read_file', true],
      ['dir-link', 'write_file', true],
      ['dangling-link', 'write_file', true],
      ['write', 'write_file', false],
      ['read', 'read_file', false],
    ]);
    // The stored tool messages say the same.
    const { messages } = await readSession(server, sessionId);
    const stored = messages.edges.map((edge) => edge.node).filter((message) => message.role === 'tool');
    expect(stored.map((message) => [message.toolCallId, message.isError])).toEqual(results.map((event) => [event.toolCallId, event.isError]));
  });
});

describe('the shell toolset', () => {
  it("kills a command at its timeout, cuts long output at max_output_bytes, and runs without the server's environment", async () => {
    // The server's own credentials live in its environment; a command must not see them.
    const secret = 'sk-server-secret-must-not-leak';
    const previous = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = secret;
    onCleanup(() => {
      if (previous === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = previous;
    });
    const { fake, server, sessionId } = await setup(
      [{ type: 'shell', timeout: 1, max_output_bytes: 200, env: { GREETING: 'hello-from-the-team' } }],
      { safetyPolicy: 'ALLOW_ALL' },
      { OPENAI_API_KEY: secret },
    );
    fake
      .toolCalls([
        { id: 'sleep', name: 'shell', arguments: { cmd: 'sleep 30' } },
        { id: 'long', name: 'shell', arguments: { cmd: "head -c 5000 /dev/zero | tr '\\0' x" } },
        // Any variable holding the secret, or the team's variable, is printed (the output cap is far).
        { id: 'env', name: 'shell', arguments: { cmd: `env | grep -e '${secret}' -e GREETING; true` } },
      ])
      .reply(['done']);
    await runTurn(server, sessionId);
    await turnOver(server, sessionId);

    // The turn went on after the timeout: the next request carries every answer.
    const sent = toolMessages(fake, 2);
    expect(sent.sleep).toMatch(/timed out/);
    const [kept, note, ...rest] = sent.long!.split('\n');
    expect(kept).toBe('x'.repeat(200));
    expect(note).toMatch(/cut/);
    expect(note).toContain('4800');
    expect(rest).toEqual([]);
    // The team's variable is there; nothing holds the server's key.
    expect(sent.env).toBe('GREETING=hello-from-the-team');

    const results = ofType(await storedEvents(server, sessionId), 'ToolCallResultEvent');
    expect(results.map((event) => [event.toolCallId, event.isError])).toEqual([
      ['sleep', true],
      ['long', false],
      ['env', false],
    ]);
  });
});

describe('the todo toolset', () => {
  it('create_todos then update_todos: Session.todos shows the list with its statuses, and each change is a stored TodosChangedEvent', async () => {
    const { fake, server, sessionId } = await setup([{ type: 'todo' }]);
    fake
      .toolCalls([{ id: 'create', name: 'create_todos', arguments: { descriptions: ['write the tests', 'run them'] } }])
      .toolCalls([
        {
          id: 'update',
          name: 'update_todos',
          arguments: { updates: [{ id: 'todo_1', status: 'completed' }, { id: 'todo_2', status: 'in-progress' }] },
        },
      ])
      .reply(['on it']);
    await runTurn(server, sessionId);
    await turnOver(server, sessionId);

    expect((await readSession(server, sessionId)).todos).toEqual([
      { id: 'todo_1', description: 'write the tests', status: 'completed' },
      { id: 'todo_2', description: 'run them', status: 'in_progress' },
    ]);
    expect(toolMessages(fake, 3).update).toMatch(/\[x\] todo_1: write the tests/);
    const events = await storedEvents(server, sessionId);
    expect(ofType(events, 'TodosChangedEvent').map((event) => event.todos.map((todo) => todo.status))).toEqual([
      ['pending', 'pending'],
      ['completed', 'in_progress'],
    ]);
    // They only touch the agent's own list: read-only, so ASK_UNSAFE runs them without asking.
    expect(ofType(events, 'ToolCallConfirmationEvent')).toEqual([]);
  });
});

describe('MCP toolsets', () => {
  it("an MCP server's read-only tool runs without asking and its result reaches the model; a tool without the hint waits for confirmation", async () => {
    const { fake, server, sessionId } = await setup([fixtureToolset('fixture')]);
    fake
      .toolCalls([{ id: 'echo', name: 'echo', arguments: { text: 'ping from the model' } }])
      .toolCalls([{ id: 'note', name: 'write_note', arguments: { note: 'milk' } }])
      .reply(['noted']);
    await runTurn(server, sessionId);

    const turn = await turnAwaiting(server, sessionId, 'AWAITING_CONFIRMATION');
    expect(turn.pendingToolCall).toEqual({ toolCallId: 'note', tool: 'write_note', arguments: '{"note":"milk"}' });
    expect(toolNamesOffered(fake, 1)).toEqual(FIXTURE_TOOLS);
    expect(toolMessages(fake, 2)).toEqual({ echo: 'ping from the model' });
    const waiting = await storedEvents(server, sessionId);
    expect(ofType(waiting, 'ToolCallEvent').map((event) => event.toolCallId)).toEqual(['echo']);
    expect(ofType(waiting, 'ToolCallConfirmationEvent').map((event) => event.toolCallId)).toEqual(['note']);

    expectTypename((await server.data(ToolsetResumeTurn, { input: { sessionId, decision: 'APPROVE' } })).resumeTurn, 'TurnPayload');
    await turnOver(server, sessionId);
    expect(toolMessages(fake, 3)).toEqual({ echo: 'ping from the model', note: 'noted: milk' });
    expect(ofType(await storedEvents(server, sessionId), 'TurnEndedEvent').map((event) => event.reason)).toEqual(['COMPLETED']);
  });

  it("an MCP server that fails to start: the turn goes on with the other toolsets, a ToolsetFailedEvent carries the server's stderr", async () => {
    const { fake, server, sessionId, workingDir } = await setup([
      fixtureToolset('broken', { MCP_FIXTURE_FAIL_START: '1' }),
      { type: 'think' },
      { type: 'filesystem' },
    ]);
    writeFileSync(path.join(workingDir, 'hello.txt'), 'hello from disk');
    fake
      .toolCalls([
        { id: 'think', name: 'think', arguments: { thought: 'plan first' } },
        { id: 'read', name: 'read_file', arguments: { path: 'hello.txt' } },
      ])
      .reply(['all good']);
    await runTurn(server, sessionId);
    await turnOver(server, sessionId);

    const offered = toolNamesOffered(fake, 1);
    expect(offered).toEqual(expect.arrayContaining(['think', 'read_file', 'write_file']));
    expect(offered.filter((name) => FIXTURE_TOOLS.includes(name))).toEqual([]);
    const sent = toolMessages(fake, 2);
    expect(sent.think).toContain('plan first');
    expect(sent.read).toBe('hello from disk');

    const events = await storedEvents(server, sessionId);
    const failed = ofType(events, 'ToolsetFailedEvent');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.toolset).toBe('broken');
    expect(failed[0]!.message).toContain('fixture refuses to start');
    expect(ofType(events, 'TurnEndedEvent').map((event) => event.reason)).toEqual(['COMPLETED']);
    const { messages } = await readSession(server, sessionId);
    expect(messages.edges.at(-1)?.node).toMatchObject({ role: 'assistant', content: 'all good' });
  });

  it("an MCP server's question pauses the turn AWAITING_ELICITATION; ACCEPT and DECLINE reach the server, and the model gets its answer", async () => {
    const { fake, server, sessionId } = await setup([fixtureToolset('fixture')], { safetyPolicy: 'ALLOW_ALL' });
    fake
      .toolCalls([{ id: 'ask-1', name: 'ask_name', arguments: {} }])
      .reply(['Hi Ada'])
      .toolCalls([{ id: 'ask-2', name: 'ask_name', arguments: {} }])
      .reply(['Fine']);
    const answer = (input: { action: 'ACCEPT' | 'DECLINE' | 'CANCEL'; content?: unknown }) =>
      server.data(ToolsetAnswerElicitation, { input: { sessionId, ...input } }).then((result) => result.answerElicitation);

    const firstTurn = await runTurn(server, sessionId);
    const turn = await turnAwaiting(server, sessionId, 'AWAITING_ELICITATION');
    expect(turn.elicitation).toEqual({
      elicitationId: expect.any(String),
      server: 'fixture',
      message: 'What is your name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    });
    expect(turn.pendingToolCall).toBeNull();
    const asked = ofType(await storedEvents(server, sessionId), 'ElicitationRequestEvent');
    expect(asked).toEqual([
      expect.objectContaining({
        turnId: firstTurn,
        elicitationId: turn.elicitation!.elicitationId,
        server: 'fixture',
        message: 'What is your name?',
        requestedSchema: turn.elicitation!.requestedSchema,
      }),
    ]);
    // A tool-call decision does not answer a question.
    expectTypename((await server.data(ToolsetResumeTurn, { input: { sessionId, decision: 'APPROVE' } })).resumeTurn, 'TurnNotAwaiting');

    // Answers the schema does not allow are refused before they are stored or reach the server.
    for (const [content, field] of [
      [{}, 'content'],
      [{ name: { deep: 'x' } }, 'content.name'],
      [{ name: 'Ada', age: 3 }, 'content.age'],
      [['Ada'], 'content'],
    ] as const) {
      const refused = await answer({ action: 'ACCEPT', content });
      expectTypename(refused, 'InvalidInput');
      expect(refused.field).toBe(field);
    }
    expect(ofType(await storedEvents(server, sessionId), 'TurnResumedEvent')).toEqual([]);
    expect((await turnAwaiting(server, sessionId, 'AWAITING_ELICITATION')).elicitation).toEqual(turn.elicitation);

    expectTypename(await answer({ action: 'ACCEPT', content: { name: 'Ada' } }), 'TurnPayload');
    await turnOver(server, sessionId);
    expect(toolMessages(fake, 2)).toEqual({ 'ask-1': 'hello Ada' });

    await runTurn(server, sessionId, 'again');
    await turnAwaiting(server, sessionId, 'AWAITING_ELICITATION');
    expectTypename(await answer({ action: 'DECLINE' }), 'TurnPayload');
    await turnOver(server, sessionId);
    expect(toolMessages(fake, 4)['ask-2']).toBe('declined');

    // Nothing waits now.
    const late = await answer({ action: 'ACCEPT', content: { name: 'Bob' } });
    expectTypename(late, 'TurnNotAwaiting');
    const events = await storedEvents(server, sessionId);
    expect(ofType(events, 'ElicitationRequestEvent')).toHaveLength(2);
    expect(ofType(events, 'TurnResumedEvent').map((event) => event.decision)).toEqual(['ACCEPT', 'DECLINE']);
    expect(ofType(events, 'TurnEndedEvent').map((event) => event.reason)).toEqual(['COMPLETED', 'COMPLETED']);
  });
});
