/**
 * The session event log: every committed change of a session is one event, numbered per session and
 * written in the change's own transaction, so a rolled-back change never has an event. The newest
 * `retention` events of each session are kept.
 */
import type { Store } from '../db/client.js';
import type { ResumeDecision } from '../runtime/runtime-change.js';
import type { Todo } from '../runtime/tools/tool.js';
import type { SessionListChange } from './change-log.js';

export type { ResumeDecision };

/**
 * Every kind of event, with the payload it carries. One map for the writers and the schema: an event
 * of kind K always has the payload `SessionEventPayloads[K]`, so neither side can add a kind or a field
 * the other does not know of.
 */
export interface StoredEventPayloads {
  SESSION_CREATED: { title: string; team: string; forkedFrom?: string; messages?: number };
  /** `instanceId`: the server instance that holds the runtime from now on (its lease). */
  SESSION_STARTED: { instanceId: string };
  /** Why the runtime went away, and the instance that had held it. */
  SESSION_STOPPED: { reason: SessionStopReason; instanceId: string };
  MODEL_CHANGED: { modelRef: string | null; previousModelRef: string | null };
  TITLE_CHANGED: { title: string; previousTitle: string };
  STARRED_CHANGED: { starred: boolean };
  PERMISSIONS_CHANGED: { allow: string[]; ask: string[]; deny: string[] };
  MESSAGE_ADDED: { messageId: string; role: string };
  MESSAGE_UPDATED: { messageId: string };
  TOKEN_USAGE_UPDATED: { inputTokens: number; outputTokens: number; cost: number };
  CURRENT_AGENT_SWITCHED: { previousAgentName: string };
  TURN_STARTED: { turnId: string; model: string };
  MODEL_FALLBACK: { turnId: string; fromModel: string; toModel: string; reason: string };
  TURN_FAILED: { turnId: string; code: string; message: string; retryable: boolean };
  TURN_ENDED: { turnId: string; reason: TurnEndReason };
  /** A tool call runs (it was allowed, or approved). */
  TOOL_CALL: { turnId: string; toolCallId: string; tool: string; arguments: string };
  /** A tool call waits for the user's decision (resumeTurn). */
  TOOL_CALL_CONFIRMATION: { turnId: string; toolCallId: string; tool: string; arguments: string };
  /** A tool call's answer, as the model receives it (output capped in the event; the message has it all). */
  TOOL_CALL_RESULT: { turnId: string; toolCallId: string; tool: string; output: string; isError: boolean };
  /** The turn made its maxIterations model calls and waits: resumeTurn APPROVE grants 10 more. */
  MAX_ITERATIONS_REACHED: { turnId: string; maxIterations: number };
  /** An MCP server asks the user for input; answerElicitation answers. */
  ELICITATION_REQUEST: { turnId: string; elicitationId: string; server: string; message: string; requestedSchema: string };
  /** The user's decision that resumed a paused turn (resumeTurn or answerElicitation). */
  TURN_RESUMED: { turnId: string; decision: ResumeDecision; reason: string | null; toolCallId: string | null };
  /** A toolset of the agent could not start; the turn goes on without its tools. */
  TOOLSET_FAILED: { toolset: string; message: string };
  TODOS_CHANGED: { todos: Todo[] };
  SAFETY_POLICY_CHANGED: { safetyPolicy: string; previousSafetyPolicy: string };
}

/**
 * STOPPED: stopSession; SERVER_STOPPED: its instance stopped cleanly; OWNER_LOST: its instance stopped
 * renewing its lease (it crashed, or lost the database), recorded by whichever instance noticed first;
 * SERVER_RESTARTED: its instance crashed and was started again, recorded at that start.
 */
export type SessionStopReason = 'STOPPED' | 'SERVER_STOPPED' | 'OWNER_LOST' | 'SERVER_RESTARTED';

export type TurnEndReason = 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'MAX_ITERATIONS' | 'INTERRUPTED';

/**
 * Kinds only streams carry, never stored: `GAP` (events a subscriber asked for are no longer retained),
 * `SESSION_EXITED` (the session was deleted; its log went with it), and the deltas of a running turn.
 */
export interface StreamOnlyEventPayloads {
  GAP: { missedFrom: number; missedTo: number };
  SESSION_EXITED: { reason: string };
  /**
   * A piece of a reply as the model streams it. Live only: never stored, numbered by `index` within
   * the turn, and carrying the `seq` of its turn's TURN_STARTED; the stored message is the truth.
   */
  ASSISTANT_DELTA: { turnId: string; index: number; content: string };
  REASONING_DELTA: { turnId: string; index: number; content: string };
  /** A piece of a tool call's arguments as the model streams them; live only, like the deltas above. */
  TOOL_CALL_DELTA: { turnId: string; index: number; toolCallId: string; tool: string; argumentsDelta: string };
}

