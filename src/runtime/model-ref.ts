/**
 * Model refs as a session's runtime accepts them (docker-agent's rules):
 * - `""` clears the override: the agent is back on its default model;
 * - the name of a model in the team config, e.g. `claude`, which may be a named alloy (a model with no
 *   `provider` whose `model` lists other models, e.g. `model: opus,gpt`);
 * - an inline `provider/model` with a built-in provider or one the team declares under `providers`,
 *   e.g. `openai/gpt-5`, `dmr/ai/qwen3`, `my_gateway/llama-3`;
 * - an inline alloy of two or more inline refs, e.g. `openai/gpt-5,anthropic/claude-sonnet-4-5`; spaces
 *   around the commas are ignored, as docker-agent trims each part.
 */
import { DomainError } from '../domain-error.js';
import type { ModelConfig, Team } from './team.js';

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
  'openrouter',
  // The offline demo provider: it echoes, so the bundled demo team runs with no network or key.
  'echo',
] as const;

/** What a named alloy shows as its provider; no team may declare a provider of that name. */
export const ALLOY_PROVIDER = 'alloy';

export const MAX_MODEL_REF_LENGTH = 512;

export const ACCEPTED_MODEL_REF_FORMS =
  'an empty string (back to the default model), the name of a model in the team config (a named alloy included), ' +
  `an inline "provider/model" with a known provider (${KNOWN_PROVIDERS.join(', ')}) ` +
  'or a provider the team declares under "providers", ' +
  'or an alloy of two or more inline refs separated by commas ("openai/gpt-5,anthropic/claude-sonnet-4-5"; ' +
  'spaces around the commas are ignored)';

/** One model of a ref. `config` is the team's entry when the part names a model of the team. */
export interface ModelRefPart {
  provider: string;
  model: string;
  config?: ModelConfig;
}

/**
 * A ref that passed validation. `ref` is its canonical form: for an inline alloy the parts are trimmed
 * and joined with "," alone, so `openai/a, anthropic/b` and `openai/a,anthropic/b` are the same ref.
 * A named alloy keeps its name as `ref`, carries its own entry as `config` and its parts expanded.
 */
export type ParsedModelRef =
  | { kind: 'named'; ref: string; provider: string; model: string; config: ModelConfig }
  | { kind: 'inline'; ref: string; provider: string; model: string }
  | { kind: 'alloy'; ref: string; parts: ModelRefPart[]; config?: ModelConfig };

/** What a ref is resolved against: a team, or a team still being parsed (its agents not read yet). */
export type ModelRefScope = Pick<Team, 'name' | 'models' | 'providers'>;

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

export function isKnownProvider(provider: string): boolean {
  return (KNOWN_PROVIDERS as readonly string[]).includes(provider);
}

function parseInline(scope: ModelRefScope, ref: string, whole: string): { provider: string; model: string } {
  const slash = ref.indexOf('/');
  const provider = ref.slice(0, slash);
  const model = ref.slice(slash + 1);
  if (!provider) throw new InvalidModelRefError(whole, `"${ref}" names no provider before "/"`);
  if (!model) throw new InvalidModelRefError(whole, `"${ref}" names no model after "/"`);
  if (!isKnownProvider(provider) && !scope.providers.has(provider)) {
    throw new InvalidModelRefError(whole, `unknown provider "${provider}"`);
  }
  if (/\s/.test(model) || model.endsWith('/')) {
    throw new InvalidModelRefError(whole, `"${model}" is not a model name`);
  }
  return { provider, model };
}

/**
 * The models a named alloy stands for, nested alloys flattened (docker-agent expands them the same
 * way). `path` holds the alloys being expanded, so a loop is reported instead of recursing forever.
 */
function expandAlloy(scope: ModelRefScope, config: ModelConfig, whole: string, path: string[]): ModelRefPart[] {
  if (path.includes(config.name)) {
    throw new InvalidModelRefError(whole, `alloy "${config.name}" includes itself (${[...path, config.name].join(' → ')})`);
  }
  const inner = [...path, config.name];
  return (config.alloy ?? []).flatMap((part): ModelRefPart[] => {
    const named = scope.models.get(part);
    if (named?.alloy) return expandAlloy(scope, named, whole, inner);
    if (named) return [{ provider: named.provider, model: named.model, config: named }];
    if (!part.includes('/')) {
      throw new InvalidModelRefError(
        whole,
        `alloy "${config.name}" lists "${part}", which is neither a model of team "${scope.name}" nor an inline "provider/model" ref`,
      );
    }
    return [parseInline(scope, part, whole)];
  });
}

/** Splits an alloy on commas and trims each part; an empty part is an error, not skipped, as it is a typo. */
export function splitAlloy(ref: string): string[] | undefined {
  const parts = ref.split(',').map((part) => part.trim());
  return parts.some((part) => part === '') ? undefined : parts;
}

/** Parses a non-empty ref against a team; throws InvalidModelRefError saying what is wrong. */
export function parseModelRef(scope: ModelRefScope, ref: string): ParsedModelRef {
  if (ref.length > MAX_MODEL_REF_LENGTH) {
    throw new InvalidModelRefError(ref.slice(0, 40) + '…', `longer than ${MAX_MODEL_REF_LENGTH} characters`);
  }
  if (ref !== ref.trim()) throw new InvalidModelRefError(ref, 'has leading or trailing spaces');
  // A name of the team wins over every other reading, as in docker-agent's SetAgentModel.
  const named = scope.models.get(ref);
  if (named?.alloy) return { kind: 'alloy', ref, parts: expandAlloy(scope, named, ref, []), config: named };
  if (named) return { kind: 'named', ref, provider: named.provider, model: named.model, config: named };
  if (ref.includes(',')) {
    const parts = splitAlloy(ref);
    // docker-agent takes a comma-separated ref as an inline alloy only when every part has a "/".
    if (!parts || parts.some((part) => !part.includes('/'))) {
      throw new InvalidModelRefError(ref, 'every part of an alloy must be an inline "provider/model" ref');
    }
    return {
      kind: 'alloy',
      ref: parts.join(','),
      parts: parts.flatMap((part): ModelRefPart[] => {
        const partConfig = scope.models.get(part);
        if (partConfig?.alloy) return expandAlloy(scope, partConfig, ref, []);
        if (partConfig) return [{ provider: partConfig.provider, model: partConfig.model, config: partConfig }];
        return [parseInline(scope, part, ref)];
      }),
    };
  }
  if (!ref.includes('/')) {
    throw new InvalidModelRefError(ref, `team "${scope.name}" has no model named "${ref}"`);
  }
  return { kind: 'inline', ref, ...parseInline(scope, ref, ref) };
}
