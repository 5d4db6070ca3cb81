/**
 * How every change of a session is written: one interactive transaction that locks the session row
 * first, writes the change and its event, and is published only once committed. Any rejection becomes
 * PersistenceFailed, with the database's own words in the log under the incident id.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.js';
import type { Logger } from '../log.js';
import { isDomainError, PersistenceFailedError, SessionNotFoundError } from './errors.js';
import type { EventLog, EventPublisher, SessionEventRecord, StoredEventKind, TransactionClient } from './event-log.js';
import { KeyedLock } from './keyed-lock.js';
import { describeStoreFailure, isRecordNotFound } from './store-errors.js';

export interface SessionWriterOptions {
  database: Database;
  events: EventLog;
  publisher: EventPublisher;
  log: Logger;
  transactionTimeoutMs: number;
  transactionMaxWaitMs: number;
}

export class SessionWriter {
  /** One writer per session at a time; sessions never wait for each other. */
  readonly lock = new KeyedLock();
  readonly #options: SessionWriterOptions;
  readonly #log: Logger;

  constructor(options: SessionWriterOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'store' });
  }

  get events(): EventLog {
    return this.#options.events;
  }

  /**
   * Runs one interactive transaction and turns any rejection into PersistenceFailed (or SessionNotFound
   * when the session was deleted meanwhile).
   */
  async persist<T>(operation: string, sessionId: string | null, work: (tx: TransactionClient) => Promise<T>): Promise<T> {
    try {
      return await this.#options.database.prisma.$transaction(work, {
        timeout: this.#options.transactionTimeoutMs,
        maxWait: this.#options.transactionMaxWaitMs,
      });
    } catch (error) {
      // Every change updates its session row first: "record not found" there means it was deleted.
      if (sessionId && isRecordNotFound(error, 'Session')) throw new SessionNotFoundError(sessionId);
      // Errors a change raises on purpose inside its transaction (say, a message that is not there).
      if (isDomainError(error)) throw error;
      const failure = describeStoreFailure(error);
      const incidentId = randomUUID();
      this.#log.error('store transaction rejected', {
        operation,
        sessionId: sessionId ?? undefined,
        incidentId,
        prismaCode: failure.prismaCode,
        databaseCode: failure.databaseCode,
        error: (error as Error).message,
      });
      throw new PersistenceFailedError(operation, failure.retryable, incidentId);
    }
  }

  /**
   * Commits one change of an existing session with its event. The sequence number is claimed first,
   * which locks the session row; `apply` then writes the change and returns the event's payload.
   */
  async commit<T>(
    operation: string,
    sessionId: string,
    kind: StoredEventKind,
    agentName: string | null,
    apply: (tx: TransactionClient) => Promise<{ payload: Record<string, unknown>; result: T }>,
  ): Promise<{ result: T; event: SessionEventRecord }> {
    const { result, event } = await this.persist(operation, sessionId, async (tx) => {
      const seq = await this.events.claimSeq(tx, sessionId);
      const { payload, result } = await apply(tx);
      return { result, event: await this.events.write(tx, sessionId, seq, kind, agentName, payload) };
    });
    this.publish(event);
    return { result, event };
  }

  publish(event: SessionEventRecord): void {
    this.#options.publisher.publish(event);
  }
}

