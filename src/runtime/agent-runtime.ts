/**
 * The live side of a running session: its team, its current agent, and the model each agent uses
 * right now. It knows nothing of the store; the session service decides what to persist.
 */
import { InvalidModelRefError, isInlineRef, parseModelRef, type ParsedModelRef } from './model-ref.js';
import type { RuntimeChange } from './runtime-change.js';
import type { Team } from './team.js';

/** A model a runtime can talk to, made by a ModelProviderFactory. */
export interface ModelProvider {
  provider: string;
  model: string;
}

/**
 * Makes the client for one model. In docker-agent this dials the provider and can be slow or fail;
 * a failure rejects the ref. The default makes a descriptor and never fails.
 */
export type ModelProviderFactory = (spec: { provider: string; model: string; ref: string }) => Promise<ModelProvider>;

export const describeModelProvider: ModelProviderFactory = async ({ provider, model }) => ({ provider, model });

/** A ref that passed validation and whose providers exist: applying it can no longer fail. */
export interface ResolvedModel {
  ref: string;
  parsed: ParsedModelRef;
  providers: ModelProvider[];
}

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

  constructor(
    readonly sessionId: string,
    readonly team: Team,
    currentAgent: string,
    private readonly createProvider: ModelProviderFactory = describeModelProvider,
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
    const specs = parsed.kind === 'alloy' ? parsed.parts : [parsed];
    try {
      const providers = await Promise.all(specs.map((spec) => this.createProvider({ ...spec, ref })));
      return { ref, parsed, providers };
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
