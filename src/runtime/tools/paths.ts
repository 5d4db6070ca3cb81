/**
 * Keeps the filesystem and shell tools inside the session's working directory. A path the model sends is
 * resolved against the working directory and then through every symbolic link, so that neither `..`, an
 * absolute path, nor a link (to a file or to a parent directory) can reach anything outside it.
 */

import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

/** Where a requested path really is, or why it was refused (a message for the model). */
export type ConfinedPath = { ok: true; realPath: string; root: string } | { ok: false; message: string };

/** Links followed by hand (dangling ones) before giving up, like the kernel's own limit. */
const MAX_LINK_HOPS = 40;

/**
 * Resolves `requested` (relative to `workingDir`, or absolute) to its real location and checks that it lies
 * inside realpath(workingDir). The path need not exist: its nearest existing ancestor is resolved and the
 * rest re-appended, so a file about to be written is checked where it will really land.
 */
export async function confinePath(workingDir: string, requested: string): Promise<ConfinedPath> {
  let root: string;
  try {
    root = await realpath(workingDir);
  } catch (error) {
    return { ok: false, message: `the working directory is not accessible: ${errorMessage(error)}` };
  }
  if (requested.includes('\0')) {
    return { ok: false, message: `invalid path (contains a NUL character): ${JSON.stringify(requested)}` };
  }

  let realPath: string;
  try {
    realPath = await realpathAllowingMissing(path.resolve(workingDir, requested));
  } catch (error) {
    return { ok: false, message: `cannot resolve path ${requested}: ${errorMessage(error)}` };
  }
  if (!isInside(root, realPath)) {
    return { ok: false, message: `path escapes the working directory: ${requested}` };
  }
  return { ok: true, realPath, root };
}

/** `candidate` equals `root` or lies below it (both absolute and already real). */
export function isInside(root: string, candidate: string): boolean {
  if (candidate === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix);
}

/** How a real path inside the working directory is shown to the model: relative, `.` for the root. */
export function displayPath(root: string, realPath: string): string {
  return path.relative(root, realPath) || '.';
}

/**
 * fs.realpath, but for a path that does not exist: realpath of the nearest existing ancestor, with the
 * missing components re-appended. A missing component that is a dangling symbolic link is followed by hand,
 * because writing through it would create its target, wherever that is.
 */
async function realpathAllowingMissing(absolute: string): Promise<string> {
  let current = absolute;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const missing: string[] = [];
    let ancestor = current;
    let realAncestor: string | undefined;
    while (realAncestor === undefined) {
      try {
        realAncestor = await realpath(ancestor);
      } catch (error) {
        if (!isMissing(error)) throw error;
        const parent = path.dirname(ancestor);
        if (parent === ancestor) throw error; // even the filesystem root is missing: nothing to resolve
        missing.unshift(path.basename(ancestor));
        ancestor = parent;
      }
    }
    const [first, ...rest] = missing;
    if (first === undefined) return realAncestor;

    // The first missing component either does not exist at all (then nothing below it exists either, and
    // the re-appended names are plain ones from path.resolve, with no `..`), or it is a dangling link.
    const firstPath = path.join(realAncestor, first);
    const linkTarget = await danglingLinkTarget(firstPath);
    if (linkTarget === undefined) return path.join(realAncestor, ...missing);
    current = path.resolve(realAncestor, linkTarget, ...rest);
  }
  throw new Error('too many levels of symbolic links');
}

/** The target of `file` if it is a symbolic link (realpath failed on it, so a dangling one), else undefined. */
async function danglingLinkTarget(file: string): Promise<string | undefined> {
  try {
    const stats = await lstat(file);
    return stats.isSymbolicLink() ? await readlink(file) : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** ENOENT, or ENOTDIR (a component is a file): either way the path does not exist from here down. */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
