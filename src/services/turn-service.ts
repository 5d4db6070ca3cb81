/**
 * Agent turns: `runTurn` stores the messages a turn answers and starts it (answering at once with its
 * id), the turn runs in the background, its reply streams to watchers as live deltas, and every step
 * that changes what is kept (start, reply with its usage, end) is one change through the session
 * writer. Tool calls that need the user pause the turn (`resumeTurn`, `answerElicitation` go on); each
 * pause and each answer is one change too. `cancelTurn`, stopping or deleting the session, and the
 * server stopping cancel a turn the same way: the provider's stream is aborted, a wait for the user
 * ends, and what had streamed is kept, marked cancelled. A turn the server stops under ends
 * INTERRUPTED: at once when it stops cleanly, when it next starts after a crash.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import type { AgentRuntime, PendingPause, ResolvedModel, RuntimeTurn } from '../runtime/agent-runtime.js';
import type { ApprovalSettings } from '../runtime/approval.js';
import type { ChatMessage, ToolCallRequest } from '../runtime/model-client.js';
import type { CancelCause, RuntimeRegistry } from '../runtime/registry.js';
import type { RuntimeChange, TurnPause, TurnResume } from '../runtime/runtime-change.js';
import type { Todo } from '../runtime/tools/tool.js';
import { runTurnLoop, type TurnOutcome, type TurnRecorder, type TurnReply } from '../runtime/turn-loop.js';
import {
  AgentNotFoundError,
  InvalidInputError,
  isDomainError,
  ModelSwitchingNotSupportedError,
  SessionBusyError,
  SessionNotRunningError,
  TurnNotAwaitingError,
  TurnNotRunningError,
} from './errors.js';
import type { EventPublisher, SessionEventPayloads, SessionEventRecord } from './event-log.js';
import type { RuntimeRouting } from './runtime-routing.js';
import type { SessionWrite } from './session-store.js';
import type { SessionService } from './session-service.js';
import type { SessionWriter } from './session-writer.js';
import { validateMessageContent, type Permissions, type SafetyPolicy } from './validation.js';

export const TURN_MESSAGE_ROLES = ['user', 'system'] as const;
/** Messages one runTurn may bring. */
const MAX_TURN_MESSAGES = 50;

export interface RunTurnInput {
  sessionId: string;
  messages: { role: string; content: string }[];
  /** Switch the agent's model first, in the same change as the turn's start. */
  model?: string | null;
  /** Run the turn on this agent (it becomes the current one, in the same change). */
  agentName?: string | null;
}

/** The longest reason a rejection may give the model. */
const MAX_REASON_LENGTH = 2000;
/** The largest elicitation answer, as JSON text. */
const MAX_ELICITATION_CONTENT = 100_000;

export interface ResumeTurnInput {
  sessionId: string;
  decision: 'APPROVE' | 'APPROVE_SESSION' | 'APPROVE_TOOL' | 'REJECT';
  reason?: string | null;
}

export interface AnswerElicitationInput {
  sessionId: string;
  action: 'ACCEPT' | 'DECLINE' | 'CANCEL';
  content?: unknown;
}

export interface TurnServiceOptions {
  prisma: Store;
  sessions: SessionService;
  writer: SessionWriter;
  runtimes: RuntimeRegistry;
  publisher: EventPublisher;
  log: Logger;
  /** Sends turn operations on a runtime held by another instance to that instance. */
  routing: RuntimeRouting;
}

const NO_RUNTIME_CHANGE: RuntimeChange = { apply: () => [], undo: () => {} };

export class TurnService {
  readonly #options: TurnServiceOptions;
  readonly #log: Logger;
  /** The operations on a turn, each carried out by the instance that holds the session's runtime. */
  readonly #routed;

