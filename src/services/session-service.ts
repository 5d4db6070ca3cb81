/**
 * Session lifecycle and the changes that touch the runtime. Each one prepares what is slow (resolving
 * models, building a runtime) before it asks for anything, then hands the change to the session
 * writer, which applies it to the runtime first and the store second, undoing the runtime change if
 * the store does not take it. Knows nothing of GraphQL.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import {
  AgentRuntime,
  type ModelProviderFactory,
  type ResolvedModel,
  type ToolsetFactory,
} from '../runtime/agent-runtime.js';
import type { RuntimeRegistry } from '../runtime/registry.js';
import type { Team, TeamCatalog } from '../runtime/team.js';
import {
  AgentNotFoundError,
  InvalidInputError,
  ModelSwitchingNotSupportedError,
  RunningElsewhereError,
  SessionNotFoundError,
  SessionNotRunningError,
  TeamNotFoundError,
} from './errors.js';
import type { RuntimeRouting } from './runtime-routing.js';
import type { RuntimeFact } from '../runtime/runtime-change.js';
import type { SessionSettings } from './session-store.js';
import type { SessionWriter } from './session-writer.js';
import {
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

/** What a runtime is built from: the session as stored. */
interface StoredSession {
  id: string;
  teamName: string;
  currentAgent: string;
  agentModelOverrides: { agentName: string; modelRef: string }[];
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
  /** How runtimes create model clients (the AI SDK's providers, with the server's credentials). */
  createModelProvider: ModelProviderFactory;
  /** How runtimes start their agents' toolsets. */
  startToolset: ToolsetFactory;
  /** Sends operations on a runtime held by another instance to that instance. */
  routing: RuntimeRouting;
}

export class SessionService {
  readonly #prisma: Store;
  readonly #writer: SessionWriter;
  readonly #runtimes: RuntimeRegistry;
  readonly #teams: TeamCatalog;
  readonly #log: Logger;
  readonly #options: SessionServiceOptions;
  readonly #createProvider: ModelProviderFactory;
  /** The operations that need the runtime, each carried out by the instance that holds it. */
  readonly #routed;

  constructor(options: SessionServiceOptions) {
    this.#options = options;
    this.#prisma = options.prisma;
    this.#writer = options.writer;
    this.#runtimes = options.runtimes;
    this.#teams = options.teams;
    this.#log = options.log.child({ component: 'sessions' });
    this.#createProvider = options.createModelProvider;
    const { routing } = options;
    this.#routed = {
      setSessionAgentModel: routing.operation('setSessionAgentModel', (args: { sessionId: string; modelRef: string }) =>
        this.#setSessionAgentModelHere(args.sessionId, args.modelRef),
      ),
      switchAgent: routing.operation('switchAgent', (args: { sessionId: string; agentName: string }) =>
        this.#switchAgentHere(args.sessionId, args.agentName),
      ),
      stopSession: routing.operation('stopSession', (args: { sessionId: string }) => this.#stopSessionHere(args.sessionId)),
      deleteSession: routing.operation('deleteSession', (args: { sessionId: string }) => this.#deleteSessionHere(args.sessionId)),
    };
  }

  /** Creates a session belonging to `ownerId` (null: none). */
  async createSession(input: CreateSessionInput, ownerId: string | null) {
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
    const runtime = new AgentRuntime(randomUUID(), team, team.agents[0]!.name, this.#createProvider, this.#options.startToolset);

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
    const settings: SessionSettings = {
      title,
      workingDir,
      teamName: team.name,
      currentAgent: runtime.currentAgent,
      permissions,
      safetyPolicy: input.safetyPolicy ?? 'ASK_UNSAFE',
      limits,
      attributes,
      ownerId,
    };
    const sessionId = runtime.sessionId;
    await this.#writer.change({
      operation: 'createSession',
      sessionId,
      runtime: input.start === false ? undefined : this.#runtimes.attachment(runtime),
      writes: [{ kind: 'createSession', settings, overrides: overrides.map(({ agentName, modelRef }) => ({ agentName, modelRef })) }],
    });
    this.#log.info('session created', { sessionId, team: team.name, running: this.#runtimes.isRunning(sessionId) });
    return this.#requireSession(sessionId);
  }

