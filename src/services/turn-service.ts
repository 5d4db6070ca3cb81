/**
 * Agent turns: `runTurn` stores the messages a turn answers and starts it (answering at once with its
 * id), the turn runs in the background, its reply streams to watchers as live deltas, and every step
 * that changes what is kept (start, reply with its usage, end) is one change through the session
 * writer. `cancelTurn`, stopping or deleting the session, and the server stopping cancel a turn the
 * same way: the provider's stream is aborted and what had streamed is kept, marked cancelled.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import type { AgentRuntime, ResolvedModel, RuntimeTurn } from '../runtime/agent-runtime.js';
import type { ChatMessage } from '../runtime/model-client.js';
import type { RuntimeRegistry } from '../runtime/registry.js';
import type { RuntimeChange } from '../runtime/runtime-change.js';
import { runTurnLoop, type TurnOutcome, type TurnReply } from '../runtime/turn-loop.js';
import {
  AgentNotFoundError,
  InvalidInputError,
  isDomainError,
  ModelSwitchingNotSupportedError,
  SessionBusyError,
  SessionNotRunningError,
  TurnNotRunningError,
} from './errors.js';
import type { EventPublisher, SessionEventRecord } from './event-log.js';
import type { SessionService } from './session-service.js';
import type { SessionWriter } from './session-writer.js';
import { validateMessageContent } from './validation.js';

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

export interface TurnServiceOptions {
  prisma: Store;
  sessions: SessionService;
  writer: SessionWriter;
  runtimes: RuntimeRegistry;
  publisher: EventPublisher;
  log: Logger;
}

export class TurnService {
  readonly #options: TurnServiceOptions;
  readonly #log: Logger;

  constructor(options: TurnServiceOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'turns' });
  }

  async runTurn(input: RunTurnInput): Promise<{ sessionId: string; turnId: string }> {
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
  async cancelTurn(sessionId: string): Promise<{ sessionId: string; turnId: string }> {
    const turn = (await this.#options.sessions.runningRuntime(sessionId)).turn;
    if (!turn) throw new TurnNotRunningError(sessionId);
    await this.#options.runtimes.cancelTurn(sessionId);
    return { sessionId, turnId: turn.id };
  }

  /** Cancels every running turn (the server stops). */
  async cancelAll(): Promise<void> {
    const { runtimes } = this.#options;
    await Promise.all(runtimes.ids().map((sessionId) => runtimes.cancelTurn(sessionId)));
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
        recorder: {
          delta: (kind, index, content) => this.#publishDelta(sessionId, startSeq, turn.id, kind, index, content),
          reply: (reply) => this.#recordReply(sessionId, turn, reply),
          fallback: async (change) => {
            await this.#options.writer.change({
              operation: 'recordFallback',
              sessionId,
              writes: [{ kind: 'modelFallback', turnId: turn.id, agentName: turn.agentName, ...change }],
            });
          },
        },
      });
    } catch (error) {
      const code = isDomainError(error) ? error.code : 'INTERNAL_ERROR';
      this.#log.error('turn failed', { sessionId, turnId: turn.id, code, error: (error as Error).message });
      outcome = { reason: 'FAILED', failure: { code, message: (error as Error).message, retryable: false } };
    }
    const end = runtime.turnEnd({ turnId: turn.id, agentName: turn.agentName, ...outcome });
    try {
      await this.#options.writer.change({ operation: 'endTurn', sessionId, runtime: end });
    } catch (error) {
      // The turn is over whatever the store says: the session must not stay busy with it.
      end.apply();
      this.#log.error('the end of a turn could not be recorded', { sessionId, turnId: turn.id, error: (error as Error).message });
    }
    this.#log.info('turn ended', { sessionId, turnId: turn.id, reason: outcome.reason, code: outcome.failure?.code });
  }

  #recordReply(sessionId: string, turn: RuntimeTurn, reply: TurnReply) {
    const { content, cancelled, inputTokens, outputTokens, cost } = reply;
    return this.#options.writer
      .change({
        operation: 'recordReply',
        sessionId,
        writes: [
          {
            kind: 'assistantReply',
            turnId: turn.id,
            message: { id: randomUUID(), role: 'assistant', agentName: turn.agentName, content, cancelled },
            usage: { inputTokens, outputTokens, cost },
          },
        ],
      })
      .then(() => undefined);
  }

  #publishDelta(sessionId: string, startSeq: number, turnId: string, kind: 'text' | 'reasoning', index: number, content: string) {
    const event = {
      sessionId,
      seq: startSeq,
      agentName: null,
      at: new Date(),
      payload: { turnId, index, content },
      kind: kind === 'text' ? 'ASSISTANT_DELTA' : 'REASONING_DELTA',
    } as SessionEventRecord<'ASSISTANT_DELTA' | 'REASONING_DELTA'>;
    this.#options.publisher.publish(event);
  }

  /**
   * What the loop starts from, in one read (it stands between runTurn and the first model call): the
   * conversation as the model sees it (the turn's own messages are already stored) and the call limit.
   */
  async #turnContext(sessionId: string): Promise<{ history: ChatMessage[]; maxIterations: number }> {
    const session = await this.#options.prisma.session.findUnique({
      where: { id: sessionId },
      select: {
        maxIterations: true,
        messages: {
          where: { role: { in: ['user', 'assistant', 'system'] } },
          orderBy: { position: 'asc' },
          select: { role: true, content: true },
        },
      },
    });
    const history = (session?.messages ?? []).map(({ role, content }) => ({ role: role as ChatMessage['role'], content }));
    return { history, maxIterations: session?.maxIterations ?? 0 };
  }
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