  constructor(options: TurnServiceOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'turns' });
    const { routing } = options;
    this.#routed = {
      runTurn: routing.operation('runTurn', (input: RunTurnInput) => this.#runTurnHere(input)),
      cancelTurn: routing.operation('cancelTurn', (args: { sessionId: string }) => this.#cancelTurnHere(args.sessionId)),
      resumeTurn: routing.operation('resumeTurn', (input: ResumeTurnInput) => this.#resumeTurnHere(input)),
      answerElicitation: routing.operation('answerElicitation', (input: AnswerElicitationInput) => this.#answerElicitationHere(input)),
    };
  }

  runTurn(input: RunTurnInput): Promise<{ sessionId: string; turnId: string }> {
    return this.#routed.runTurn(input);
  }

  async #runTurnHere(input: RunTurnInput): Promise<{ sessionId: string; turnId: string }> {
    const { sessionId } = input;
    if (input.messages.length === 0) throw new InvalidInputError('messages', 'a turn needs at least one message');
    if (input.messages.length > MAX_TURN_MESSAGES) {
      throw new InvalidInputError('messages', `at most ${MAX_TURN_MESSAGES} messages per turn; got ${input.messages.length}`);
    }
    const userMessages = input.messages.map((message, index) => {
      if (!(TURN_MESSAGE_ROLES as readonly string[]).includes(message.role)) {
        throw new InvalidInputError(`messages[${index}].role`, `the role must be one of ${TURN_MESSAGE_ROLES.join(', ')}; got "${message.role}"`);
      }
      return { id: randomUUID(), role: message.role, content: validateMessageContent(message.content, `messages[${index}].content`) };
    });
    const runtime = await this.#options.sessions.runningRuntime(sessionId);
    const agentName = input.agentName ?? runtime.currentAgent;
    const agents = runtime.team.agents.map((agent) => agent.name);
    if (!agents.includes(agentName)) throw new AgentNotFoundError(agentName, agents);
    if (runtime.turn) throw new SessionBusyError(sessionId);

    const changes: RuntimeChange[] = [];
    if (agentName !== runtime.currentAgent) changes.push(runtime.agentChange(agentName));
    if (input.model != null) {
      if (!runtime.supportsModelSwitching) throw new ModelSwitchingNotSupportedError(sessionId, runtime.team.name);
      // Resolving can be slow (it creates the client); it changes nothing, so it runs first.
      const resolved: ResolvedModel | null = input.model === '' ? null : await runtime.resolveModel(input.model);
      changes.push(runtime.modelChange(resolved));
    }
    let finished!: () => void;
    const turn: RuntimeTurn = {
      id: randomUUID(),
      agentName,
      startedAt: new Date(),
      state: 'RUNNING',
      controller: new AbortController(),
      done: new Promise<void>((resolve) => (finished = resolve)),
    };
    changes.push(runtime.turnStart(turn, userMessages, () => new SessionBusyError(sessionId)));

    const events = await this.#options.writer.change({
      operation: 'runTurn',
      sessionId,
      runtime: this.#options.runtimes.whileAttached(runtime, inOrder(changes), () => new SessionNotRunningError(sessionId)),
    });
    const started = events.find((event) => event.kind === 'TURN_STARTED')!;
    this.#log.info('turn started', { sessionId, turnId: turn.id, agent: agentName });
    void this.#drive(runtime, turn, started.seq).finally(finished);
    return { sessionId, turnId: turn.id };
  }

  /** Cancels the session's running turn and returns once its end is recorded. */
  cancelTurn(sessionId: string): Promise<{ sessionId: string; turnId: string }> {
    return this.#routed.cancelTurn({ sessionId });
  }

  async #cancelTurnHere(sessionId: string): Promise<{ sessionId: string; turnId: string }> {
    const turn = (await this.#options.sessions.runningRuntime(sessionId)).turn;
    if (!turn) throw new TurnNotRunningError(sessionId);
    await this.#options.runtimes.cancelTurn(sessionId);
    return { sessionId, turnId: turn.id };
  }

  /** Ends every running turn INTERRUPTED, each with what it had done stored (the server stops). */
  async cancelAll(): Promise<void> {
    const { runtimes } = this.#options;
    await Promise.all(runtimes.ids().map((sessionId) => runtimes.cancelTurn(sessionId, 'server-stopping')));
  }

  /**
   * Answers a turn waiting for a decision on a tool call or on its iteration limit. Stored as one
   * change (with APPROVE_TOOL's permission and APPROVE_SESSION's flag); the turn goes on once it is.
   */
  resumeTurn(input: ResumeTurnInput): Promise<{ sessionId: string; turnId: string }> {
    return this.#routed.resumeTurn(input);
  }

  async #resumeTurnHere(input: ResumeTurnInput): Promise<{ sessionId: string; turnId: string }> {
    const reason = input.reason == null || input.reason.trim() === '' ? null : input.reason.trim();
    if (reason !== null && reason.length > MAX_REASON_LENGTH) {
      throw new InvalidInputError('reason', `at most ${MAX_REASON_LENGTH} characters; got ${reason.length}`);
    }
    const { runtime, turn, pending } = await this.#paused(input.sessionId, 'a decision');
    const writes: SessionWrite[] = [];
    if (pending.pause.kind === 'maxIterations') {
      if (input.decision !== 'APPROVE' && input.decision !== 'REJECT') {
        throw new InvalidInputError(
          'decision',
          `the turn reached its iteration limit: APPROVE (10 more model calls) or REJECT; got ${input.decision}`,
        );
      }
    } else if (pending.pause.kind === 'confirmation') {
      if (input.decision === 'APPROVE_SESSION') writes.push({ kind: 'approveAllTools' });
      if (input.decision === 'APPROVE_TOOL') writes.push({ kind: 'allowTool', tool: pending.pause.toolCall.name });
    }
    return this.#resume(runtime, turn, pending, { decision: input.decision, reason }, writes, 'resumeTurn', 'a decision');
  }

  /** Answers an MCP server's question (the turn waits in AWAITING_ELICITATION); stored, then the turn goes on. */
  answerElicitation(input: AnswerElicitationInput): Promise<{ sessionId: string; turnId: string }> {
    return this.#routed.answerElicitation(input);
  }

  async #answerElicitationHere(input: AnswerElicitationInput): Promise<{ sessionId: string; turnId: string }> {
    let content: Record<string, unknown> | undefined;
    if (input.action === 'ACCEPT') {
      if (typeof input.content !== 'object' || input.content === null || Array.isArray(input.content)) {
        throw new InvalidInputError('content', 'ACCEPT needs the answer as a JSON object matching the requested schema');
      }
      if (JSON.stringify(input.content).length > MAX_ELICITATION_CONTENT) {
        throw new InvalidInputError('content', `the answer is larger than ${MAX_ELICITATION_CONTENT} characters of JSON`);
      }
      content = input.content as Record<string, unknown>;
    } else if (input.content != null) {
      throw new InvalidInputError('content', `only ACCEPT carries content; got it with ${input.action}`);
    }
    const { runtime, turn, pending } = await this.#paused(input.sessionId, 'an elicitation answer');
    if (content && pending.pause.kind === 'elicitation') checkElicitationAnswer(pending.pause.request.requestedSchema, content);
    const resume = { decision: input.action, reason: null, content };
    return this.#resume(runtime, turn, pending, resume, [], 'answerElicitation', 'an elicitation answer');
  }

  /** The running session's turn and the pause it waits in, if it waits for `expected`. */
  async #paused(sessionId: string, expected: 'a decision' | 'an elicitation answer') {
    const runtime = await this.#options.sessions.runningRuntime(sessionId);
    const turn = runtime.turn;
    const pending = turn?.pending;
    const fits = pending && (pending.pause.kind === 'elicitation') === (expected === 'an elicitation answer');
    if (!turn || !pending || !fits) throw new TurnNotAwaitingError(sessionId, expected);
    return { runtime, turn, pending };
  }

  async #resume(
    runtime: AgentRuntime,
    turn: RuntimeTurn,
    pending: PendingPause,
    resume: TurnResume,
    writes: SessionWrite[],
    operation: string,
    expected: 'a decision' | 'an elicitation answer',
  ) {
    const { sessionId } = runtime;
    const notPaused = () => new TurnNotAwaitingError(sessionId, expected);
    await this.#options.writer.change({
      operation,
      sessionId,
      runtime: this.#options.runtimes.whileAttached(
        runtime,
        runtime.turnResume(turn, pending, resume, notPaused),
        () => new SessionNotRunningError(sessionId),
      ),
      writes,
    });
    this.#log.info('turn resumed', { sessionId, turnId: turn.id, decision: resume.decision });
    pending.wake(resume);
    return { sessionId, turnId: turn.id };
  }

  /**
   * Ends, INTERRUPTED, every turn the store says started and never ended in a session no instance holds:
   * left by a server that stopped before sessions had leases (a turn's session is always held; when its
   * holder is lost, the turn ends with the release of its lease). Run at start.
   */
  async endInterruptedTurns(): Promise<number> {
    const interrupted = await this.#options.prisma.session.findMany({
      where: { activeTurnId: { not: null }, runtimeInstanceId: null },
      select: { id: true, activeTurnId: true, currentAgent: true },
    });
    for (const { id: sessionId, activeTurnId, currentAgent } of interrupted) {
      await this.#options.writer.change({
        operation: 'endInterruptedTurn',
        sessionId,
        writes: [{ kind: 'turnEnded', turnId: activeTurnId!, agentName: currentAgent, reason: 'INTERRUPTED' }],
      });
      this.#log.warn('turn ended: the server had stopped while it ran', { sessionId, turnId: activeTurnId });
    }
    return interrupted.length;
  }

  /** Runs the turn to its end and records the end; never throws. */
  async #drive(runtime: AgentRuntime, turn: RuntimeTurn, startSeq: number): Promise<void> {
    const { sessionId } = runtime;
    let outcome: TurnOutcome;
    try {
      outcome = await runTurnLoop({
        runtime,
        turn,
        ...(await this.#turnContext(sessionId)),
        recorder: this.#recorder(runtime, turn, startSeq),
      });
    } catch (error) {
      const code = isDomainError(error) ? error.code : 'INTERNAL_ERROR';
      this.#log.error('turn failed', { sessionId, turnId: turn.id, code, error: (error as Error).message });
      outcome = { reason: 'FAILED', failure: { code, message: (error as Error).message, retryable: false } };
    }
    const serverStopping: CancelCause = 'server-stopping';
    if (outcome.reason === 'CANCELLED' && turn.controller.signal.reason === serverStopping) outcome = { reason: 'INTERRUPTED' };
    const end = runtime.turnEnd({ turnId: turn.id, agentName: turn.agentName, ...outcome });
    const notRunning = () => new SessionNotRunningError(sessionId);
    try {
      await this.#options.writer.change({ operation: 'endTurn', sessionId, runtime: this.#options.runtimes.whileAttached(runtime, end, notRunning) });
    } catch (error) {
      // The turn is over whatever the store says: the session must not stay busy with it.
      end.apply();
      this.#log.error('the end of a turn could not be recorded', { sessionId, turnId: turn.id, error: (error as Error).message });
    }
    this.#log.info('turn ended', { sessionId, turnId: turn.id, reason: outcome.reason, code: outcome.failure?.code });
  }

  /** How the turn loop's steps are kept: each one change through the writer; deltas are published live. */
  #recorder(runtime: AgentRuntime, turn: RuntimeTurn, startSeq: number): TurnRecorder {
    const { sessionId } = runtime;
    const { id: turnId, agentName } = turn;
    // Only while the runtime is the session's: a turn whose runtime was dropped records nothing more.
    const attached = () => this.#options.runtimes.whileAttached(runtime, NO_RUNTIME_CHANGE, () => new SessionNotRunningError(sessionId));
    const write = async (operation: string, ...writes: SessionWrite[]) => {
      await this.#options.writer.change({ operation, sessionId, runtime: attached(), writes });
    };
    const assistantReply = (content: string, extra: { cancelled: boolean; toolCalls?: ToolCallRequest[] }) =>
      ({ kind: 'assistantReply', turnId, message: { id: randomUUID(), role: 'assistant', agentName, content, ...extra } }) as const;
    const live = <K extends LiveKind>(kind: K, payload: SessionEventPayloads[K]) =>
      this.#options.publisher.publish({ sessionId, seq: startSeq, agentName, at: new Date(), kind, payload } as SessionEventRecord<K>);
    return {
      delta: (kind, index, content) => live(kind === 'text' ? 'ASSISTANT_DELTA' : 'REASONING_DELTA', { turnId, index, content }),
      toolCallDelta: (index, { toolCallId, toolName, argumentsDelta }) =>
        live('TOOL_CALL_DELTA', { turnId, index, toolCallId, tool: toolName, argumentsDelta }),
      reply: ({ content, cancelled, toolCalls, inputTokens, outputTokens, cost }: TurnReply) =>
        write('recordReply', { ...assistantReply(content, { cancelled, toolCalls }), usage: { inputTokens, outputTokens, cost } }),
      note: (content) => write('recordReply', assistantReply(content, { cancelled: false })),
      fallback: (change) => write('recordFallback', { kind: 'modelFallback', turnId, agentName, ...change }),
      toolsetFailed: (failure) => {
        this.#log.warn('toolset failed to start', { sessionId, agent: agentName, ...failure });
        return write('recordToolsetFailure', { kind: 'toolsetFailed', agentName, ...failure });
      },
      approvalSettings: () => this.#approvalSettings(runtime),
      pause: (pause) => this.#pause(runtime, turn, pause),
      toolCall: (call) => {
        this.#log.info('tool call runs', { sessionId, turnId, tool: call.name, toolCallId: call.id });
        return write('recordToolCall', { kind: 'toolCall', turnId, agentName, call });
      },
      toolResult: (call, { output, isError, todos }) => {
        this.#log.info('tool call answered', { sessionId, turnId, tool: call.name, toolCallId: call.id, isError, chars: output.length });
        return write('recordToolResult', { kind: 'toolResult', turnId, agentName, call, output, isError, todos });
      },
    };
  }

  /** Stores the pause, then waits for the answer that `#resume` stores, or for the turn's cancel. */
  async #pause(runtime: AgentRuntime, turn: RuntimeTurn, pause: TurnPause): Promise<TurnResume | 'cancelled'> {
    const signal = turn.controller.signal;
    if (signal.aborted) return 'cancelled';
    let settle!: (answer: TurnResume | 'cancelled') => void;
    const answered = new Promise<TurnResume | 'cancelled'>((resolve) => (settle = resolve));
    const pending: PendingPause = { pause, wake: (resume) => settle(resume) };
    const cancelled = () => settle('cancelled');
    signal.addEventListener('abort', cancelled, { once: true });
    try {
      const { sessionId } = runtime;
      const pausing = this.#options.runtimes.whileAttached(runtime, runtime.turnPause(turn, pending), () => new SessionNotRunningError(sessionId));
      await this.#options.writer.change({ operation: 'pauseTurn', sessionId, runtime: pausing });
      this.#log.info('turn waits for the user', { sessionId: runtime.sessionId, turnId: turn.id, pause: pause.kind });
      return await answered;
    } finally {
      signal.removeEventListener('abort', cancelled);
    }
  }

  /** The session's approval settings now, with its team's permissions. */
  async #approvalSettings(runtime: AgentRuntime): Promise<ApprovalSettings> {
    const session = await this.#options.prisma.session.findUniqueOrThrow({
      where: { id: runtime.sessionId },
      select: { safetyPolicy: true, permissions: true, toolsApproved: true },
    });
    return {
      safetyPolicy: session.safetyPolicy as SafetyPolicy,
      toolsApproved: session.toolsApproved,
      sessionPermissions: JSON.parse(session.permissions) as Permissions,
      teamPermissions: runtime.team.permissions,
    };
  }

  /**
   * What the loop starts from, in one read (it stands between runTurn and the first model call): the
   * conversation as the model sees it (the turn's own messages are already stored), the call limit,
   * the working directory and the todo list.
   */
  async #turnContext(sessionId: string) {
    const session = await this.#options.prisma.session.findUniqueOrThrow({
      where: { id: sessionId },
      select: {
        maxIterations: true,
        workingDir: true,
        todos: true,
        messages: {
          orderBy: { position: 'asc' },
          select: { role: true, content: true, toolCalls: true, toolCallId: true, toolName: true, isError: true },
        },
      },
    });
    return {
      history: conversation(session.messages),
      maxIterations: session.maxIterations,
      workingDir: session.workingDir,
      todos: JSON.parse(session.todos) as Todo[],
    };
  }
}

