/**
 * Fake model providers: HTTP servers on 127.0.0.1 (a port of their own) that answer the way OpenAI's
 * chat completions API and Anthropic's messages API answer, byte for byte in the parts a client reads
 * (status, headers, JSON bodies, server-sent events). The provider libraries under test then run
 * unmodified, over a real socket, and nothing reaches the internet.
 *
 * Each fake follows a script, one step per request, in order:
 *
 *   const fake = await startFakeOpenAI();
 *   fake.reply(['Hel', 'lo'], { usage: { input: 12, output: 2 } }).error(429, { retryAfter: 1 });
 *   fake.toolCalls([{ name: 'read_file', arguments: { path: 'a.txt' } }], { text: ['Let me look.'] });
 *
 * and records every request it received (`requests`), with how the exchange ended (`outcome`), so a test
 * can check what the client sent and whether it hung up. A request beyond the script is answered 500
 * with a message saying so, which makes a missing step visible instead of hanging.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { onCleanup } from './dispose.js';

export interface FakeUsage {
  input: number;
  output: number;
}

export interface ReplyOptions {
  /** Reasoning deltas, streamed before the text (`reasoning_content` / Anthropic thinking blocks). */
  reasoning?: string[];
  /** Token usage to report; by default 10 in and one per text delta out. */
  usage?: FakeUsage;
  /** The provider's own finish reason (OpenAI `finish_reason`, Anthropic `stop_reason`). */
  finishReason?: string;
}

/** A tool call a scripted answer makes. */
export interface FakeToolCall {
  name: string;
  /** An object is sent as compact JSON; a string is sent as it is (broken JSON, say). */
  arguments: Record<string, unknown> | string;
  /** By default `call_<n>` (OpenAI) or `toolu_<n>` (Anthropic), n counting the fake's calls from 1. */
  id?: string;
}

/** A tool call as scripted: its arguments as the JSON text the fake streams. */
export interface ScriptedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ToolCallsOptions {
  /** Text deltas streamed before the calls (a text block first, for Anthropic). */
  text?: string[];
  /** Token usage to report; by default 10 in and one per text delta and per call out. */
  usage?: FakeUsage;
}

export interface ErrorOptions {
  message?: string;
  /** The provider's error type (OpenAI `error.type`, Anthropic `error.type`); a default fits the status. */
  type?: string;
  /** OpenAI's `error.code`. */
  code?: string | null;
  /** Sent as the `retry-after` header: seconds, or an HTTP date. */
  retryAfter?: number | string;
  headers?: Record<string, string>;
}

export type FakeStep =
  | ({ kind: 'reply'; text: string[] } & ReplyOptions)
  /** Streams `text`, then the tool calls, and finishes for tool use (`tool_calls` / `tool_use`). */
  | { kind: 'toolCalls'; text: string[]; calls: ScriptedToolCall[]; usage?: FakeUsage }
  | ({ kind: 'error'; status: number } & ErrorOptions)
  /**
   * Streams `text`, then sends nothing more until `until` settles (then finishes normally) or the client
   * goes away. Without `until` it waits for the client alone.
   */
  | ({ kind: 'stall'; text: string[]; until?: Promise<unknown> } & ReplyOptions)
  /**
   * Streams `text`, then destroys the connection mid-stream. With `after`, the cut waits until that
   * promise settles, so a test can first make sure the client has read the deltas: bytes still queued in
   * the client's streams when the connection breaks may be discarded with it.
   */
  | { kind: 'cut'; text: string[]; after?: Promise<unknown> }
  /** Streams `text`, then an in-band error event (a provider failing mid-answer), then ends the response. */
  | { kind: 'streamError'; text: string[]; type: string; message: string }
  /** Answers nothing at all, not even the status line, until the client goes away. */
  | { kind: 'hang' };

/** How one exchange ended. */
export type RequestOutcome =
  /** The fake wrote its whole answer. */
  | 'finished'
  /** The client closed the connection before the answer was complete (an abort, say). */
  | 'client-closed'
  /** The fake cut the connection, as scripted. */
  | 'cut';

