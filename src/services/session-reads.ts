/**
 * What the API reads: sessions (one, a filtered and ordered page, a count), what a session's current
 * agent can switch to, the configured teams, and the live list of session changes. Running state comes
 * from the runtimes in this process, everything else from the store. Writes go through the other
 * services. Knows nothing of GraphQL: callers pass the Prisma `select`/`include` they need.
 */
import type { TurnState } from '../runtime/agent-runtime.js';
import type { TurnPause } from '../runtime/runtime-change.js';
import type { Store } from '../db/client.js';
import type { DatabaseProvider } from '../db/providers.js';
import type { Prisma } from '../generated/sqlite/client.js';
import type { SessionChange } from '../pubsub.js';
import { listAvailableModels, type AvailableModel } from '../runtime/agent-runtime.js';
import type { RuntimeRegistry } from '../runtime/registry.js';
import type { Team, TeamCatalog } from '../runtime/team.js';
import type { Principal } from '../auth/principal.js';
import { InvalidInputError, SessionNotFoundError } from './errors.js';
import type { SessionAccess } from './session-access.js';

/** A turn as clients see it: which agent runs it, on which model (now), since when. */
export interface RunningTurn {
  id: string;
  state: TurnState;
  agentName: string;
  model: string;
  startedAt: Date;
  /** Why it waits, while it waits for the user. */
  pause: TurnPause | null;
}

export interface SessionFilter {
  starred?: boolean | null;
  /** Words in the title, case-insensitive. */
  search?: string | null;
  team?: string | null;
  running?: boolean | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export type SessionOrderField = 'CREATED_AT' | 'UPDATED_AT' | 'TITLE';

export interface SessionOrder {
  field: SessionOrderField;
  /** Newest (or last) first unless ASC. */
  direction?: 'ASC' | 'DESC' | null;
}

/** The relations and columns a caller wants loaded with each session. */
export type SessionQuery = { include?: Prisma.SessionInclude; select?: Prisma.SessionSelect };

/** A page of a list: how many rows, from where (plugin-prisma's connection arguments). */
export type SessionPageQuery = SessionQuery & { take?: number; skip?: number; cursor?: Prisma.SessionWhereUniqueInput };

/** What the model list of a stopped session is computed from. */
export interface StoredModelChoice {
  id: string;
  teamName: string;
  currentAgent: string;
  agentModelOverrides: readonly { agentName: string; modelRef: string }[];
  customModelsUsed: readonly { modelRef: string }[];
}

const ORDER_COLUMN = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', TITLE: 'title' } as const;

const LONGEST_SEARCH = 200;
/** SQLite: sessions a search holding `%` or `_` may match (their ids go into the query). */
const MAX_LITERAL_MATCHES = 10_000;

export interface SessionReadsOptions {
  prisma: Store;
  provider: DatabaseProvider;
  runtimes: RuntimeRegistry;
  teams: TeamCatalog;
  /** Every session created, changed or deleted from now on (the pubsub's feed). */
  sessionChanges: () => AsyncIterableIterator<SessionChange>;
  access: SessionAccess;
}

export class SessionReads {
  readonly #options: SessionReadsOptions;

  constructor(options: SessionReadsOptions) {
    this.#options = options;
  }

  /** The client relations are loaded with when a caller's query did not include them. */
  get client(): Store {
    return this.#options.prisma;
  }

  /** The session, if `principal` may see it (null as well when it does not exist). */
  findSession(query: SessionQuery, sessionId: string, principal: Principal) {
    return this.#options.prisma.session.findUnique({ ...query, where: { id: sessionId, ...this.#options.access.where(principal) } });
  }

  /** The session, or SessionNotFound (say, deleted since the change that names it). */
  async requireSession(query: SessionQuery, sessionId: string, principal: Principal) {
    const session = await this.findSession(query, sessionId, principal);
    if (!session) throw new SessionNotFoundError(sessionId);
    return session;
  }

