/**
 * Teams: agent config files in docker-agent's YAML shape, loaded from the agents directory at start.
 * A file `<name>.yaml` defines the team `<name>`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  ALLOY_PROVIDER,
  InvalidModelRefError,
  isKnownProvider,
  parseModelRef,
  splitAlloy,
  type ModelRefScope,
} from './model-ref.js';
import { parsePermissions, parseToolsets, ToolConfigProblem, type PermissionsConfig } from './toolset-config.js';
import type { ToolsetConfig } from './tools/tool.js';

export interface ModelConfig {
  name: string;
  /** A built-in provider or one of the team's `providers`; `alloy` for a named alloy. */
  provider: string;
  /** The provider's model id; for a named alloy, its parts joined with ",". */
  model: string;
  /**
   * Set for a named alloy (docker-agent: a model with no `provider` whose `model` lists other models):
   * its parts as written, each a model name of the team or an inline ref. Nothing else is set then.
   */
  alloy?: string[];
  /** Where the provider's API is (an OpenAI-compatible server, a proxy); the provider's default otherwise. */
  baseUrl?: string;
  maxTokens?: number;
  temperature?: number;
  /** The environment variable holding the API key; the provider's default variable otherwise. */
  tokenKey?: string;
  /** Per-million-token prices, for the cost of a turn (models.dev's names: input, output, cache_*). */
  cost?: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
  /**
   * Models (names of the team or inline refs, never alloys) tried in order when this one keeps failing.
   * Not in docker-agent, which puts `fallback` on the agent (AgentConfig.fallback).
   */
  fallback?: string[];
}

/** A provider declared by the team (`providers:` in the YAML): a name for an API at some URL. */
export interface ProviderConfig {
  name: string;
  /**
   * The wire protocol: OpenAI chat completions (the default), OpenAI responses (docker-agent's other
   * value), Anthropic messages or Google Gemini.
   */
  apiType: 'openai_chatcompletions' | 'openai_responses' | 'anthropic' | 'google';
  /** Required, as in docker-agent: a custom provider has no default address. */
  baseUrl: string;
  tokenKey?: string;
}

/** docker-agent's agent-level `fallback: { models, retries, cooldown }`. */
export interface FallbackConfig {
  /** Tried in order when the agent's model fails: model names of the team or inline refs, never alloys. */
  models: string[];
  /** Retries per model on retryable errors; absent or 0 means docker-agent's default (2), -1 none. */
  retries?: number;
  /** How long to stay on a fallback after a non-retryable error before trying the primary again. */
  cooldownMs?: number;
}

export interface AgentConfig {
  name: string;
  description: string;
  instruction: string;
  /**
   * The agent's default model: a model name from the team, or an inline `provider/model` ref or alloy
   * (stored in canonical form: alloy parts trimmed).
   */
  model: string;
  subAgents: string[];
  fallback?: FallbackConfig;
  /** The agent's toolsets (docker-agent's `toolsets:`); none gives an agent without tools. */
  toolsets: ToolsetConfig[];
}

export interface Team {
  name: string;
  description: string;
  /** The first agent is the one a session starts with (`root` when there is one). */
  agents: AgentConfig[];
  models: Map<string, ModelConfig>;
  /** Custom providers the team declares, by name; usable in inline refs like built-in ones. */
  providers: Map<string, ProviderConfig>;
  /** False for teams whose runtime cannot change models while a session runs. */
  modelSwitching: boolean;
  /** The team's tool permissions, checked after the session's own (see approval.ts). */
  permissions?: PermissionsConfig;
}

export class TeamConfigError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'TeamConfigError';
  }
}

export const TEAM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Provider names go before "/" in refs and between commas in alloys, so neither may appear in one. */
export const PROVIDER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ENV_VAR_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The `api_type` values a custom provider may name. */
export const PROVIDER_API_TYPES: readonly ProviderConfig['apiType'][] = [
  'openai_chatcompletions',
  'openai_responses',
  'anthropic',
  'google',
];

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const show = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value));

/** Each checker returns the value, or a sentence saying what is wrong with it. */
type Check<T> = (value: unknown) => T | { problem: string };
const problem = (text: string) => ({ problem: text });
const isProblem = (value: unknown): value is { problem: string } => isRecord(value) && typeof value.problem === 'string';

const httpUrl: Check<string> = (value) => {
  if (typeof value !== 'string') return problem(`must be a URL string; got ${show(value)}`);
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // Reported below like a URL of another scheme.
  }
  return problem(`must be an http(s) URL; got ${show(value)}`);
};

