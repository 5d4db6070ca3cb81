/**
 * The one small interface the turn loop talks to models through. Each provider (reached through the
 * AI SDK) is adapted to it in providers.ts; the turn loop never sees a provider library.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ModelCallRequest {
  /** The agent's instruction, sent as the system prompt. */
  system?: string;
  /** The conversation so far, oldest first. */
  messages: ChatMessage[];
  /** Aborting ends the provider's stream (the turn was cancelled). */
  signal: AbortSignal;
}

/** What a model call streams, in order. */
export type ModelStreamPart =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  /** Last: why the model stopped, and the call's token usage as the provider reported it. */
  | { type: 'finish'; finishReason: string; inputTokens: number; outputTokens: number };

/** A failed model call: `retryable` for rate limits, server errors and timeouts. */
export class ModelCallError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The provider's HTTP status, when it answered. */
    readonly status?: number,
    /** How long the provider asked to wait before trying again (retry-after), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

export interface ModelClient {
  provider: string;
  model: string;
  /** Streams one call; throws ModelCallError when the provider fails (before or during the stream). */
  stream(request: ModelCallRequest): AsyncIterable<ModelStreamPart>;
}
