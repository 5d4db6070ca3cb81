/**
 * The one small interface the turn loop talks to models through. Each provider (reached through the
 * AI SDK) is adapted to it in providers.ts; the turn loop never sees a provider library.
 */

import type { ToolDefinition } from './tools/tool.js';

/** A tool call the model made: `arguments` is the JSON text it sent. */
export interface ToolCallRequest {
  id: string;
  name: string;
  arguments: string;
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  /** A reply: its text, and the tools it called, if any. */
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[] }
  /** The answer to one tool call, sent back to the model. */
  | { role: 'tool'; toolCallId: string; toolName: string; content: string; isError: boolean };

export interface ModelCallRequest {
  /** The agent's instruction, sent as the system prompt. */
  system?: string;
  /** The conversation so far, oldest first. */
  messages: ChatMessage[];
  /** The tools the model may call; none when absent or empty. */
  tools?: ToolDefinition[];
  /** Aborting ends the provider's stream (the turn was cancelled). */
  signal: AbortSignal;
}

/** What a model call streams, in order. */
export type ModelStreamPart =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  /** A piece of a tool call's arguments as they stream (the first piece of a call may be empty). */
  | { type: 'tool-call-delta'; toolCallId: string; toolName: string; argumentsDelta: string }
  /** A whole tool call, once its arguments are complete; the call's finish follows all of them. */
  | { type: 'tool-call'; toolCallId: string; toolName: string; arguments: string }
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
