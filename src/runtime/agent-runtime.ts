/**
 * The live side of a running session: its team, its current agent, the model each agent uses right
 * now, and the turn it runs, if any. It knows nothing of the store; the services decide what to persist.
 */
import type { ModelClient } from './model-client.js';
import { InvalidModelRefError, isInlineRef, parseModelRef, type ParsedModelRef } from './model-ref.js';
import type { ModelSpec } from './providers.js';
import type { RuntimeChange, TurnEndFact, TurnPause, TurnResume } from './runtime-change.js';
import type { ModelConfig, Team } from './team.js';
import type { StartedToolset, Tool, ToolsetConfig } from './tools/tool.js';

/**
 * Makes the client for one model, as docker-agent does when it resolves a ref: it can fail (an unknown
 * provider, missing credentials), and then the ref is rejected.
 */
export type ModelProviderFactory = (spec: ModelSpec) => Promise<ModelClient>;

/**
 * Starts one toolset of an agent (an MCP server's process, say). Rejects when it cannot start; the
 * agent then runs without its tools and the failure is reported.
 */
export type ToolsetFactory = (config: ToolsetConfig) => Promise<StartedToolset>;

/** An agent's tools, started on its first turn and kept for the runtime's life. */
export interface AgentTools {
  tools: Tool[];
  /** Toolsets that failed to start, named, with why. */
  failures: { toolset: string; message: string }[];
}

/** A ref that passed validation and whose clients exist: applying it can no longer fail. */
export interface ResolvedModel {
  ref: string;
  parsed: ParsedModelRef;
  /** One client per part (an alloy has several; each call uses the next). */
  providers: ModelClient[];
  /** Beside each client, the team's config of the model it calls, if the team names it (cost…). */
  configs: (ModelConfig | undefined)[];
}

/** One model call's model: the ref, the client of the part to call, and its team config. */
export interface CallableModel {
  ref: string;
  client: ModelClient;
  config?: ModelConfig;
}

export type TurnState = 'RUNNING' | 'AWAITING_CONFIRMATION' | 'AWAITING_ITERATION_APPROVAL' | 'AWAITING_ELICITATION';

/** A turn waiting for the user: why, and how to wake it once the answer is stored. */
export interface PendingPause {
  pause: TurnPause;
  wake(resume: TurnResume): void;
}

/** The turn a runtime is running: one at a time. */
export interface RuntimeTurn {
  id: string;
  agentName: string;
  startedAt: Date;
  state: TurnState;
  /** Set while the turn waits for the user. */
  pending?: PendingPause;
  /** Aborting it cancels the turn: the provider's stream ends, a wait for the user ends. */
  controller: AbortController;
  /** Settles once the turn has ended and its end is recorded. */
  done: Promise<void>;
}

/** The state a turn waits in, by why it waits. */
export const STATE_OF_PAUSE: Record<TurnPause['kind'], TurnState> = {
  confirmation: 'AWAITING_CONFIRMATION',
  maxIterations: 'AWAITING_ITERATION_APPROVAL',
  elicitation: 'AWAITING_ELICITATION',
};

export interface AvailableModel {
  name: string;
  ref: string;
  provider: string;
  model: string;
  isDefault: boolean;
  isCurrent: boolean;
  isCustom: boolean;
}

export class AgentRuntime {
  #currentAgent: string;
  readonly #overrides = new Map<string, ResolvedModel>();
  /** Default and fallback models, resolved when a turn first needs them. */
  readonly #resolved = new Map<string, Promise<ResolvedModel>>();
  #turn: RuntimeTurn | undefined;
  #calls = 0;
  /** Each agent's toolsets, started on its first turn. */
  readonly #tools = new Map<string, Promise<{ started: StartedToolset[]; tools: AgentTools }>>();

  constructor(
    readonly sessionId: string,
    readonly team: Team,
    currentAgent: string,
    private readonly createProvider: ModelProviderFactory,
    private readonly startToolset: ToolsetFactory = () => Promise.reject(new Error('this runtime runs no tools')),
  ) {
    if (!team.agents.some((agent) => agent.name === currentAgent)) {
      throw new Error(`team "${team.name}" has no agent "${currentAgent}"`);
    }
    this.#currentAgent = currentAgent;
  }

