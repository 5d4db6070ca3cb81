/**
 * Teams: agent config files in docker-agent's YAML shape, loaded from the agents directory at start.
 * A file `<name>.yaml` defines the team `<name>`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface ModelConfig {
  name: string;
  provider: string;
  model: string;
}

export interface AgentConfig {
  name: string;
  description: string;
  instruction: string;
  /** The agent's default model: a model name from the team, or an inline `provider/model` ref. */
  model: string;
  subAgents: string[];
}

export interface Team {
  name: string;
  description: string;
  /** The first agent is the one a session starts with (`root` when there is one). */
  agents: AgentConfig[];
  models: Map<string, ModelConfig>;
  /** False for teams whose runtime cannot change models while a session runs. */
  modelSwitching: boolean;
}

export class TeamConfigError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'TeamConfigError';
  }
}

export const TEAM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses and checks one team file; every reference must resolve, or the whole team is rejected. */
export function parseTeam(name: string, file: string, text: string): Team {
  const fail = (problem: string): never => {
    throw new TeamConfigError(file, problem);
  };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return fail(`not valid YAML: ${(error as Error).message}`);
  }
  if (!isRecord(doc)) return fail('expected a mapping with "agents" and "models"');

  const models = new Map<string, ModelConfig>();
  const rawModels = doc.models ?? {};
  if (!isRecord(rawModels)) return fail('"models" must be a mapping of name to {provider, model}');
  for (const [modelName, raw] of Object.entries(rawModels)) {
    if (!isRecord(raw) || typeof raw.provider !== 'string' || typeof raw.model !== 'string') {
      return fail(`model "${modelName}" needs string fields "provider" and "model"`);
    }
    models.set(modelName, { name: modelName, provider: raw.provider, model: raw.model });
  }

  if (!isRecord(doc.agents) || Object.keys(doc.agents).length === 0) {
    return fail('"agents" must be a mapping with at least one agent');
  }
  const agents: AgentConfig[] = [];
  for (const [agentName, raw] of Object.entries(doc.agents)) {
    if (!isRecord(raw) || typeof raw.model !== 'string' || raw.model === '') {
      return fail(`agent "${agentName}" needs a "model"`);
    }
    if (!raw.model.includes('/') && !models.has(raw.model)) {
      return fail(`agent "${agentName}" uses model "${raw.model}", which "models" does not define`);
    }
    const subAgents = raw.sub_agents ?? [];
    if (!Array.isArray(subAgents) || !subAgents.every((sub) => typeof sub === 'string')) {
      return fail(`agent "${agentName}": "sub_agents" must be a list of agent names`);
    }
    agents.push({
      name: agentName,
      description: typeof raw.description === 'string' ? raw.description : '',
      instruction: typeof raw.instruction === 'string' ? raw.instruction : '',
      model: raw.model,
      subAgents,
    });
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
    modelSwitching: doc.model_switching !== false,
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
