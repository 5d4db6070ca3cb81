/**
 * Real model clients. `createModelClient` resolves a model the way docker-agent does (a custom provider
 * of the team first, then the built-in providers and their OpenAI-compatible aliases, with the model's
 * own base_url and token_key winning over the provider's) and adapts the AI SDK's stream to the small
 * ModelClient interface the turn loop uses.
 *
 * Credentials come from the environment handed in (process.env by default), never from anywhere else:
 * every key and base URL is passed to the AI SDK explicitly, because its providers would otherwise read
 * OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_BASE_URL… from process.env behind our back.
 *
 * Failures: a call that fails throws ModelCallError (retryable or not). A call whose signal is aborted
 * ends quietly: its stream simply stops, without a `finish` part and without throwing, whatever the
 * provider was doing at that moment. The caller checks `signal.aborted` to tell a cancelled call from a
 * finished one.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  APICallError,
  jsonSchema,
  stepCountIs,
  streamText,
  tool,
  type JSONSchema7,
  type LanguageModel,
  type ModelMessage,
  type ToolSet,
} from 'ai';
import {
  ModelCallError,
  type ChatMessage,
  type ModelCallRequest,
  type ModelClient,
  type ModelStreamPart,
} from './model-client.js';
import type { ModelConfig, ProviderConfig } from './team.js';
import type { ToolDefinition } from './tools/tool.js';

export interface ModelSpec {
  provider: string;
  model: string;
  /** The ref the model was chosen by (a team model name or `provider/model`), for messages. */
  ref: string;
  /** The team's model config, when the ref named one. */
  config?: ModelConfig;
  /** The team's custom providers, by name. */
  providers: ReadonlyMap<string, ProviderConfig>;
}

type Env = Record<string, string | undefined>;

/**
 * OpenAI-compatible providers known by name, with their default endpoint and key variable: docker-agent's
 * provider aliases (pkg/model/provider/aliases.go), plus Docker Model Runner, which docker-agent serves
 * with its own client over the same protocol. No key variable: the server needs no authentication.
 */
export const OPENAI_COMPATIBLE_PROVIDERS: Readonly<Record<string, { baseUrl: string; keyVariable?: string }>> = {
  dmr: { baseUrl: 'http://localhost:12434/engines/v1' },
  ollama: { baseUrl: 'http://localhost:11434/v1' },
  xai: { baseUrl: 'https://api.x.ai/v1', keyVariable: 'XAI_API_KEY' },
  mistral: { baseUrl: 'https://api.mistral.ai/v1', keyVariable: 'MISTRAL_API_KEY' },
  nebius: { baseUrl: 'https://api.studio.nebius.com/v1', keyVariable: 'NEBIUS_API_KEY' },
  requesty: { baseUrl: 'https://router.requesty.ai/v1', keyVariable: 'REQUESTY_API_KEY' },
  openrouter: { baseUrl: 'https://openrouter.ai/api/v1', keyVariable: 'OPENROUTER_API_KEY' },
};

const OPENAI_BASE_URL = 'https://api.openai.com/v1';
const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';
const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

/** The provider needing neither network nor credentials, for trying the server out. */
export const ECHO_PROVIDER = 'echo';

/**
 * The client for one model. Rejects, with a message naming what is missing, when the provider is unknown
 * or unsupported, or when a credential it needs is not in `env`; nothing is sent over the network here.
 */
export async function createModelClient(spec: ModelSpec, env: Env = process.env): Promise<ModelClient> {
  if (spec.provider === ECHO_PROVIDER) return echoClient(spec);
  const model = resolveLanguageModel(spec, env);
  return {
    provider: spec.provider,
    model: spec.model,
    stream: (request) => streamModel(spec, model, request),
  };
}

