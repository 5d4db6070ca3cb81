/**
 * The one path by which every change of a session is made. A service says what changes (a runtime
 * change and/or store writes, as data); `SessionWriter.change` owns everything else:
 *
 * 1. the session's lock: changes of one session run one at a time (they wait, or answer SessionBusy at
 *    once); changes of different sessions never wait for each other;
 * 2. settling an earlier change of the session whose commit outcome was left unknown;
 * 3. the runtime first: `apply`, and `undo` if the store does not take the change;
 * 4. one interactive transaction: the session row is locked and its sequence claimed first, then the
 *    writes, then the events that record them, each marked with the change's id;
 * 5. when the transaction rejects, its outcome: a failure before every write was made is a rollback
 *    (PersistenceFailed, runtime undone); a failure after it (at COMMIT, whose answer may have been lost
 *    with the connection) sends the writer to ask the store whether the change's events exist before
 *    it answers. Committed → kept and published; not → undone and PersistenceFailed; the store
 *    unreachable → CommitOutcomeUnknown, and the session is settled before its next change and in the
 *    background as soon as the store answers again;
 * 6. publishing the committed events, and only those, and the change as session lists see it.
 *
 * It is also the fence of the instance's runtime leases: a change of a session whose runtime this
 * instance holds commits only while the store still names this instance as its holder
 * (`Session.runtimeInstanceId`, read where the sequence is claimed). An instance taken for lost by the
 * others (it could not renew its lease) therefore cannot write over what they recorded since; its
 * change is refused (RuntimeLostError) and its stale runtime dropped.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.js';
import { KeyedLock } from '../locks.js';
import type { Logger } from '../log.js';
import type { RuntimeChange } from '../runtime/runtime-change.js';
import type { ChangeLog, SessionListChange } from './change-log.js';
import {
  CommitOutcomeUnknownError,
  isDomainError,
  PersistenceFailedError,
  RuntimeLostError,
  SessionBusyError,
  SessionNotFoundError,
} from './errors.js';
import type { ClaimedSession, EventDraft, EventLog, EventPublisher, SessionEventRecord, TransactionClient } from './event-log.js';
import { applyWrite, isCreation, type SessionWrite, type WriteContext } from './session-store.js';
import { describeStoreFailure, isRecordNotFound } from './store-errors.js';

/** One change of one session, as a service describes it. */
export interface SessionChange {
  /** The API operation, named in logs and errors. */
  operation: string;
  sessionId: string;
  /** When another change holds the session: wait for it (the default), or answer SessionBusy at once. */
  ifBusy?: 'wait' | 'fail';
  /** Applied first, under the session's lock; its facts are stored after `writes`. */
  runtime?: RuntimeChange;
  writes?: SessionWrite[];
}

/** This instance as the holder of runtimes: what the writer fences changes with. */
export interface RuntimeHolder {
  /** Recorded as the holder of the runtimes this instance starts. */
  readonly instanceId: string;
  /** Whether this instance holds the session's runtime now. */
  holds(sessionId: string): boolean;
  /** The store no longer names this instance as the session's holder: drop the stale runtime. */
  lost(sessionId: string): void;
}

export interface SessionWriterOptions {
  database: Database;
  events: EventLog;
  changeLog: ChangeLog;
  holder: RuntimeHolder;
  publisher: EventPublisher;
  log: Logger;
  transactionTimeoutMs: number;
  transactionMaxWaitMs: number;
}

/** A change on its way to the store: what it takes to settle it if its commit's outcome is lost. */
interface ChangeInFlight {
  operation: string;
  changeId: string;
  deletes: boolean;
  /** What the transaction wrote, published if it turns out to have committed. */
  written: Written;
  /** Every write was made: whatever fails after this may have failed at (or after) COMMIT. */
  wroteAll: boolean;
  undo: () => void;
}

interface Written {
  events: SessionEventRecord[];
  /** The sequence number after the change's: a deleted session's streams end with it. */
  nextSeq: number;
  /** The change as session lists see it (its row in the change log). */
  listChange?: SessionListChange;
}

/** Thrown inside a transaction whose writes found nothing to record: it rolls back, and nothing changed. */
class NothingToRecord extends Error {}

/** How long the background settling waits first, and at most, between tries while the store is away. */
const SETTLE_FIRST_DELAY_MS = 100;
const SETTLE_MAX_DELAY_MS = 2000;

const NO_RUNTIME_CHANGE: RuntimeChange = { apply: () => [], undo: () => {} };

export class SessionWriter {
  readonly #locks = new KeyedLock();
  readonly #options: SessionWriterOptions;
  readonly #log: Logger;
  /** Changes whose commit outcome the store could not tell yet, by session. */
  readonly #unsettled = new Map<string, ChangeInFlight>();
  #settleTimer: NodeJS.Timeout | undefined;
  #settleDelayMs = SETTLE_FIRST_DELAY_MS;
  #closed = false;

