/**
 * Agent turns through the real API: runTurn answers at once, the reply streams to subscribers as live
 * deltas between the turn's stored events, and the stored message equals what streamed. The demo team's
 * echo provider needs no network; real providers are reached at fake servers speaking their protocol.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onCleanup } from './support/dispose.js';
import { eventually } from './support/faults.js';
import { startFakeAnthropic, startFakeOpenAI } from './support/fake-providers.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename, storedSession, switchModel, turnEndStored } from './support/sessions.js';
import { subscribe, TRANSPORTS } from './support/subscribers.js';
import { CancelTurn, RunTurn, SessionTurn, TurnEvents } from './support/turn-operations.js';
import { AddMessage } from './support/api-operations.js';
import { StopSession } from './support/operations.js';

async function runTurn(server: TestServer, sessionId: string, content: string, extra: { model?: string; agentName?: string } = {}) {
  const { runTurn } = await server.data(RunTurn, { input: { sessionId, messages: [{ role: 'user', content }], ...extra } });
  return runTurn;
}

/** Polls until the session runs no turn, then returns its stored events of kind TURN_ENDED. */
async function turnEnded(server: TestServer, sessionId: string) {
  await turnEndStored(server, sessionId);
  return (await storedSession(server, sessionId)).events.filter((event) => event.kind === 'TURN_ENDED');
}

describe('turns on the demo team (echo, offline)', () => {
  it.each(TRANSPORTS)('a %s subscriber gets the stored events with the deltas between them, and the stored reply equals them', async (transport) => {
    const server = await startTestServer('sqlite', { bare: true });
    const session = await createSession(server);
    const before = (await storedSession(server, session.id)).session!.lastEventSeq;
    // It replays the last stored event first, so it is known to be listening before the turn starts.
    const watcher = subscribe(server, transport, TurnEvents, { sessionId: session.id, after: before - 1 });
    expect((await watcher.received((results) => results.length >= 1)).map((result) => result.data?.sessionEvents.seq)).toEqual([before]);

    const answer = await runTurn(server, session.id, 'hello there, agent');
    expectTypename(answer, 'TurnPayload');
    const ended = (
      await watcher.received((results) => results.some((result) => result.data?.sessionEvents.__typename === 'TurnEndedEvent'))
    ).slice(1);
    const events = ended.map((result) => result.data!.sessionEvents);
    expect(ended.filter((result) => result.errors)).toEqual([]);

    const kinds = events.map((event) => event.__typename).filter((kind, index, all) => kind !== all[index - 1]);
    expect(kinds).toEqual([
      'TurnStartedEvent',
      'MessageAddedEvent',
      'AssistantDeltaEvent',
      'MessageAddedEvent',
      'TokenUsageUpdatedEvent',
      'TurnEndedEvent',
    ]);
    const deltas = events.filter((event) => event.__typename === 'AssistantDeltaEvent');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((delta) => delta.__typename === 'AssistantDeltaEvent' && delta.index)).toEqual(deltas.map((_, index) => index));
    // Deltas carry the seq of their turn's start; stored events go on from it without a hole.
    const started = events[0]!;
    expect(deltas.every((delta) => delta.seq === started.seq)).toBe(true);
    const stored = events.filter((event) => event.__typename !== 'AssistantDeltaEvent').map((event) => event.seq);
    expect(stored).toEqual(stored.map((_, index) => before + 1 + index));

    const { session: read } = await server.data(SessionTurn, { id: session.id });
    if (!('messages' in read)) throw new Error('no session');
    const messages = read.messages.edges.map((edge) => edge.node);
    const streamed = deltas.map((delta) => (delta.__typename === 'AssistantDeltaEvent' ? delta.content : '')).join('');
    expect(messages).toEqual([
      { role: 'user', content: 'hello there, agent', cancelled: false, turnId: answer.turnId, agentName: null },
      { role: 'assistant', content: streamed, cancelled: false, turnId: answer.turnId, agentName: 'root' },
    ]);
    expect(streamed).toContain('hello there, agent');
    const usage = events.find((event) => event.__typename === 'TokenUsageUpdatedEvent');
    expect(read.inputTokens).toBe(usage?.__typename === 'TokenUsageUpdatedEvent' && usage.inputTokens);
    expect(read.inputTokens).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ __typename: 'TurnEndedEvent', turnId: answer.turnId, reason: 'COMPLETED' });
    expect(read.turn).toBeNull();
  });

  it('rejects bad input with typed errors and writes nothing', async () => {
    const server = await startTestServer('sqlite', { bare: true });
    const session = await createSession(server);
    const stopped = await createSession(server, { start: false });
    const before = await storedSession(server, session.id);

    const empty = (await server.data(RunTurn, { input: { sessionId: session.id, messages: [] } })).runTurn;
    expectTypename(empty, 'InvalidInput');
    expect(empty.field).toBe('messages');
    const huge = await runTurn(server, session.id, 'x'.repeat(1_000_000));
    expectTypename(huge, 'InvalidInput');
    expect(huge.field).toBe('messages[0].content');
    const role = (await server.data(RunTurn, { input: { sessionId: session.id, messages: [{ role: 'assistant', content: 'hi' }] } })).runTurn;
    expectTypename(role, 'InvalidInput');
    const agent = await runTurn(server, session.id, 'hi', { agentName: 'ghost' });
    expectTypename(agent, 'AgentNotFound');
    expect(agent.availableAgents).toEqual(['root', 'helper']);
    const model = await runTurn(server, session.id, 'hi', { model: 'nope/x' });
    expectTypename(model, 'InvalidModelRef');
    expectTypename(await runTurn(server, stopped.id, 'hi'), 'SessionNotRunning');
    expectTypename((await server.data(CancelTurn, { sessionId: session.id })).cancelTurn, 'TurnNotRunning');

    expect(await storedSession(server, session.id)).toEqual(before);
  });

  it('a missing credential is named when switching, and nothing changes', async () => {
    const server = await startTestServer('sqlite', { bare: true });
    const session = await createSession(server, { team: 'example' });
    const answer = await runTurn(server, session.id, 'hi', { model: 'openai/gpt-5' });
    expectTypename(answer, 'InvalidModelRef');
    expect(answer.reason).toMatch(/OPENAI_API_KEY/);
    expect((await storedSession(server, session.id)).events.map((event) => event.kind)).toEqual(['SESSION_CREATED', 'SESSION_STARTED']);
  });
});

