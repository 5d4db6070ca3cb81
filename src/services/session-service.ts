/**
 * Session use cases. The runtime changes first, the store second, and a store failure undoes the
 * runtime change (DESIGN.md, "The core operation"). Knows nothing of GraphQL.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Database } from '../db/client.js';
import type { Logger } from '../log.js';
import {
  AgentRuntime,
  describeModelProvider,
  type ModelProviderFactory,
  type ResolvedModel,
} from '../runtime/agent-runtime.js';
import { isInlineRef } from '../runtime/model-ref.js';
import type { RuntimeRegistry } from '../runtime/registry.js';
import type { Team, TeamCatalog } from '../runtime/team.js';
import {
  InvalidInputError,
  ModelSwitchingNotSupportedError,
  PersistenceFailedError,
  SessionNotFoundError,
  SessionNotRunningError,
  TeamNotFoundError,
} from './errors.js';
import { EventLog, type EventPublisher, type SessionEventRecord, type TransactionClient } from './event-log.js';
import { KeyedLock } from './keyed-lock.js';
import { describeStoreFailure, isRecordNotFound } from './store-errors.js';

export const MAX_TITLE_LENGTH = 200;
export const MAX_WORKING_DIR_LENGTH = 4096;

export interface CreateSessionInput {
  team?: string | null;
  title: string;
  workingDir?: string | null;
  agentModelOverrides?: { agentName: string; modelRef: string }[] | null;
  /** Start a runtime at once (default); false only stores the session. */
  start?: boolean | null;
}

export interface ModelSwitch {
  sessionId: string;
  agentName: string;
  /** The override now in force; null when it was cleared and the agent is back on its default. */
  modelRef: string | null;
  previousModelRef: string | null;
  /** The event that recorded the switch. */
  seq: number;
}

export interface SessionServiceOptions {
  database: Database;
  runtimes: RuntimeRegistry;
  teams: TeamCatalog;
  publisher: EventPublisher;
  events: EventLog;
  log: Logger;
  transactionTimeoutMs: number;
  transactionMaxWaitMs: number;
  /** Team of sessions created without one. */
  defaultTeam: string;
  createModelProvider?: ModelProviderFactory;
}

export class SessionService {
  readonly #lock = new KeyedLock();
  readonly #db: Database;
  readonly #runtimes: RuntimeRegistry;
  readonly #teams: TeamCatalog;
  readonly #publisher: EventPublisher;
  readonly #events: EventLog;
  readonly #log: Logger;
  readonly #createProvider: ModelProviderFactory;
  readonly #transactionOptions: { timeout: number; maxWait: number };
  readonly #defaultTeam: string;

  constructor(options: SessionServiceOptions) {
    this.#db = options.database;
    this.#runtimes = options.runtimes;
    this.#teams = options.teams;
    this.#publisher = options.publisher;
    this.#events = options.events;
    this.#log = options.log.child({ component: 'sessions' });
    this.#createProvider = options.createModelProvider ?? describeModelProvider;
    this.#defaultTeam = options.defaultTeam;
    this.#transactionOptions = { timeout: options.transactionTimeoutMs, maxWait: options.transactionMaxWaitMs };
  }

  runtimeOf(sessionId: string): AgentRuntime | undefined {
    return this.#runtimes.get(sessionId);
  }

