/**
 * Model clients through the real AI SDK, against fake provider servers on 127.0.0.1 that speak the
 * providers' wire protocols (test/support/fake-providers.ts). Nothing here reaches the internet, and no
 * GraphQL server is needed.
 */
import { describe, expect, it } from 'vitest';
import { ModelCallError, type ChatMessage, type ModelStreamPart } from '../src/runtime/model-client.js';
import { createModelClient, parseRetryAfter, type ModelSpec } from '../src/runtime/providers.js';
import type { ModelConfig, ProviderConfig } from '../src/runtime/team.js';
import type { ToolDefinition } from '../src/runtime/tools/tool.js';
import { startFakeAnthropic, startFakeOpenAI } from './support/fake-providers.js';

function spec(
  provider: string,
  model: string,
  config?: Partial<ModelConfig>,
  providers: ProviderConfig[] = [],
): ModelSpec {
  return {
    provider,
    model,
    ref: config ? 'the-model' : `${provider}/${model}`,
    config: config ? { name: 'the-model', provider, model, ...config } : undefined,
    providers: new Map(providers.map((custom) => [custom.name, custom])),
  };
}

const SYSTEM = 'You are terse.';
const MESSAGES: ChatMessage[] = [
  { role: 'user', content: 'Say hello' },
  { role: 'assistant', content: 'Hello.' },
  { role: 'user', content: 'Again, louder' },
];

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Every part of a stream and, if it failed, what it threw. */
async function drain(
  stream: AsyncIterable<ModelStreamPart>,
  onPart: (part: ModelStreamPart) => void = () => {},
): Promise<{ parts: ModelStreamPart[]; error?: unknown }> {
  const parts: ModelStreamPart[] = [];
  try {
    for await (const part of stream) {
      parts.push(part);
      onPart(part);
    }
    return { parts };
  } catch (error) {
    return { parts, error };
  }
}

const texts = (parts: ModelStreamPart[]) => parts.flatMap((part) => (part.type === 'text' ? [part.text] : []));
const reasoning = (parts: ModelStreamPart[]) => parts.flatMap((part) => (part.type === 'reasoning' ? [part.text] : []));