/** Kinds that are streamed live and never stored, so they never take a sequence number of their own. */
export const LIVE_ONLY_KINDS: ReadonlySet<SessionEventKind> = new Set(['ASSISTANT_DELTA', 'REASONING_DELTA', 'TOOL_CALL_DELTA']);

export type SessionEventPayloads = StoredEventPayloads & StreamOnlyEventPayloads;
export type StoredEventKind = keyof StoredEventPayloads;
export type SessionEventKind = keyof SessionEventPayloads;

/** An event as subscribers see it; narrowing on `kind` narrows `payload`. */
export type SessionEventRecord<K extends SessionEventKind = SessionEventKind> = K extends SessionEventKind
  ? { sessionId: string; seq: number; kind: K; agentName: string | null; payload: SessionEventPayloads[K]; at: Date }
  : never;

/** An event a change asks to be written: the writer gives it its number and its transaction. */
export type EventDraft<K extends StoredEventKind = StoredEventKind> = K extends StoredEventKind
  ? { kind: K; agentName: string | null; payload: StoredEventPayloads[K] }
  : never;

/** Where committed events go once their transaction has committed (the subscriptions' pubsub). */
export interface EventPublisher {
  publish(event: SessionEventRecord): void;
  /** A committed change as the session list sees it (its row in the change log). */
  publishChange(change: SessionListChange): void;
}

export type TransactionClient = Parameters<Parameters<Store['$transaction']>[0]>[0];

/** What claiming a session's next number also reads, at no extra statement: who owns it, who runs it, its turn. */
export interface ClaimedSession {
  seq: number;
  ownerId: string | null;
  /** The instance holding its runtime (its lease), as committed: the writer's fence. */
  runtimeInstanceId: string | null;
  /** The turn running in it, if any (a change of the conversation waits for its end). */
  activeTurnId: string | null;
}

type EventRow = { sessionId: string; seq: number; kind: string; agentName: string | null; payload: string; at: Date };

/** Rows are written only from EventDrafts, so a stored kind always comes with its own payload. */
function toRecord({ sessionId, seq, kind, agentName, payload, at }: EventRow): SessionEventRecord {
  return { sessionId, seq, kind, agentName, payload: JSON.parse(payload), at } as SessionEventRecord;
}

export class EventLog {
  /** Pruning every event would cost a statement per change; every few is enough to stay near the bound. */
  readonly #pruneEvery: number;

  constructor(readonly retention: number) {
    this.#pruneEvery = Math.max(1, Math.min(64, Math.floor(retention / 16)));
  }

  /**
   * Takes the next sequence number of a session and bumps its version. It must be the transaction's
   * first write: updating the session row locks it (PostgreSQL) until commit, so writers of one session,
   * even on other server instances, queue here instead of interleaving their writes and numbers.
   */
  async claimSeq(tx: TransactionClient, sessionId: string): Promise<ClaimedSession> {
    const claimed = await tx.session.update({
      where: { id: sessionId },
      data: { version: { increment: 1 }, lastEventSeq: { increment: 1 } },
      select: { lastEventSeq: true, ownerId: true, runtimeInstanceId: true, activeTurnId: true },
    });
    const { ownerId, runtimeInstanceId, activeTurnId } = claimed;
    return { seq: claimed.lastEventSeq, ownerId, runtimeInstanceId, activeTurnId };
  }

  /**
   * Writes a change's events numbered from `firstSeq`, each marked with the change's id, and prunes
   * what falls out of retention. The session row's `lastEventSeq` must already cover them.
   */
  async write(
    tx: TransactionClient,
    sessionId: string,
    firstSeq: number,
    drafts: readonly EventDraft[],
    changeId: string,
  ): Promise<SessionEventRecord[]> {
    const records: SessionEventRecord[] = [];
    for (const [index, draft] of drafts.entries()) {
      const seq = firstSeq + index;
      const row = await tx.sessionEvent.create({
        data: { sessionId, seq, kind: draft.kind, agentName: draft.agentName, payload: JSON.stringify(draft.payload), changeId },
      });
      records.push(toRecord(row));
      if (seq % this.#pruneEvery === 0 && seq > this.retention) {
        await tx.sessionEvent.deleteMany({ where: { sessionId, seq: { lte: seq - this.retention } } });
      }
    }
    return records;
  }

  /** Whether the change `changeId` wrote its events: that is, whether its transaction committed. */
  async wasWritten(db: TransactionClient, sessionId: string, changeId: string): Promise<boolean> {
    return (await db.sessionEvent.count({ where: { sessionId, changeId } })) > 0;
  }

  /** Up to `limit` retained events of a session with `seq > after`, oldest first. */
  async readAfter(db: Store, sessionId: string, after: number, limit: number): Promise<SessionEventRecord[]> {
    const rows = await db.sessionEvent.findMany({
      where: { sessionId, seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return rows.map(toRecord);
  }
}