  constructor(options: SessionWriterOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'store' });
  }

  /**
   * Makes one change and returns the events that recorded it (none when there was nothing to change,
   * such as starting a session that already runs).
   */
  async change(change: SessionChange): Promise<SessionEventRecord[]> {
    const { sessionId } = change;
    if (change.ifBusy === 'fail' && this.#locks.isHeld(sessionId)) throw new SessionBusyError(sessionId);
    return this.#locks.run(sessionId, async () => {
      await this.#settleBefore(change);
      // Read before the runtime change, which may attach or detach the session's runtime.
      const heldHere = this.#options.holder.holds(sessionId);
      const runtime = change.runtime ?? NO_RUNTIME_CHANGE;
      const writes = [...(change.writes ?? []), ...runtime.apply()];
      if (writes.length === 0) return [];
      const deletes = writes.some((write) => write.kind === 'deleteSession');
      // Filled in inside the transaction: if COMMIT's answer is lost, this is what was committed.
      const inFlight: ChangeInFlight = {
        operation: change.operation,
        changeId: randomUUID(),
        deletes,
        written: { events: [], nextSeq: 0 },
        wroteAll: false,
        undo: runtime.undo,
      };
      try {
        await this.#transaction(async (tx) => {
          inFlight.written = await this.#write(tx, sessionId, writes, inFlight.changeId, heldHere);
          inFlight.wroteAll = true;
        });
      } catch (error) {
        if (error instanceof NothingToRecord) {
          runtime.undo();
          return [];
        }
        await this.#onRejected(sessionId, inFlight, error);
      }
      this.#publish(sessionId, inFlight);
      return inFlight.written.events;
    });
  }

  /** Resolves once the changes of the session under way or waiting now are done. */
  async settledChanges(sessionId: string): Promise<void> {
    if (this.#locks.isHeld(sessionId)) await this.#locks.run(sessionId, async () => undefined);
  }

  /** Stops settling in the background (the server stops); unsettled sessions stay as they are. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#settleTimer);
  }

  #transaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T> {
    return this.#options.database.prisma.$transaction(work, {
      timeout: this.#options.transactionTimeoutMs,
      maxWait: this.#options.transactionMaxWaitMs,
    });
  }

  async #write(
    tx: TransactionClient,
    sessionId: string,
    writes: SessionWrite[],
    changeId: string,
    heldHere: boolean,
  ): Promise<Written> {
    const { events, changeLog, holder } = this.#options;
    const creation = writes.find(isCreation);
    // Locks the row of an existing session first; a new one is invisible to others until it commits.
    const claimed: ClaimedSession = creation
      ? { seq: 1, ownerId: creation.kind === 'createSession' ? creation.settings.ownerId : creation.ownerId, runtimeInstanceId: null, activeTurnId: null }
      : await events.claimSeq(tx, sessionId);
    if (heldHere && claimed.runtimeInstanceId !== holder.instanceId) throw new RuntimeLostError(sessionId);
    const context: WriteContext = {
      instanceId: holder.instanceId,
      heldHere,
      runtimeInstanceId: claimed.runtimeInstanceId,
      activeTurnId: claimed.activeTurnId,
    };
    const firstSeq = claimed.seq;
    const drafts: EventDraft[] = [];
    for (const write of writes) drafts.push(...(await applyWrite(tx, sessionId, write, context)));
    const deletes = writes.some((write) => write.kind === 'deleteSession');
    if (drafts.length === 0 && !deletes) throw new NothingToRecord();
    const lastSeq = firstSeq + drafts.length - 1;
    if (creation || lastSeq > firstSeq) {
      await tx.session.update({ where: { id: sessionId }, data: { lastEventSeq: lastSeq } });
    }
    const written = await events.write(tx, sessionId, firstSeq, drafts, changeId);
    const kind = creation ? 'CREATED' : deletes ? 'DELETED' : 'UPDATED';
    // A deleted session's last number is the one its streams end with (SESSION_EXITED).
    const seq = lastSeq + (deletes ? 1 : 0);
    const cursor = await changeLog.append(tx, { sessionId, kind, seq, ownerId: claimed.ownerId });
    return { events: written, nextSeq: lastSeq + 1, listChange: { kind, sessionId, seq, cursor } };
  }

  /** Decides what a rejected transaction means: returns when it committed after all, throws otherwise. */
  async #onRejected(sessionId: string, change: ChangeInFlight, error: unknown): Promise<void> {
    // Rejections the change raised on purpose, or a session deleted meanwhile: rolled back for sure.
    const rejection = isDomainError(error)
      ? error
      : isRecordNotFound(error, 'Session')
        ? new SessionNotFoundError(sessionId)
        : undefined;
    if (rejection) {
      change.undo();
      if (rejection instanceof RuntimeLostError) {
        this.#log.warn('change refused: the store no longer names this instance as the holder of the session\'s runtime', {
          operation: change.operation,
          sessionId,
        });
        this.#options.holder.lost(sessionId);
      }
      throw rejection;
    }
    const failure = describeStoreFailure(error);
    const incidentId = randomUUID();
    const fields = { operation: change.operation, sessionId, incidentId, ...failure, error: (error as Error).message };
    // A statement failed: Prisma rolls the transaction back and never sends COMMIT.
    if (!change.wroteAll) this.#rejected(change, fields, failure.retryable);
    let committed: boolean;
    try {
      committed = await this.#wasCommitted(sessionId, change);
    } catch (probeError) {
      this.#unsettled.set(sessionId, change);
      this.#scheduleSettling();
      this.#log.error('store transaction outcome unknown: the store cannot be reached to tell', {
        ...fields,
        probeError: (probeError as Error).message,
      });
      throw new CommitOutcomeUnknownError(change.operation, sessionId, incidentId);
    }
    if (committed) {
      // The answer to COMMIT was lost, not the change: keep it, and the caller publishes and answers.
      this.#log.warn('store transaction committed though its answer was lost', fields);
      return;
    }
    this.#rejected(change, fields, failure.retryable);
  }

  #rejected(change: ChangeInFlight, fields: { incidentId: string }, retryable: boolean): never {
    change.undo();
    this.#log.error('store transaction rejected', fields);
    throw new PersistenceFailedError(change.operation, retryable, fields.incidentId);
  }

  /**
   * Whether the change committed: its events exist (or, for a deletion, the session does not). On
   * PostgreSQL the session's row is locked first, so that a transaction still finishing on the lost
   * connection is waited for, not raced.
   */
  async #wasCommitted(sessionId: string, change: ChangeInFlight): Promise<boolean> {
    const { database, events } = this.#options;
    return this.#transaction(async (tx) => {
      if (database.provider === 'postgresql') {
        await tx.$queryRawUnsafe('SELECT 1 FROM "Session" WHERE id = $1 FOR UPDATE', sessionId);
      }
      if (change.deletes) return (await tx.session.count({ where: { id: sessionId } })) === 0;
      return events.wasWritten(tx, sessionId, change.changeId);
    });
  }

  /**
   * Before a session's next change, settles the one whose outcome is unknown. While the store still
   * cannot tell, the new change does not run.
   */
  async #settleBefore(change: SessionChange): Promise<void> {
    const settled = await this.#settle(change.sessionId);
    if (settled) return;
    const incidentId = randomUUID();
    this.#log.error('change refused: an earlier change of the session is not settled', {
      operation: change.operation,
      sessionId: change.sessionId,
      incidentId,
    });
    throw new PersistenceFailedError(
      change.operation,
      true,
      incidentId,
      'the store cannot be reached to settle an earlier change, so it did not run',
    );
  }

  /** Settles the session's unsettled change, if any; false while the store cannot tell. Under the lock. */
  async #settle(sessionId: string): Promise<boolean> {
    const change = this.#unsettled.get(sessionId);
    if (!change) return true;
    let committed: boolean;
    try {
      committed = await this.#wasCommitted(sessionId, change);
    } catch {
      return false;
    }
    this.#unsettled.delete(sessionId);
    if (committed) this.#publish(sessionId, change);
    else change.undo();
    this.#log.info('unsettled change settled', { operation: change.operation, sessionId, committed });
    return true;
  }

  /** Tries again, backing off, until every unsettled change is settled or the writer closes. */
  #scheduleSettling(): void {
    if (this.#settleTimer || this.#closed) return;
    this.#settleTimer = setTimeout(async () => {
      this.#settleTimer = undefined;
      for (const sessionId of [...this.#unsettled.keys()]) {
        await this.#locks.run(sessionId, () => this.#settle(sessionId));
      }
      if (this.#unsettled.size === 0) {
        this.#settleDelayMs = SETTLE_FIRST_DELAY_MS;
        return;
      }
      this.#settleDelayMs = Math.min(this.#settleDelayMs * 2, SETTLE_MAX_DELAY_MS);
      this.#scheduleSettling();
    }, this.#settleDelayMs);
    this.#settleTimer.unref();
  }

  #publish(sessionId: string, { written, deletes }: ChangeInFlight): void {
    const { publisher } = this.#options;
    for (const event of written.events) publisher.publish(event);
    if (written.listChange) publisher.publishChange(written.listChange);
    if (!deletes) return;
    // The log went with the session: streams learn of it from this last, stream-only event.
    const exit = { reason: 'deleted' };
    publisher.publish({ sessionId, seq: written.nextSeq, kind: 'SESSION_EXITED', agentName: null, payload: exit, at: new Date() });
  }
}