function resolveLanguageModel(spec: ModelSpec, env: Env): LanguageModel {
  const { provider, model, config } = spec;
  const value = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  // token_key names a variable that must be set; the model's own wins over its provider's.
  const fromTokenKey = (tokenKey: string): string => {
    const key = value(tokenKey);
    if (key === undefined) throw new Error(`the environment variable ${tokenKey} (token_key) is not set`);
    return key;
  };
  const required = (name: string): string => {
    const key = value(name);
    if (key === undefined) throw new Error(`${name} is not set: model "${spec.ref}" (provider ${provider}) needs it`);
    return key;
  };
  // docker-agent reads GEMINI_API_KEY too, and GOOGLE_API_KEY wins when both are set.
  const googleKey = (): string => {
    const key = value('GOOGLE_API_KEY') ?? value('GEMINI_API_KEY');
    if (key === undefined) {
      throw new Error(`GOOGLE_API_KEY (or GEMINI_API_KEY) is not set: model "${spec.ref}" (provider ${provider}) needs it`);
    }
    return key;
  };

  const custom = spec.providers.get(provider);
  if (custom) {
    const baseURL = config?.baseUrl ?? custom.baseUrl;
    const tokenKey = config?.tokenKey ?? custom.tokenKey;
    switch (custom.apiType) {
      case 'anthropic':
        return createAnthropic({
          baseURL: baseURL ?? ANTHROPIC_BASE_URL,
          apiKey: tokenKey ? fromTokenKey(tokenKey) : required('ANTHROPIC_API_KEY'),
        })(model);
      case 'google':
        return createGoogleGenerativeAI({
          baseURL: baseURL ?? GOOGLE_BASE_URL,
          apiKey: tokenKey ? fromTokenKey(tokenKey) : googleKey(),
        })(model);
      case 'openai_chatcompletions':
        // As in docker-agent, a custom provider without token_key is called without authentication: the
        // OpenAI key is not sent to a server the team merely named.
        return openAICompatible(provider, baseURL ?? OPENAI_BASE_URL, tokenKey ? fromTokenKey(tokenKey) : undefined, model);
    }
  }

  const alias = OPENAI_COMPATIBLE_PROVIDERS[provider];
  if (alias) {
    const tokenKey = config?.tokenKey;
    const apiKey = tokenKey ? fromTokenKey(tokenKey) : alias.keyVariable ? required(alias.keyVariable) : undefined;
    return openAICompatible(provider, config?.baseUrl ?? alias.baseUrl, apiKey, model);
  }

  const tokenKey = config?.tokenKey;
  switch (provider) {
    case 'openai':
      // Chat completions rather than the Responses API: one wire protocol for OpenAI and every compatible server.
      return createOpenAI({
        baseURL: config?.baseUrl ?? OPENAI_BASE_URL,
        apiKey: tokenKey ? fromTokenKey(tokenKey) : required('OPENAI_API_KEY'),
      }).chat(model);
    case 'anthropic':
      return createAnthropic({
        baseURL: config?.baseUrl ?? ANTHROPIC_BASE_URL,
        apiKey: tokenKey ? fromTokenKey(tokenKey) : required('ANTHROPIC_API_KEY'),
      })(model);
    case 'google':
      return createGoogleGenerativeAI({
        baseURL: config?.baseUrl ?? GOOGLE_BASE_URL,
        apiKey: tokenKey ? fromTokenKey(tokenKey) : googleKey(),
      })(model);
    case 'amazon-bedrock':
      throw new Error(`provider "amazon-bedrock" is not supported by this server yet`);
    default:
      throw new Error(`unknown provider "${provider}" (model "${spec.ref}")`);
  }
}

function openAICompatible(name: string, baseURL: string, apiKey: string | undefined, model: string): LanguageModel {
  // includeUsage asks for the usage chunk (stream_options.include_usage), which this package omits by default.
  return createOpenAICompatible({ name, baseURL, apiKey, includeUsage: true }).chatModel(model);
}