  async createSession(input: CreateSessionInput) {
    const title = validateTitle(input.title);
    const workingDir = validateWorkingDir(input.workingDir);
    const team = this.#team(input.team ?? undefined);
    const overrides = input.agentModelOverrides ?? [];
    const id = randomUUID();
    const runtime = new AgentRuntime(id, team, team.agents[0]!.name, this.#createProvider);

    const seen = new Set<string>();
    for (const [index, override] of overrides.entries()) {
      const field = `agentModelOverrides[${index}]`;
      if (!team.agents.some((agent) => agent.name === override.agentName)) {
        throw new InvalidInputError(`${field}.agentName`, `team "${team.name}" has no agent "${override.agentName}"`);
      }
      if (seen.has(override.agentName)) {
        throw new InvalidInputError(`${field}.agentName`, `agent "${override.agentName}" is overridden twice`);
      }
      seen.add(override.agentName);
      // Resolving through the runtime rejects bad refs with the runtime's own message (InvalidModelRef).
      runtime.setOverride(override.agentName, await runtime.resolveModel(override.modelRef));
    }
    const start = input.start ?? true;

    const events = await this.#persist('createSession', null, async (tx) => {
      await tx.session.create({
        data: {
          id,
          title,
          workingDir,
          teamName: team.name,
          currentAgent: runtime.currentAgent,
          lastEventSeq: start ? 2 : 1,
          agentModelOverrides: { create: overrides.map(({ agentName, modelRef }) => ({ agentName, modelRef })) },
        },
      });
      const created = await this.#events.write(tx, id, 1, 'SESSION_CREATED', null, { title, team: team.name });
      return start ? [created, await this.#events.write(tx, id, 2, 'SESSION_STARTED', runtime.currentAgent, {})] : [created];
    });
    if (start) this.#runtimes.attach(runtime);
    this.#log.info('session created', { sessionId: id, team: team.name, running: start });
    events.forEach((event) => this.#publisher.publish(event));
    return this.#requireSession(id);
  }

  /** Attaches a runtime; stored overrides are re-applied, and one that no longer resolves is skipped. */
  async startSession(sessionId: string) {
    return this.#lock.run(sessionId, async () => {
      if (this.#runtimes.isRunning(sessionId)) return this.#requireSession(sessionId);
      const session = await this.#db.prisma.session.findUnique({
        where: { id: sessionId },
        include: { agentModelOverrides: true },
      });
      if (!session) throw new SessionNotFoundError(sessionId);
      const team = this.#team(session.teamName);
      const agentName = team.agents.some((agent) => agent.name === session.currentAgent)
        ? session.currentAgent
        : team.agents[0]!.name;
      const runtime = new AgentRuntime(sessionId, team, agentName, this.#createProvider);
      for (const override of session.agentModelOverrides) {
        try {
          runtime.setOverride(override.agentName, await runtime.resolveModel(override.modelRef));
        } catch (error) {
          this.#log.warn('stored model override skipped: it no longer resolves', {
            sessionId,
            agent: override.agentName,
            modelRef: override.modelRef,
            reason: (error as Error).message,
          });
        }
      }
      const event = await this.#persist('startSession', sessionId, (tx) =>
        this.#events.append(tx, sessionId, 'SESSION_STARTED', agentName, {}),
      );
      this.#runtimes.attach(runtime);
      this.#log.info('session started', { sessionId });
      this.#publisher.publish(event);
      return this.#requireSession(sessionId);
    });
  }

  async stopSession(sessionId: string) {
    return this.#lock.run(sessionId, async () => {
      const runtime = this.#runtimes.get(sessionId);
      if (!runtime) return this.#requireSession(sessionId);
      const event = await this.#persist('stopSession', sessionId, (tx) =>
        this.#events.append(tx, sessionId, 'SESSION_STOPPED', runtime.currentAgent, {}),
      );
      this.#runtimes.detach(sessionId);
      this.#log.info('session stopped', { sessionId });
      this.#publisher.publish(event);
      return this.#requireSession(sessionId);
    });
  }

  /**
   * Deletes a session and its log. Every stream of it receives SESSION_EXITED and ends; the id is never
   * used again (ids are random UUIDs), so a deleted session stays deleted.
   */
  async deleteSession(sessionId: string): Promise<{ sessionId: string }> {
    return this.#lock.run(sessionId, async () => {
      const deleted = await this.#persist('deleteSession', sessionId, (tx) =>
        tx.session.delete({ where: { id: sessionId }, select: { lastEventSeq: true } }),
      );
      this.#runtimes.detach(sessionId);
      this.#log.info('session deleted', { sessionId });
      this.#publisher.publish({
        sessionId,
        seq: deleted.lastEventSeq + 1,
        kind: 'SESSION_EXITED',
        agentName: null,
        payload: { reason: 'deleted' },
        at: new Date(),
      });
      return { sessionId };
    });
  }

  /**
   * Puts an override on the current agent (empty `modelRef` clears it). The runtime changes first; if
   * the store transaction then rejects, for whatever reason, the runtime gets its previous override back.
   */
  async setSessionAgentModel(sessionId: string, modelRef: string): Promise<ModelSwitch> {
    const runtime = await this.#runningRuntime(sessionId);
    if (!runtime.supportsModelSwitching) throw new ModelSwitchingNotSupportedError(sessionId, runtime.team.name);
    // Creating a provider can be slow; it changes nothing, so it runs before taking the session's lock.
    const resolved: ResolvedModel | null = modelRef === '' ? null : await runtime.resolveModel(modelRef);

    return this.#lock.run(sessionId, async () => {
      if (this.#runtimes.get(sessionId) !== runtime) throw new SessionNotRunningError(sessionId);
      const agentName = runtime.currentAgent;
      const previous = runtime.setOverride(agentName, resolved);
      let event: SessionEventRecord;
      try {
        event = await this.#persist('setSessionAgentModel', sessionId, async (tx) => {
          const seq = await this.#events.claimSeq(tx, sessionId);
          await recordOverride(tx, sessionId, agentName, resolved?.ref ?? null);
          return this.#events.write(tx, sessionId, seq, 'MODEL_CHANGED', agentName, {
            modelRef: resolved?.ref ?? null,
            previousModelRef: previous?.ref ?? null,
          });
        });
      } catch (error) {
        runtime.setOverride(agentName, previous ?? null);
        this.#log.warn('model switch rolled back in the runtime', { sessionId, agent: agentName, modelRef });
        throw error;
      }
      this.#publisher.publish(event);
      return {
        sessionId,
        agentName,
        modelRef: resolved?.ref ?? null,
        previousModelRef: previous?.ref ?? null,
        seq: event.seq,
      };
    });
  }

  async #runningRuntime(sessionId: string): Promise<AgentRuntime> {
    const runtime = this.#runtimes.get(sessionId);
    if (runtime) return runtime;
    const exists = await this.#db.prisma.session.count({ where: { id: sessionId } });
    throw exists ? new SessionNotRunningError(sessionId) : new SessionNotFoundError(sessionId);
  }

  async #requireSession(sessionId: string) {
    const session = await this.#db.prisma.session.findUnique({ where: { id: sessionId } });
    if (!session) throw new SessionNotFoundError(sessionId);
    return session;
  }

  #team(name: string | undefined): Team {
    const teamName = name ?? this.#defaultTeam;
    const team = this.#teams.get(teamName);
    if (!team) throw new TeamNotFoundError(teamName, this.#teams.list().map((candidate) => candidate.name));
    return team;
  }


  /**
   * Runs one interactive transaction and turns any rejection into PersistenceFailed (or SessionNotFound
   * when the session was deleted meanwhile). The database's own message goes to the log, not the client.
   */
  async #persist<T>(operation: string, sessionId: string | null, work: (tx: TransactionClient) => Promise<T>): Promise<T> {
    try {
      return await this.#db.prisma.$transaction(work, this.#transactionOptions);
    } catch (error) {
      // Every change updates its session row first: "record not found" there means it was deleted.
      if (sessionId && isRecordNotFound(error, 'Session')) throw new SessionNotFoundError(sessionId);
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
}

