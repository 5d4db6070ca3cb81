/** Rules for client input. Each failure names the input field and says what is accepted. */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SafetyPolicy } from '../runtime/approval.js';
import type { PermissionsConfig } from '../runtime/toolset-config.js';
import { InvalidInputError } from './errors.js';

export const LIMITS = {
  title: 200,
  workingDir: 4096,
  messageContent: 100_000,
  permissionPatterns: 200,
  permissionPattern: 500,
  attributes: 50,
  attributeKey: 100,
  attributeValue: 1000,
  /** Ids in one deleteSessions call. */
  batchIds: 500,
  /** Sessions in one export. */
  exportIds: 100,
  /** Largest count a session stores (a 32-bit column). */
  counter: 2_147_483_647,
  cost: 1_000_000_000,
} as const;

export type { SafetyPolicy };
export const SAFETY_POLICIES = ['ASK_ALWAYS', 'ASK_UNSAFE', 'ALLOW_ALL'] as const satisfies readonly SafetyPolicy[];

export const MESSAGE_ROLES = ['user', 'assistant', 'tool', 'system'] as const;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/**
 * Half of a UTF-16 surrogate pair without its other half: JSON lets a client send "\ud800", which is
 * no character at all and could not be written back as UTF-8. Text the server keeps must not hold one.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text to keep must be well-formed Unicode; InvalidInput for `field` otherwise. */
export function requireWellFormed(text: string, field: string): string {
  if (LONE_SURROGATE.test(text)) throw new InvalidInputError(field, 'the text holds half of a UTF-16 surrogate pair, which is no character');
  return text;
}

export function validateTitle(raw: string, field = 'title'): string {
  const title = raw.trim();
  if (title.length === 0) throw new InvalidInputError(field, 'the title must not be empty');
  if (title.length > LIMITS.title) {
    throw new InvalidInputError(field, `the title is ${title.length} characters; at most ${LIMITS.title} are allowed`);
  }
  if (/[\u0000-\u001f\u007f]/.test(title)) throw new InvalidInputError(field, 'the title must not contain control characters');
  return requireWellFormed(title, field);
}

/**
 * An absolute path without `..`. With a root (SESSION_WORKDIR_ROOT), it must also exist, be a directory,
 * and lie inside the root once symbolic links are resolved.
 */
export async function validateWorkingDir(raw: string | null | undefined, root: string | undefined): Promise<string> {
  const field = 'workingDir';
  if (raw === null || raw === undefined) return root ?? process.cwd();
  if (raw.length === 0) throw new InvalidInputError(field, 'the working directory must not be empty');
  if (raw.length > LIMITS.workingDir) {
    throw new InvalidInputError(field, `the working directory is longer than ${LIMITS.workingDir} characters`);
  }
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new InvalidInputError(field, 'the working directory must not contain control characters');
  requireWellFormed(raw, field);
  if (!path.isAbsolute(raw)) throw new InvalidInputError(field, `the working directory must be an absolute path; got "${raw}"`);
  if (raw.split(/[\\/]/).includes('..')) throw new InvalidInputError(field, 'the working directory must not contain ".."');
  const normalized = path.normalize(raw);
  if (root === undefined) return normalized;

  let resolved: string;
  try {
    resolved = await realpath(normalized);
  } catch {
    throw new InvalidInputError(field, `the working directory "${normalized}" does not exist`);
  }
  if (!(await stat(resolved)).isDirectory()) {
    throw new InvalidInputError(field, `the working directory "${normalized}" is not a directory`);
  }
  const realRoot = await realpath(root);
  const relative = path.relative(realRoot, resolved);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new InvalidInputError(field, `the working directory must be inside ${root} (symbolic links resolved)`);
  }
  return normalized;
}

/** A session's tool permissions: the same three pattern lists a team declares. */
export type Permissions = PermissionsConfig;

export function validatePermissions(input: Permissions, field = 'permissions'): Permissions {
  const seen = new Map<string, string>();
  for (const list of ['allow', 'ask', 'deny'] as const) {
    const patterns = input[list];
    if (patterns.length > LIMITS.permissionPatterns) {
      throw new InvalidInputError(`${field}.${list}`, `at most ${LIMITS.permissionPatterns} patterns per list`);
    }
    for (const pattern of patterns) {
      if (pattern.trim().length === 0 || pattern.length > LIMITS.permissionPattern || CONTROL_CHARACTERS.test(pattern)) {
        throw new InvalidInputError(
          `${field}.${list}`,
          `a pattern must be 1 to ${LIMITS.permissionPattern} characters without control characters`,
        );
      }
      requireWellFormed(pattern, `${field}.${list}`);
      const other = seen.get(pattern);
      if (other) throw new InvalidInputError(`${field}.${list}`, `"${pattern}" is in both ${other} and ${list}`);
      seen.set(pattern, list);
    }
  }
  return { allow: [...input.allow], ask: [...input.ask], deny: [...input.deny] };
}

export function validateCount(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > LIMITS.counter) {
    throw new InvalidInputError(field, `must be a whole number from 0 to ${LIMITS.counter}; got ${value}`);
  }
  return value;
}

export function validateCost(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0 || value > LIMITS.cost) {
    throw new InvalidInputError(field, `must be a number from 0 to ${LIMITS.cost}; got ${value}`);
  }
  return value;
}

export function validateAttributes(input: unknown, field = 'attributes'): Record<string, string> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInputError(field, 'attributes must be an object of string values');
  }
  const entries = Object.entries(input);
  if (entries.length > LIMITS.attributes) throw new InvalidInputError(field, `at most ${LIMITS.attributes} attributes`);
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > LIMITS.attributeKey) {
      throw new InvalidInputError(field, `attribute names must be 1 to ${LIMITS.attributeKey} characters`);
    }
    if (typeof value !== 'string' || value.length > LIMITS.attributeValue) {
      throw new InvalidInputError(field, `attribute "${key}" must be a string of at most ${LIMITS.attributeValue} characters`);
    }
    requireWellFormed(key, field);
    requireWellFormed(value, field);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export function validateMessageContent(content: string, field = 'content'): string {
  if (content.length === 0) throw new InvalidInputError(field, 'a message must not be empty');
  if (content.length > LIMITS.messageContent) {
    throw new InvalidInputError(field, `a message is at most ${LIMITS.messageContent} characters; got ${content.length}`);
  }
  return requireWellFormed(content, field);
}

/** A batch of ids is not empty and not over `max`. */
export function validateBatchSize(count: number, max: number, field = 'ids'): void {
  if (count === 0) throw new InvalidInputError(field, 'give at least one id');
  if (count > max) throw new InvalidInputError(field, `at most ${max} ids per call; got ${count}`);
}