async function* streamModel(spec: ModelSpec, model: LanguageModel, request: ModelCallRequest): AsyncGenerator<ModelStreamPart> {
  const { signal } = request;
  if (signal.aborted) return;
  const label = `${spec.provider}/${spec.model}`;
  // The call has a signal of its own, aborted by the caller's and also when the caller stops reading
  // (breaks out of its loop): cancelling the SDK's stream alone would leave the HTTP request running.
  const call = new AbortController();
  const forward = () => call.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  try {
    const result = streamText({
      model,
      system: request.system || undefined,
      messages: request.messages.map(toModelMessage),
      // The conversation may carry system messages of its own; they are meant, so no warning for them.
      allowSystemInMessages: true,
      tools: toSdkTools(request.tools),
      // One model call per stream: the turn loop runs the tools (asking for approval) and calls again.
      // The tools have no `execute`, so the SDK could not go on anyway; stepCountIs(1) is also its
      // default, stated here so that a change of default cannot start a loop of its own.
      stopWhen: stepCountIs(1),
      abortSignal: call.signal,
      maxOutputTokens: spec.config?.maxTokens,
      temperature: spec.config?.temperature,
      // Retries and fallback models are the turn loop's job, which knows the whole turn.
      maxRetries: 0,
      // Errors arrive as `error` parts of the stream below; without a handler the SDK would also print them.
      onError: () => {},
    });

    let finish: Extract<ModelStreamPart, { type: 'finish' }> | undefined;
    // Tool names by call id: the SDK names the tool in `tool-input-start` only.
    const toolNames = new Map<string, string>();
    try {
      for await (const part of result.fullStream) {
        switch (part.type) {
          case 'text-delta':
            if (part.text) yield { type: 'text', text: part.text };
            break;
          case 'reasoning-delta':
            if (part.text) yield { type: 'reasoning', text: part.text };
            break;
          case 'tool-input-start':
            // Provider-executed tools (a provider's own server-side tools) are none of the turn loop's
            // business; none are declared, so none should come.
            if (part.providerExecuted) break;
            toolNames.set(part.id, part.toolName);
            // Announces the call (its name) before any argument arrives.
            yield { type: 'tool-call-delta', toolCallId: part.id, toolName: part.toolName, argumentsDelta: '' };
            break;
          case 'tool-input-delta': {
            const toolName = toolNames.get(part.id);
            if (toolName !== undefined && part.delta) {
              yield { type: 'tool-call-delta', toolCallId: part.id, toolName, argumentsDelta: part.delta };
            }
            break;
          }
          case 'tool-call':
            if (part.providerExecuted) break;
            yield { type: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, arguments: toolCallArguments(part) };
            break;
          case 'finish':
            finish = {
              type: 'finish',
              finishReason: part.finishReason,
              inputTokens: part.totalUsage.inputTokens ?? 0,
              outputTokens: part.totalUsage.outputTokens ?? 0,
            };
            break;
          case 'error':
            throw part.error;
          default:
            // Step boundaries, raw chunks, sources, `tool-input-end`, and the `tool-error` the SDK adds
            // after an invalid tool call (that call was passed on above: the turn loop answers it). An
            // `abort` part is the SDK's last: the cancellation is handled once the stream has ended, below.
            break;
        }
      }
    } catch (error) {
      // Whatever broke once the call was cancelled (the socket, the parser, fetch rejecting with the
      // abort reason) is the cancellation itself.
      if (signal.aborted) return;
      throw toModelCallError(error, label);
    }
    // Cancelled, whatever arrived before: the caller tells a cancelled call by its signal.
    if (signal.aborted) return;
    if (!finish) throw new ModelCallError(`${label}: the stream ended before the model finished`, true);
    yield finish;
  } finally {
    signal.removeEventListener('abort', forward);
    call.abort();
  }
}

/** The tools as the AI SDK takes them: without `execute`, so the SDK only reports the model's calls. */
function toSdkTools(tools: readonly ToolDefinition[] | undefined): ToolSet | undefined {
  if (!tools || tools.length === 0) return undefined;
  return Object.fromEntries(
    tools.map((definition) => [
      definition.name,
      // No `validate`: the SDK checks only that the arguments are JSON; each tool checks its own.
      tool({ description: definition.description, inputSchema: jsonSchema(definition.parameters as JSONSchema7) }),
    ]),
  );
}