  get currentAgent(): string {
    return this.#currentAgent;
  }

  get supportsModelSwitching(): boolean {
    return this.team.modelSwitching;
  }

  /** Makes another agent of the team the current one; returns the previous. Throws for an unknown agent. */
  switchAgent(agentName: string): string {
    this.#agent(agentName);
    const previous = this.#currentAgent;
    this.#currentAgent = agentName;
    return previous;
  }

  /** The override of an agent, if it has one. */
  overrideOf(agentName: string): ResolvedModel | undefined {
    return this.#overrides.get(agentName);
  }

  /** The ref an agent runs on now: its override, else its default. */
  modelRefOf(agentName: string): string {
    return this.#overrides.get(agentName)?.ref ?? this.#agent(agentName).model;
  }

  /**
   * Validates a ref and creates its providers; the slow part of a switch, which changes nothing.
   * Throws InvalidModelRefError for a ref the runtime does not accept.
   */
  async resolveModel(ref: string): Promise<ResolvedModel> {
    const parsed = parseModelRef(this.team, ref);
    // The canonical form (an alloy's parts trimmed): one model, one override and one custom ref.
    const canonical = parsed.ref;
    const parts = parsed.kind === 'alloy' ? parsed.parts : [parsed];
    try {
      const providers = await Promise.all(
        parts.map((part) =>
          this.createProvider({
            provider: part.provider,
            model: part.model,
            ref: canonical,
            config: 'config' in part ? part.config : undefined,
            providers: this.team.providers,
          }),
        ),
      );
      return { ref: canonical, parsed, providers, configs: parts.map((part) => ('config' in part ? part.config : undefined)) };
    } catch (error) {
      throw new InvalidModelRefError(ref, `the provider could not be created: ${(error as Error).message}`);
    }
  }

  /** Sets (or, with null, clears) an agent's override and returns the one it replaces. Cannot fail. */
  setOverride(agentName: string, model: ResolvedModel | null): ResolvedModel | undefined {
    this.#agent(agentName);
    const previous = this.#overrides.get(agentName);
    if (model) this.#overrides.set(agentName, model);
    else this.#overrides.delete(agentName);
    return previous;
  }

  /**
   * Puts `model` on the agent that is current when the change is applied (null clears its override).
   * The model was resolved beforehand, so applying cannot fail.
   */
  modelChange(model: ResolvedModel | null): RuntimeChange {
    let agentName = this.#currentAgent;
    let previous: ResolvedModel | undefined;
    return {
      apply: () => {
        agentName = this.#currentAgent;
        previous = this.setOverride(agentName, model);
        return [{ kind: 'modelSet', agentName, modelRef: model?.ref ?? null, previousModelRef: previous?.ref ?? null }];
      },
      undo: () => void this.setOverride(agentName, previous ?? null),
    };
  }

  /** Makes `agentName` current; the caller has checked that the team has it. */
  agentChange(agentName: string): RuntimeChange {
    let previousAgentName = this.#currentAgent;
    return {
      apply: () => {
        previousAgentName = this.switchAgent(agentName);
        return [{ kind: 'agentSwitched', agentName, previousAgentName }];
      },
      undo: () => void this.switchAgent(previousAgentName),
    };
  }

  /** The turn running now, if any. */
  get turn(): RuntimeTurn | undefined {
    return this.#turn;
  }

  /**
   * The model an agent calls now, read afresh for every call: its override, else its default (resolved
   * on first use). An alloy hands out its parts in turn. Throws InvalidModelRefError when the default
   * cannot be resolved (its credentials are missing, say).
   */
  async modelFor(agentName: string): Promise<CallableModel> {
    const resolved = this.#overrides.get(agentName) ?? (await this.#resolveCached(this.#agent(agentName).model));
    return this.#nextPart(resolved);
  }