const envVarName: Check<string> = (value) =>
  typeof value === 'string' && ENV_VAR_PATTERN.test(value)
    ? value
    : problem(`must be the name of an environment variable (letters, digits, "_"); got ${show(value)}`);

// docker-agent's schema: max_tokens is an integer of at least 1, temperature a number from 0 to 2.
const maxTokens: Check<number> = (value) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1
    ? value
    : problem(`must be a positive integer; got ${show(value)}`);

const temperature: Check<number> = (value) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 2
    ? value
    : problem(`must be a number from 0 to 2; got ${show(value)}`);

const price = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

const COST_KEYS: Record<string, 'input' | 'output' | 'cacheRead' | 'cacheWrite'> = {
  input: 'input',
  output: 'output',
  cache_read: 'cacheRead',
  cache_write: 'cacheWrite',
};

const cost: Check<NonNullable<ModelConfig['cost']>> = (value) => {
  if (!isRecord(value)) return problem(`must be a mapping like { input: 3, output: 15 } (per million tokens); got ${show(value)}`);
  const result: Partial<NonNullable<ModelConfig['cost']>> = {};
  for (const [key, raw] of Object.entries(value)) {
    const field = COST_KEYS[key];
    if (!field) return problem(`has an unknown price "${key}" (known: ${Object.keys(COST_KEYS).join(', ')})`);
    const amount = price(raw);
    if (amount === undefined) return problem(`"${key}" must be a number of at least 0; got ${show(raw)}`);
    result[field] = amount;
  }
  if (result.input === undefined || result.output === undefined) return problem('needs both "input" and "output"');
  return { ...result, input: result.input, output: result.output };
};

const stringList: Check<string[]> = (value) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')
    ? (value as string[])
    : problem(`must be a list of model names or inline refs; got ${show(value)}`);

const GO_DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** docker-agent reads a cooldown as a Go duration ("1m", "2m30s") or as a whole number of seconds. */
const cooldownMs: Check<number> = (value) => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value * 1000;
  if (typeof value === 'string' && (value === '0' || /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value))) {
    let total = 0;
    for (const [, amount, , unit] of value.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
      total += Number(amount) * GO_DURATION_UNITS_MS[unit!]!;
    }
    return total;
  }
  return problem(`must be a duration like "30s", "1m" or "2m30s", or a whole number of seconds; got ${show(value)}`);
};

const retries: Check<number> = (value) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= -1
    ? value
    : problem(`must be an integer of at least -1 (-1: no retries, 0: the default); got ${show(value)}`);

