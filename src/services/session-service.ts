/**
 * Session lifecycle and the changes that touch the runtime. The runtime changes first, the store
 * second, and a store failure undoes the runtime change (DESIGN.md, "The core operation").
 * Knows nothing of GraphQL.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../db/client.js';
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
  AgentNotFoundError,
  InvalidInputError,
  ModelSwitchingNotSupportedError,
  SessionNotFoundError,
  SessionNotRunningError,
  TeamNotFoundError,
} from './errors.js';
import type { TransactionClient } from './event-log.js';
import type { SessionWriter } from './session-writer.js';
import {
  LIMITS,
  validateAttributes,
  validateCount,
  validatePermissions,
  validateTitle,
  validateWorkingDir,
  type Permissions,
  type SafetyPolicy,
} from './validation.js';

export interface CreateSessionInput {
  team?: string | null;
  title: string;
  workingDir?: string | null;
  agentModelOverrides?: { agentName: string; modelRef: string }[] | null;
  permissions?: Permissions | null;
  safetyPolicy?: SafetyPolicy | null;
  limits?: { maxIterations?: number | null; maxConsecutiveToolCalls?: number | null; maxOldToolCallTokens?: number | null } | null;
  attributes?: unknown;
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

export interface AgentSwitch {
  sessionId: string;
  agentName: string;
  previousAgentName: string;
  seq: number;
}

export interface SessionServiceOptions {
  prisma: Store;
  writer: SessionWriter;
  runtimes: RuntimeRegistry;
  teams: TeamCatalog;
  log: Logger;
  /** Team of sessions created without one. */
  defaultTeam: string;
  /** When set, working directories must lie inside it (SESSION_WORKDIR_ROOT). */
  workingDirRoot?: string;
  createModelProvider?: ModelProviderFactory;
}

export class SessionService {
  readonly #prisma: Store;
  readonly #writer: SessionWriter;
  readonly #runtimes: RuntimeRegistry;
  readonly #teams: TeamCatalog;
  readonly #log: Logger;
  readonly #options: SessionServiceOptions;
  readonly #createProvider: ModelProviderFactory;

  constructor(options: SessionServiceOptions) {
    this.#options = options;
    this.#prisma = options.prisma;
    this.#writer = options.writer;
    this.#runtimes = options.runtimes;
    this.#teams = options.teams;
    this.#log = options.log.child({ component: 'sessions' });
    this.#createProvider = options.createModelProvider ?? describeModelProvider;
  }

  async createSession(input: CreateSessionInput) {
    const title = validateTitle(input.title);
    const workingDir = await validateWorkingDir(input.workingDir, this.#options.workingDirRoot);
    const team = this.#team(input.team ?? undefined);
    const permissions = validatePermissions(input.permissions ?? { allow: [], ask: [], deny: [] });
    const attributes = input.attributes === undefined || input.attributes === null ? {} : validateAttributes(input.attributes);
    const limits = {
      maxIterations: validateCount(input.limits?.maxIterations ?? 0, 'limits.maxIterations'),
      maxConsecutiveToolCalls: validateCount(input.limits?.maxConsecutiveToolCalls ?? 0, 'limits.maxConsecutiveToolCalls'),
      maxOldToolCallTokens: validateCount(input.limits?.maxOldToolCallTokens ?? 0, 'limits.maxOldToolCallTokens'),
    };
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

    const events = await this.#writer.persist('createSession', null, async (tx) => {
      await tx.session.create({
        data: {
          id,
          title,
          workingDir,
          teamName: team.name,
          currentAgent: runtime.currentAgent,
          permissions: JSON.stringify(permissions),
          safetyPolicy: input.safetyPolicy ?? 'ASK_UNSAFE',
          ...limits,
          attributes: JSON.stringify(attributes),
          lastEventSeq: start ? 2 : 1,
          agentModelOverrides: { create: overrides.map(({ agentName, modelRef }) => ({ agentName, modelRef })) },
        },
      });
      return this.#creationEvents(tx, id, { title, team: team.name }, start ? runtime.currentAgent : null);
    });
    if (start) this.#runtimes.attach(runtime);
    this.#log.info('session created', { sessionId: id, team: team.name, running: start });
    events.forEach((event) => this.#writer.publish(event));
    return this.#requireSession(id);
  }