export interface RecordedRequest<Body> {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The JSON body as parsed; `undefined` when it was not JSON. */
  body: Body;
  /** Settles when the exchange is over. */
  outcome: Promise<RequestOutcome>;
}

/** The parts of an OpenAI chat completions request the tests look at. */
export interface OpenAIRequestBody {
  model: string;
  messages: {
    role: string;
    /** Null for an assistant message with tool calls and no text. */
    content: string | null | { type: string; text?: string }[];
    /** An assistant message's tool calls. */
    tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
    /** A `tool` message: the call it answers. */
    tool_call_id?: string;
  }[];
  tools?: { type: string; function: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean } }[];
  tool_choice?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  [field: string]: unknown;
}

/** A content block of an Anthropic request message. */
export interface AnthropicContentBlock {
  type: string;
  /** `text` blocks. */
  text?: string;
  /** `tool_use` blocks (an assistant's tool call). */
  id?: string;
  name?: string;
  input?: unknown;
  /** `tool_result` blocks (in a user message). */
  tool_use_id?: string;
  content?: string | { type: string; text?: string }[];
  is_error?: boolean;
}

/** The parts of an Anthropic messages request the tests look at. */
export interface AnthropicRequestBody {
  model: string;
  system?: string | { type: string; text: string }[];
  messages: { role: string; content: string | AnthropicContentBlock[] }[];
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: unknown;
  stream?: boolean;
  max_tokens?: number;
  temperature?: number;
  [field: string]: unknown;
}

/** How an answer is shaped: a reply's options, and the tool calls of a `toolCalls` step. */
type AnswerOptions = ReplyOptions & { toolCalls?: ScriptedToolCall[] };

/** What differs between providers: where they listen and how their answers are shaped. */
interface Dialect<Body> {
  paths: string[];
  /** How the ids of scripted tool calls begin by default. */
  toolCallIdPrefix: string;
  /** The full JSON body of an HTTP error. */
  errorBody(status: number, options: ErrorOptions): unknown;
  /** A whole non-streamed answer. */
  completion(body: Body, text: string[], options: AnswerOptions): unknown;
  /** A streamed answer of `text` deltas, split where a stall or a cut can happen. */
  stream(body: Body, text: string[], options: AnswerOptions): StreamFrames;
}

interface StreamFrames {
  head: string[];
  reasoning(delta: string): string[];
  /** Closes the reasoning, once, before the first text delta (Anthropic ends the thinking block). */
  afterReasoning: string[];
  text(delta: string): string[];
  /** Everything after the text: the tool calls, if any, then the finish and the usage. */
  tail(text: string[]): string[];
  error(type: string, message: string): string[];
}