/**
 * An accepted answer must be what MCP lets a server ask for: a flat object of strings, numbers, booleans
 * (or lists of strings), with the schema's required fields and types. Refused here, it is an input error
 * the user can correct; passed on, the server would fail the tool call instead.
 */
function checkElicitationAnswer(schema: Record<string, unknown>, content: Record<string, unknown>) {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const missing = required.filter((name) => content[name] === undefined);
  if (missing.length > 0) throw new InvalidInputError('content', `the answer lacks ${missing.join(', ')}, which the server requires`);
  for (const [name, value] of Object.entries(content)) {
    const expected = properties[name];
    if (!expected) throw new InvalidInputError(`content.${name}`, `the server did not ask for "${name}" (it asks for: ${Object.keys(properties).join(', ') || 'nothing'})`);
    const actual = Array.isArray(value) && value.every((item) => typeof item === 'string') ? 'array' : typeof value;
    const fits =
      expected.type === undefined
        ? ['string', 'number', 'boolean', 'array'].includes(actual)
        : expected.type === 'integer'
          ? Number.isInteger(value)
          : actual === expected.type;
    if (!fits) throw new InvalidInputError(`content.${name}`, `must be ${expected.type ?? 'a string, number, boolean or list of strings'}; got ${JSON.stringify(value)}`);
    if (expected.enum && !expected.enum.includes(value)) {
      throw new InvalidInputError(`content.${name}`, `must be one of ${expected.enum.map((option) => JSON.stringify(option)).join(', ')}`);
    }
  }
}