/**
 * The arguments of a tool call the SDK reports, as JSON text. A call the SDK marks `invalid` (arguments
 * that are not JSON, or a tool that does not exist) is passed on all the same, for the turn loop to answer
 * with a tool error: its input is then the model's raw text when that did not parse.
 */
function toolCallArguments(call: { input: unknown; invalid?: boolean }): string {
  if (call.invalid && typeof call.input === 'string') return call.input;
  return JSON.stringify(call.input) ?? '{}';
}

/**
 * The arguments of an earlier tool call, as the SDK sends them back to the model: an object. Arguments
 * that were not a JSON object (the model sent broken JSON, which the turn loop answered with an error)
 * go back as `{}`: Anthropic rejects a `tool_use` whose input is not an object, which would fail every
 * later call of the session, and the tool's error result already tells the model what was wrong.
 */
function toolCallInput(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Not JSON: see above.
  }
  return {};
}

function toModelMessage(message: ChatMessage): ModelMessage {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant':
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: [
          // No empty text part: Anthropic rejects empty text blocks.
          ...(message.content ? [{ type: 'text' as const, text: message.content }] : []),
          ...message.toolCalls.map((call) => ({
            type: 'tool-call' as const,
            toolCallId: call.id,
            toolName: call.name,
            input: toolCallInput(call.arguments),
          })),
        ],
      };
    case 'tool':
      return {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: message.toolCallId,
            toolName: message.toolName,
            output: { type: message.isError ? 'error-text' : 'text', value: message.content },
          },
        ],
      };
  }
}

/** Statuses worth trying again: request timeout, rate limit, and the server's own failures (529 included). */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Network failures a new attempt may not meet: resets, refusals, timeouts (Node and undici codes). */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Provider error types reported in the body of a stream that already started (Anthropic's `event: error`,
 * OpenAI's `data: {"error": …}`) that mean "overloaded or broken on their side", not "your request is wrong".
 */
const TRANSIENT_PROVIDER_ERROR_TYPES = new Set(['overloaded_error', 'api_error', 'rate_limit_error', 'server_error', 'timeout_error']);

function isTransientNetworkError(error: unknown): boolean {
  // undici reports a connection lost mid-body as TypeError("terminated") with the socket error as cause.
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, name, message, cause } = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
    if (name === 'TimeoutError') return true;
    if (current instanceof TypeError && (message === 'terminated' || message === 'fetch failed')) return true;
    current = cause;
  }
  return false;
}

/** Maps whatever a model call failed with to ModelCallError, deciding whether trying again may help. */
export function toModelCallError(error: unknown, label: string): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (APICallError.isInstance(error)) {
    const code = error.statusCode;
    if (code !== undefined && code >= 400) {
      return new ModelCallError(
        `${label}: ${error.message} (HTTP ${code})`,
        isRetryableStatus(code),
        code,
        parseRetryAfter(error.responseHeaders),
      );
    }
    // No answer (connection refused), or a successful answer whose body broke off (the SDK reports the
    // 200 it had): a failure of the connection, not a status of the provider's.
    const retryable = error.isRetryable || isTransientNetworkError(error.cause);
    const detail = error.cause instanceof Error ? describeCause(error.cause) : error.message;
    const what = code === undefined ? error.message : `the answer broke off (${detail})`;
    return new ModelCallError(`${label}: ${what}`, retryable);
  }
  if (isTransientNetworkError(error)) {
    const detail = error instanceof Error ? describeCause(error) : String(error);
    return new ModelCallError(`${label}: the connection failed (${detail})`, true);
  }
  if (typeof error === 'object' && error !== null && !(error instanceof Error)) {
    // An error the provider sent inside the stream: `{ type, message }` (Anthropic) or `{ message, type, code }` (OpenAI).
    const { type, message } = error as { type?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : JSON.stringify(error);
    const retryable = typeof type === 'string' && TRANSIENT_PROVIDER_ERROR_TYPES.has(type);
    return new ModelCallError(`${label}: ${typeof type === 'string' ? `${type}: ` : ''}${text}`, retryable);
  }
  // Anything else (a malformed answer, a bug) would fail the same way again.
  return new ModelCallError(`${label}: ${error instanceof Error ? error.message : String(error)}`, false);
}

