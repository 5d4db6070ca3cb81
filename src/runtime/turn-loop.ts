/**
 * One agent turn, as docker-agent runs it: the agent's instruction as system prompt, the conversation
 * so far and the agent's tools; then model calls until the agent answers without calling a tool. Each
 * tool call is approved (approval.ts), refused, or waits for the user; its result goes back to the
 * model. The model is read from the runtime afresh for every call, so a switch during a turn applies at
 * the next call. Knows nothing of the store: what must be kept goes through the recorder, which also
 * makes the turn wait for the user (`pause`).
 */
import { randomUUID } from 'node:crypto';
import type { AgentRuntime, CallableModel, RuntimeTurn } from './agent-runtime.js';
import { decideApproval, type ApprovalSettings } from './approval.js';
import { ModelCallError, type ChatMessage, type ToolCallRequest } from './model-client.js';
import type { TurnEndFact, TurnPause, TurnResume } from './runtime-change.js';
import type { ElicitationAnswer, Todo, Tool, ToolDefinition, ToolOutcome } from './tools/tool.js';

/** A model call's reply as it is kept: complete, or cut short by a cancel. */
export interface TurnReply {
  content: string;
  cancelled: boolean;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** From the team's per-million-token prices for the model; 0 without them. */
  cost: number;
  /** The tools the reply calls; none for a cancelled reply (they will not run). */
  toolCalls: ToolCallRequest[];
}

export interface TurnRecorder {
  /** A piece of the reply as it streams (live only). `index` counts pieces within the turn. */
  delta(kind: 'text' | 'reasoning', index: number, content: string): void;
  /** A piece of a tool call's arguments as they stream (live only); same `index` count as `delta`. */
  toolCallDelta(index: number, part: { toolCallId: string; toolName: string; argumentsDelta: string }): void;
  /** A finished (or cancelled) reply: stored with its usage before the turn goes on. */
  reply(reply: TurnReply): Promise<void>;
  /** A message of the runtime's own in the agent's name (docker-agent's max_iterations stop), stored. */
  note(content: string): Promise<void>;
  /** The call goes on with the next fallback model: stored before that model is called. */
  fallback(change: { fromModel: string; toModel: string; reason: string }): Promise<void>;
  /** A toolset of the agent could not start: stored, and the turn goes on without it. */
  toolsetFailed(failure: { toolset: string; message: string }): Promise<void>;
  /** The session's approval settings as they are now: read for each call, so a change applies at once. */
  approvalSettings(): Promise<ApprovalSettings>;
  /**
   * Stores the pause and waits for the user's answer; `cancelled` when the turn is cancelled first.
   * The turn's state says it waits until the answer is stored.
   */
  pause(pause: TurnPause): Promise<TurnResume | 'cancelled'>;
  /** A tool call is about to run (allowed or approved): stored first. */
  toolCall(call: ToolCallRequest): Promise<void>;
  /** A tool call's result (run, refused, rejected or cancelled), stored with the todo list it set. */
  toolResult(call: ToolCallRequest, result: ToolOutcome): Promise<void>;
}