  /**
   * A new session with the source's settings, overrides, custom models and the messages before
   * `beforeMessageId` (all of them without it), titled "<title> (fork N)".
   */
  async forkSession(sourceId: string, beforeMessageId: string | null, start: boolean) {
    const source = await this.#prisma.session.findUnique({
      where: { id: sourceId },
      include: { agentModelOverrides: true, customModelsUsed: true },
    });
    if (!source) throw new SessionNotFoundError(sourceId);
    let beforePosition: number | undefined;
    if (beforeMessageId !== null) {
      const message = await this.#prisma.message.findUnique({ where: { id: beforeMessageId } });
      if (!message || message.sessionId !== sourceId) {
        throw new InvalidInputError('beforeMessageId', 'the message is not in the session being forked');
      }
      beforePosition = message.position;
    }
    const team = this.#team(source.teamName);
    const runtime = new AgentRuntime(randomUUID(), team, team.agents.some((a) => a.name === source.currentAgent) ? source.currentAgent : team.agents[0]!.name, this.#createProvider);
    for (const override of source.agentModelOverrides) {
      try {
        runtime.setOverride(override.agentName, await runtime.resolveModel(override.modelRef));
      } catch {
        // Kept in the store as it was; the runtime skips it, as startSession does.
      }
    }
    const id = runtime.sessionId;

    const { events, title } = await this.#writer.persist('forkSession', sourceId, async (tx) => {
      const forks = await tx.session.count({ where: { forkedFromId: sourceId } });
      const suffix = ` (fork ${forks + 1})`;
      const title = source.title.slice(0, LIMITS.title - suffix.length) + suffix;
      const messages = await tx.message.findMany({
        where: { sessionId: sourceId, ...(beforePosition !== undefined && { position: { lt: beforePosition } }) },
        orderBy: { position: 'asc' },
      });
      await tx.session.create({
        data: {
          id,
          title,
          workingDir: source.workingDir,
          teamName: source.teamName,
          currentAgent: runtime.currentAgent,
          permissions: source.permissions,
          safetyPolicy: source.safetyPolicy,
          maxIterations: source.maxIterations,
          maxConsecutiveToolCalls: source.maxConsecutiveToolCalls,
          maxOldToolCallTokens: source.maxOldToolCallTokens,
          attributes: source.attributes,
          forkedFromId: sourceId,
          lastEventSeq: start ? 2 : 1,
          agentModelOverrides: { create: source.agentModelOverrides.map(({ agentName, modelRef }) => ({ agentName, modelRef })) },
          customModelsUsed: { create: source.customModelsUsed.map(({ position, modelRef }) => ({ position, modelRef })) },
          messages: {
            create: messages.map((message, index) => ({
              id: randomUUID(),
              position: index + 1,
              role: message.role,
              agentName: message.agentName,
              content: message.content,
            })),
          },
        },
      });
      const events = await this.#creationEvents(
        tx,
        id,
        { title, team: source.teamName, forkedFrom: sourceId, messages: messages.length },
        start ? runtime.currentAgent : null,
      );
      return { events, title };
    });
    if (start) this.#runtimes.attach(runtime);
    this.#log.info('session forked', { sessionId: id, from: sourceId, title });
    events.forEach((event) => this.#writer.publish(event));
    return this.#requireSession(id);
  }

  /** Attaches a runtime; stored overrides are re-applied, and one that no longer resolves is skipped. */
  async startSession(sessionId: string) {
    return this.#writer.lock.run(sessionId, async () => {
      if (this.#runtimes.isRunning(sessionId)) return this.#requireSession(sessionId);
      const session = await this.#prisma.session.findUnique({
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
      await this.#writer.commit('startSession', sessionId, 'SESSION_STARTED', agentName, async () => ({
        payload: {},
        result: undefined,
      }));
      this.#runtimes.attach(runtime);
      this.#log.info('session started', { sessionId });
      return this.#requireSession(sessionId);
    });
  }

  async stopSession(sessionId: string) {
    return this.#writer.lock.run(sessionId, async () => {
      const runtime = this.#runtimes.get(sessionId);
      if (!runtime) return this.#requireSession(sessionId);
      await this.#writer.commit('stopSession', sessionId, 'SESSION_STOPPED', runtime.currentAgent, async () => ({
        payload: {},
        result: undefined,
      }));
      this.#runtimes.detach(sessionId);
      this.#log.info('session stopped', { sessionId });
      return this.#requireSession(sessionId);
    });
  }

  /**
   * Deletes a session and its log. Every stream of it receives SESSION_EXITED and ends; the id is never
   * used again (ids are random UUIDs), so a deleted session stays deleted.
   */
  async deleteSession(sessionId: string): Promise<{ sessionId: string }> {
    return this.#writer.lock.run(sessionId, async () => {
      const deleted = await this.#writer.persist('deleteSession', sessionId, (tx) =>
        tx.session.delete({ where: { id: sessionId }, select: { lastEventSeq: true } }),
      );
      this.#runtimes.detach(sessionId);
      this.#log.info('session deleted', { sessionId });
      this.#writer.publish({
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

    return this.#writer.lock.run(sessionId, async () => {
      if (this.#runtimes.get(sessionId) !== runtime) throw new SessionNotRunningError(sessionId);
      const agentName = runtime.currentAgent;
      const previous = runtime.setOverride(agentName, resolved);
      const change = { modelRef: resolved?.ref ?? null, previousModelRef: previous?.ref ?? null };
      const { event } = await this.#rollingBack(
        () => runtime.setOverride(agentName, previous ?? null),
        () =>
          this.#writer.commit('setSessionAgentModel', sessionId, 'MODEL_CHANGED', agentName, async (tx) => {
            await recordOverride(tx, sessionId, agentName, change.modelRef);
            return { payload: change, result: undefined };
          }),
        { sessionId, agent: agentName, modelRef },
      );
      return { sessionId, agentName, ...change, seq: event.seq };
    });
  }

  /** Makes another agent of the team current; runtime first, rolled back if the store rejects. */
  async switchAgent(sessionId: string, agentName: string): Promise<AgentSwitch> {
    const runtime = await this.#runningRuntime(sessionId);
    const agents = runtime.team.agents.map((agent) => agent.name);
    if (!agents.includes(agentName)) throw new AgentNotFoundError(agentName, agents);
    return this.#writer.lock.run(sessionId, async () => {
      if (this.#runtimes.get(sessionId) !== runtime) throw new SessionNotRunningError(sessionId);
      const previousAgentName = runtime.switchAgent(agentName);
      const { event } = await this.#rollingBack(
        () => runtime.switchAgent(previousAgentName),
        () =>
          this.#writer.commit('switchAgent', sessionId, 'CURRENT_AGENT_SWITCHED', agentName, async (tx) => {
            await tx.session.update({ where: { id: sessionId }, data: { currentAgent: agentName } });
            return { payload: { previousAgentName }, result: undefined };
          }),
        { sessionId, agent: agentName },
      );
      return { sessionId, agentName, previousAgentName, seq: event.seq };
    });
  }

  /** Persists a runtime change; if the store rejects it, `undo` puts the runtime back first. */
  async #rollingBack<T>(undo: () => unknown, persist: () => Promise<T>, context: Record<string, unknown>): Promise<T> {
    try {
      return await persist();
    } catch (error) {
      undo();
      this.#log.warn('runtime change rolled back', context);
      throw error;
    }
  }

  async #creationEvents(tx: TransactionClient, id: string, payload: Record<string, unknown>, startedAgent: string | null) {
    const created = await this.#writer.events.write(tx, id, 1, 'SESSION_CREATED', null, payload);
    if (startedAgent === null) return [created];
    return [created, await this.#writer.events.write(tx, id, 2, 'SESSION_STARTED', startedAgent, {})];
  }

  async #runningRuntime(sessionId: string): Promise<AgentRuntime> {
    const runtime = this.#runtimes.get(sessionId);
    if (runtime) return runtime;
    const exists = await this.#prisma.session.count({ where: { id: sessionId } });
    throw exists ? new SessionNotRunningError(sessionId) : new SessionNotFoundError(sessionId);
  }

  async #requireSession(sessionId: string) {
    const session = await this.#prisma.session.findUnique({ where: { id: sessionId } });
    if (!session) throw new SessionNotFoundError(sessionId);
    return session;
  }

  #team(name: string | undefined): Team {
    const teamName = name ?? this.#options.defaultTeam;
    const team = this.#teams.get(teamName);
    if (!team) throw new TeamNotFoundError(teamName, this.#teams.list().map((candidate) => candidate.name));
    return team;
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