const WRITE_FILE: ToolDefinition = {
  name: 'write_file',
  description: 'Writes a file in the working directory.',
  parameters: {
    type: 'object',
    properties: { path: { type: 'string' }, content: { type: 'string' } },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  readOnly: false,
};
const READ_FILE: ToolDefinition = {
  name: 'read_file',
  description: 'Reads a file in the working directory.',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  readOnly: true,
};
const TOOLS = [WRITE_FILE, READ_FILE];

/** A conversation in which the model called two tools, one of which failed, and an unparsable call. */
const AFTER_TOOL_CALLS: ChatMessage[] = [
  { role: 'user', content: 'Copy a.txt to b.txt' },
  {
    role: 'assistant',
    content: 'Reading it first.',
    toolCalls: [
      { id: 'call_a', name: 'read_file', arguments: '{"path":"a.txt"}' },
      { id: 'call_b', name: 'read_file', arguments: '{"path":"missing.txt"}' },
    ],
  },
  { role: 'tool', toolCallId: 'call_a', toolName: 'read_file', content: 'hello', isError: false },
  { role: 'tool', toolCallId: 'call_b', toolName: 'read_file', content: 'ENOENT: no such file', isError: true },
  // A call whose arguments were broken JSON, answered with an error; no text with it.
  { role: 'assistant', content: '', toolCalls: [{ id: 'call_c', name: 'write_file', arguments: '{"path": "b.txt", ' }] },
  { role: 'tool', toolCallId: 'call_c', toolName: 'write_file', content: 'the arguments are not JSON', isError: true },
];

/** The tool-call-delta parts of one call, and their concatenation. */
function deltasOf(parts: ModelStreamPart[], toolCallId: string): { count: number; text: string; names: string[] } {
  const deltas = parts.flatMap((part) => (part.type === 'tool-call-delta' && part.toolCallId === toolCallId ? [part] : []));
  return { count: deltas.length, text: deltas.map((part) => part.argumentsDelta).join(''), names: [...new Set(deltas.map((part) => part.toolName))] };
}

const toolCalls = (parts: ModelStreamPart[]) => parts.filter((part) => part.type === 'tool-call');

/**
 * Checks a streamed reply of tool calls: each call's deltas come before it, name its tool and add up to
 * its arguments (streamed in more than one piece), one tool-call part per call, and the finish last.
 */
function expectToolCallStream(parts: ModelStreamPart[], calls: { id: string; name: string; arguments: string }[]): void {
  expect(toolCalls(parts)).toEqual(calls.map((call) => ({ type: 'tool-call', toolCallId: call.id, toolName: call.name, arguments: call.arguments })));
  for (const call of calls) {
    const deltas = deltasOf(parts, call.id);
    expect(deltas.text).toBe(call.arguments);
    expect(deltas.names).toEqual([call.name]);
    expect(deltas.count).toBeGreaterThan(2);
    const lastDelta = parts.findLastIndex((part) => part.type === 'tool-call-delta' && part.toolCallId === call.id);
    const callIndex = parts.findIndex((part) => part.type === 'tool-call' && part.toolCallId === call.id);
    expect(lastDelta).toBeLessThan(callIndex);
  }
  expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
  expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
}

describe('openai (chat completions)', () => {
  it('streams the text deltas in order, then the usage, and sends the conversation and settings', async () => {
    const fake = await startFakeOpenAI();
    fake.reply(['Hel', 'lo', ', world'], { usage: { input: 31, output: 4 } });
    const client = await createModelClient(
      spec('openai', 'gpt-4o-mini', { baseUrl: fake.url, maxTokens: 256, temperature: 0.25 }),
      { OPENAI_API_KEY: 'sk-from-the-env-passed-in' },
    );
    expect(client).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });

    const { parts, error } = await drain(
      client.stream({ system: SYSTEM, messages: MESSAGES, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'text', text: ', world' },
      { type: 'finish', finishReason: 'stop', inputTokens: 31, outputTokens: 4 },
    ]);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.path).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBe('Bearer sk-from-the-env-passed-in');
    expect(request!.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 256,
      temperature: 0.25,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'Say hello' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Again, louder' },
      ],
    });
    await expect(request!.outcome).resolves.toBe('finished');
  });

  it.each([
    { status: 429, retryable: true },
    { status: 500, retryable: true },
    { status: 503, retryable: true },
    { status: 400, retryable: false },
    { status: 401, retryable: false },
    { status: 404, retryable: false },
  ])('an HTTP $status answer is a ModelCallError with retryable $retryable', async ({ status, retryable }) => {
    const fake = await startFakeOpenAI();
    fake.error(status, { message: `scripted failure ${status}` });
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(parts).toEqual([]);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ retryable, status, retryAfterMs: undefined });
    expect((error as Error).message).toContain(`scripted failure ${status}`);
    // One request only: retrying is the turn loop's decision, not the SDK's.
    expect(fake.requests).toHaveLength(1);
  });

  it('a 429 with retry-after gives how long the provider asked to wait', async () => {
    const fake = await startFakeOpenAI();
    fake.error(429, { retryAfter: 7 });
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });

    const { error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
    expect(fake.requests).toHaveLength(1);
  });

  it('a connection cut mid-stream fails retryable after the parts already streamed', async () => {
    const fake = await startFakeOpenAI();
    const readBoth = deferred();
    // The cut waits until the client has read both deltas, so none is lost with the connection.
    fake.cut(['Hel', 'lo'], { after: readBoth.promise });
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }), (part) => {
      if (part.type === 'text' && part.text === 'lo') readBoth.resolve();
    });

    expect(texts(parts)).toEqual(['Hel', 'lo']);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect((error as Error).message).toContain('the answer broke off');
    await expect(fake.requests[0]!.outcome).resolves.toBe('cut');
  });

  // The turn loop may abort with a reason of its own, which fetch then rejects with instead of an AbortError.
  it.each([
    { how: 'abort()', reason: undefined },
    { how: 'abort(reason)', reason: new Error('stopped by the user') },
  ])('aborting the signal with $how ends a stalled stream quietly and hangs up on the provider', async ({ reason }) => {
    const fake = await startFakeOpenAI();
    fake.stall(['Hel', 'lo']);
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });
    const controller = new AbortController();

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: controller.signal }), (part) => {
      if (part.type === 'text' && part.text === 'lo') controller.abort(reason);
    });

    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
    ]);
    await expect(fake.requests[0]!.outcome).resolves.toBe('client-closed');
  });

  it.each([
    { how: 'abort()', reason: undefined },
    { how: 'abort(reason)', reason: new Error('stopped by the user') },
  ])('aborting the signal with $how before the provider answers at all ends the stream quietly', async ({ reason }) => {
    const fake = await startFakeOpenAI();
    fake.hang();
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });
    const controller = new AbortController();

    const drained = drain(client.stream({ messages: MESSAGES, signal: controller.signal }));
    await fake.received(1);
    controller.abort(reason);
    const { parts, error } = await drained;

    expect(error).toBeUndefined();
    expect(parts).toEqual([]);
    await expect(fake.requests[0]!.outcome).resolves.toBe('client-closed');
  });

  it('a caller that stops reading hangs up on the provider', async () => {
    const fake = await startFakeOpenAI();
    fake.stall(['Hel', 'lo']);
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });

    for await (const part of client.stream({ messages: MESSAGES, signal: new AbortController().signal })) {
      expect(part).toEqual({ type: 'text', text: 'Hel' });
      break;
    }

    await expect(fake.requests[0]!.outcome).resolves.toBe('client-closed');
  });

  it('a stalled stream that resumes finishes normally', async () => {
    const fake = await startFakeOpenAI();
    const resume = deferred();
    fake.stall(['Hel'], { until: resume.promise, usage: { input: 3, output: 1 } });
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }), (part) => {
      if (part.type === 'text') resume.resolve();
    });

    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'finish', finishReason: 'stop', inputTokens: 3, outputTokens: 1 },
    ]);
  });

  it('a signal aborted before the call sends nothing', async () => {
    const fake = await startFakeOpenAI();
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: AbortSignal.abort() }));

    expect(error).toBeUndefined();
    expect(parts).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('an error the provider sends inside the stream is a ModelCallError after the parts before it', async () => {
    const fake = await startFakeOpenAI();
    fake.streamError(['Par', 'tial'], 'server_error', 'The server had an error while processing your request.');
    const client = await createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: fake.url }), { OPENAI_API_KEY: 'k' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(texts(parts)).toEqual(['Par', 'tial']);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain('The server had an error while processing your request.');
  });
});