export interface TurnLoopOptions {
  runtime: AgentRuntime;
  turn: RuntimeTurn;
  /** The conversation, the turn's own messages included, oldest first. */
  history: ChatMessage[];
  /** Model calls the turn makes before asking whether to go on; 0 for no limit. */
  maxIterations: number;
  /** Where the agent's tools work. */
  workingDir: string;
  /** The session's todo list when the turn starts. */
  todos: Todo[];
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
/** More calls granted each time the user lets a turn go on past its limit (docker-agent's 10). */
const MORE_ITERATIONS = 10;
/** The most of a tool's output the model is sent: a message is at most this long. */
export const MAX_TOOL_OUTPUT_CHARS = 100_000;

const CANCELLED_CALL = 'The tool call was canceled by the user.';
const CANCELLED_BATCH = 'The tool call was canceled because a previous tool call in the same batch was canceled by the user.';

export async function runTurnLoop(options: TurnLoopOptions): Promise<TurnOutcome> {
  const { runtime, turn, history, recorder } = options;
  const system = runtime.team.agents.find((agent) => agent.name === turn.agentName)?.instruction || undefined;
  const { tools, failures } = await runtime.toolsFor(turn.agentName);
  for (const failure of failures) await recorder.toolsetFailed(failure);
  const definitions: ToolDefinition[] = tools.map(({ name, description, parameters, readOnly }) => ({ name, description, parameters, readOnly }));
  const context = { todos: options.todos };
  let limit = options.maxIterations;
  const pieces = { index: 0 };

  for (let iteration = 0; ; iteration += 1) {
    if (limit > 0 && iteration >= limit) {
      const answer = await recorder.pause({ kind: 'maxIterations', maxIterations: limit });
      if (answer === 'cancelled') return { reason: 'CANCELLED' };
      if (answer.decision !== 'APPROVE') {
        await recorder.note(`Execution stopped after reaching the configured max_iterations limit (${limit}).`);
        return { reason: 'MAX_ITERATIONS' };
      }
      limit = iteration + MORE_ITERATIONS;
    }
    const called = await callModel(runtime, turn, { system, history, tools: definitions }, recorder, pieces);
    if ('reason' in called) return called;
    const reply = called;
    // A cancelled call keeps what had streamed, marked as such; a cancel that came before anything did
    // leaves no message.
    if (!reply.cancelled || reply.content !== '') await recorder.reply(reply);
    if (reply.cancelled) return { reason: 'CANCELLED' };
    history.push({ role: 'assistant', content: reply.content, ...(reply.toolCalls.length > 0 && { toolCalls: reply.toolCalls }) });
    if (reply.toolCalls.length === 0) return { reason: 'COMPLETED' };

    for (const [position, call] of reply.toolCalls.entries()) {
      const result = await runToolCall(call, tools, options, context);
      if (result === 'cancelled') {
        // Every call of the reply gets its answer, so the conversation stays one a model accepts.
        await answer(call, { output: CANCELLED_CALL, isError: true });
        for (const skipped of reply.toolCalls.slice(position + 1)) await answer(skipped, { output: CANCELLED_BATCH, isError: true });
        return { reason: 'CANCELLED' };
      }
      await answer(call, result);
    }
  }

  async function answer(call: ToolCallRequest, result: ToolOutcome) {
    const output = result.output.trim() === '' ? '(no output)' : capped(result.output);
    await recorder.toolResult(call, { ...result, output });
    if (result.todos) context.todos = result.todos;
    history.push({ role: 'tool', toolCallId: call.id, toolName: call.name, content: output, isError: result.isError });
  }
}

/** One model call, with its retries and fallbacks: the reply, or how the turn ends. */
async function callModel(
  runtime: AgentRuntime,
  turn: RuntimeTurn,
  request: { system: string | undefined; history: ChatMessage[]; tools: ToolDefinition[] },
  recorder: TurnRecorder,
  pieces: { index: number },
): Promise<TurnReply | TurnOutcome> {
  const signal = turn.controller.signal;
  // Once the call has fallen back, it stays on that model; until then the model is read afresh for
  // every try, so a switch made meanwhile applies.
  let fallenBack: CallableModel | undefined;
  let fallbacks: string[] | undefined;
  for (let attempt = 1; ; attempt += 1) {
    let model: CallableModel;
    try {
      model = fallenBack ?? (await runtime.modelFor(turn.agentName));
    } catch (error) {
      return failed('MODEL_UNAVAILABLE', (error as Error).message, false);
    }
    let content = '';
    let streamedSomething = false;
    const toolCalls: ToolCallRequest[] = [];
    let usage = { inputTokens: 0, outputTokens: 0 };
    try {
      const stream = model.client.stream({ system: request.system, messages: request.history, tools: request.tools, signal });
      for await (const part of stream) {
        switch (part.type) {
          case 'finish':
            usage = { inputTokens: part.inputTokens, outputTokens: part.outputTokens };
            break;
          case 'tool-call-delta':
            streamedSomething = true;
            recorder.toolCallDelta(pieces.index++, part);
            break;
          case 'tool-call':
            toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: part.arguments });
            break;
          default:
            streamedSomething = true;
            if (part.type === 'text') content += part.text;
            recorder.delta(part.type, pieces.index++, part.text);
        }
      }
    } catch (error) {
      if (!signal.aborted) {
        const failure = error instanceof ModelCallError ? error : new ModelCallError((error as Error).message, false);
        const message = `${model.ref}: ${failure.message}`;
        // What already streamed cannot be taken back from watchers: go on only with a call that said nothing.
        if (!failure.retryable || streamedSomething) return failed('MODEL_CALL_FAILED', message, failure.retryable);
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
    const cancelled = signal.aborted;
    return { content, cancelled, model: model.ref, ...usage, cost, toolCalls: cancelled ? [] : toolCalls };
  }
}

/** Decides, runs and answers one tool call: its result, or `cancelled` when the turn was cancelled. */
async function runToolCall(
  call: ToolCallRequest,
  tools: Tool[],
  options: TurnLoopOptions,
  context: { todos: Todo[] },
): Promise<ToolOutcome | 'cancelled'> {
  const { recorder, turn } = options;
  const signal = turn.controller.signal;
  if (signal.aborted) return 'cancelled';
  const tool = tools.find((candidate) => candidate.name === call.name);
  if (!tool) return toolError(`Tool '${call.name}' is not available. You can only use the tools provided to you.`);
  let args: unknown;
  try {
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    return toolError(`The arguments of '${call.name}' are not valid JSON: ${call.arguments.slice(0, 200)}`);
  }

  const verdict = decideApproval(await recorder.approvalSettings(), { name: call.name, arguments: args, readOnly: tool.readOnly });
  if (verdict.outcome === 'refuse') return toolError(`Tool '${call.name}' is denied by ${verdict.source}.`);
  if (verdict.outcome === 'ask') {
    const answer = await recorder.pause({ kind: 'confirmation', toolCall: call });
    if (answer === 'cancelled') return 'cancelled';
    if (answer.decision === 'REJECT') {
      const reason = answer.reason?.trim();
      return toolError(`The user rejected the tool call.${reason ? ` Reason: ${reason}` : ''}`);
    }
  }

  await recorder.toolCall(call);
  let outcome: ToolOutcome;
  try {
    outcome = await tool.run(args, {
      workingDir: options.workingDir,
      signal,
      todos: context.todos,
      elicit: async (request): Promise<ElicitationAnswer> => {
        const answer = await recorder.pause({ kind: 'elicitation', elicitationId: randomUUID(), request });
        if (answer === 'cancelled') return { action: 'cancel' };
        const action = answer.decision === 'ACCEPT' ? 'accept' : answer.decision === 'DECLINE' ? 'decline' : 'cancel';
        return action === 'accept' ? { action, content: answer.content ?? {} } : { action };
      },
    });
  } catch (error) {
    outcome = toolError(`Error calling tool: ${(error as Error).message}`);
  }
  return signal.aborted ? 'cancelled' : outcome;
}

const toolError = (output: string): ToolOutcome => ({ output, isError: true });

function capped(output: string): string {
  if (output.length <= MAX_TOOL_OUTPUT_CHARS) return output;
  const cut = output.length - MAX_TOOL_OUTPUT_CHARS;
  return `${output.slice(0, MAX_TOOL_OUTPUT_CHARS)}\n[${cut} more characters cut]`;
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
