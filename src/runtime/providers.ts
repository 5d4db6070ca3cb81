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
import { APICallError, streamText, type LanguageModel, type ModelMessage } from 'ai';
import { ModelCallError, type ModelCallRequest, type ModelClient, type ModelStreamPart } from './model-client.js';
import type { ModelConfig, ProviderConfig } from './team.js';

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
      abortSignal: call.signal,
      maxOutputTokens: spec.config?.maxTokens,
      temperature: spec.config?.temperature,
      // Retries and fallback models are the turn loop's job, which knows the whole turn.
      maxRetries: 0,
      // Errors arrive as `error` parts of the stream below; without a handler the SDK would also print them.
      onError: () => {},
    });

    let finish: Extract<ModelStreamPart, { type: 'finish' }> | undefined;
    try {
      for await (const part of result.fullStream) {
        switch (part.type) {
          case 'text-delta':
            if (part.text) yield { type: 'text', text: part.text };
            break;
          case 'reasoning-delta':
            if (part.text) yield { type: 'reasoning', text: part.text };
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
            // Step boundaries, raw chunks, sources, tools: nothing the turn loop consumes yet. An `abort`
            // part is the SDK's last: the cancellation is handled once the stream has ended, below.
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

function toModelMessage(message: ModelCallRequest['messages'][number]): ModelMessage {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant':
      return { role: 'assistant', content: message.content };
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

/**
 * The echo provider: replies with the last user message, word by word, without network or credentials,
 * so the server can be tried out. Deterministic, which makes it usable in tests of the turn loop.
 */
function echoClient(spec: ModelSpec): ModelClient {
  return {
    provider: spec.provider,
    model: spec.model,
    async *stream(request) {
      const lastUser = request.messages.findLast((message) => message.role === 'user');
      const reply = lastUser
        ? `Echo (demo, not a model): you said "${lastUser.content}"`
        : 'Echo (demo, not a model): there is no user message to echo yet';
      const words = reply.match(/\S+\s*/g) ?? [];
      const inputTokens = countWords(request.system ?? '') + request.messages.reduce((sum, m) => sum + countWords(m.content), 0);
      for (const word of words) {
        // One event-loop turn between parts, as a network stream has: I/O (a cancel request, say) can run
        // in between. A resolved promise would only let microtasks through.
        await nextTurn();
        if (request.signal.aborted) return;
        yield { type: 'text', text: word };
      }
      await nextTurn();
      if (request.signal.aborted) return;
      yield { type: 'finish', finishReason: 'stop', inputTokens, outputTokens: countWords(reply) };
    },
  };
}