describe('openai (chat completions): tools', () => {
  const client = async (url: string) =>
    createModelClient(spec('openai', 'gpt-4o-mini', { baseUrl: url }), { OPENAI_API_KEY: 'k' });

  it('sends the tools as functions, and streams a tool call: deltas adding up to its arguments, the call, a tool-calls finish', async () => {
    const fake = await startFakeOpenAI();
    fake.toolCalls([{ name: 'write_file', arguments: { path: 'a.txt', content: 'hi' } }], {
      text: ['Writing ', 'it.'],
      usage: { input: 40, output: 12 },
    });

    const { parts, error } = await drain(
      (await client(fake.url)).stream({ messages: MESSAGES, tools: TOOLS, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual(['Writing ', 'it.']);
    expectToolCallStream(parts, [{ id: 'call_1', name: 'write_file', arguments: '{"path":"a.txt","content":"hi"}' }]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls', inputTokens: 40, outputTokens: 12 });
    // The text comes first, then the call (announced by an empty delta naming the tool).
    expect(parts.map((part) => part.type)).toEqual(['text', 'text', 'tool-call-delta', 'tool-call-delta', 'tool-call-delta', 'tool-call-delta', 'tool-call', 'finish']);
    expect(parts[2]).toEqual({ type: 'tool-call-delta', toolCallId: 'call_1', toolName: 'write_file', argumentsDelta: '' });
    expect(fake.requests[0]!.body.tools).toEqual([
      { type: 'function', function: { name: 'write_file', description: WRITE_FILE.description, parameters: WRITE_FILE.parameters } },
      { type: 'function', function: { name: 'read_file', description: READ_FILE.description, parameters: READ_FILE.parameters } },
    ]);
  });

  it('streams two calls of one reply, each whole, in order, and finishes after both', async () => {
    const fake = await startFakeOpenAI();
    fake.toolCalls([
      { name: 'read_file', arguments: { path: 'a.txt' } },
      { name: 'write_file', arguments: { path: 'b.txt', content: 'copied' }, id: 'call_custom' },
    ]);

    const { parts, error } = await drain(
      (await client(fake.url)).stream({ messages: MESSAGES, tools: TOOLS, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual([]);
    expectToolCallStream(parts, [
      { id: 'call_1', name: 'read_file', arguments: '{"path":"a.txt"}' },
      { id: 'call_custom', name: 'write_file', arguments: '{"path":"b.txt","content":"copied"}' },
    ]);
  });

  it('passes on a call with broken JSON arguments, or of an unknown tool, for the turn loop to answer', async () => {
    const fake = await startFakeOpenAI();
    fake.toolCalls([
      { name: 'write_file', arguments: '{"path": "a.txt", "content": ' },
      { name: 'delete_everything', arguments: { really: true } },
    ]);

    const { parts, error } = await drain(
      (await client(fake.url)).stream({ messages: MESSAGES, tools: TOOLS, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(toolCalls(parts)).toEqual([
      // The raw text, as the model sent it.
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'write_file', arguments: '{"path": "a.txt", "content": ' },
      { type: 'tool-call', toolCallId: 'call_2', toolName: 'delete_everything', arguments: '{"really":true}' },
    ]);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('sends earlier tool calls as assistant tool_calls and their results as tool messages; no tools when there are none', async () => {
    const fake = await startFakeOpenAI();
    fake.reply(['Copied.']);

    const { parts, error } = await drain(
      (await client(fake.url)).stream({ messages: AFTER_TOOL_CALLS, tools: [], signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual(['Copied.']);
    const { body } = fake.requests[0]!;
    expect(body.tools).toBeUndefined();
    expect(body.messages).toEqual([
      { role: 'user', content: 'Copy a.txt to b.txt' },
      {
        role: 'assistant',
        content: 'Reading it first.',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } },
          { id: 'call_b', type: 'function', function: { name: 'read_file', arguments: '{"path":"missing.txt"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'hello' },
      // OpenAI has no error flag: the error's text is the result.
      { role: 'tool', tool_call_id: 'call_b', content: 'ENOENT: no such file' },
      // No text: null content. Broken arguments go back as an empty object.
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_c', type: 'function', function: { name: 'write_file', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_c', content: 'the arguments are not JSON' },
    ]);
  });
});

describe('anthropic (messages)', () => {
  it('streams the text deltas and the usage, and sends the conversation, settings and key', async () => {
    const fake = await startFakeAnthropic();
    fake.reply(['Bon', 'jour'], { usage: { input: 42, output: 2 } });
    const client = await createModelClient(
      spec('anthropic', 'claude-sonnet-4-5', { baseUrl: fake.url, maxTokens: 512, temperature: 0.5 }),
      { ANTHROPIC_API_KEY: 'sk-ant-from-the-env' },
    );

    const { parts, error } = await drain(
      client.stream({ system: SYSTEM, messages: MESSAGES, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'text', text: 'Bon' },
      { type: 'text', text: 'jour' },
      { type: 'finish', finishReason: 'stop', inputTokens: 42, outputTokens: 2 },
    ]);
    const [request] = fake.requests;
    expect(request!.path).toBe('/v1/messages');
    expect(request!.headers['x-api-key']).toBe('sk-ant-from-the-env');
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.headers['anthropic-version']).toBe('2023-06-01');
    expect(request!.body).toMatchObject({ model: 'claude-sonnet-4-5', stream: true, max_tokens: 512, temperature: 0.5 });
    expect(request!.body.system).toEqual([{ type: 'text', text: SYSTEM }]);
    expect(
      request!.body.messages.map((message) => ({
        role: message.role,
        text: typeof message.content === 'string' ? message.content : message.content.map((block) => block.text).join(''),
      })),
    ).toEqual([
      { role: 'user', text: 'Say hello' },
      { role: 'assistant', text: 'Hello.' },
      { role: 'user', text: 'Again, louder' },
    ]);
  });

  it('streams thinking as reasoning parts before the text', async () => {
    const fake = await startFakeAnthropic();
    fake.reply(['Yes.'], { reasoning: ['Let me ', 'think.'] });
    const client = await createModelClient(spec('anthropic', 'claude-sonnet-4-5', { baseUrl: fake.url }), { ANTHROPIC_API_KEY: 'k' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(error).toBeUndefined();
    expect(parts.map((part) => part.type)).toEqual(['reasoning', 'reasoning', 'text', 'finish']);
    expect(reasoning(parts)).toEqual(['Let me ', 'think.']);
    expect(texts(parts)).toEqual(['Yes.']);
  });

  it.each([
    { status: 429, retryable: true },
    { status: 529, retryable: true },
    { status: 500, retryable: true },
    { status: 400, retryable: false },
    { status: 401, retryable: false },
  ])('an HTTP $status answer is a ModelCallError with retryable $retryable', async ({ status, retryable }) => {
    const fake = await startFakeAnthropic();
    fake.error(status, { message: `scripted failure ${status}`, ...(status === 429 ? { retryAfter: 3 } : {}) });
    const client = await createModelClient(spec('anthropic', 'claude-sonnet-4-5', { baseUrl: fake.url }), { ANTHROPIC_API_KEY: 'k' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(parts).toEqual([]);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ retryable, status, retryAfterMs: status === 429 ? 3000 : undefined });
    expect((error as Error).message).toContain(`scripted failure ${status}`);
    expect(fake.requests).toHaveLength(1);
  });

  it('an overloaded error event mid-stream fails retryable after the parts already streamed', async () => {
    const fake = await startFakeAnthropic();
    fake.streamError(['Half ', 'an'], 'overloaded_error', 'Overloaded');
    const client = await createModelClient(spec('anthropic', 'claude-sonnet-4-5', { baseUrl: fake.url }), { ANTHROPIC_API_KEY: 'k' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(texts(parts)).toEqual(['Half ', 'an']);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain('Overloaded');
  });

  it('aborting the signal ends a stalled stream quietly', async () => {
    const fake = await startFakeAnthropic();
    fake.stall(['Wait', 'ing']);
    const client = await createModelClient(spec('anthropic', 'claude-sonnet-4-5', { baseUrl: fake.url }), { ANTHROPIC_API_KEY: 'k' });
    const controller = new AbortController();

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: controller.signal }), (part) => {
      if (part.type === 'text' && part.text === 'ing') controller.abort();
    });

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual(['Wait', 'ing']);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    await expect(fake.requests[0]!.outcome).resolves.toBe('client-closed');
  });
});

describe('anthropic (messages): tools', () => {
  const client = async (url: string) =>
    createModelClient(spec('anthropic', 'claude-sonnet-4-5', { baseUrl: url }), { ANTHROPIC_API_KEY: 'k' });

  it('sends the tools with their input_schema, and streams a tool_use block: deltas, the call, a tool-calls finish', async () => {
    const fake = await startFakeAnthropic();
    fake.toolCalls([{ name: 'write_file', arguments: { path: 'a.txt', content: 'hi' } }], {
      text: ['Writing ', 'it.'],
      usage: { input: 50, output: 20 },
    });

    const { parts, error } = await drain(
      (await client(fake.url)).stream({ messages: MESSAGES, tools: TOOLS, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual(['Writing ', 'it.']);
    expectToolCallStream(parts, [{ id: 'toolu_1', name: 'write_file', arguments: '{"path":"a.txt","content":"hi"}' }]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls', inputTokens: 50, outputTokens: 20 });
    expect(parts.findIndex((part) => part.type === 'tool-call-delta')).toBeGreaterThan(parts.findLastIndex((part) => part.type === 'text'));
    // toMatchObject: the SDK adds eager_input_streaming (fine-grained tool streaming) to each.
    expect(fake.requests[0]!.body.tools).toMatchObject([
      { name: 'write_file', description: WRITE_FILE.description, input_schema: WRITE_FILE.parameters },
      { name: 'read_file', description: READ_FILE.description, input_schema: READ_FILE.parameters },
    ]);
  });

  it('streams two tool_use blocks of one reply, each whole, in order, and finishes after both', async () => {
    const fake = await startFakeAnthropic();
    fake.toolCalls([
      { name: 'read_file', arguments: { path: 'a.txt' } },
      { name: 'write_file', arguments: { path: 'b.txt', content: 'copied' } },
    ]);

    const { parts, error } = await drain(
      (await client(fake.url)).stream({ messages: MESSAGES, tools: TOOLS, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual([]);
    expectToolCallStream(parts, [
      { id: 'toolu_1', name: 'read_file', arguments: '{"path":"a.txt"}' },
      { id: 'toolu_2', name: 'write_file', arguments: '{"path":"b.txt","content":"copied"}' },
    ]);
  });

  it('sends earlier tool calls as tool_use blocks and their results as tool_result blocks, errors flagged', async () => {
    const fake = await startFakeAnthropic();
    fake.reply(['Copied.']);

    const { parts, error } = await drain(
      (await client(fake.url)).stream({ messages: AFTER_TOOL_CALLS, tools: TOOLS, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual(['Copied.']);
    expect(fake.requests[0]!.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Copy a.txt to b.txt' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reading it first.' },
          { type: 'tool_use', id: 'call_a', name: 'read_file', input: { path: 'a.txt' } },
          { type: 'tool_use', id: 'call_b', name: 'read_file', input: { path: 'missing.txt' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_a', content: 'hello' },
          { type: 'tool_result', tool_use_id: 'call_b', content: 'ENOENT: no such file', is_error: true },
        ],
      },
      // No empty text block, and broken arguments go back as an empty object.
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_c', name: 'write_file', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_c', content: 'the arguments are not JSON', is_error: true }] },
    ]);
  });
});

describe('OpenAI-compatible providers', () => {
  it('xai: its own key variable, the model config base URL, reasoning_content as reasoning parts', async () => {
    const fake = await startFakeOpenAI();
    fake.reply(['4'], { reasoning: ['2+2 ', 'is 4'], usage: { input: 9, output: 5 } });
    const client = await createModelClient(spec('xai', 'grok-4', { baseUrl: fake.url }), {
      XAI_API_KEY: 'xai-key',
      OPENAI_API_KEY: 'not-this-one',
    });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'reasoning', text: '2+2 ' },
      { type: 'reasoning', text: 'is 4' },
      { type: 'text', text: '4' },
      { type: 'finish', finishReason: 'stop', inputTokens: 9, outputTokens: 5 },
    ]);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer xai-key');
    expect(fake.requests[0]!.body).toMatchObject({ model: 'grok-4', stream: true, stream_options: { include_usage: true } });
  });

  it('dmr needs no key and sends none', async () => {
    const fake = await startFakeOpenAI();
    fake.reply(['local']);
    const client = await createModelClient(spec('dmr', 'ai/qwen3', { baseUrl: fake.url }), {});

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual(['local']);
    expect(fake.requests[0]!.headers.authorization).toBeUndefined();
    expect(fake.requests[0]!.body.model).toBe('ai/qwen3');
  });

  it("a team's custom provider: its base_url, and its token_key unless the model names one", async () => {
    const fake = await startFakeOpenAI();
    fake.reply(['from the provider key']).reply(['from the model key']);
    const custom: ProviderConfig = { name: 'corp', apiType: 'openai_chatcompletions', baseUrl: fake.url, tokenKey: 'CORP_KEY' };
    const env = { CORP_KEY: 'corp-secret', MODEL_KEY: 'model-secret', OPENAI_API_KEY: 'not-this-one' };

    const inline = await createModelClient(spec('corp', 'llama-70b', undefined, [custom]), env);
    const first = await drain(inline.stream({ messages: MESSAGES, signal: new AbortController().signal }));
    const named = await createModelClient(spec('corp', 'llama-70b', { tokenKey: 'MODEL_KEY' }, [custom]), env);
    const second = await drain(named.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(first.error).toBeUndefined();
    expect(texts(first.parts)).toEqual(['from the provider key']);
    expect(texts(second.parts)).toEqual(['from the model key']);
    expect(fake.requests.map((request) => [request.path, request.headers.authorization, request.body.model])).toEqual([
      ['/v1/chat/completions', 'Bearer corp-secret', 'llama-70b'],
      ['/v1/chat/completions', 'Bearer model-secret', 'llama-70b'],
    ]);
  });

  it('a custom provider without token_key is called without a key, even when OPENAI_API_KEY is set', async () => {
    const fake = await startFakeOpenAI();
    fake.reply(['ok']);
    const custom: ProviderConfig = { name: 'lab', apiType: 'openai_chatcompletions', baseUrl: fake.url };
    const client = await createModelClient(spec('lab', 'mixtral', undefined, [custom]), { OPENAI_API_KEY: 'must-not-leak' });

    const { error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(error).toBeUndefined();
    expect(fake.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('a custom provider with api_type anthropic speaks the messages API at its base_url', async () => {
    const fake = await startFakeAnthropic();
    fake.reply(['proxied']);
    const custom: ProviderConfig = { name: 'gateway', apiType: 'anthropic', baseUrl: fake.url, tokenKey: 'GATEWAY_KEY' };
    const client = await createModelClient(spec('gateway', 'claude-haiku-4-5', undefined, [custom]), { GATEWAY_KEY: 'gw-secret' });

    const { parts, error } = await drain(client.stream({ messages: MESSAGES, signal: new AbortController().signal }));

    expect(error).toBeUndefined();
    expect(texts(parts)).toEqual(['proxied']);
    expect(fake.requests[0]!.headers['x-api-key']).toBe('gw-secret');
    expect(fake.requests[0]!.body.model).toBe('claude-haiku-4-5');
  });
});

describe('resolving a model', () => {
  const gateway: ProviderConfig = { name: 'gateway', apiType: 'openai_chatcompletions', baseUrl: 'http://127.0.0.1:9/v1', tokenKey: 'GATEWAY_KEY' };

  it.each([
    { what: 'openai', model: spec('openai', 'gpt-5'), variable: 'OPENAI_API_KEY' },
    { what: 'anthropic', model: spec('anthropic', 'claude-sonnet-4-5'), variable: 'ANTHROPIC_API_KEY' },
    { what: 'google', model: spec('google', 'gemini-2.5-pro'), variable: 'GOOGLE_API_KEY' },
    { what: 'xai', model: spec('xai', 'grok-4'), variable: 'XAI_API_KEY' },
    { what: 'mistral', model: spec('mistral', 'mistral-large-latest'), variable: 'MISTRAL_API_KEY' },
    { what: 'openrouter', model: spec('openrouter', 'meta/llama'), variable: 'OPENROUTER_API_KEY' },
    { what: "a model's token_key", model: spec('openai', 'gpt-5', { tokenKey: 'MY_KEY' }), variable: 'MY_KEY' },
    { what: "a custom provider's token_key", model: spec('gateway', 'm', undefined, [gateway]), variable: 'GATEWAY_KEY' },
  ])('$what: fails naming $variable when it is not set, and resolves once it is', async ({ model, variable }) => {
    // Another provider's key, and an empty value, do not count.
    const unrelated = { OPENAI_API_KEY: variable === 'OPENAI_API_KEY' ? '' : 'sk-other', UNRELATED: 'x' };
    await expect(createModelClient(model, unrelated)).rejects.toThrow(variable);
    await expect(createModelClient(model, { ...unrelated, [variable]: 'set' })).resolves.toMatchObject({
      provider: model.provider,
      model: model.model,
    });
  });

  it('a missing token_key says it is the token_key', async () => {
    await expect(createModelClient(spec('openai', 'gpt-5', { tokenKey: 'MY_KEY' }), { OPENAI_API_KEY: 'sk' })).rejects.toThrow(
      'the environment variable MY_KEY (token_key) is not set',
    );
  });

  it('google also takes GEMINI_API_KEY', async () => {
    await expect(createModelClient(spec('google', 'gemini-2.5-pro'), { GEMINI_API_KEY: 'g' })).resolves.toMatchObject({
      provider: 'google',
    });
  });

  it('rejects an unknown provider, and amazon-bedrock as not supported yet', async () => {
    await expect(createModelClient(spec('foo', 'bar'), {})).rejects.toThrow('unknown provider "foo"');
    await expect(createModelClient(spec('amazon-bedrock', 'anthropic.claude'), {})).rejects.toThrow(
      'provider "amazon-bedrock" is not supported by this server yet',
    );
  });
});

describe('echo', () => {
  const userSaid = [{ role: 'user' as const, content: 'first' }, { role: 'assistant' as const, content: 'ok' }, { role: 'user' as const, content: 'hello there' }];

  it('streams a deterministic reply to the last user message, word by word, with word counts as usage', async () => {
    const client = await createModelClient(spec('echo', 'demo'), {});

    const { parts, error } = await drain(
      client.stream({ system: 'Be kind', messages: userSaid, signal: new AbortController().signal }),
    );

    expect(error).toBeUndefined();
    const reply = 'Echo (demo, not a model): you said "hello there"';
    expect(texts(parts).join('')).toBe(reply);
    expect(texts(parts)).toEqual(['Echo ', '(demo, ', 'not ', 'a ', 'model): ', 'you ', 'said ', '"hello ', 'there"']);
    // Words in: "Be kind" (2) + "first" (1) + "ok" (1) + "hello there" (2); words out: the reply's 9.
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', inputTokens: 6, outputTokens: 9 });
  });

  it('stops between parts once the signal is aborted', async () => {
    const client = await createModelClient(spec('echo', 'demo'), {});
    const controller = new AbortController();

    const { parts, error } = await drain(client.stream({ messages: userSaid, signal: controller.signal }), () =>
      controller.abort(),
    );

    expect(error).toBeUndefined();
    expect(parts).toEqual([{ type: 'text', text: 'Echo ' }]);
  });

  it('calls a tool when told to: `call <tool> <JSON object>`, with a text first and a tool-calls finish', async () => {
    const client = await createModelClient(spec('echo', 'demo'), {});
    const call = { role: 'user' as const, content: 'call write_file {"path": "a.txt", "content": "hi"}' };

    const first = await drain(client.stream({ messages: [call], tools: TOOLS, signal: new AbortController().signal }));
    const second = await drain(client.stream({ messages: [call], tools: TOOLS, signal: new AbortController().signal }));

    expect(first.error).toBeUndefined();
    expect(texts(first.parts).join('')).toBe('Echo (demo, not a model): calling write_file');
    const id = toolCalls(first.parts)[0]?.type === 'tool-call' ? (toolCalls(first.parts)[0] as { toolCallId: string }).toolCallId : '';
    expect(id).toMatch(/^echo_call_\d+$/);
    const args = '{"path":"a.txt","content":"hi"}';
    expect(first.parts.slice(-3)).toEqual([
      { type: 'tool-call-delta', toolCallId: id, toolName: 'write_file', argumentsDelta: args },
      { type: 'tool-call', toolCallId: id, toolName: 'write_file', arguments: args },
      expect.objectContaining({ type: 'finish', finishReason: 'tool-calls' }),
    ]);
    // Each call has an id of its own.
    expect(toolCalls(second.parts)).toEqual([expect.objectContaining({ toolName: 'write_file', arguments: args })]);
    expect(toolCalls(second.parts)[0]).not.toMatchObject({ toolCallId: id });
  });

  it('echoes `call …` like any message when the tool is not among the request\'s tools', async () => {
    const client = await createModelClient(spec('echo', 'demo'), {});
    const content = 'call write_file {"path":"a.txt"}';

    const { parts } = await drain(
      client.stream({ messages: [{ role: 'user', content }], tools: [READ_FILE], signal: new AbortController().signal }),
    );

    expect(texts(parts).join('')).toBe(`Echo (demo, not a model): you said "${content}"`);
    expect(parts.some((part) => part.type === 'tool-call' || part.type === 'tool-call-delta')).toBe(false);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('after tool results, says what the tools returned, errors as errors', async () => {
    const client = await createModelClient(spec('echo', 'demo'), {});
    const called: ChatMessage[] = [
      { role: 'user', content: 'call write_file {"path":"a.txt","content":"hi"}' },
      { role: 'assistant', content: 'calling', toolCalls: [{ id: 'echo_call_1', name: 'write_file', arguments: '{"path":"a.txt","content":"hi"}' }] },
    ];

    const ok = await drain(
      client.stream({
        messages: [...called, { role: 'tool', toolCallId: 'echo_call_1', toolName: 'write_file', content: 'wrote 2 bytes', isError: false }],
        tools: TOOLS,
        signal: new AbortController().signal,
      }),
    );
    const failed = await drain(
      client.stream({
        messages: [...called, { role: 'tool', toolCallId: 'echo_call_1', toolName: 'write_file', content: 'permission denied', isError: true }],
        tools: TOOLS,
        signal: new AbortController().signal,
      }),
    );

    expect(texts(ok.parts).join('')).toBe('Echo (demo, not a model): write_file returned: wrote 2 bytes');
    expect(ok.parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(texts(failed.parts).join('')).toBe('Echo (demo, not a model): write_file returned: error: permission denied');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads seconds, an HTTP date, and prefers retry-after-ms', () => {
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }, now)).toBe(30_000);
    expect(parseRetryAfter({ 'retry-after': 'Sun, 01 Mar 2026 11:59:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ 'retry-after-ms': '1500', 'retry-after': '2' }, now)).toBe(1500);
    expect(parseRetryAfter({ 'Retry-After': '4' }, now)).toBe(4000);
  });

  it('is undefined without a usable header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
});