/** Writes (or deletes) the override row and remembers an inline ref once in customModelsUsed. */
async function recordOverride(
  tx: TransactionClient,
  sessionId: string,
  agentName: string,
  modelRef: string | null,
): Promise<void> {
  if (modelRef === null) {
    await tx.agentModelOverride.deleteMany({ where: { sessionId, agentName } });
    return;
  }
  await tx.agentModelOverride.upsert({
    where: { sessionId_agentName: { sessionId, agentName } },
    create: { sessionId, agentName, modelRef },
    update: { modelRef },
  });
  if (!isInlineRef(modelRef)) return;
  const known = await tx.customModelUsed.findUnique({ where: { sessionId_modelRef: { sessionId, modelRef } } });
  if (known) return;
  const last = await tx.customModelUsed.findFirst({
    where: { sessionId },
    orderBy: { position: 'desc' },
    select: { position: true },
  });
  await tx.customModelUsed.create({ data: { sessionId, modelRef, position: (last?.position ?? 0) + 1 } });
}

function validateTitle(raw: string): string {
  const title = raw.trim();
  if (title.length === 0) throw new InvalidInputError('title', 'the title must not be empty');
  if (title.length > MAX_TITLE_LENGTH) {
    throw new InvalidInputError('title', `the title is ${title.length} characters; at most ${MAX_TITLE_LENGTH} are allowed`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(title)) {
    throw new InvalidInputError('title', 'the title must not contain control characters');
  }
  return title;
}

function validateWorkingDir(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return process.cwd();
  if (raw.length === 0) throw new InvalidInputError('workingDir', 'the working directory must not be empty');
  if (raw.length > MAX_WORKING_DIR_LENGTH) {
    throw new InvalidInputError('workingDir', `the working directory is longer than ${MAX_WORKING_DIR_LENGTH} characters`);
  }
  if (raw.includes('\u0000')) throw new InvalidInputError('workingDir', 'the working directory must not contain NUL');
  if (!path.isAbsolute(raw)) {
    throw new InvalidInputError('workingDir', `the working directory must be an absolute path; got "${raw}"`);
  }
  return path.normalize(raw);
}