  /**
   * A new session with the source's settings, overrides, custom models and the messages before
   * `beforeMessageId` (all of them without it), titled "<title> (fork N)".
   */
  async forkSession(sourceId: string, beforeMessageId: string | null, start: boolean, ownerId: string | null) {
    const source = await this.#prisma.session.findUnique({ where: { id: sourceId }, include: { agentModelOverrides: true } });
    if (!source) throw new SessionNotFoundError(sourceId);
    let beforePosition: number | undefined;
    if (beforeMessageId !== null) {
      const message = await this.#prisma.message.findUnique({ where: { id: beforeMessageId } });
      if (!message || message.sessionId !== sourceId) {
        throw new InvalidInputError('beforeMessageId', 'the message is not in the session being forked');
      }
      beforePosition = message.position;
    }
    // A fork keeps what the source stores; an override that no longer resolves is left out of its runtime.
    const { runtime } = await this.#runtimeFor(randomUUID(), source);
    const sessionId = runtime.sessionId;
    await this.#writer.change({
      operation: 'forkSession',
      sessionId,
      runtime: start ? this.#runtimes.attachment(runtime) : undefined,
      writes: [{ kind: 'forkSession', sourceId, beforePosition, currentAgent: runtime.currentAgent, ownerId }],
    });
    this.#log.info('session forked', { sessionId, from: sourceId });
    return this.#requireSession(sessionId);
  }

  /**
   * Attaches a runtime here and takes the session's lease; stored overrides are re-applied, and one that
   * no longer resolves is cleared in the same change (so that store and runtime agree). A session that
   * runs already, here or on another instance, is left as it is.
   */
  async startSession(sessionId: string) {
    if (!this.#runtimes.isRunning(sessionId)) {
      const session = await this.#prisma.session.findUnique({ where: { id: sessionId }, include: { agentModelOverrides: true } });
      if (!session) throw new SessionNotFoundError(sessionId);
      if (session.runtimeInstanceId === null) await this.#start(session);
    }
    return this.#requireSession(sessionId);
  }

  async #start(session: StoredSession): Promise<void> {
    const sessionId = session.id;
    const { runtime, skipped } = await this.#runtimeFor(sessionId, session);
    const clearSkipped: RuntimeFact[] = skipped.map((override) => ({
      kind: 'modelSet',
      agentName: override.agentName,
      modelRef: null,
      previousModelRef: override.modelRef,
    }));
    const attachment = this.#runtimes.attachment(runtime);
    try {
      // Started meanwhile by another request: the attachment finds a runtime and changes nothing. Once
      // started, the overrides it could not re-apply are cleared, recorded after SessionStarted.
      const events = await this.#writer.change({
        operation: 'startSession',
        sessionId,
        runtime: {
          apply: () => {
            const started = attachment.apply();
            return started.length > 0 ? [...started, ...clearSkipped] : [];
          },
          undo: attachment.undo,
        },
      });
      if (events.length > 0) this.#log.info('session started', { sessionId });
    } catch (error) {
      // Another instance took the lease first: the session runs, there.
      if (!(error instanceof RunningElsewhereError)) throw error;
      await runtime.close();
    }
  }

  /** Cancels the running turn first (its partial reply kept), then detaches the runtime. */
  async stopSession(sessionId: string) {
    await this.#routed.stopSession({ sessionId });
    return this.#requireSession(sessionId);
  }

  async #stopSessionHere(sessionId: string, reason: 'STOPPED' | 'SERVER_STOPPED' = 'STOPPED'): Promise<void> {
    await this.#runtimes.cancelTurn(sessionId);
    const runtime = this.#runtimes.get(sessionId);
    const events = await this.#writer.change({
      operation: reason === 'STOPPED' ? 'stopSession' : 'stopAtShutdown',
      sessionId,
      runtime: this.#runtimes.detachment(sessionId, { record: true, reason }),
    });
    await this.#closeDetached(runtime);
    if (events.length > 0) this.#log.info('session stopped', { sessionId, reason });
  }

  /**
   * The server stops cleanly: each session it holds is stopped (SERVER_STOPPED), so that the store says
   * it no longer runs and it can be started on another instance at once. Turns were ended before.
   */
  async stopAllHere(): Promise<void> {
    await Promise.all(
      this.#runtimes.ids().map((sessionId) =>
        this.#stopSessionHere(sessionId, 'SERVER_STOPPED').catch((error: unknown) => {
          this.#log.warn('session could not be stopped as the server stops; its lease expires instead', {
            sessionId,
            error: (error as Error).message,
          });
          return this.#closeDetached(this.#runtimes.forget(sessionId));
        }),
      ),
    );
  }

  /**
   * Starts, here, a session whose runtime was lost (RESTART_LOST_SESSIONS), with its stored overrides.
   * Whoever gets there first runs it; the others find it running and leave it.
   */
  async restartLost(sessionId: string): Promise<void> {
    const session = await this.#prisma.session.findUnique({ where: { id: sessionId }, include: { agentModelOverrides: true } });
    if (session && session.runtimeInstanceId === null && !this.#runtimes.isRunning(sessionId)) await this.#start(session);
  }

  /** Stops the toolsets (MCP servers…) of a runtime once it is no longer the session's. */
  async #closeDetached(runtime: AgentRuntime | undefined) {
    if (runtime && this.#runtimes.get(runtime.sessionId) !== runtime) await runtime.close();
  }

  /**
   * Deletes a session and its log. Every stream of it receives SESSION_EXITED and ends; the id is never
   * used again (ids are random UUIDs), so a deleted session stays deleted.
   */
  async deleteSession(sessionId: string): Promise<{ sessionId: string }> {
    return this.#routed.deleteSession({ sessionId });
  }

  async #deleteSessionHere(sessionId: string): Promise<{ sessionId: string }> {
    await this.#runtimes.cancelTurn(sessionId);
    const runtime = this.#runtimes.get(sessionId);
    await this.#writer.change({
      operation: 'deleteSession',
      sessionId,
      runtime: this.#runtimes.detachment(sessionId, { record: false }),
      writes: [{ kind: 'deleteSession' }],
    });
    await this.#closeDetached(runtime);
    this.#log.info('session deleted', { sessionId });
    return { sessionId };
  }

  /**
   * Puts an override on the current agent (empty `modelRef` clears it). The runtime changes first; if
   * the store then rejects the change, for whatever reason, the runtime gets its previous override back.
   */
  async setSessionAgentModel(sessionId: string, modelRef: string): Promise<ModelSwitch> {
    return this.#routed.setSessionAgentModel({ sessionId, modelRef });
  }

  async #setSessionAgentModelHere(sessionId: string, modelRef: string): Promise<ModelSwitch> {
    const runtime = await this.runningRuntime(sessionId);
    if (!runtime.supportsModelSwitching) throw new ModelSwitchingNotSupportedError(sessionId, runtime.team.name);
    // Creating a provider can be slow; it changes nothing, so it runs before the change waits its turn.
    const resolved: ResolvedModel | null = modelRef === '' ? null : await runtime.resolveModel(modelRef);
    const [event] = await this.#writer.change({
      operation: 'setSessionAgentModel',
      sessionId,
      runtime: this.#runtimes.whileAttached(runtime, runtime.modelChange(resolved), () => new SessionNotRunningError(sessionId)),
    });
    if (event?.kind !== 'MODEL_CHANGED') throw new Error('a model switch must record MODEL_CHANGED');
    return { sessionId, agentName: event.agentName!, ...event.payload, seq: event.seq };
  }

  /** Makes another agent of the team current; runtime first, rolled back if the store rejects. */
  async switchAgent(sessionId: string, agentName: string): Promise<AgentSwitch> {
    return this.#routed.switchAgent({ sessionId, agentName });
  }

  async #switchAgentHere(sessionId: string, agentName: string): Promise<AgentSwitch> {
    const runtime = await this.runningRuntime(sessionId);
    const agents = runtime.team.agents.map((agent) => agent.name);
    if (!agents.includes(agentName)) throw new AgentNotFoundError(agentName, agents);
    const [event] = await this.#writer.change({
      operation: 'switchAgent',
      sessionId,
      runtime: this.#runtimes.whileAttached(runtime, runtime.agentChange(agentName), () => new SessionNotRunningError(sessionId)),
    });
    if (event?.kind !== 'CURRENT_AGENT_SWITCHED') throw new Error('an agent switch must record CURRENT_AGENT_SWITCHED');
    return { sessionId, agentName, previousAgentName: event.payload.previousAgentName, seq: event.seq };
  }

  /**
   * A runtime for a stored session: its current agent (the team's first if the team no longer has it)
   * and its stored overrides, each re-applied if it still resolves and skipped, with a warning, if not.
   */
  async #runtimeFor(
    sessionId: string,
    stored: StoredSession,
  ): Promise<{ runtime: AgentRuntime; skipped: { agentName: string; modelRef: string }[] }> {
    const team = this.#team(stored.teamName);
    const agentName = team.agents.some((agent) => agent.name === stored.currentAgent) ? stored.currentAgent : team.agents[0]!.name;
    const runtime = new AgentRuntime(sessionId, team, agentName, this.#createProvider, this.#options.startToolset);
    const skipped: { agentName: string; modelRef: string }[] = [];
    for (const override of stored.agentModelOverrides) {
      try {
        runtime.setOverride(override.agentName, await runtime.resolveModel(override.modelRef));
      } catch (error) {
        skipped.push(override);
        this.#log.warn('stored model override skipped: it no longer resolves', {
          sessionId: stored.id,
          agent: override.agentName,
          modelRef: override.modelRef,
          reason: (error as Error).message,
        });
      }
    }
    return { runtime, skipped };
  }

  /** The session's runtime; SessionNotRunning, or SessionNotFound for a session that does not exist. */
  async runningRuntime(sessionId: string): Promise<AgentRuntime> {
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

