/**
 * One agent turn, as docker-agent runs it: the agent's instruction as system prompt, the conversation
 * so far, and model calls until the agent is done. The model is read from the runtime afresh for every
 * call, so a switch during a turn applies at the next call. Knows nothing of the store: what must be
 * kept goes through the recorder.
 */
import type { AgentRuntime, RuntimeTurn } from './agent-runtime.js';
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

/** Tries of one model call that fails with a retryable error (a 429, a 5xx, a dropped connection). */
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
    for (let attempt = 1; !reply; attempt += 1) {
      let model: Awaited<ReturnType<AgentRuntime['modelFor']>>;
      try {
        model = await runtime.modelFor(turn.agentName);
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
          // What already streamed cannot be taken back from watchers: retry only a call that said nothing.
          if (!failure.retryable || content !== '' || attempt >= MAX_ATTEMPTS) {
            return failed('MODEL_CALL_FAILED', `${model.ref}: ${failure.message}`, failure.retryable);
          }
          const delay = failure.retryAfterMs ?? Math.min(BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);
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
