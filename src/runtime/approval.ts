/**
 * Whether a tool call runs, is refused, or waits for the user: docker-agent's order.
 *
 *   1. the session approves everything (safety policy ALLOW_ALL, or an earlier APPROVE_SESSION) → run;
 *   2. the session's permissions, then the team's: within each, a matching `deny` refuses, else a
 *      matching `allow` runs, else a matching `ask` asks; no match goes on to the next;
 *   3. the tool says it only reads (and the policy is not ASK_ALWAYS) → run;
 *   4. ask.
 *
 * A pattern matches the tool's name, `*` standing for any run of characters and `?` for one
 * (`read_*`, `mcp_*`, `*`). It may add argument conditions after colons, each `name=glob` on the
 * argument's value as text: `shell:cmd=git status*` allows only commands that start that way.
 */
import type { PermissionsConfig } from './toolset-config.js';

export type SafetyPolicy = 'ASK_ALWAYS' | 'ASK_UNSAFE' | 'ALLOW_ALL';

export interface ApprovalSettings {
  safetyPolicy: SafetyPolicy;
  /** Every call approved for the rest of the session (resumeTurn APPROVE_SESSION). */
  toolsApproved: boolean;
  sessionPermissions: PermissionsConfig;
  teamPermissions?: PermissionsConfig;
}

export interface ApprovalVerdict {
  outcome: 'run' | 'refuse' | 'ask';
  /** What decided, for logs and for the tool error a refusal sends the model. */
  source: 'approve-all' | 'session permissions' | 'team permissions' | 'read-only hint' | 'default';
}

export function decideApproval(
  settings: ApprovalSettings,
  call: { name: string; arguments: unknown; readOnly: boolean },
): ApprovalVerdict {
  if (settings.safetyPolicy === 'ALLOW_ALL' || settings.toolsApproved) return { outcome: 'run', source: 'approve-all' };
  const checkers: [ApprovalVerdict['source'], PermissionsConfig | undefined][] = [
    ['session permissions', settings.sessionPermissions],
    ['team permissions', settings.teamPermissions],
  ];
  for (const [source, permissions] of checkers) {
    if (!permissions) continue;
    const matches = (patterns: string[]) => patterns.some((pattern) => matchesPattern(pattern, call.name, call.arguments));
    if (matches(permissions.deny)) return { outcome: 'refuse', source };
    if (matches(permissions.allow)) return { outcome: 'run', source };
    if (matches(permissions.ask)) return { outcome: 'ask', source };
  }
  if (call.readOnly && settings.safetyPolicy !== 'ASK_ALWAYS') return { outcome: 'run', source: 'read-only hint' };
  return { outcome: 'ask', source: 'default' };
}

/** Whether `pattern` (a name glob, then `:arg=glob` conditions) matches a call. */
export function matchesPattern(pattern: string, toolName: string, args: unknown): boolean {
  const [namePattern = '', ...conditions] = pattern.split(':');
  if (!glob(namePattern).test(toolName)) return false;
  return conditions.every((condition) => {
    const equals = condition.indexOf('=');
    if (equals <= 0) return false;
    const value = typeof args === 'object' && args !== null ? (args as Record<string, unknown>)[condition.slice(0, equals)] : undefined;
    if (value === undefined) return false;
    return glob(condition.slice(equals + 1)).test(typeof value === 'string' ? value : JSON.stringify(value));
  });
}

function glob(pattern: string): RegExp {
  const source = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's');
}
