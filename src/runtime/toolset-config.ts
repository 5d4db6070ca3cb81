/**
 * The tool parts of a team file, in docker-agent's shape: an agent's `toolsets:` and the team's
 * `permissions:`. Each parser returns the config, or throws a ToolConfigProblem saying what is wrong
 * where; team.ts turns that into the team's config error.
 */
import type { ToolsetConfig } from './tools/tool.js';

export interface PermissionsConfig {
  allow: string[];
  ask: string[];
  deny: string[];
}

/** What a shell command gets unless the team says otherwise. */
export const SHELL_DEFAULTS = { timeoutMs: 60_000, maxOutputBytes: 64 * 1024 } as const;

const TOOLSET_TYPES = ['filesystem', 'shell', 'think', 'todo', 'mcp'] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown) => (typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value)));
export class ToolConfigProblem extends Error {}

const fail = (where: string, problem: string): never => {
  throw new ToolConfigProblem(`${where}: ${problem}`);
};

function strings(value: unknown, where: string, field: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return fail(where, `"${field}" must be a list of strings; got ${show(value)}`);
  }
  return value as string[];
}

function envMap(value: unknown, where: string, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) return fail(where, `"${field}" must be a mapping of names to strings`);
  for (const [name, text] of Object.entries(value)) {
    if (field === 'env' && !ENV_NAME.test(name)) fail(where, `"${field}" has an invalid variable name ${show(name)}`);
    if (typeof text !== 'string') fail(where, `"${field}.${name}" must be a string; got ${show(text)}`);
  }
  return value as Record<string, string>;
}

function positiveInteger(value: unknown, where: string, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    return fail(where, `"${field}" must be a positive integer; got ${show(value)}`);
  }
  return value;
}

function onlyFields(raw: Raw, known: string[], where: string) {
  const unknown = Object.keys(raw).find((key) => !known.includes(key));
  if (unknown) fail(where, `unknown field "${unknown}" (known: ${known.join(', ')})`);
}

/** An agent's `toolsets:` list. MCP servers without a `name` are named after their command or URL. */
export function parseToolsets(raw: unknown, where: string): ToolsetConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return fail(where, '"toolsets" must be a list like [{ type: filesystem }]');
  const names = new Set<string>();
  return raw.map((entry, index) => {
    const at = `${where}: toolsets[${index}]`;
    if (!isRecord(entry) || typeof entry.type !== 'string') return fail(at, `needs a "type" (one of ${TOOLSET_TYPES.join(', ')})`);
    const tools = entry.tools === undefined ? {} : { tools: strings(entry.tools, at, 'tools') };
    switch (entry.type) {
      case 'filesystem':
      case 'think':
      case 'todo':
        onlyFields(entry, ['type', 'tools'], at);
        return { type: entry.type, ...tools };
      case 'shell':
        onlyFields(entry, ['type', 'tools', 'timeout', 'max_output_bytes', 'env'], at);
        return {
          type: 'shell',
          ...tools,
          timeoutMs: entry.timeout === undefined ? SHELL_DEFAULTS.timeoutMs : positiveInteger(entry.timeout, at, 'timeout') * 1000,
          maxOutputBytes:
            entry.max_output_bytes === undefined ? SHELL_DEFAULTS.maxOutputBytes : positiveInteger(entry.max_output_bytes, at, 'max_output_bytes'),
          env: envMap(entry.env, at, 'env'),
        };
      case 'mcp': {
        onlyFields(entry, ['type', 'tools', 'name', 'command', 'args', 'env', 'remote'], at);
        if (entry.name !== undefined && (typeof entry.name !== 'string' || entry.name === '')) fail(at, '"name" must be a non-empty string');
        let config: ToolsetConfig;
        if (typeof entry.command === 'string' && entry.command !== '') {
          if (entry.remote !== undefined) fail(at, 'an MCP server has either "command" or "remote", not both');
          const args = entry.args === undefined ? [] : strings(entry.args, at, 'args');
          config = { type: 'mcp', ...tools, name: (entry.name as string | undefined) ?? entry.command, command: entry.command, args, env: envMap(entry.env, at, 'env') };
        } else if (isRecord(entry.remote)) {
          const { url, headers } = entry.remote;
          if (typeof url !== 'string' || !/^https?:\/\//.test(url)) fail(at, `"remote.url" must be an http(s) URL; got ${show(url)}`);
          config = {
            type: 'mcp',
            ...tools,
            name: (entry.name as string | undefined) ?? (url as string),
            remote: { url: url as string, headers: envMap(headers, at, 'remote.headers') },
          };
        } else {
          return fail(at, 'an MCP toolset needs "command" (a local server over stdio) or "remote: { url }" (streamable HTTP)');
        }
        if (names.has(config.name)) fail(at, `two MCP servers are named "${config.name}"; give one a "name"`);
        names.add(config.name);
        return config;
      }
      default:
        return fail(at, `unknown toolset type ${show(entry.type)} (known: ${TOOLSET_TYPES.join(', ')})`);
    }
  });
}

/** The team's `permissions: { allow, ask, deny }`: tool-name patterns (see approval.ts). */
export function parsePermissions(raw: unknown, where: string): PermissionsConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) return fail(where, '"permissions" must be a mapping like { allow: [read_*], deny: [shell] }');
  onlyFields(raw, ['allow', 'ask', 'deny'], `${where}: permissions`);
  const list = (field: 'allow' | 'ask' | 'deny') => (raw[field] === undefined ? [] : strings(raw[field], `${where}: permissions`, field));
  return { allow: list('allow'), ask: list('ask'), deny: list('deny') };
}
