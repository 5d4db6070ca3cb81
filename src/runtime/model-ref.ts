/**
 * Model refs as a session's runtime accepts them (docker-agent's rules):
 * - `""` clears the override: the agent is back on its default model;
 * - the name of a model in the team config, e.g. `claude`;
 * - an inline `provider/model` with a known provider, e.g. `openai/gpt-5`, `dmr/ai/qwen3`;
 * - an inline alloy of two or more inline refs, e.g. `openai/gpt-5,anthropic/claude-sonnet-4-5`.
 */
import { DomainError } from '../domain-error.js';
import type { Team } from './team.js';

export const KNOWN_PROVIDERS = [
  'openai',
  'anthropic',
  'google',
  'dmr',
  'amazon-bedrock',
  'mistral',
  'xai',
  'ollama',
  'nebius',
  'requesty',
] as const;

export const MAX_MODEL_REF_LENGTH = 512;

export const ACCEPTED_MODEL_REF_FORMS =
  'an empty string (back to the default model), the name of a model in the team config, ' +
  `an inline "provider/model" with a known provider (${KNOWN_PROVIDERS.join(', ')}), ` +
  'or an alloy of inline refs separated by commas ("openai/gpt-5,anthropic/claude-sonnet-4-5")';

export type ParsedModelRef =
  | { kind: 'named'; ref: string; provider: string; model: string }
  | { kind: 'inline'; ref: string; provider: string; model: string }
  | { kind: 'alloy'; ref: string; parts: { provider: string; model: string }[] };

export class InvalidModelRefError extends DomainError {
  readonly code = 'INVALID_MODEL_REF';
  readonly acceptedForms = ACCEPTED_MODEL_REF_FORMS;
  constructor(
    readonly modelRef: string,
    readonly reason: string,
  ) {
    super(`invalid model ref "${modelRef}": ${reason}`);
    this.name = 'InvalidModelRefError';
  }

  override extensions() {
    return { rejectedRef: this.modelRef, reason: this.reason };
  }
}

/** Inline refs are the user's own picks; the session remembers them in `customModelsUsed`. */
export function isInlineRef(ref: string): boolean {
  return ref.includes('/');
}

function parseInline(ref: string, whole: string): { provider: string; model: string } {
  const slash = ref.indexOf('/');
  const provider = ref.slice(0, slash);
  const model = ref.slice(slash + 1);
  if (!provider) throw new InvalidModelRefError(whole, `"${ref}" names no provider before "/"`);
  if (!model) throw new InvalidModelRefError(whole, `"${ref}" names no model after "/"`);
  if (!(KNOWN_PROVIDERS as readonly string[]).includes(provider)) {
    throw new InvalidModelRefError(whole, `unknown provider "${provider}"`);
  }
  if (/\s/.test(model) || model.endsWith('/')) {
    throw new InvalidModelRefError(whole, `"${model}" is not a model name`);
  }
  return { provider, model };
}

/** Parses a non-empty ref against a team; throws InvalidModelRefError saying what is wrong. */
export function parseModelRef(team: Team, ref: string): ParsedModelRef {
  if (ref.length > MAX_MODEL_REF_LENGTH) {
    throw new InvalidModelRefError(ref.slice(0, 40) + '…', `longer than ${MAX_MODEL_REF_LENGTH} characters`);
  }
  if (ref !== ref.trim()) throw new InvalidModelRefError(ref, 'has leading or trailing spaces');
  const named = team.models.get(ref);
  if (named) return { kind: 'named', ref, provider: named.provider, model: named.model };
  if (ref.includes(',')) {
    const parts = ref.split(',');
    if (parts.length < 2 || parts.some((part) => !part.includes('/'))) {
      throw new InvalidModelRefError(ref, 'every part of an alloy must be an inline "provider/model" ref');
    }
    return { kind: 'alloy', ref, parts: parts.map((part) => parseInline(part, ref)) };
  }
  if (!ref.includes('/')) {
    throw new InvalidModelRefError(ref, `team "${team.name}" has no model named "${ref}"`);
  }
  return { kind: 'inline', ref, ...parseInline(ref, ref) };
}