const sse = (data: unknown, event?: string): string =>
  (event ? `event: ${event}\n` : '') + `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** For a stall without a release: only the client leaving ends it. */
const forever = new Promise<never>(() => {});

const defaultUsage = (text: string[], options: AnswerOptions): FakeUsage =>
  options.usage ?? { input: 10, output: text.length + (options.toolCalls?.length ?? 0) };

/**
 * A tool call's arguments in the pieces they stream in: 3 (2 for a 2-character text, 1 for a single
 * character, none for an empty one), cut between code points.
 */
function argumentPieces(text: string): string[] {
  const chars = Array.from(text);
  const count = Math.min(3, chars.length);
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    pieces.push(chars.slice(Math.floor((i * chars.length) / count), Math.floor(((i + 1) * chars.length) / count)).join(''));
  }
  return pieces;
}

/** Scripted arguments as a JSON value, for answers that carry them parsed (Anthropic's `input`). */
function parsedArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Anthropic never sends broken input whole; the raw text is the closest a script can get.
    return text;
  }
}

export class FakeProvider<Body> {
  readonly requests: RecordedRequest<Body>[] = [];
  readonly #steps: FakeStep[] = [];
  readonly #arrivals: (() => void)[] = [];
  #toolCallCount = 0;

  constructor(
    /** The base URL to put in a model or provider config (it ends in /v1). */
    readonly url: string,
    steps: FakeStep[],
    /** How the ids of scripted tool calls begin when the script gives none. */
    readonly toolCallIdPrefix: string = 'call_',
  ) {
    this.#steps.push(...steps);
  }

  /** Adds a step to the script; returns the fake so steps can be chained. */
  script(step: FakeStep): this {
    this.#steps.push(step);
    return this;
  }

  reply(text: string[], options: ReplyOptions = {}): this {
    return this.script({ kind: 'reply', text, ...options });
  }

  /** An answer calling tools: `text` first, if any, then the calls, in order; it finishes for tool use. */
  toolCalls(calls: FakeToolCall[], options: ToolCallsOptions = {}): this {
    return this.script({
      kind: 'toolCalls',
      text: options.text ?? [],
      usage: options.usage,
      calls: calls.map((call) => ({
        id: call.id ?? `${this.toolCallIdPrefix}${++this.#toolCallCount}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      })),
    });
  }

  error(status: number, options: ErrorOptions = {}): this {
    return this.script({ kind: 'error', status, ...options });
  }

  stall(text: string[], options: { until?: Promise<unknown> } & ReplyOptions = {}): this {
    return this.script({ kind: 'stall', text, ...options });
  }

  cut(text: string[], options: { after?: Promise<unknown> } = {}): this {
    return this.script({ kind: 'cut', text, ...options });
  }

  streamError(text: string[], type: string, message: string): this {
    return this.script({ kind: 'streamError', text, type, message });
  }

  hang(): this {
    return this.script({ kind: 'hang' });
  }

  /** Resolves once `count` requests have arrived (their bodies read and recorded). */
  async received(count: number): Promise<RecordedRequest<Body>[]> {
    while (this.requests.length < count) await new Promise<void>((resolve) => this.#arrivals.push(resolve));
    return this.requests.slice(0, count);
  }

  /** @internal records a request and wakes whoever waits for it. */
  record(request: RecordedRequest<Body>): void {
    this.requests.push(request);
    for (const wake of this.#arrivals.splice(0)) wake();
  }

  /** Steps not yet used. */
  get pendingSteps(): number {
    return this.#steps.length;
  }

  /** @internal the next step, or an error step that says the script ran out. */
  takeStep(): FakeStep {
    return (
      this.#steps.shift() ?? {
        kind: 'error',
        status: 500,
        type: 'server_error',
        message: `the fake provider has no scripted answer for request ${this.requests.length}`,
      }
    );
  }
}

export type FakeOpenAI = FakeProvider<OpenAIRequestBody>;
export type FakeAnthropic = FakeProvider<AnthropicRequestBody>;

const OPENAI_ERROR_TYPES: Record<number, [type: string, code: string | null, message: string]> = {
  400: ['invalid_request_error', null, 'Invalid request.'],
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
  404: ['invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again later.'],
  500: ['server_error', null, 'The server had an error while processing your request. Sorry about that!'],
  503: ['server_error', null, 'The engine is currently overloaded, please try again later.'],
};