/** Parses and checks one team file; every reference must resolve, or the whole team is rejected. */
export function parseTeam(name: string, file: string, text: string): Team {
  const fail = (problem: string): never => {
    throw new TeamConfigError(file, problem);
  };
  /** Reads an optional field through a checker, failing with `where` and the field named. */
  const optional = <T>(raw: Raw, key: string, check: Check<T>, where: string): T | undefined => {
    if (raw[key] === undefined) return undefined;
    const value = check(raw[key]);
    return isProblem(value) ? fail(`${where}: "${key}" ${value.problem}`) : value;
  };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return fail(`not valid YAML: ${(error as Error).message}`);
  }
  if (!isRecord(doc)) return fail('expected a mapping with "agents" and "models"');

  const providers = new Map<string, ProviderConfig>();
  const rawProviders = doc.providers ?? {};
  if (!isRecord(rawProviders)) return fail('"providers" must be a mapping of name to {api_type, base_url, token_key}');
  for (const [providerName, raw] of Object.entries(rawProviders)) {
    const where = `provider "${providerName}"`;
    if (!PROVIDER_NAME_PATTERN.test(providerName)) {
      return fail(`${where}: a provider name may use letters, digits, "_", "." and "-" only`);
    }
    // A custom provider never silently takes over a built-in name: "openai/gpt-5" must mean one thing.
    const lower = providerName.toLowerCase();
    if (isKnownProvider(lower) || lower === ALLOY_PROVIDER) {
      return fail(`${where}: the name is taken by a built-in provider; choose another`);
    }
    if (!isRecord(raw)) return fail(`${where} must be a mapping with "base_url" (and "api_type", "token_key")`);
    const apiType = raw.api_type ?? 'openai_chatcompletions';
    if (!PROVIDER_API_TYPES.includes(apiType as ProviderConfig['apiType'])) {
      return fail(`${where}: unknown "api_type" ${show(apiType)} (known: ${PROVIDER_API_TYPES.join(', ')})`);
    }
    if (raw.base_url === undefined) return fail(`${where} needs a "base_url"`);
    const provider: ProviderConfig = {
      name: providerName,
      apiType: apiType as ProviderConfig['apiType'],
      baseUrl: optional(raw, 'base_url', httpUrl, where)!,
    };
    const tokenKey = optional(raw, 'token_key', envVarName, where);
    if (tokenKey !== undefined) provider.tokenKey = tokenKey;
    providers.set(providerName, provider);
  }

  const models = new Map<string, ModelConfig>();
  const rawModels = doc.models ?? {};
  if (!isRecord(rawModels)) return fail('"models" must be a mapping of name to {provider, model}');
  for (const [modelName, raw] of Object.entries(rawModels)) {
    const where = `model "${modelName}"`;
    // A name with a comma would read as an alloy, one with outer spaces could never be referred to.
    if (modelName === '' || modelName !== modelName.trim() || modelName.includes(',')) {
      return fail(`${where}: a model name may not be empty, contain "," or start or end with spaces`);
    }
    if (!isRecord(raw) || typeof raw.model !== 'string' || raw.model.trim() === '') {
      return fail(`${where} needs string fields "provider" and "model"`);
    }
    // docker-agent's named alloy: no provider, and a model field listing several models.
    if ((raw.provider === undefined || raw.provider === '') && raw.model.includes(',')) {
      const parts = splitAlloy(raw.model);
      if (!parts) return fail(`${where}: the alloy ${show(raw.model)} has an empty part`);
      const extra = ['base_url', 'max_tokens', 'temperature', 'token_key', 'cost'].find((key) => raw[key] !== undefined);
      if (extra) return fail(`${where} is an alloy: "${extra}" belongs on the models it lists`);
      const alloy: ModelConfig = { name: modelName, provider: ALLOY_PROVIDER, model: parts.join(','), alloy: parts };
      const fallback = optional(raw, 'fallback', stringList, where);
      if (fallback) alloy.fallback = fallback;
      models.set(modelName, alloy);
      continue;
    }
    if (typeof raw.provider !== 'string' || raw.provider === '') {
      return fail(`${where} needs string fields "provider" and "model"`);
    }
    if (raw.provider === ALLOY_PROVIDER) {
      return fail(`${where}: an alloy has no "provider"; list its models, separated by commas, in "model"`);
    }
    if (raw.model.includes(',')) {
      return fail(`${where}: "model" lists several models, which makes an alloy; an alloy has no "provider"`);
    }
    if (!isKnownProvider(raw.provider) && !providers.has(raw.provider)) {
      return fail(`${where}: unknown provider "${raw.provider}" (neither built in nor declared under "providers")`);
    }
    const model: ModelConfig = { name: modelName, provider: raw.provider, model: raw.model };
    const set = <K extends keyof ModelConfig>(key: K, value: ModelConfig[K] | undefined) => {
      if (value !== undefined) model[key] = value;
    };
    set('baseUrl', optional(raw, 'base_url', httpUrl, where));
    set('maxTokens', optional(raw, 'max_tokens', maxTokens, where));
    set('temperature', optional(raw, 'temperature', temperature, where));
    set('tokenKey', optional(raw, 'token_key', envVarName, where));
    set('cost', optional(raw, 'cost', cost, where));
    set('fallback', optional(raw, 'fallback', stringList, where));
    models.set(modelName, model);
  }

  const toolPart = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof ToolConfigProblem) return fail(error.message);
      throw error;
    }
  };

  // Refs are checked once every model and provider is known, since they may point forward.
  const scope: ModelRefScope = { name, models, providers };
  const resolve = (ref: string, where: string) => {
    try {
      return parseModelRef(scope, ref);
    } catch (error) {
      if (error instanceof InvalidModelRefError) return fail(`${where}: ${error.reason}`);
      throw error;
    }
  };
  /** A fallback is one model to switch to, so an alloy is refused, as docker-agent cannot create one there. */
  const checkFallback = (refs: string[], where: string, self?: string) => {
    for (const ref of refs) {
      if (ref === self) fail(`${where}: "fallback" lists the model itself`);
      if (!ref.includes('/') && !models.has(ref)) fail(`${where}: fallback "${ref}" is not a model of the team`);
      if (resolve(ref, `${where}: fallback "${ref}"`).kind === 'alloy') {
        fail(`${where}: fallback "${ref}" is an alloy; a fallback is one model`);
      }
    }
  };
  for (const model of models.values()) {
    const where = `model "${model.name}"`;
    if (model.alloy) resolve(model.name, where);
    if (model.fallback) checkFallback(model.fallback, where, model.name);
  }

  if (!isRecord(doc.agents) || Object.keys(doc.agents).length === 0) {
    return fail('"agents" must be a mapping with at least one agent');
  }
  const agents: AgentConfig[] = [];
  for (const [agentName, raw] of Object.entries(doc.agents)) {
    const where = `agent "${agentName}"`;
    if (!isRecord(raw) || typeof raw.model !== 'string' || raw.model === '') {
      return fail(`${where} needs a "model"`);
    }
    if (!raw.model.includes('/') && !raw.model.includes(',') && !models.has(raw.model)) {
      return fail(`${where} uses model "${raw.model}", which "models" does not define`);
    }
    const parsed = resolve(raw.model, `${where}: model "${raw.model}"`);
    const subAgents = raw.sub_agents ?? [];
    if (!Array.isArray(subAgents) || !subAgents.every((sub) => typeof sub === 'string')) {
      return fail(`${where}: "sub_agents" must be a list of agent names`);
    }
    const agent: AgentConfig = {
      name: agentName,
      description: typeof raw.description === 'string' ? raw.description : '',
      instruction: typeof raw.instruction === 'string' ? raw.instruction : '',
      model: parsed.ref,
      subAgents,
      toolsets: toolPart(() => parseToolsets(raw.toolsets, where)),
    };
    if (raw.fallback !== undefined) {
      if (!isRecord(raw.fallback)) return fail(`${where}: "fallback" must be a mapping like { models: [openai/gpt-5] }`);
      const unknown = Object.keys(raw.fallback).find((key) => !['models', 'retries', 'cooldown'].includes(key));
      if (unknown) return fail(`${where}: "fallback" has an unknown field "${unknown}" (known: models, retries, cooldown)`);
      const fallbackWhere = `${where}: fallback`;
      const fallback: FallbackConfig = { models: optional(raw.fallback, 'models', stringList, fallbackWhere) ?? [] };
      checkFallback(fallback.models, where);
      const retryCount = optional(raw.fallback, 'retries', retries, fallbackWhere);
      if (retryCount !== undefined) fallback.retries = retryCount;
      const cooldown = optional(raw.fallback, 'cooldown', cooldownMs, fallbackWhere);
      if (cooldown !== undefined) fallback.cooldownMs = cooldown;
      agent.fallback = fallback;
    }
    agents.push(agent);
  }
  const agentNames = new Set(agents.map((agent) => agent.name));
  for (const agent of agents) {
    const unknown = agent.subAgents.find((sub) => !agentNames.has(sub));
    if (unknown) return fail(`agent "${agent.name}" lists unknown sub-agent "${unknown}"`);
  }
  // docker-agent starts sessions with `root`; keep it first.
  agents.sort((a, b) => Number(b.name === 'root') - Number(a.name === 'root'));

  return {
    name,
    description: typeof doc.description === 'string' ? doc.description : (agents[0]?.description ?? ''),
    agents,
    models,
    providers,
    modelSwitching: doc.model_switching !== false,
    permissions: toolPart(() => parsePermissions(doc.permissions, 'team')),
  };
}

/** The teams found in the agents directory. Files that fail to parse are reported and left out. */
export class TeamCatalog {
  private constructor(
    private readonly teams: Map<string, Team>,
    readonly problems: string[],
  ) {}

  static fromTeams(teams: Team[]): TeamCatalog {
    return new TeamCatalog(new Map(teams.map((team) => [team.name, team])), []);
  }

  static async load(dir: string): Promise<TeamCatalog> {
    const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read the agents directory ${dir}: ${error.code ?? error.message}`);
    });
    const teams = new Map<string, Team>();
    const problems: string[] = [];
    for (const entry of entries.sort()) {
      const match = /^(.+)\.ya?ml$/.exec(entry);
      if (!match) continue;
      const name = match[1]!;
      if (!TEAM_NAME_PATTERN.test(name)) {
        problems.push(`${entry}: a team name may use letters, digits, "_", "." and "-" only`);
        continue;
      }
      try {
        teams.set(name, parseTeam(name, entry, await readFile(path.join(dir, entry), 'utf8')));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return new TeamCatalog(teams, problems);
  }

  get(name: string): Team | undefined {
    return this.teams.get(name);
  }

  list(): Team[] {
    return [...this.teams.values()];
  }
}
