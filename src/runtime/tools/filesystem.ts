/**
 * docker-agent's `filesystem` toolset: read, write, edit, list and search files, all confined to the
 * session's working directory (see paths.ts). Each tool checks its arguments, since they come from a model,
 * and answers a refused path or a failed operation with an error result rather than a throw.
 */

import { constants, type Dirent } from 'node:fs';
import { lstat, mkdir, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import vm from 'node:vm';
import { confinePath, displayPath, errorMessage } from './paths.js';
import type { StartedToolset, Tool, ToolContext, ToolOutcome } from './tool.js';

/** read_file shows at most this much of a file, so one call cannot flood the model's context. */
const READ_LIMIT_BYTES = 256 * 1024;
/** edit_file loads the whole file to edit it; past this size it refuses. */
const EDIT_LIMIT_BYTES = 10 * 1024 * 1024;
/** list_directory shows at most this many entries. */
const LIST_LIMIT_ENTRIES = 1000;
/** search_files_content stops after this many matches, skips larger files, and visits at most so many. */
const SEARCH_MATCH_LIMIT = 200;
const SEARCH_FILE_SIZE_LIMIT = 1024 * 1024;
const SEARCH_FILE_COUNT_LIMIT = 20_000;
/** A matched line is shown up to this many characters. */
const SEARCH_LINE_LIMIT = 500;
/** Total time a model's regular expression may run over all files (a bad one backtracks for ever). */
const SEARCH_REGEX_BUDGET_MS = 5000;
/** Directories search_files_content does not walk into: version-control and dependency trees. */
const SEARCH_SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
/** How much of a file is looked at to decide that it is binary (it holds a NUL byte). */
const BINARY_SNIFF_BYTES = 8192;

/**
 * Opening flags for reads: O_NOFOLLOW so the already-checked final component cannot have been swapped for
 * a link meanwhile; O_NONBLOCK so opening a FIFO planted in the working directory cannot hang the call.
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export function filesystemToolset(): StartedToolset {
  return {
    tools: [readFileTool, writeFileTool, editFileTool, listDirectoryTool, searchFilesContentTool],
    close: async () => {},
  };
}

const readFileTool: Tool = {
  name: 'read_file',
  description: `Reads a text file in the working directory and returns its content (the first ${READ_LIMIT_BYTES / 1024} KiB of larger files).`,
  parameters: objectSchema({ path: { type: 'string', description: 'Path of the file, relative to the working directory.' } }, ['path']),
  readOnly: true,
  async run(args, context) {
    const located = await pathArgument(args, context);
    if ('output' in located) return located;
    const { pathArg, target } = located;

    return withFileErrors(pathArg, async () => {
      const file = await open(target.realPath, READ_FLAGS);
      try {
        const stats = await file.stat();
        if (stats.isDirectory()) return failure(`${pathArg} is a directory; use list_directory to see its entries`);
        if (!stats.isFile()) return failure(`${pathArg} is not a regular file`);
        const buffer = Buffer.alloc(Math.min(stats.size, READ_LIMIT_BYTES));
        const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
        const head = buffer.subarray(0, bytesRead);
        if (looksBinary(head)) return failure(`${pathArg} is a binary file (${stats.size} bytes); its content is not shown`);
        // StringDecoder holds back a multi-byte character cut in half at the limit instead of mangling it.
        const text = new StringDecoder('utf8').write(head);
        if (stats.size <= READ_LIMIT_BYTES) return success(text);
        return success(`${text}\n[cut: ${pathArg} is ${stats.size} bytes; only the first ${READ_LIMIT_BYTES} are shown]`);
      } finally {
        await file.close();
      }
    });
  },
};

const writeFileTool: Tool = {
  name: 'write_file',
  description: 'Writes content to a file in the working directory, creating the file and its parent directories or replacing what it held.',
  parameters: objectSchema(
    {
      path: { type: 'string', description: 'Path of the file, relative to the working directory.' },
      content: { type: 'string', description: 'The complete new content of the file.' },
    },
    ['path', 'content'],
  ),
  readOnly: false,
  async run(args, context) {
    const located = await pathArgument(args, context);
    if ('output' in located) return located;
    const { pathArg, target } = located;
    const content = stringArg(args, 'content', { allowEmpty: true });
    if (typeof content !== 'string') return content;

    return withFileErrors(pathArg, async () => {
      // The parent chain was resolved inside the working directory, so every directory made here is too.
      await mkdir(path.dirname(target.realPath), { recursive: true });
      const refusal = await refuseNonRegularFile(target.realPath, pathArg);
      if (refusal) return refusal;
      await writeWholeFile(target.realPath, content);
      return success(`Wrote ${Buffer.byteLength(content)} bytes to ${pathArg}.`);
    });
  },
};

const editFileTool: Tool = {
  name: 'edit_file',
  description:
    'Edits a file in the working directory by replacing text: each oldText must occur exactly once in the file, and either all edits are applied or none.',
  parameters: objectSchema(
    {
      path: { type: 'string', description: 'Path of the file, relative to the working directory.' },
      edits: {
        type: 'array',
        description: 'Replacements, applied in order.',
        minItems: 1,
        items: objectSchema(
          {
            oldText: { type: 'string', description: 'Text to replace; must occur exactly once in the file.' },
            newText: { type: 'string', description: 'Text to put in its place.' },
          },
          ['oldText', 'newText'],
        ),
      },
    },
    ['path', 'edits'],
  ),
  readOnly: false,
  async run(args, context) {
    const located = await pathArgument(args, context);
    if ('output' in located) return located;
    const { pathArg, target } = located;
    const edits = editsArg(args);
    if (!Array.isArray(edits)) return edits;

    return withFileErrors(pathArg, async () => {
      const file = await open(target.realPath, READ_FLAGS);
      let text: string;
      try {
        const stats = await file.stat();
        if (!stats.isFile()) return failure(`${pathArg} is not a regular file`);
        if (stats.size > EDIT_LIMIT_BYTES) return failure(`${pathArg} is too large to edit (${stats.size} bytes; the limit is ${EDIT_LIMIT_BYTES})`);
        text = (await file.readFile()).toString('utf8');
      } finally {
        await file.close();
      }

      // Applied to a copy: the file is written only once every edit has found its one place.
      for (const [index, edit] of edits.entries()) {
        const occurrences = countOccurrences(text, edit.oldText);
        if (occurrences !== 1) {
          const problem = occurrences === 0 ? 'was not found' : `occurs ${occurrences} times (add surrounding text so it occurs once)`;
          return failure(`edit ${index + 1}: oldText ${problem} in ${pathArg}; no edit was applied`);
        }
        const at = text.indexOf(edit.oldText);
        // Sliced rather than String.replace, which would read `$&` and the like in newText as patterns.
        text = text.slice(0, at) + edit.newText + text.slice(at + edit.oldText.length);
      }
      await writeWholeFile(target.realPath, text);
      return success(`Applied ${edits.length} edit${edits.length === 1 ? '' : 's'} to ${pathArg}.`);
    });
  },
};

const listDirectoryTool: Tool = {
  name: 'list_directory',
  description: 'Lists the entries of a directory in the working directory, marking each as [DIR], [FILE] or [LINK].',
  parameters: objectSchema({ path: { type: 'string', description: 'Path of the directory, relative to the working directory ("." for itself).' } }, ['path']),
  readOnly: true,
  async run(args, context) {
    const located = await pathArgument(args, context);
    if ('output' in located) return located;
    const { pathArg, target } = located;

    return withFileErrors(pathArg, async () => {
      const entries = await readdir(target.realPath, { withFileTypes: true });
      if (entries.length === 0) return success(`${pathArg} is empty.`);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const lines = entries.slice(0, LIST_LIMIT_ENTRIES).map((entry) => `${entryKind(entry)} ${entry.name}`);
      if (entries.length > LIST_LIMIT_ENTRIES) lines.push(`[cut: ${entries.length - LIST_LIMIT_ENTRIES} more entries not shown]`);
      return success(lines.join('\n'));
    });
  },
};

const searchFilesContentTool: Tool = {
  name: 'search_files_content',
  description: `Searches the files under a path in the working directory for a text or regular expression and returns matching lines as file:line: text (at most ${SEARCH_MATCH_LIMIT}).`,
  parameters: objectSchema(
    {
      path: { type: 'string', description: 'File or directory to search, relative to the working directory ("." for all of it).' },
      query: { type: 'string', description: 'Text to look for (case-sensitive), or a JavaScript regular expression when is_regex is true.' },
      is_regex: { type: 'boolean', description: 'Treat query as a regular expression (default false).' },
    },
    ['path', 'query'],
  ),
  readOnly: true,
  async run(args, context) {
    const located = await pathArgument(args, context);
    if ('output' in located) return located;
    const { pathArg, target } = located;
    const query = stringArg(args, 'query');
    if (typeof query !== 'string') return query;
    const isRegex = (args as Record<string, unknown>).is_regex;
    if (isRegex !== undefined && isRegex !== null && typeof isRegex !== 'boolean') return failure('is_regex must be a boolean');

    let matches: (line: string) => boolean;
    if (isRegex === true) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(query);
      } catch (error) {
        return failure(`invalid regular expression: ${errorMessage(error)}`);
      }
      matches = (line) => pattern.test(line);
    } else {
      matches = (line) => line.includes(query);
    }

    return withFileErrors(pathArg, () => searchFiles(target.realPath, target.root, matches, context.signal));
  },
};

/**
 * Walks `start` (a file or a directory) and collects matching lines. Symbolic links are not followed, so
 * the walk cannot leave the working directory; matching runs under a vm timeout so that a catastrophically
 * backtracking regular expression cannot block the server's event loop.
 */
async function searchFiles(start: string, root: string, matches: (line: string) => boolean, signal: AbortSignal): Promise<ToolOutcome> {
  const results: string[] = [];
  const notes: string[] = [];
  const matcher = new LineMatcher(matches);
  let filesVisited = 0;
  let filesSkippedAsLarge = 0;

  const pending: string[] = [start];
  walk: while (pending.length > 0) {
    if (signal.aborted) return failure('the search was cancelled');
    const current = pending.pop()!;
    // A file that vanished mid-walk is skipped; only a missing starting point is the caller's error.
    const stats = await lstat(current).catch((error: unknown) => {
      if (current === start) throw error;
      return undefined;
    });
    if (stats === undefined) continue;
    if (stats.isDirectory()) {
      const entries = await readdir(current, { withFileTypes: true }).catch(() => [] as Dirent[]);
      // Pushed in reverse so that popping visits entries in name order.
      entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
      for (const entry of entries) {
        if (entry.isDirectory() && SEARCH_SKIPPED_DIRECTORIES.has(entry.name)) continue;
        if (entry.isDirectory() || entry.isFile()) pending.push(path.join(current, entry.name));
      }
      continue;
    }
    if (!stats.isFile()) continue;
    if (stats.size > SEARCH_FILE_SIZE_LIMIT) {
      filesSkippedAsLarge++;
      continue;
    }
    if (++filesVisited > SEARCH_FILE_COUNT_LIMIT) {
      notes.push(`[stopped after ${SEARCH_FILE_COUNT_LIMIT} files; search a narrower path]`);
      break;
    }
    const content = await readSmallFile(current);
    if (content === undefined || looksBinary(content.subarray(0, BINARY_SNIFF_BYTES))) continue;

    const lines = content.toString('utf8').split(/\r?\n/);
    const matched = matcher.matchingLines(lines);
    if (matched === 'timeout') {
      return failure(`the regular expression took longer than ${SEARCH_REGEX_BUDGET_MS} ms in total; use a simpler one`);
    }
    for (const index of matched) {
      const line = lines[index]!;
      const shown = line.length > SEARCH_LINE_LIMIT ? `${line.slice(0, SEARCH_LINE_LIMIT)}…` : line;
      results.push(`${displayPath(root, current)}:${index + 1}: ${shown}`);
      if (results.length >= SEARCH_MATCH_LIMIT) {
        notes.push(`[stopped at ${SEARCH_MATCH_LIMIT} matches; there may be more]`);
        break walk;
      }
    }
  }

  if (filesSkippedAsLarge > 0) notes.push(`[skipped ${filesSkippedAsLarge} files larger than ${SEARCH_FILE_SIZE_LIMIT} bytes]`);
  if (results.length === 0) return success(['No matches found.', ...notes].join('\n'));
  return success([...results, ...notes].join('\n'));
}

/** Runs a line predicate over files within one overall time budget, enforced by vm's watchdog. */
class LineMatcher {
  private readonly script = new vm.Script('lines.reduce((found, line, index) => (matches(line) && found.push(index), found), [])');
  private readonly sandbox: { matches: (line: string) => boolean; lines: string[] };
  private readonly context: vm.Context;
  private remainingMs = SEARCH_REGEX_BUDGET_MS;

  constructor(matches: (line: string) => boolean) {
    this.sandbox = { matches, lines: [] };
    this.context = vm.createContext(this.sandbox);
  }

  matchingLines(lines: string[]): number[] | 'timeout' {
    if (this.remainingMs <= 0) return 'timeout';
    this.sandbox.lines = lines;
    const startedAt = performance.now();
    try {
      return this.script.runInContext(this.context, { timeout: Math.max(1, Math.ceil(this.remainingMs)) }) as number[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
      throw error;
    } finally {
      this.sandbox.lines = [];
      this.remainingMs -= performance.now() - startedAt;
    }
  }
}

/** The file's bytes, or undefined when it cannot be opened (permissions, vanished): the search goes on. */
async function readSmallFile(file: string): Promise<Buffer | undefined> {
  try {
    const handle = await open(file, READ_FLAGS);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/** Replaces a file's content, opened without following a final link (see WRITE_FLAGS). */
async function writeWholeFile(file: string, content: string): Promise<void> {
  const handle = await open(file, WRITE_FLAGS, 0o666);
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}

/** Refuses to write over something that exists and is not a regular file (a directory, a FIFO, a device). */
async function refuseNonRegularFile(file: string, shownPath: string): Promise<ToolOutcome | undefined> {
  try {
    const stats = await lstat(file);
    if (stats.isDirectory()) return failure(`${shownPath} is a directory`);
    if (!stats.isFile()) return failure(`${shownPath} is not a regular file`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return undefined;
}

/** Counts occurrences, overlapping ones included: "aa" in "aaa" is ambiguous, so it counts twice. */
function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

function entryKind(entry: Dirent): string {
  if (entry.isDirectory()) return '[DIR]';
  if (entry.isSymbolicLink()) return '[LINK]';
  if (entry.isFile()) return '[FILE]';
  return '[OTHER]';
}

/** Turns a failing filesystem call (missing file, permission) into an error result naming the path. */
async function withFileErrors(shownPath: string, operation: () => Promise<ToolOutcome>): Promise<ToolOutcome> {
  try {
    return await operation();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return failure(`${shownPath} does not exist`);
    // EEXIST comes from mkdir when a file stands where a parent directory has to be.
    if (code === 'ENOTDIR' || code === 'EEXIST') return failure(`${shownPath}: a component of the path is not a directory`);
    if (code === 'EACCES' || code === 'EPERM') return failure(`permission denied: ${shownPath}`);
    if (code === 'ELOOP') return failure(`${shownPath} is a symbolic link, which this tool does not follow`);
    return failure(`${shownPath}: ${errorMessage(error)}`);
  }
}

/** Reads a required string argument; an error result when it is absent, not a string, or (usually) empty. */
/** The `path` argument, and where it really is inside the working directory; or the error to answer. */
async function pathArgument(args: unknown, context: ToolContext) {
  const pathArg = stringArg(args, 'path');
  if (typeof pathArg !== 'string') return pathArg;
  const target = await confinePath(context.workingDir, pathArg);
  return target.ok ? { pathArg, target } : failure(target.message);
}

function stringArg(args: unknown, name: string, options: { allowEmpty?: boolean } = {}): string | ToolOutcome {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return failure('arguments must be a JSON object');
  const value = (args as Record<string, unknown>)[name];
  if (typeof value !== 'string') return failure(`${name} must be a string`);
  if (!options.allowEmpty && value === '') return failure(`${name} must not be empty`);
  return value;
}

interface Edit {
  oldText: string;
  newText: string;
}

function editsArg(args: unknown): Edit[] | ToolOutcome {
  const edits = (args as Record<string, unknown>).edits;
  if (!Array.isArray(edits) || edits.length === 0) return failure('edits must be a non-empty array of {oldText, newText}');
  const checked: Edit[] = [];
  for (const [index, edit] of edits.entries()) {
    const { oldText, newText } = (typeof edit === 'object' && edit !== null ? edit : {}) as Record<string, unknown>;
    if (typeof oldText !== 'string' || oldText === '') return failure(`edit ${index + 1}: oldText must be a non-empty string`);
    if (typeof newText !== 'string') return failure(`edit ${index + 1}: newText must be a string`);
    checked.push({ oldText, newText });
  }
  return checked;
}

function objectSchema(properties: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return { type: 'object', properties, required, additionalProperties: false };
}

function success(output: string): ToolOutcome {
  return { output, isError: false };
}

function failure(output: string): ToolOutcome {
  return { output, isError: true };
}