const openAIDialect: Dialect<OpenAIRequestBody> = {
  paths: ['/v1/chat/completions', '/chat/completions'],
  toolCallIdPrefix: 'call_',
  errorBody(status, options) {
    const [type, code, message] = OPENAI_ERROR_TYPES[status] ?? ['server_error', null, `HTTP ${status}`];
    return {
      error: {
        message: options.message ?? message,
        type: options.type ?? type,
        param: null,
        code: options.code === undefined ? code : options.code,
      },
    };
  },
  completion(body, text, options) {
    const usage = defaultUsage(text, options);
    const calls = options.toolCalls ?? [];
    return {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            // A message of tool calls alone has null content.
            content: calls.length > 0 && text.length === 0 ? null : text.join(''),
            ...(calls.length > 0
              ? {
                  tool_calls: calls.map((call) => ({
                    id: call.id,
                    type: 'function',
                    function: { name: call.name, arguments: call.arguments },
                  })),
                }
              : {}),
            refusal: null,
            ...(options.reasoning ? { reasoning_content: options.reasoning.join('') } : {}),
          },
          logprobs: null,
          finish_reason: options.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
        },
      ],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
      system_fingerprint: 'fp_fake',
    };
  },
  stream(body, streamedText, options) {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const includeUsage = body.stream_options?.include_usage === true;
    // With include_usage, OpenAI puts `"usage": null` in every chunk but the last.
    const chunk = (choices: unknown[], usage: unknown = null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      system_fingerprint: 'fp_fake',
      choices,
      ...(includeUsage ? { usage } : {}),
    });
    const delta = (content: Record<string, unknown>, finishReason: string | null = null) =>
      sse(chunk([{ index: 0, delta: content, logprobs: null, finish_reason: finishReason }]));
    const calls = options.toolCalls ?? [];
    // A call starts with its id, type and name, and empty arguments; the arguments follow in pieces.
    const callStart = (call: ScriptedToolCall, index: number) => ({
      index,
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: '' },
    });
    // An answer of tool calls alone starts with the first call, in the chunk that announces the role
    // (content null then); otherwise that chunk has empty content, as OpenAI's does.
    const callsOnly = calls.length > 0 && streamedText.length === 0 && !options.reasoning;
    return {
      head: [
        callsOnly
          ? delta({ role: 'assistant', content: null, tool_calls: [callStart(calls[0]!, 0)], refusal: null })
          : delta({ role: 'assistant', content: '', refusal: null }),
      ],
      reasoning: (text) => [delta({ reasoning_content: text })],
      afterReasoning: [],
      text: (text) => [delta({ content: text })],
      tail(text) {
        const usage = defaultUsage(text, options);
        return [
          ...calls.flatMap((call, index) => [
            ...(callsOnly && index === 0 ? [] : [delta({ tool_calls: [callStart(call, index)] })]),
            ...argumentPieces(call.arguments).map((piece) => delta({ tool_calls: [{ index, function: { arguments: piece } }] })),
          ]),
          delta({}, options.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop')),
          ...(includeUsage
            ? [
                sse(
                  chunk([], {
                    prompt_tokens: usage.input,
                    completion_tokens: usage.output,
                    total_tokens: usage.input + usage.output,
                    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
                    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
                  }),
                ),
              ]
            : []),
          sse('[DONE]'),
        ];
      },
      // What OpenAI sends when a stream fails after it started.
      error: (type, message) => [sse({ error: { message, type, param: null, code: null } })],
    };
  },
};

