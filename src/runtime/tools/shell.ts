/**
 * docker-agent's `shell` toolset: one tool that runs a command with /bin/sh in the working directory.
 * The command gets a minimal environment (nothing of the server's, so no API key leaks into it), runs in a
 * process group of its own so that it and everything it started can be killed together, and is killed on
 * timeout, on cancellation and when it exits (so nothing it left in the background outlives the call).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { confinePath, errorMessage } from './paths.js';
import type { StartedToolset, Tool, ToolContext, ToolOutcome, ToolsetConfig } from './tool.js';

type ShellConfig = Extract<ToolsetConfig, { type: 'shell' }>;

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';
/** setTimeout fires at once for delays above this (2^31 - 1 ms), so longer timeouts are capped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * After the shell exits and its group is killed, how long to wait for the output pipes to close. A process
 * that left the group (setsid) could hold them open for ever; past this the pipes are dropped.
 */
const PIPE_CLOSE_GRACE_MS = 2000;

export function shellToolset(config: ShellConfig): StartedToolset {
  const tool: Tool = {
    name: 'shell',
    description: `Runs a shell command with /bin/sh in the working directory (or in cwd) and returns its combined stdout and stderr; it is killed after ${config.timeoutMs} ms.`,
    parameters: {
      type: 'object',
      properties: {
        cmd: { type: 'string', description: 'The command line to run.' },
        cwd: { type: 'string', description: 'Directory to run it in, relative to the working directory (default: the working directory).' },
      },
      required: ['cmd'],
      additionalProperties: false,
    },
    readOnly: false,
    run: (args, context) => runShellTool(config, args, context),
  };
  return { tools: [tool], close: async () => {} };
}

async function runShellTool(config: ShellConfig, args: unknown, context: ToolContext): Promise<ToolOutcome> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return failure('arguments must be a JSON object');
  const { cmd, cwd } = args as Record<string, unknown>;
  if (typeof cmd !== 'string' || cmd.trim() === '') return failure('cmd must be a non-empty string');
  if (cwd !== undefined && cwd !== null && typeof cwd !== 'string') return failure('cwd must be a string');

  const directory = await confinePath(context.workingDir, typeof cwd === 'string' && cwd !== '' ? cwd : '.');
  if (!directory.ok) return failure(directory.message);
  try {
    if (!(await stat(directory.realPath)).isDirectory()) return failure(`cwd is not a directory: ${String(cwd)}`);
  } catch (error) {
    return failure(`cwd is not accessible: ${String(cwd)} (${errorMessage(error)})`);
  }
  if (context.signal.aborted) return failure('the command was cancelled');

  return runCommand(cmd, {
    cwd: directory.realPath,
    env: {
      PATH: process.env.PATH || DEFAULT_PATH,
      HOME: context.workingDir,
      LANG: 'C.UTF-8',
      ...config.env,
    },
    timeoutMs: config.timeoutMs,
    maxOutputBytes: config.maxOutputBytes,
    signal: context.signal,
  });
}

interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
}

/** Runs `/bin/sh -c cmd` and reports its output and how it ended; resolves on every path, never rejects. */
function runCommand(cmd: string, options: RunOptions): Promise<ToolOutcome> {
  return new Promise((resolve) => {
    const output = new OutputCollector(options.maxOutputBytes);
    let ending: 'timeout' | 'cancelled' | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let finished = false;

    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', cmd], {
        cwd: options.cwd,
        env: options.env,
        // A group of its own (the shell leads it), so that process.kill(-pid) reaches its children too.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve(failure(`the command could not be started: ${errorMessage(error)}`));
      return;
    }

    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };

    const onAbort = () => {
      if (exit !== undefined) return; // it already ended on its own; only the pipes are being drained
      ending ??= 'cancelled';
      killGroup();
    };

    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      options.signal.removeEventListener('abort', onAbort);
      // Still running only when the pipes were dropped or spawning half-failed: make sure it is gone.
      if (exit === undefined) killGroup();
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(describeEnding(output.text(), { ending, exit, spawnError, timeoutMs: options.timeoutMs }));
    };

    child.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.add(chunk));

    child.on('error', (error) => {
      spawnError = error;
      finish();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(timeoutTimer);
      // Background processes the command left behind die with it; their pipes then close.
      killGroup();
      graceTimer = setTimeout(finish, PIPE_CLOSE_GRACE_MS);
    });
    // 'close' comes after 'exit' once stdout and stderr have ended: all output has been read.
    child.on('close', finish);

    timeoutTimer = setTimeout(
      () => {
        ending ??= 'timeout';
        killGroup();
      },
      Math.min(Math.max(options.timeoutMs, 1), MAX_TIMER_MS),
    );
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();
  });
}

function describeEnding(
  text: string,
  how: {
    ending: 'timeout' | 'cancelled' | undefined;
    exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    spawnError: Error | undefined;
    timeoutMs: number;
  },
): ToolOutcome {
  const lines = text === '' ? [] : [text.endsWith('\n') ? text.slice(0, -1) : text];
  if (how.ending === 'cancelled') return failure([...lines, 'the command was cancelled'].join('\n'));
  if (how.ending === 'timeout') return failure([...lines, `the command timed out after ${how.timeoutMs} ms and was killed`].join('\n'));
  if (how.spawnError !== undefined) return failure([...lines, `the command could not be run: ${how.spawnError.message}`].join('\n'));
  if (how.exit?.code === 0) return { output: lines.length > 0 ? lines.join('\n') : '(no output)', isError: false };
  if (how.exit?.code !== null && how.exit?.code !== undefined) return failure([...lines, `exit code ${how.exit.code}`].join('\n'));
  if (how.exit?.signal) return failure([...lines, `the command was killed by ${how.exit.signal}`].join('\n'));
  // The pipes closed without an exit status (cannot normally happen): say so rather than claim success.
  return failure([...lines, 'the command ended without an exit status'].join('\n'));
}

/** Keeps the first `limit` bytes of stdout and stderr in arrival order, and counts the bytes cut. */
class OutputCollector {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private cut = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = Math.max(0, this.limit - this.kept);
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.kept += room;
    this.cut += chunk.length - room;
  }

  text(): string {
    // StringDecoder drops a multi-byte character cut in half at the limit instead of mangling it.
    const decoder = new StringDecoder('utf8');
    const kept = Buffer.concat(this.chunks);
    if (this.cut === 0) return decoder.write(kept) + decoder.end();
    const text = decoder.write(kept);
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}[output cut: ${this.cut} more bytes not shown]\n`;
  }
}

function failure(output: string): ToolOutcome {
  return { output, isError: true };
}