type LiveKind = 'ASSISTANT_DELTA' | 'REASONING_DELTA' | 'TOOL_CALL_DELTA';

/**
 * Stored messages as a model reads them. A tool call left without its answer (its turn was
 * interrupted) gets one saying so: providers refuse a conversation with an unanswered call.
 */
export function conversation(
  messages: {
    role: string;
    content: string;
    toolCalls: string | null;
    toolCallId: string | null;
    toolName: string | null;
    isError: boolean;
  }[],
): ChatMessage[] {
  const history: ChatMessage[] = [];
  let unanswered: ToolCallRequest[] = [];
  const answerTheRest = () => {
    for (const call of unanswered) {
      const content = 'The tool call was interrupted: the server stopped before it finished.';
      history.push({ role: 'tool', toolCallId: call.id, toolName: call.name, content, isError: true });
    }
    unanswered = [];
  };
  for (const message of messages) {
    if (message.role === 'tool') {
      if (message.toolCallId === null) continue;
      const toolCallId = message.toolCallId;
      unanswered = unanswered.filter((call) => call.id !== toolCallId);
      history.push({ role: 'tool', toolCallId, toolName: message.toolName ?? '', content: message.content, isError: message.isError });
      continue;
    }
    answerTheRest();
    if (message.role === 'assistant') {
      const toolCalls = message.toolCalls ? (JSON.parse(message.toolCalls) as ToolCallRequest[]) : undefined;
      history.push({ role: 'assistant', content: message.content, ...(toolCalls && { toolCalls }) });
      unanswered = toolCalls ?? [];
    } else if (message.role === 'user' || message.role === 'system') {
      history.push({ role: message.role, content: message.content });
    }
  }
  answerTheRest();
  return history;
}

/** Several runtime changes as one: applied in order, undone in reverse. */
function inOrder(changes: RuntimeChange[]): RuntimeChange {
  const applied: RuntimeChange[] = [];
  return {
    apply: () => {
      try {
        return changes.flatMap((change) => {
          const facts = change.apply();
          applied.push(change);
          return facts;
        });
      } catch (error) {
        applied.reverse().forEach((change) => change.undo());
        applied.length = 0;
        throw error;
      }
    },
    undo: () => applied.reverse().forEach((change) => change.undo()),
  };
}
