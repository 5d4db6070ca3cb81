/**
 * The global log of session changes behind `sessionsChanged(after:)`: one row per committed change of any
 * session (created, changed, deleted), written by the session writer inside the change's transaction, so
 * a feed that reconnects reads what it missed from the store.
 *
 * Its order is the order in which rows can no longer be preceded by another commit. On SQLite, one
 * transaction writes at a time, so row ids are commit order. On PostgreSQL, ids (a sequence) are taken
 * at insert and transactions commit in another order, so a reader that trusted ids would skip a row
 * whose lower id committed after a higher one it had read. Each row carries its transaction's id
 * (`pg_current_xact_id()`), and readers order by (txid, id) and stop at the oldest transaction still in
 * flight (`pg_snapshot_xmin`): every row before that point has committed, or never will.
 *
 * The log keeps the newest `retention` rows. Pruning leaves one row behind, marked PRUNED: the newest
 * change that was let go. A reader whose cursor is before it has missed changes (a gap: its list must be
 * refetched); one at or after it has missed nothing. The marker is never delivered as a change.
 */
import type { DatabaseProvider } from '../db/providers.js';
import type { Store } from '../db/client.js';
import { InvalidInputError } from './errors.js';
import type { TransactionClient } from './event-log.js';

export type SessionChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/** A change to the list of sessions, as feeds deliver it. */
export interface SessionListChange {
  kind: SessionChangeKind;
  sessionId: string;
  /** The session's newest event after the change. */
  seq: number;
  /** Where a feed resumes after this change (opaque to clients). */
  cursor: string;
}

/** Changes after a reader's cursor were pruned: it cannot know what it missed, and refetches the list. */
export interface SessionListGap {
  kind: 'GAP';
  sessionId: null;
  seq: null;
  /** Where the retained log goes on: the changes after the gap follow it. */
  cursor: string;
}

/** What a reader of the log gets, in log order. */
export type SessionListItem = SessionListChange | SessionListGap;

export interface ChangeLogEntry {
  sessionId: string;
  kind: SessionChangeKind;
  seq: number;
  ownerId: string | null;
}

/** A page of the log after a cursor. */
export interface ChangeLogPage {
  /** In log order; a gap first when changes after the cursor were pruned. */
  items: SessionListItem[];
  /** The page holds as many rows as asked for: more may follow at once. */
  full: boolean;
  /**
   * PostgreSQL: the cursor of the first committed row after the page that cannot be read yet, because a
   * transaction that began before it is still in flight and may yet commit a row before it. Nothing
   * rings a doorbell when that transaction ends (it may write no change at all): read again shortly.
   */
  withheld?: string;
}

/** Whose rows a reader sees: every row, or those of the sessions of one owner (see `visibleTo`). */
export interface ChangeVisibility {
  ownerId?: string;
}

/** The kind of the row that marks where pruning stopped (see the module comment). */
const PRUNED = 'PRUNED';

/** Row ids are a 32-bit INTEGER column; PostgreSQL transaction ids are 64-bit (`xid8`). */
const MAX_ID = 2 ** 31 - 1;
const MAX_TXID = 2n ** 63n - 1n;

/** A place in the log's order: (txid, id) on PostgreSQL; id on SQLite, where txid is null. */
interface Position {
  txid: bigint | null;
  id: number;
}

interface LogRow {
  id: number;
  txid: bigint | null;
  sessionId: string;
  kind: string;
  seq: number;
}

/** A cursor names a row by its position in the log's order: `txid.id` (PostgreSQL) or `id` (SQLite). */
export function cursorOf(row: { id: number; txid: bigint | null }): string {
  return row.txid === null ? String(row.id) : `${row.txid}.${row.id}`;
}

function compare(a: Position, b: Position): number {
  const byTxid = (a.txid ?? 0n) === (b.txid ?? 0n) ? 0 : (a.txid ?? 0n) < (b.txid ?? 0n) ? -1 : 1;
  return byTxid !== 0 ? byTxid : a.id - b.id;
}

function toItem(row: LogRow): SessionListItem {
  const cursor = cursorOf(row);
  if (row.kind === PRUNED) return { kind: 'GAP', sessionId: null, seq: null, cursor };
  return { kind: row.kind as SessionChangeKind, sessionId: row.sessionId, seq: row.seq, cursor };
}

export class ChangeLog {
  /** Pruning costs a statement: every so many rows (by id, so all instances share the count) is enough. */
  readonly #pruneEvery: number;

