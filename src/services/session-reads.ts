/**
 * What the API reads: sessions (one, a filtered and ordered page, a count), what a session's current
 * agent can switch to, the configured teams, the server instances. Everything comes
 * from the store, running state and running turns included, so every instance answers alike whichever
 * holds a session's runtime; only `thisInstance` reads this process's runtimes. Writes go through the
 * other services. Knows nothing of GraphQL: callers pass the Prisma `select`/`include` they need.
 */
import type { TurnState } from '../runtime/agent-runtime.js';
import type { StoredTurn } from './session-store.js';
import type { TurnPause } from '../runtime/runtime-change.js';
import type { Store } from '../db/client.js';
import type { DatabaseProvider } from '../db/providers.js';
import type { Prisma } from '../generated/sqlite/client.js';
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

/** A server instance sharing the database, as operators see it. */
export interface ServerInstanceView {
  id: string;
  name: string | null;
  startedAt: Date;
  heartbeatAt: Date;
  expiresAt: Date;
  /** Sessions the store says it holds. */
  sessions: number;
  /** The instance answering. */
  self: boolean;
}

/** A runtime held by this process, as it is in memory (operators compare it with the store). */
export interface RuntimeView {
  sessionId: string;
  currentAgent: string;
  /** Each agent's override in force, by agent name (agents without one are left out). */
  overrides: { agentName: string; modelRef: string }[];
  turnId: string | null;
  turnState: TurnState | null;
}

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
  /** This server instance. */
  instanceId: string;
  provider: DatabaseProvider;
  runtimes: RuntimeRegistry;
  teams: TeamCatalog;
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

  /** Whether an instance holds the session's runtime (its lease). */
  isRunning(session: { runtimeInstanceId: string | null }): boolean {
    return session.runtimeInstanceId !== null;
  }

  /**
   * The running turn as the store keeps it: every step of a turn is stored as it happens, its state
   * and pause included. `model` is the one its agent calls now (a switch applies at its next call).
   */
  turn(session: {
    teamName: string;
    activeTurnId: string | null;
    activeTurn: string | null;
    agentModelOverrides: readonly { agentName: string; modelRef: string }[];
  }): RunningTurn | null {
    if (session.activeTurnId === null || session.activeTurn === null) return null;
    const turn = JSON.parse(session.activeTurn) as StoredTurn;
    const override = session.agentModelOverrides.find((row) => row.agentName === turn.agentName)?.modelRef;
    const agent = this.#options.teams.get(session.teamName)?.agents.find((candidate) => candidate.name === turn.agentName);
    return {
      id: session.activeTurnId,
      state: turn.state,
      agentName: turn.agentName,
      model: override ?? agent?.model ?? '',
      startedAt: new Date(turn.startedAt),
      pause: turn.pause,
    };
  }

  /**
   * Models the current agent can switch to, from its stored override (a runtime re-applies the stored
   * overrides and clears, as it starts, one that no longer resolves, so the two agree); none when the
   * session's team is no longer configured.
   */
  availableModels(session: StoredModelChoice): AvailableModel[] {
    const customRefs = session.customModelsUsed.map((custom) => custom.modelRef);
    const team = this.#options.teams.get(session.teamName);
    if (!team) return [];
    const override = session.agentModelOverrides.find((row) => row.agentName === session.currentAgent);
    return listAvailableModels(team, session.currentAgent, override?.modelRef, customRefs);
  }

  /** Every instance registered on the database, newest first, with the sessions each holds. */
  async instances(): Promise<ServerInstanceView[]> {
    const selfId = this.#options.instanceId;
    const { prisma } = this.#options;
    const rows = await prisma.serverInstance.findMany({ orderBy: [{ startedAt: 'desc' }, { id: 'asc' }] });
    const held = await prisma.session.groupBy({ by: ['runtimeInstanceId'], where: { runtimeInstanceId: { not: null } }, _count: true });
    const count = new Map(held.map((group) => [group.runtimeInstanceId, group._count]));
    return rows.map((row) => ({ ...row, sessions: count.get(row.id) ?? 0, self: row.id === selfId }));
  }

  /** The runtimes this process holds, as they are in memory. */
  runtimesHere(): RuntimeView[] {
    const { runtimes } = this.#options;
    return runtimes.ids().flatMap((sessionId) => {
      const runtime = runtimes.get(sessionId);
      if (!runtime) return [];
      const overrides = runtime.team.agents.flatMap((agent) => {
        const override = runtime.overrideOf(agent.name);
        return override ? [{ agentName: agent.name, modelRef: override.ref }] : [];
      });
      return [{ sessionId, currentAgent: runtime.currentAgent, overrides, turnId: runtime.turn?.id ?? null, turnState: runtime.turn?.state ?? null }];
    });
  }

  listTeams(): Team[] {
    return this.#options.teams.list();
  }

  async #where(filter: SessionFilter | null | undefined, principal: Principal): Promise<Prisma.SessionWhereInput> {
    const visible = this.#options.access.where(principal);
    if (!filter) return visible;
    if (filter.search && filter.search.length > LONGEST_SEARCH) {
      throw new InvalidInputError('filter.search', `search at most ${LONGEST_SEARCH} characters`);
    }
    return {
      ...visible,
      ...(filter.starred != null && { starred: filter.starred }),
      ...(filter.team != null && { teamName: filter.team }),
      ...(filter.running != null && { runtimeInstanceId: filter.running ? { not: null } : null }),
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