describe('turns against a provider (a fake OpenAI server)', () => {
  /** A server whose `fake` team calls the fake OpenAI server: root on `fake`, with `other` beside it. */
  async function setup() {
    const fake = await startFakeOpenAI();
    const anthropic = await startFakeAnthropic();
    const agentsDir = mkdtempSync(path.join(tmpdir(), 'asg-agents-'));
    onCleanup(() => rmSync(agentsDir, { recursive: true, force: true }));
    writeFileSync(
      path.join(agentsDir, 'fake.yaml'),
      [
        'agents:',
        '  root:',
        '    model: fake',
        '    instruction: You are the test agent.',
        '    fallback: { models: [other] }',
        'models:',
        `  fake: { provider: openai, model: fake-model-1, base_url: "${fake.url}", max_tokens: 64, cost: { input: 2, output: 4 } }`,
        `  other: { provider: openai, model: fake-model-2, base_url: "${fake.url}" }`,
        `  thinker: { provider: xai, model: fake-thinker, base_url: "${fake.url}" }`,
        `  claude: { provider: anthropic, model: fake-claude, base_url: "${anthropic.url}", max_tokens: 128 }`,
      ].join('\n'),
    );
    const server = await startTestServer('sqlite', {
      env: { AGENTS_DIR: agentsDir, DEFAULT_TEAM: 'fake', XAI_API_KEY: 'xai-fake' },
    });
    const session = await createSession(server);
    return { fake, anthropic, server, session };
  }

  const lastUserText = (body: { messages: { role: string; content: unknown }[] }) => body.messages.map((message) => [message.role, message.content]);

  it('sends the instruction, the history and max_tokens to the model the session uses, read afresh for each turn', async () => {
    const { fake, server, session } = await setup();
    fake.reply(['Hel', 'lo'], { usage: { input: 10, output: 5 } }).reply(['Again']).reply(['Third']);

    expectTypename(await runTurn(server, session.id, 'first'), 'TurnPayload');
    expect(await turnEnded(server, session.id)).toHaveLength(1);
    const [first] = await fake.received(1);
    expect(first!.body.model).toBe('fake-model-1');
    expect(first!.body.max_tokens ?? first!.body.max_completion_tokens).toBe(64);
    expect(lastUserText(first!.body)).toEqual([
      ['system', 'You are the test agent.'],
      ['user', 'first'],
    ]);
    const afterFirst = (await server.data(SessionTurn, { id: session.id })).session;
    expect(afterFirst).toMatchObject({ inputTokens: 10, outputTokens: 5, cost: (10 * 2 + 5 * 4) / 1_000_000 });

    // A switch between turns: the next call goes to the new model, with the whole conversation.
    await switchModel(server, session.id, 'other');
    expectTypename(await runTurn(server, session.id, 'second'), 'TurnPayload');
    expect(await turnEnded(server, session.id)).toHaveLength(2);
    const [, second] = await fake.received(2);
    expect(second!.body.model).toBe('fake-model-2');
    expect(lastUserText(second!.body)).toEqual([
      ['system', 'You are the test agent.'],
      ['user', 'first'],
      ['assistant', 'Hello'],
      ['user', 'second'],
    ]);

    // runTurn's own model switches and starts in one change: MODEL_CHANGED comes right before TURN_STARTED.
    expectTypename(await runTurn(server, session.id, 'third', { model: 'fake' }), 'TurnPayload');
    expect(await turnEnded(server, session.id)).toHaveLength(3);
    expect((await fake.received(3))[2]!.body.model).toBe('fake-model-1');
    const kinds = (await storedSession(server, session.id)).events.map((event) => event.kind);
    expect(kinds.slice(kinds.lastIndexOf('MODEL_CHANGED'), kinds.lastIndexOf('MODEL_CHANGED') + 3)).toEqual([
      'MODEL_CHANGED',
      'TURN_STARTED',
      'MESSAGE_ADDED',
    ]);
  });

  it('while a turn runs: Session.turn says so, a second runTurn and addMessage are SessionBusy; cancelTurn keeps the partial reply', async () => {
    const { fake, server, session } = await setup();
    fake.stall(['Par', 'tial']);
    const watcher = subscribe(server, 'websocket', TurnEvents, { sessionId: session.id, after: 1 });
    expect((await watcher.received((results) => results.length >= 1)).map((result) => result.data?.sessionEvents.seq)).toEqual([2]);

    const started = await runTurn(server, session.id, 'go');
    expectTypename(started, 'TurnPayload');
    const streamed = await watcher.received((results) => results.filter((result) => result.data?.sessionEvents.__typename === 'AssistantDeltaEvent').length >= 2);
    expect(streamed.filter((result) => result.data?.sessionEvents.__typename === 'AssistantDeltaEvent')).toHaveLength(2);

    const { session: running } = await server.data(SessionTurn, { id: session.id });
    expect(running).toMatchObject({ turn: { id: started.turnId, state: 'RUNNING', agentName: 'root', model: 'fake' } });
    expectTypename(await runTurn(server, session.id, 'again'), 'SessionBusy');
    const { addMessage } = await server.data(AddMessage, { input: { sessionId: session.id, role: 'user', content: 'x' } });
    expectTypename(addMessage, 'SessionBusy');

    const cancelled = (await server.data(CancelTurn, { sessionId: session.id })).cancelTurn;
    expectTypename(cancelled, 'TurnPayload');
    expect(cancelled.turnId).toBe(started.turnId);
    expect(cancelled.session.turn).toBeNull();
    expect(await fake.requests[0]!.outcome).toBe('client-closed');

    const { session: after } = await server.data(SessionTurn, { id: session.id });
    if (!('messages' in after)) throw new Error('no session');
    expect(after.messages.edges.map((edge) => [edge.node.role, edge.node.content, edge.node.cancelled])).toEqual([
      ['user', 'go', false],
      ['assistant', 'Partial', true],
    ]);
    const ended = await watcher.received((results) => results.some((result) => result.data?.sessionEvents.__typename === 'TurnEndedEvent'));
    expect(ended.at(-1)?.data?.sessionEvents).toMatchObject({ __typename: 'TurnEndedEvent', reason: 'CANCELLED' });
  });

  it('a 429 is retried after its retry-after; a 400 fails the turn with a stored reason', async () => {
    const { fake, server, session } = await setup();
    fake.error(429, { retryAfter: 0 }).reply(['fine']).error(400, { message: 'bad request from the fake' });

    expectTypename(await runTurn(server, session.id, 'one'), 'TurnPayload');
    const [first] = await turnEnded(server, session.id);
    expect(first!.payload).toMatchObject({ reason: 'COMPLETED' });
    expect(fake.requests).toHaveLength(2);

    expectTypename(await runTurn(server, session.id, 'two'), 'TurnPayload');
    expect(await turnEnded(server, session.id)).toHaveLength(2);
    const [failed, ended] = (await storedSession(server, session.id)).events.slice(-2);
    expect(failed).toMatchObject({ kind: 'TURN_FAILED', payload: { code: 'MODEL_CALL_FAILED', retryable: false } });
    expect((failed!.payload as { message: string }).message).toMatch(/bad request from the fake/);
    expect(ended).toMatchObject({ kind: 'TURN_ENDED', payload: { reason: 'FAILED' } });
    expect(fake.requests).toHaveLength(3);
  });

  it('a switch made while a call is failing applies to its retry: the provider receives the new model', async () => {
    const { fake, server, session } = await setup();
    let release!: () => void;
    fake.cut([], { after: new Promise<void>((resolve) => (release = resolve)) }).reply(['done']);
    expectTypename(await runTurn(server, session.id, 'go'), 'TurnPayload');
    await fake.received(1);
    await switchModel(server, session.id, 'other');
    release();
    const [ended] = await turnEnded(server, session.id);
    expect(ended!.payload).toMatchObject({ reason: 'COMPLETED' });
    expect(fake.requests.map((request) => request.body.model)).toEqual(['fake-model-1', 'fake-model-2']);
  });

  it("a model that keeps failing falls back to the agent's next model, with a stored ModelFallbackEvent", async () => {
    const { fake, server, session } = await setup();
    fake.error(503, { retryAfter: 0 }).error(503, { retryAfter: 0 }).error(503, { retryAfter: 0 }).reply(['rescued']);
    expectTypename(await runTurn(server, session.id, 'go'), 'TurnPayload');
    const [ended] = await turnEnded(server, session.id);
    expect(ended!.payload).toMatchObject({ reason: 'COMPLETED' });
    expect(fake.requests.map((request) => request.body.model)).toEqual(['fake-model-1', 'fake-model-1', 'fake-model-1', 'fake-model-2']);
    const events = (await storedSession(server, session.id)).events;
    expect(events.find((event) => event.kind === 'MODEL_FALLBACK')?.payload).toMatchObject({ fromModel: 'fake', toModel: 'other' });
    const reply = events.filter((event) => event.kind === 'MESSAGE_ADDED').at(-1);
    expect(reply?.payload).toMatchObject({ role: 'assistant' });
    // The fallback served this call only: the agent's model is unchanged.
    expect(server.app.services.runtimes.get(events[0]!.sessionId)?.modelRefOf('root')).toBe('fake');
  });

  it('reasoning streams as ReasoningDeltaEvent before the reply, and an Anthropic model answers through its own protocol', async () => {
    const { fake, anthropic, server, session } = await setup();
    fake.reply(['The answer'], { reasoning: ['Let me', ' think'] });
    anthropic.reply(['Bonjour', ' !'], { usage: { input: 7, output: 2 } });
    const watcher = subscribe(server, 'websocket', TurnEvents, { sessionId: session.id, after: 1 });
    expect((await watcher.received((results) => results.length >= 1)).map((result) => result.data?.sessionEvents.seq)).toEqual([2]);

    expectTypename(await runTurn(server, session.id, 'why?', { model: 'thinker' }), 'TurnPayload');
    const first = await watcher.received((results) => results.some((result) => result.data?.sessionEvents.__typename === 'TurnEndedEvent'));
    const streamed = first.map((result) => result.data!.sessionEvents).filter((event) => event.__typename.endsWith('DeltaEvent'));
    expect(streamed.map((event) => [event.__typename, 'content' in event ? event.content : undefined])).toEqual([
      ['ReasoningDeltaEvent', 'Let me'],
      ['ReasoningDeltaEvent', ' think'],
      ['AssistantDeltaEvent', 'The answer'],
    ]);
    expect(fake.requests[0]!.body.model).toBe('fake-thinker');
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer xai-fake');

    expectTypename(await runTurn(server, session.id, 'en français ?', { model: 'claude' }), 'TurnPayload');
    expect(await turnEnded(server, session.id)).toHaveLength(2);
    const [request] = await anthropic.received(1);
    expect(request!.body).toMatchObject({ model: 'fake-claude', max_tokens: 128, system: expect.anything() });
    const { session: read } = await server.data(SessionTurn, { id: session.id });
    if (!('messages' in read)) throw new Error('no session');
    expect(read.messages.edges.map((edge) => [edge.node.role, edge.node.content])).toEqual([
      ['user', 'why?'],
      ['assistant', 'The answer'],
      ['user', 'en français ?'],
      ['assistant', 'Bonjour !'],
    ]);
  });

  it('two runTurn at once: one starts, the other is SessionBusy; a subscriber joining mid-turn gets the rest of it', async () => {
    const { fake, server, session } = await setup();
    let release!: () => void;
    fake.stall(['early'], { until: new Promise<void>((resolve) => (release = resolve)) });
    const answers = await Promise.all([runTurn(server, session.id, 'a'), runTurn(server, session.id, 'b')]);
    expect(answers.map((answer) => answer.__typename).sort()).toEqual(['SessionBusy', 'TurnPayload']);
    await fake.received(1);
    // Joining now, after what is stored: the rest of the turn arrives, whether it comes live or is read back.
    const joinedAt = (await storedSession(server, session.id)).session!.lastEventSeq;
    const joiner = subscribe(server, 'sse', TurnEvents, { sessionId: session.id, after: joinedAt });
    release();
    const seen = await joiner.received((results) => results.some((result) => result.data?.sessionEvents.__typename === 'TurnEndedEvent'));
    expect(seen.map((result) => result.data?.sessionEvents.__typename)).toEqual(['MessageAddedEvent', 'TokenUsageUpdatedEvent', 'TurnEndedEvent']);
  });

  it('the server stopping ends a running turn INTERRUPTED, its partial reply kept; a restarted server has it all', async () => {
    const { fake, server, session } = await setup();
    fake.stall(['Interrup', 'ted']);
    const published = server.publishedEvents((await storedSession(server, session.id)).id);
    expectTypename(await runTurn(server, session.id, 'go'), 'TurnPayload');
    await eventually(async () => (published.filter((event) => event.kind === 'ASSISTANT_DELTA').length >= 2 ? true : undefined), 'the reply to stream');
    await server.stop();

    const restarted = await startTestServer('sqlite', { database: server.database, env: { ...server.app.config.providerEnv } as Record<string, string> });
    const events = (await storedSession(restarted, session.id)).events;
    expect(events.slice(-4).map((event) => [event.kind, event.payload])).toEqual([
      ['MESSAGE_ADDED', { messageId: expect.any(String), role: 'assistant' }],
      ['TOKEN_USAGE_UPDATED', expect.any(Object)],
      ['TURN_ENDED', { turnId: expect.any(String), reason: 'INTERRUPTED' }],
      ['SESSION_STOPPED', { reason: 'SERVER_STOPPED', instanceId: server.app.lease.instanceId }],
    ]);
    const { session: read } = await restarted.data(SessionTurn, { id: session.id });
    if (!('messages' in read)) throw new Error('no session');
    expect(read.messages.edges.at(-1)?.node).toMatchObject({ role: 'assistant', content: 'Interrupted', cancelled: true });
  });

  it('stopSession during a turn cancels it first: the partial reply and the end are stored before the stop', async () => {
    const { fake, server, session } = await setup();
    fake.stall(['Half']);
    const published = server.publishedEvents((await storedSession(server, session.id)).id);
    expectTypename(await runTurn(server, session.id, 'go'), 'TurnPayload');
    await eventually(async () => (published.some((event) => event.kind === 'ASSISTANT_DELTA') ? true : undefined), 'the reply to stream');
    expectTypename((await server.data(StopSession, { id: session.id })).stopSession, 'Session');
    const events = (await storedSession(server, session.id)).events;
    expect(events.slice(-4).map((event) => [event.kind, event.payload])).toEqual([
      ['MESSAGE_ADDED', { messageId: expect.any(String), role: 'assistant' }],
      ['TOKEN_USAGE_UPDATED', { inputTokens: 0, outputTokens: 0, cost: 0 }],
      ['TURN_ENDED', { turnId: expect.any(String), reason: 'CANCELLED' }],
      ['SESSION_STOPPED', { reason: 'STOPPED', instanceId: server.app.lease.instanceId }],
    ]);
    expect(server.app.services.runtimes.get(events[0]!.sessionId)).toBeUndefined();
  });
});