  /** Sessions that pass `filter`, newest first unless `orderBy` says otherwise; ties broken by id. */
  async listSessions(
    query: SessionPageQuery,
    filter: SessionFilter | null | undefined,
    orderBy: SessionOrder | null | undefined,
    principal: Principal,
  ) {
    const direction = orderBy?.direction === 'ASC' ? 'asc' : 'desc';
    const column = ORDER_COLUMN[orderBy?.field ?? 'CREATED_AT'];
    return this.#options.prisma.session.findMany({
      ...query,
      where: await this.#where(filter, principal),
      orderBy: [{ [column]: direction }, { id: direction }],
    });
  }

  async countSessions(filter: SessionFilter | null | undefined, principal: Principal): Promise<number> {
    return this.#options.prisma.session.count({ where: await this.#where(filter, principal) });
  }

  isRunning(sessionId: string): boolean {
    return this.#options.runtimes.isRunning(sessionId);
  }

  /** A running session's runtime knows best; the stored value is what it last committed. */
  currentAgent(session: { id: string; currentAgent: string }): string {
    return this.#options.runtimes.get(session.id)?.currentAgent ?? session.currentAgent;
  }

  /** What the session's runtime is running now, if anything. */
  turn(sessionId: string): RunningTurn | null {
    const runtime = this.#options.runtimes.get(sessionId);
    const turn = runtime?.turn;
    if (!runtime || !turn) return null;
    return {
      id: turn.id,
      state: turn.state,
      agentName: turn.agentName,
      model: runtime.modelRefOf(turn.agentName),
      startedAt: turn.startedAt,
      pause: turn.pending?.pause ?? null,
    };
  }

  /**
   * Models the current agent can switch to. A running session asks its runtime; a stopped one gets the
   * same list computed from its stored override (none when its team is no longer configured).
   */
  availableModels(session: StoredModelChoice): AvailableModel[] {
    const customRefs = session.customModelsUsed.map((custom) => custom.modelRef);
    const runtime = this.#options.runtimes.get(session.id);
    if (runtime) return runtime.availableModels(customRefs);
    const team = this.#options.teams.get(session.teamName);
    if (!team) return [];
    const override = session.agentModelOverrides.find((row) => row.agentName === session.currentAgent);
    return listAvailableModels(team, session.currentAgent, override?.modelRef, customRefs);
  }

  listTeams(): Team[] {
    return this.#options.teams.list();
  }

  /** The changes of the sessions `principal` may see, from now on. */
  sessionChanges(principal: Principal): AsyncIterableIterator<SessionChange> {
    const changes = this.#options.sessionChanges();
    if (principal.admin) return changes;
    const { access } = this.#options;
    const next = async (): Promise<IteratorResult<SessionChange>> => {
      for (;;) {
        const item = await changes.next();
        if (item.done || (await access.sees(principal, item.value.sessionId))) return item;
      }
    };
    return {
      next,
      return: (value?: unknown) => changes.return?.(value) ?? Promise.resolve({ value: undefined, done: true }),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async #where(filter: SessionFilter | null | undefined, principal: Principal): Promise<Prisma.SessionWhereInput> {
    const visible = this.#options.access.where(principal);
    if (!filter) return visible;
    if (filter.search && filter.search.length > LONGEST_SEARCH) {
      throw new InvalidInputError('filter.search', `search at most ${LONGEST_SEARCH} characters`);
    }
    // Running state lives in this process, not in the store: the filter names the running ids.
    const runningIds = () => this.#options.runtimes.ids();
    return {
      ...visible,
      ...(filter.starred != null && { starred: filter.starred }),
      ...(filter.team != null && { teamName: filter.team }),
      ...(filter.running != null && { id: filter.running ? { in: runningIds() } : { notIn: runningIds() } }),
      ...((filter.createdAfter || filter.createdBefore) && {
        createdAt: {
          ...(filter.createdAfter && { gte: filter.createdAfter }),
          ...(filter.createdBefore && { lt: filter.createdBefore }),
        },
      }),
      ...(filter.search && (await this.#titleContains(filter.search, visible.ownerId))),
    };
  }

  /**
   * Titles that contain `search` as typed, ignoring case. Prisma's `contains` is a LIKE, where `%` and
   * `_` are wildcards: PostgreSQL takes them escaped (`\` is its LIKE escape); SQLite's LIKE has no
   * escape unless one is declared, so a search holding them asks for the matching ids with instr().
   */
  async #titleContains(search: string, ownerId: string | undefined): Promise<Prisma.SessionWhereInput> {
    const { prisma, provider } = this.#options;
    if (provider === 'postgresql') {
      // The SQLite client's types lack `mode`; PostgreSQL needs it asked for (SQLite's LIKE ignores ASCII case itself).
      return { title: { contains: search.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' } as { contains: string } };
    }
    if (!/[%_]/.test(search)) return { title: { contains: search } };
    // Only the caller's own sessions count towards the cap: others' titles must not change its answer.
    const rows =
      ownerId === undefined
        ? await prisma.$queryRaw<{ id: string }[]>`SELECT id FROM "Session" WHERE instr(lower(title), lower(${search})) > 0 LIMIT ${MAX_LITERAL_MATCHES + 1}`
        : await prisma.$queryRaw<{ id: string }[]>`SELECT id FROM "Session" WHERE "ownerId" = ${ownerId} AND instr(lower(title), lower(${search})) > 0 LIMIT ${MAX_LITERAL_MATCHES + 1}`;
    if (rows.length > MAX_LITERAL_MATCHES) {
      throw new InvalidInputError('filter.search', `matches more than ${MAX_LITERAL_MATCHES} sessions; search for more of the title`);
    }
    // Under AND: the running filter may constrain `id` too.
    return { AND: [{ id: { in: rows.map((row) => row.id) } }] };
  }
}
