/**
 * The session event log: every committed change of a session is one event, numbered per session and
 * written in the change's own transaction, so a rolled-back change never has an event.
 */
import type { Store } from '../db/client.js';

export const SESSION_EVENT_KINDS = [
  'SESSION_CREATED',
  'SESSION_STARTED',
  'SESSION_STOPPED',
  'MODEL_CHANGED',
] as const;
export type SessionEventKind = (typeof SESSION_EVENT_KINDS)[number];

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

/**
 * Records one change of an existing session: bumps its version, takes the next sequence number and
 * writes the event. Updating the session row first also locks it (PostgreSQL) for the rest of the
 * transaction, so concurrent writers of one session queue up instead of interleaving.
 */
export async function appendSessionEvent(
  tx: TransactionClient,
  sessionId: string,
  kind: SessionEventKind,
  agentName: string | null,
  payload: Record<string, unknown>,
): Promise<SessionEventRecord> {
  const { lastEventSeq } = await tx.session.update({
    where: { id: sessionId },
    data: { version: { increment: 1 }, lastEventSeq: { increment: 1 } },
    select: { lastEventSeq: true },
  });
  return writeEvent(tx, sessionId, lastEventSeq, kind, agentName, payload);
}

/** Writes an event with a sequence number the caller already holds (a new session's first events). */
export async function writeEvent(
  tx: TransactionClient,
  sessionId: string,
  seq: number,
  kind: SessionEventKind,
  agentName: string | null,
  payload: Record<string, unknown>,
): Promise<SessionEventRecord> {
  const row = await tx.sessionEvent.create({
    data: { sessionId, seq, kind, agentName, payload: JSON.stringify(payload) },
  });
  return { sessionId, seq, kind, agentName, payload, at: row.at };
}