  constructor(
    readonly provider: DatabaseProvider,
    /** Rows kept (CHANGE_LOG_RETENTION): how far behind a reader may fall before it meets a gap. */
    readonly retention: number,
  ) {
    this.#pruneEvery = Math.max(1, Math.min(1000, Math.floor(retention / 10)));
  }

  /** Appends the change's row, in the change's transaction, and now and then prunes; returns its cursor. */
  async append(tx: TransactionClient, entry: ChangeLogEntry): Promise<string> {
    let row: { id: number; txid: bigint | null };
    if (this.provider === 'postgresql') {
      [row] = (await tx.$queryRaw<{ id: number; txid: bigint }[]>`
        INSERT INTO "SessionChangeLog" ("txid", "sessionId", "kind", "seq", "ownerId")
        VALUES (pg_current_xact_id()::text::bigint, ${entry.sessionId}, ${entry.kind}, ${entry.seq}, ${entry.ownerId})
        RETURNING "id", "txid"`) as [{ id: number; txid: bigint }];
    } else {
      row = await tx.sessionChangeLog.create({ data: entry, select: { id: true, txid: true } });
    }
    if (row.id % this.#pruneEvery === 0) await this.#prune(tx);
    return cursorOf(row);
  }

  /**
   * Where a feed without a cursor starts: after every row that has surely committed. On PostgreSQL that
   * is just before the oldest transaction in flight, so rows committed by newer ones a moment ago come
   * too (a few changes from just before the feed opened, rather than any change missed).
   */
  async head(db: Store): Promise<string> {
    if (this.provider === 'postgresql') {
      const [horizon] = await db.$queryRaw<{ xmin: string }[]>`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS "xmin"`;
      return `${horizon!.xmin}.0`;
    }
    const newest = await db.sessionChangeLog.aggregate({ _max: { id: true } });
    return String(newest._max.id ?? 0);
  }

  /**
   * The cursor of the newest row committed now, if any (the log's end as a server stopping sees it:
   * every feed delivers what precedes it first).
   */
  async newest(db: Store): Promise<string | undefined> {
    const [row] = await db.sessionChangeLog.findMany({
      orderBy: this.provider === 'postgresql' ? [{ txid: 'desc' }, { id: 'desc' }] : [{ id: 'desc' }],
      take: 1,
      select: { id: true, txid: true },
    });
    return row && cursorOf(row);
  }

  /**
   * A client's cursor, checked: well formed, for this database, and not past the log's end (a cursor of
   * another server's log would otherwise wait, silently, for changes that never come).
   * InvalidInputError (`field`) otherwise.
   */
  async checkCursor(db: Store, cursor: string, field: string): Promise<string> {
    const position = this.#parse(cursor);
    const invalid = (why: string) =>
      new InvalidInputError(field, `${field} must be a cursor this server's sessionsChanged delivered; ${why}`);
    if (!position) throw invalid(`"${cursor.slice(0, 40)}" is not one`);
    if (this.provider === 'postgresql') {
      const [end] = await db.$queryRaw<{ xmax: string; maxId: number | null }[]>`
        SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS "xmax", (SELECT max("id") FROM "SessionChangeLog") AS "maxId"`;
      if (position.txid! > BigInt(end!.xmax) || position.id > (end!.maxId ?? 0)) throw invalid('it is past the end of the log');
    } else {
      const newest = await db.sessionChangeLog.aggregate({ _max: { id: true } });
      if (position.id > (newest._max.id ?? 0)) throw invalid('it is past the end of the log');
    }
    return cursorOf(position);
  }

  /** Whether cursor `a` comes after cursor `b` in the log's order (both from this log). */
  isAfter(a: string, b: string): boolean {
    const [first, second] = [this.#parse(a), this.#parse(b)];
    if (!first || !second) throw new Error(`not cursors of this log: ${a}, ${b}`);
    return compare(first, second) > 0;
  }

  /**
   * Up to `limit` rows after `cursor` that `visibility` lets through, in log order, stopping before any
   * row that may still be preceded by a commit in flight (see ChangeLogPage.withheld). A gap comes first
   * when rows after the cursor were pruned, whoever they belonged to.
   */
  async readAfter(db: Store, cursor: string, visibility: ChangeVisibility, limit: number): Promise<ChangeLogPage> {
    const after = this.#parse(cursor);
    if (!after) throw new Error(`not a cursor of this log: ${cursor}`);
    const owner = visibility.ownerId ?? null;
    // One row more than asked for tells whether more follow.
    const rows: (LogRow & { settled: boolean })[] =
      this.provider === 'postgresql'
        ? await db.$queryRaw`
            SELECT l."id", l."txid", l."sessionId", l."kind", l."seq", l."txid" < horizon."xmin" AS "settled"
            FROM "SessionChangeLog" l,
                 (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS "xmin") horizon
            WHERE (l."txid", l."id") > (${after.txid}::bigint, ${after.id}::int)
              AND (${owner}::text IS NULL OR l."ownerId" = ${owner}::text OR l."kind" = ${PRUNED})
            ORDER BY l."txid", l."id"
            LIMIT ${limit + 1}`
        : (
            await db.sessionChangeLog.findMany({
              where: { id: { gt: after.id }, ...(owner !== null && { OR: [{ ownerId: owner }, { kind: PRUNED }] }) },
              orderBy: { id: 'asc' },
              take: limit + 1,
              select: { id: true, txid: true, sessionId: true, kind: true, seq: true },
            })
          ).map((row) => ({ ...row, settled: true }));
    const page: ChangeLogPage = { items: [], full: false };
    for (const [index, row] of rows.entries()) {
      if (!row.settled) {
        page.withheld = cursorOf(row);
        break;
      }
      if (index === limit) {
        page.full = true;
        break;
      }
      page.items.push(toItem(row));
    }
    return page;
  }

  /** The number a deleted session's streams end with (its SessionExitedEvent), while its row is retained. */
  async exitSeq(db: Store, sessionId: string): Promise<number | undefined> {
    const row = await db.sessionChangeLog.findFirst({
      where: { sessionId, kind: 'DELETED' },
      orderBy: { id: 'desc' },
      select: { seq: true },
    });
    return row?.seq;
  }

  #parse(cursor: string): Position | undefined {
    if (this.provider === 'postgresql') {
      const match = /^(\d{1,19})\.(\d{1,10})$/.exec(cursor);
      if (!match) return undefined;
      const [txid, id] = [BigInt(match[1]!), Number(match[2]!)];
      return txid <= MAX_TXID && id <= MAX_ID ? { txid, id } : undefined;
    }
    if (!/^\d{1,10}$/.test(cursor)) return undefined;
    const id = Number(cursor);
    return id <= MAX_ID ? { txid: null, id } : undefined;
  }

  /**
   * Keeps the newest `retention` rows: the newest row older than those becomes the PRUNED marker, and
   * every row before it goes. In the writer's transaction, so it must never wait: on PostgreSQL one
   * pruner at a time (the others skip their turn), and only rows of settled transactions, so that no row
   * can commit later behind the marker.
   */
  async #prune(tx: TransactionClient): Promise<void> {
    if (this.provider === 'postgresql') {
      // The table's oid keys the lock: one per table, so schemas sharing a database do not skip each other.
      const [lock] = await tx.$queryRaw<{ taken: boolean }[]>`
        SELECT pg_try_advisory_xact_lock('"SessionChangeLog"'::regclass::oid::bigint) AS "taken"`;
      if (!lock?.taken) return;
      await tx.$executeRaw`
        WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS "xmin"),
        oldest_kept AS (
          SELECT "txid", "id" FROM "SessionChangeLog" WHERE "kind" <> ${PRUNED}
          ORDER BY "txid" DESC, "id" DESC OFFSET ${this.retention - 1} LIMIT 1
        ),
        newest_pruned AS (
          SELECT l."txid", l."id" FROM "SessionChangeLog" l, oldest_kept k, horizon h
          WHERE (l."txid", l."id") < (k."txid", k."id") AND l."txid" < h."xmin"
          ORDER BY l."txid" DESC, l."id" DESC LIMIT 1
        ),
        marked AS (
          UPDATE "SessionChangeLog" l SET "kind" = ${PRUNED} FROM newest_pruned p WHERE l."id" = p."id" RETURNING l."id"
        )
        DELETE FROM "SessionChangeLog" l USING newest_pruned p WHERE (l."txid", l."id") < (p."txid", p."id")`;
      return;
    }
    await tx.$executeRaw`
      UPDATE "SessionChangeLog" SET "kind" = ${PRUNED}
      WHERE "id" = (
        SELECT "id" FROM "SessionChangeLog"
        WHERE "id" < (SELECT "id" FROM "SessionChangeLog" WHERE "kind" <> ${PRUNED} ORDER BY "id" DESC LIMIT 1 OFFSET ${this.retention - 1})
        ORDER BY "id" DESC LIMIT 1
      )`;
    await tx.$executeRaw`
      DELETE FROM "SessionChangeLog" WHERE "id" < (SELECT max("id") FROM "SessionChangeLog" WHERE "kind" = ${PRUNED})`;
  }
}