const ANTHROPIC_ERROR_TYPES: Record<number, [type: string, message: string]> = {
  400: ['invalid_request_error', 'messages: field required'],
  401: ['authentication_error', 'invalid x-api-key'],
  404: ['not_found_error', 'model: not found'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

const anthropicDialect: Dialect<AnthropicRequestBody> = {
  paths: ['/v1/messages', '/messages'],
  toolCallIdPrefix: 'toolu_',
  errorBody(status, options) {
    const [type, message] = ANTHROPIC_ERROR_TYPES[status] ?? ['api_error', `HTTP ${status}`];
    return { type: 'error', error: { type: options.type ?? type, message: options.message ?? message } };
  },
  completion(body, text, options) {
    const usage = defaultUsage(text, options);
    const calls = options.toolCalls ?? [];
    return {
      id: `msg_${randomUUID().replaceAll('-', '')}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [
        ...(options.reasoning ? [{ type: 'thinking', thinking: options.reasoning.join(''), signature: 'sig' }] : []),
        // A reply of tool calls alone has no text block.
        ...(text.length > 0 || calls.length === 0 ? [{ type: 'text', text: text.join('') }] : []),
        ...calls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: parsedArguments(call.arguments) })),
      ],
      stop_reason: options.finishReason ?? (calls.length > 0 ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: usage.output },
    };
  },
  stream(body, streamedText, options) {
    const usage = (text: string[]) => defaultUsage(text, options);
    const calls = options.toolCalls ?? [];
    // Thinking, when there is some, is content block 0 and the text block follows it; tool_use blocks
    // come last. A reply of tool calls alone has no text block.
    const textIndex = options.reasoning ? 1 : 0;
    const hasTextBlock = streamedText.length > 0 || calls.length === 0;
    const firstCallIndex = textIndex + (hasTextBlock ? 1 : 0);
    // A tool_use block starts with empty input, then streams the input JSON in pieces (the first one
    // empty, as Anthropic's is).
    const toolUse = (call: ScriptedToolCall, index: number) => [
      sse(
        { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } },
        'content_block_start',
      ),
      ...['', ...argumentPieces(call.arguments)].map((piece) =>
        sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }, 'content_block_delta'),
      ),
      sse({ type: 'content_block_stop', index }, 'content_block_stop'),
    ];
    let textOpen = false;
    const openText = () => {
      if (textOpen) return [];
      textOpen = true;
      return [
        sse({ type: 'content_block_start', index: textIndex, content_block: { type: 'text', text: '' } }, 'content_block_start'),
      ];
    };
    return {
      head: [
        sse(
          {
            type: 'message_start',
            message: {
              id: `msg_${randomUUID().replaceAll('-', '')}`,
              type: 'message',
              role: 'assistant',
              model: body.model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: {
                input_tokens: usage([]).input,
                cache_creation_input_tokens: 0,
                cache_read_input_tokens: 0,
                output_tokens: 1,
              },
            },
          },
          'message_start',
        ),
        ...(options.reasoning
          ? [
              sse(
                { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
                'content_block_start',
              ),
            ]
          : []),
        sse({ type: 'ping' }, 'ping'),
      ],
      reasoning: (text) => [
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: text } }, 'content_block_delta'),
      ],
      afterReasoning: options.reasoning
        ? [
            sse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } }, 'content_block_delta'),
            sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
          ]
        : [],
      text: (text) => [
        ...openText(),
        sse({ type: 'content_block_delta', index: textIndex, delta: { type: 'text_delta', text } }, 'content_block_delta'),
      ],
      tail: (text) => [
        ...(hasTextBlock ? [...openText(), sse({ type: 'content_block_stop', index: textIndex }, 'content_block_stop')] : []),
        ...calls.flatMap((call, i) => toolUse(call, firstCallIndex + i)),
        sse(
          {
            type: 'message_delta',
            delta: { stop_reason: options.finishReason ?? (calls.length > 0 ? 'tool_use' : 'end_turn'), stop_sequence: null },
            usage: { output_tokens: usage(text).output },
          },
          'message_delta',
        ),
        sse({ type: 'message_stop' }, 'message_stop'),
      ],
      error: (type, message) => [sse({ type: 'error', error: { type, message } }, 'error')],
    };
  },
};

/** A fake OpenAI chat completions API (also what every OpenAI-compatible server speaks). */
export function startFakeOpenAI(script: FakeStep[] = []): Promise<FakeOpenAI> {
  return startFake(openAIDialect, script, {
    // Headers OpenAI sends with every answer; clients may read them, none needs them.
    'x-request-id': () => `req_${randomUUID().replaceAll('-', '')}`,
    'openai-processing-ms': () => '7',
  });
}

/** A fake Anthropic messages API. */
export function startFakeAnthropic(script: FakeStep[] = []): Promise<FakeAnthropic> {
  return startFake(anthropicDialect, script, {
    'request-id': () => `req_${randomUUID().replaceAll('-', '')}`,
  });
}

async function startFake<Body>(
  dialect: Dialect<Body>,
  script: FakeStep[],
  extraHeaders: Record<string, () => string>,
): Promise<FakeProvider<Body>> {
  const sockets = new Set<Socket>();
  const server = http.createServer();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const fake = new FakeProvider<Body>(`http://127.0.0.1:${port}/v1`, script, dialect.toolCallIdPrefix);

  server.on('request', (req, res) => {
    void answer(fake, dialect, extraHeaders, req, res).catch((error: unknown) => {
      // A bug in the fake itself: make it loud in the client's answer rather than hanging the test.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`fake provider failed: ${String(error)}`);
      } else {
        res.destroy();
      }
    });
  });

  onCleanup(async () => {
    // Stalled answers never end on their own: cut every connection so close() can finish.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return fake;
}

async function answer<Body>(
  fake: FakeProvider<Body>,
  dialect: Dialect<Body>,
  extraHeaders: Record<string, () => string>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  let cut = false;
  // `close` fires when the exchange is over either way (listened to before the body is read, so
  // a client leaving mid-upload is seen too); whether the answer was complete tells which.
  const outcome = new Promise<RequestOutcome>((resolve) => {
    res.on('close', () => resolve(cut ? 'cut' : res.writableFinished ? 'finished' : 'client-closed'));
  });
  const clientGone = outcome.then(() => undefined);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  let body: Body;
  try {
    body = JSON.parse(raw) as Body;
  } catch {
    body = undefined as Body;
  }

  const path = new URL(req.url ?? '/', 'http://fake').pathname;
  fake.record({ method: req.method ?? '', path, headers: req.headers, body, outcome });

  const headers = (contentType: string, more: Record<string, string> = {}) => ({
    'content-type': contentType,
    ...Object.fromEntries(Object.entries(extraHeaders).map(([name, value]) => [name, value()])),
    ...more,
  });
  const sendJson = (status: number, payload: unknown, more?: Record<string, string>) => {
    res.writeHead(status, headers('application/json', more)).end(JSON.stringify(payload));
  };

  if (req.method !== 'POST' || !dialect.paths.includes(path)) {
    sendJson(404, dialect.errorBody(404, { message: `the fake provider does not serve ${req.method} ${path}` }));
    return;
  }
  if (body === undefined) {
    sendJson(400, dialect.errorBody(400, { message: 'the body is not JSON' }));
    return;
  }

  const step = fake.takeStep();
  if (step.kind === 'hang') {
    await clientGone;
    return;
  }
  if (step.kind === 'error') {
    const more: Record<string, string> = { ...step.headers };
    if (step.retryAfter !== undefined) more['retry-after'] = String(step.retryAfter);
    sendJson(step.status, dialect.errorBody(step.status, step), more);
    return;
  }

  const options: AnswerOptions =
    step.kind === 'reply' || step.kind === 'stall'
      ? step
      : step.kind === 'toolCalls'
        ? { usage: step.usage, toolCalls: step.calls }
        : {};
  const streamed = (body as { stream?: unknown }).stream === true;
  if (!streamed) {
    if (step.kind === 'reply' || step.kind === 'toolCalls') {
      sendJson(200, dialect.completion(body, step.text, options));
    } else if (step.kind === 'cut') {
      cut = true;
      res.destroy();
    } else if (step.kind === 'stall') {
      await Promise.race([step.until ?? forever, clientGone]);
      if (!res.destroyed) sendJson(200, dialect.completion(body, step.text, step));
    } else {
      sendJson(500, dialect.errorBody(500, { type: step.type, message: step.message }));
    }
    return;
  }

  const frames = dialect.stream(body, step.text, options);
  res.writeHead(200, headers('text/event-stream; charset=utf-8', { 'cache-control': 'no-cache', connection: 'keep-alive' }));
  const write = (parts: string[]) =>
    new Promise<void>((resolve) => {
      // The callback fires once the bytes are handed to the socket, so a cut that follows cannot overtake them.
      if (res.destroyed || parts.length === 0) resolve();
      else res.write(parts.join(''), () => resolve());
    });
  await write(frames.head);
  for (const delta of options.reasoning ?? []) await write(frames.reasoning(delta));
  await write(frames.afterReasoning);
  for (const delta of step.text) await write(frames.text(delta));

  switch (step.kind) {
    case 'reply':
    case 'toolCalls':
      await write(frames.tail(step.text));
      break;
    case 'stall':
      await Promise.race([step.until ?? forever, clientGone]);
      await write(frames.tail(step.text));
      break;
    case 'cut':
      if (step.after) await Promise.race([step.after, clientGone]);
      cut = true;
      res.socket?.destroy();
      return;
    case 'streamError':
      await write(frames.error(step.type, step.message));
      break;
  }
  if (!res.destroyed) res.end();
}
