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
 * Takes the next sequence number of a session and bumps its version. It must be the transaction's first
 * write: updating the session row locks it (PostgreSQL) until commit, so writers of one session, even on
 * other server instances, queue here instead of interleaving their writes and numbers.
 */
export async function claimEventSeq(tx: TransactionClient, sessionId: string): Promise<number> {
  const { lastEventSeq } = await tx.session.update({
    where: { id: sessionId },
    data: { version: { increment: 1 }, lastEventSeq: { increment: 1 } },
    select: { lastEventSeq: true },
  });
  return lastEventSeq;
}

/** Records a change that writes nothing but its event. */
export async function appendSessionEvent(
  tx: TransactionClient,
  sessionId: string,
  kind: SessionEventKind,
  agentName: string | null,
  payload: Record<string, unknown>,
): Promise<SessionEventRecord> {
  return writeEvent(tx, sessionId, await claimEventSeq(tx, sessionId), kind, agentName, payload);
}

/** Writes an event under a sequence number from claimEventSeq (or a new session's first numbers). */
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
