/**
 * The server as `npm start` runs it: a child process in a process group of its own, configured by its
 * environment only, its JSON log followed on stderr. Cleanup kills the whole group: a server that
 * outlived its command must not outlive the test.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './dispose.js';
import { eventually } from './faults.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const mainScript = path.join(projectRoot, 'src', 'main.ts');
const tsxLoader = import.meta.resolve('tsx');

/** Runs `command` (a command that starts the server); `listening` resolves with its URL once it logs so. */
export function startServerProcess(command: string, args: string[], env: Record<string, string>, cwd: string) {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let unfinishedLine = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  onCleanup(async () => {
    killGroup('SIGKILL');
    await closed;
  });
  const lines: Record<string, unknown>[] = [];
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // A record may arrive split across chunks; only whole lines are parsed.
      const pieces = (unfinishedLine + chunk.toString()).split('\n');
      unfinishedLine = pieces.pop()!;
      for (const line of pieces.filter(Boolean)) {
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          lines.push(record);
          if (record.message === 'server listening') resolve(String(record.url));
        } catch {
          // not a log record
        }
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
  // A server that is expected to refuse to start never listens; that is not an unhandled failure.
  listening.catch(() => undefined);
  /** Resolves with the first log record whose message is `message`, once it is written. */
  const logged = (message: string) =>
    eventually(async () => lines.find((line) => line.message === message), `the log line "${message}"`, 20_000);
  return { child, listening, exited, closed, lines, output: () => output, killGroup, logged };
}

/** `node --import tsx src/main.ts`: what `npm start` runs, without npm. */
export function startMainProcess(env: Record<string, string>, cwd: string) {
  return startServerProcess(process.execPath, ['--import', tsxLoader, mainScript], env, cwd);
}
