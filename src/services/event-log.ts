/**
 * The session event log: every committed change of a session is one event, numbered per session and
 * written in the change's own transaction, so a rolled-back change never has an event. The newest
 * `retention` events of each session are kept.
 */
import type { Store } from '../db/client.js';

/** Kinds written to the log. */
export const STORED_EVENT_KINDS = [
  'SESSION_CREATED',
  'SESSION_STARTED',
  'SESSION_STOPPED',
  'MODEL_CHANGED',
  'TITLE_CHANGED',
  'STARRED_CHANGED',
  'PERMISSIONS_CHANGED',
  'MESSAGE_ADDED',
  'MESSAGE_UPDATED',
  'TOKEN_USAGE_UPDATED',
  'CURRENT_AGENT_SWITCHED',
] as const;

/**
 * Kinds only streams carry: `GAP` (events a subscriber asked for are no longer retained) and
 * `SESSION_EXITED` (the session was deleted; its log went with it).
 */
export type StreamOnlyKind = 'GAP' | 'SESSION_EXITED';
export type StoredEventKind = (typeof STORED_EVENT_KINDS)[number];
export type SessionEventKind = StoredEventKind | StreamOnlyKind;

export interface SessionEventRecord {
  sessionId: string;
  seq: number;
  kind: SessionEventKind;
  agentName: string | null;
  payload: Record<string, unknown>;
  at: Date;
}

/** Where committed events go once their transaction has committed (the subscriptions' pubsub). */
export interface EventPublisher {
  publish(event: SessionEventRecord): void;
}

export type TransactionClient = Parameters<Parameters<Store['$transaction']>[0]>[0];

type EventRow = { sessionId: string; seq: number; kind: string; agentName: string | null; payload: string; at: Date };

function toRecord(row: EventRow): SessionEventRecord {
  return { ...row, kind: row.kind as SessionEventKind, payload: JSON.parse(row.payload) as Record<string, unknown> };
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
  async claimSeq(tx: TransactionClient, sessionId: string): Promise<number> {
    const { lastEventSeq } = await tx.session.update({
      where: { id: sessionId },
      data: { version: { increment: 1 }, lastEventSeq: { increment: 1 } },
      select: { lastEventSeq: true },
    });
    return lastEventSeq;
  }

  /** Writes an event under a number from claimSeq (or a new session's first numbers), pruning old ones. */
  async write(
    tx: TransactionClient,
    sessionId: string,
    seq: number,
    kind: StoredEventKind,
    agentName: string | null,
    payload: Record<string, unknown>,
  ): Promise<SessionEventRecord> {
    const row = await tx.sessionEvent.create({
      data: { sessionId, seq, kind, agentName, payload: JSON.stringify(payload) },
    });
    if (seq % this.#pruneEvery === 0 && seq > this.retention) {
      await tx.sessionEvent.deleteMany({ where: { sessionId, seq: { lte: seq - this.retention } } });
    }
    return toRecord(row);
  }

  /** Records a change that writes nothing but its event. */
  async append(
    tx: TransactionClient,
    sessionId: string,
    kind: StoredEventKind,
    agentName: string | null,
    payload: Record<string, unknown>,
  ): Promise<SessionEventRecord> {
    return this.write(tx, sessionId, await this.claimSeq(tx, sessionId), kind, agentName, payload);
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