  /**
   * Where an agent falls back when `ref` keeps failing: the agent's `fallback.models` (docker-agent's
   * shape), else the model's own `fallback` list.
   */
  fallbacksOf(agentName: string, ref: string): string[] {
    return this.#agent(agentName).fallback?.models ?? this.team.models.get(ref)?.fallback ?? [];
  }

  /** A fallback model, resolved once and kept, like a default. */
  async fallbackModel(ref: string): Promise<CallableModel> {
    return this.#nextPart(await this.#resolveCached(ref));
  }

  async #resolveCached(ref: string): Promise<ResolvedModel> {
    let pending = this.#resolved.get(ref);
    if (!pending) {
      pending = this.resolveModel(ref);
      this.#resolved.set(ref, pending);
      // A failure is not kept: the credentials may be there next time.
      pending.catch(() => this.#resolved.delete(ref));
    }
    return pending;
  }

  #nextPart(resolved: ResolvedModel): CallableModel {
    const part = this.#calls++ % resolved.providers.length;
    return { ref: resolved.ref, client: resolved.providers[part]!, config: resolved.configs[part] };
  }

  /**
   * Starts `turn`, with the messages that open it. `busy` makes the error for a runtime that already
   * runs a turn (checked when the change applies, under the session's lock).
   */
  turnStart(turn: RuntimeTurn, userMessages: { id: string; role: string; content: string }[], busy: () => Error): RuntimeChange {
    return {
      apply: () => {
        if (this.#turn) throw busy();
        this.#turn = turn;
        const { id: turnId, agentName, startedAt } = turn;
        return [{ kind: 'turnStarted', turnId, agentName, startedAt, model: this.modelRefOf(agentName), userMessages }];
      },
      undo: () => {
        if (this.#turn === turn) this.#turn = undefined;
      },
    };
  }

  /**
   * Ends the turn. Not undone if the store rejects the record of its end: the turn is over either way,
   * and a log that lacks its end is closed by the record written when the server next starts.
   */
  turnEnd(end: Omit<TurnEndFact, 'kind'>): RuntimeChange {
    return {
      apply: () => {
        if (this.#turn?.id === end.turnId) this.#turn = undefined;
        return [{ kind: 'turnEnded', ...end }];
      },
      undo: () => {},
    };
  }

  /**
   * Pauses the running turn until the user answers: the turn's state says why. The answer is given by
   * `turnResume` and, once stored, `pending.wake`.
   */
  turnPause(turn: RuntimeTurn, pending: PendingPause): RuntimeChange {
    return {
      apply: () => {
        if (this.#turn !== turn) throw new Error('only the running turn can pause');
        turn.pending = pending;
        turn.state = STATE_OF_PAUSE[pending.pause.kind];
        return [{ kind: 'turnPaused', turnId: turn.id, agentName: turn.agentName, pause: pending.pause }];
      },
      undo: () => {
        if (turn.pending !== pending) return;
        turn.pending = undefined;
        turn.state = 'RUNNING';
      },
    };
  }

  /**
   * Resumes `turn` from the pause `pending` with the user's answer. `check` refuses an answer that does
   * not fit the pause; `notPaused` makes the error for a turn no longer paused there (another client
   * answered first, or the turn ended). The caller wakes the turn once the change is stored.
   */
  turnResume(
    turn: RuntimeTurn,
    pending: PendingPause,
    resume: TurnResume,
    notPaused: () => Error,
  ): RuntimeChange {
    return {
      apply: () => {
        if (this.#turn !== turn || turn.pending !== pending) throw notPaused();
        turn.pending = undefined;
        turn.state = 'RUNNING';
        return [{ kind: 'turnResumed', turnId: turn.id, agentName: turn.agentName, pause: pending.pause, resume }];
      },
      undo: () => {
        if (this.#turn !== turn || turn.pending !== undefined) return;
        turn.pending = pending;
        turn.state = STATE_OF_PAUSE[pending.pause.kind];
      },
    };
  }

  /**
   * An agent's tools: its toolsets are started on first use, once per runtime, and kept until `close`.
   * A toolset that fails to start is left out and reported in `failures` (once: later calls see none).
   */
  async toolsFor(agentName: string): Promise<AgentTools> {
    let pending = this.#tools.get(agentName);
    const first = !pending;
    if (!pending) {
      pending = this.#startTools(this.#agent(agentName).toolsets);
      this.#tools.set(agentName, pending);
    }
    const { tools } = await pending;
    return first ? tools : { tools: tools.tools, failures: [] };
  }

  async #startTools(configs: readonly ToolsetConfig[]) {
    const settled = await Promise.allSettled(configs.map((config) => this.startToolset(config)));
    const started: StartedToolset[] = [];
    const tools: AgentTools = { tools: [], failures: [] };
    settled.forEach((result, index) => {
      const config = configs[index]!;
      if (result.status === 'rejected') {
        tools.failures.push({ toolset: toolsetName(config), message: (result.reason as Error).message });
        return;
      }
      started.push(result.value);
      const wanted = config.tools && new Set(config.tools);
      for (const tool of result.value.tools) {
        if (wanted && !wanted.has(tool.name)) continue;
        // The first toolset to offer a name keeps it: the model must call each name unambiguously.
        if (!tools.tools.some((known) => known.name === tool.name)) tools.tools.push(tool);
      }
    });
    return { started, tools };
  }

  /** Stops every toolset the runtime started (MCP servers' processes…); the runtime is done with. */
  async close(): Promise<void> {
    const all = [...this.#tools.values()];
    this.#tools.clear();
    await Promise.all(all.map(async (pending) => Promise.all((await pending).started.map((toolset) => toolset.close()))));
  }

  /** The models the current agent can switch to, the one in use marked current. */
  availableModels(customRefs: readonly string[]): AvailableModel[] {
    return listAvailableModels(this.team, this.#currentAgent, this.#overrides.get(this.#currentAgent)?.ref, customRefs);
  }

  #agent(agentName: string) {
    const agent = this.team.agents.find((candidate) => candidate.name === agentName);
    if (!agent) throw new Error(`team "${this.team.name}" has no agent "${agentName}"`);
    return agent;
  }
}

/** How a toolset is named in reports: an MCP server by its name, the others by their type. */
export function toolsetName(config: ToolsetConfig): string {
  return config.type === 'mcp' ? config.name : config.type;
}

/**
 * docker-agent's list for an agent: the team's models (its default marked), then the session's custom
 * refs; the override in force, else the default, is current; an override the list lacks is appended.
 * Pure, so a stopped session's list comes from its stored override.
 */
export function listAvailableModels(
  team: Team,
  agentName: string,
  overrideRef: string | undefined,
  customRefs: readonly string[],
): AvailableModel[] {
  const agent = team.agents.find((candidate) => candidate.name === agentName) ?? team.agents[0]!;
  const current = overrideRef ?? agent.model;
  const list: AvailableModel[] = [...team.models.values()].map((model) => ({
    name: model.name,
    ref: model.name,
    provider: model.provider,
    model: model.model,
    isDefault: model.name === agent.model,
    isCurrent: model.name === current,
    isCustom: false,
  }));
  const add = (ref: string, flags: Pick<AvailableModel, 'isDefault' | 'isCustom'>) => {
    if (list.some((entry) => entry.ref === ref)) return;
    let provider = 'unknown';
    let model = ref;
    try {
      const parsed = parseModelRef(team, ref);
      [provider, model] = parsed.kind === 'alloy' ? ['alloy', parsed.ref] : [parsed.provider, parsed.model];
    } catch {
      // A stored ref the team no longer accepts is still shown, so the user sees what is in force.
    }
    list.push({ name: ref, ref, provider, model, isCurrent: ref === current, ...flags });
  };
  if (isInlineRef(agent.model)) add(agent.model, { isDefault: true, isCustom: false });
  for (const ref of customRefs) add(ref, { isDefault: false, isCustom: true });
  add(current, { isDefault: false, isCustom: true });
  return list;
}
