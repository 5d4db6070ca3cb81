/**
 * One agent turn, as docker-agent runs it: the agent's instruction as system prompt, the conversation
 * so far, and model calls until the agent is done. The model is read from the runtime afresh for every
 * call, so a switch during a turn applies at the next call. Knows nothing of the store: what must be
 * kept goes through the recorder.
 */
import type { AgentRuntime, CallableModel, RuntimeTurn } from './agent-runtime.js';
import { ModelCallError, type ChatMessage } from './model-client.js';
import type { TurnEndFact } from './runtime-change.js';

/** A model call's reply as it is kept: complete, or cut short by a cancel. */
export interface TurnReply {
  content: string;
  cancelled: boolean;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** From the team's per-million-token prices for the model; 0 without them. */
  cost: number;
}

export interface TurnRecorder {
  /** A piece of the reply as it streams (live only). `index` counts pieces within the turn. */
  delta(kind: 'text' | 'reasoning', index: number, content: string): void;
  /** A finished (or cancelled) reply: stored with its usage before the turn goes on. */
  reply(reply: TurnReply): Promise<void>;
  /** The call goes on with the next fallback model: stored before that model is called. */
  fallback(change: { fromModel: string; toModel: string; reason: string }): Promise<void>;
}

export interface TurnLoopOptions {
  runtime: AgentRuntime;
  turn: RuntimeTurn;
  /** The conversation, the turn's own messages included, oldest first. */
  history: ChatMessage[];
  /** Model calls the turn may make; 0 for no limit. */
  maxIterations: number;
  recorder: TurnRecorder;
}

export type TurnOutcome = Pick<TurnEndFact, 'reason' | 'failure'>;

/**
 * Tries of one model on one call that fails with a retryable error (a 429, a 5xx, a dropped
 * connection), before the call moves to the next fallback model.
 */
const MAX_ATTEMPTS = 3;
const BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;

export async function runTurnLoop(options: TurnLoopOptions): Promise<TurnOutcome> {
  const { runtime, turn, history, maxIterations, recorder } = options;
  const signal = turn.controller.signal;
  const system = runtime.team.agents.find((agent) => agent.name === turn.agentName)?.instruction || undefined;
  let index = 0;
  for (let iteration = 0; ; iteration += 1) {
    if (maxIterations > 0 && iteration >= maxIterations) return { reason: 'MAX_ITERATIONS' };
    let reply: TurnReply | undefined;
    // Once the call has fallen back, it stays on that model; until then the model is read afresh for
    // every try, so a switch made meanwhile applies.
    let fallenBack: CallableModel | undefined;
    let fallbacks: string[] | undefined;
    for (let attempt = 1; !reply; attempt += 1) {
      let model: CallableModel;
      try {
        model = fallenBack ?? (await runtime.modelFor(turn.agentName));
      } catch (error) {
        return failed('MODEL_UNAVAILABLE', (error as Error).message, false);
      }
      let content = '';
      let usage = { inputTokens: 0, outputTokens: 0 };
      try {
        for await (const part of model.client.stream({ system, messages: history, signal })) {
          if (part.type === 'finish') usage = { inputTokens: part.inputTokens, outputTokens: part.outputTokens };
          else {
            if (part.type === 'text') content += part.text;
            recorder.delta(part.type, index++, part.text);
          }
        }
      } catch (error) {
        if (!signal.aborted) {
          const failure = error instanceof ModelCallError ? error : new ModelCallError((error as Error).message, false);
          const message = `${model.ref}: ${failure.message}`;
          // What already streamed cannot be taken back from watchers: go on only with a call that said nothing.
          if (!failure.retryable || content !== '') return failed('MODEL_CALL_FAILED', message, failure.retryable);
          if (attempt >= MAX_ATTEMPTS) {
            fallbacks ??= runtime.fallbacksOf(turn.agentName, model.ref);
            const next = fallbacks.shift();
            if (next === undefined) return failed('MODEL_CALL_FAILED', message, true);
            try {
              fallenBack = await runtime.fallbackModel(next);
            } catch (fallbackError) {
              return failed('MODEL_UNAVAILABLE', `fallback ${(fallbackError as Error).message}`, false);
            }
            await recorder.fallback({ fromModel: model.ref, toModel: fallenBack.ref, reason: failure.message });
            attempt = 0;
            continue;
          }
          const delay = failure.retryAfterMs ?? BACKOFF_MS * 2 ** (attempt - 1);
          await abortableDelay(Math.min(delay, MAX_BACKOFF_MS), signal);
          if (!signal.aborted) continue;
        }
      }
      const cost = model.config?.cost
        ? (usage.inputTokens * model.config.cost.input + usage.outputTokens * model.config.cost.output) / 1_000_000
        : 0;
      reply = { content, cancelled: signal.aborted, model: model.ref, ...usage, cost };
    }
    // A cancelled call keeps what had streamed, marked as such; a cancel that came before anything did
    // leaves no message.
    if (!reply.cancelled || reply.content !== '') await recorder.reply(reply);
    if (reply.cancelled) return { reason: 'CANCELLED' };
    history.push({ role: 'assistant', content: reply.content });
    // No tools yet: a reply that calls none ends the turn.
    return { reason: 'COMPLETED' };
  }
}

function failed(code: string, message: string, retryable: boolean): TurnOutcome {
  return { reason: 'FAILED', failure: { code, message, retryable } };
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