function describeCause(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

/**
 * How long the provider asked to wait, in milliseconds: `retry-after-ms` (OpenAI, Anthropic) when present,
 * else `retry-after` in seconds or as an HTTP date (relative to `now`). Undefined when neither parses.
 */
export function parseRetryAfter(headers: Record<string, string | undefined> | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const header = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1]?.trim();
  const milliseconds = header('retry-after-ms');
  if (milliseconds && /^\d+(\.\d+)?$/.test(milliseconds)) return Math.round(Number(milliseconds));
  const retryAfter = header('retry-after');
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A whitespace-separated word count: the echo provider's stand-in for tokens. */
const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** Tool call ids the echo provider makes: unique within the process. */
let echoCallCount = 0;

/**
 * What the echo provider answers: a demo tool call when the last message is a user message
 * `call <tool> <JSON object>` naming one of the request's tools; after tool results, what they returned;
 * otherwise the last user message. The call's arguments are the object as compact JSON.
 */
function echoAnswer(request: ModelCallRequest): { text: string; call?: { name: string; arguments: string } } {
  const prefix = 'Echo (demo, not a model): ';
  const last = request.messages.at(-1);
  if (last?.role === 'tool') {
    // The results of the last reply's calls: the tool messages at the end.
    const firstResult = request.messages.findLastIndex((message) => message.role !== 'tool') + 1;
    const results = request.messages.slice(firstResult).flatMap((message) => (message.role === 'tool' ? [message] : []));
    return {
      text: prefix + results.map((result) => `${result.toolName} returned: ${result.isError ? 'error: ' : ''}${result.content}`).join('; '),
    };
  }
  if (last?.role === 'user') {
    const match = /^call\s+(\S+)\s+(\{[\s\S]*\})$/.exec(last.content.trim());
    if (match && request.tools?.some((tool) => tool.name === match[1])) {
      let args: unknown;
      try {
        args = JSON.parse(match[2]!);
      } catch {
        // Not JSON: echoed like any other message.
      }
      if (typeof args === 'object' && args !== null && !Array.isArray(args)) {
        return { text: `${prefix}calling ${match[1]}`, call: { name: match[1]!, arguments: JSON.stringify(args) } };
      }
    }
  }
  const lastUser = request.messages.findLast((message) => message.role === 'user');
  return {
    text: lastUser ? `${prefix}you said "${lastUser.content}"` : `${prefix}there is no user message to echo yet`,
  };
}

/**
 * The echo provider: replies with the last user message, word by word, without network or credentials,
 * so the server can be tried out. Deterministic, which makes it usable in tests of the turn loop. It can
 * also call a tool (see echoAnswer), so tool approval can be tried without credentials either.
 */
function echoClient(spec: ModelSpec): ModelClient {
  return {
    provider: spec.provider,
    model: spec.model,
    async *stream(request) {
      const { text, call } = echoAnswer(request);
      const words = text.match(/\S+\s*/g) ?? [];
      const inputTokens = countWords(request.system ?? '') + request.messages.reduce((sum, m) => sum + countWords(m.content), 0);
      // One event-loop turn before each part, as a network stream has: I/O (a cancel request, say) can
      // run in between. A resolved promise would only let microtasks through.
      const next = async () => {
        await nextTurn();
        return !request.signal.aborted;
      };
      for (const word of words) {
        if (!(await next())) return;
        yield { type: 'text', text: word };
      }
      if (call) {
        const toolCallId = `echo_call_${++echoCallCount}`;
        if (!(await next())) return;
        yield { type: 'tool-call-delta', toolCallId, toolName: call.name, argumentsDelta: call.arguments };
        if (!(await next())) return;
        yield { type: 'tool-call', toolCallId, toolName: call.name, arguments: call.arguments };
      }
      if (!(await next())) return;
      yield {
        type: 'finish',
        finishReason: call ? 'tool-calls' : 'stop',
        inputTokens,
        outputTokens: countWords(text) + (call ? countWords(call.arguments) : 0),
      };
    },
  };
}
