/** The servers under test, each in a child process of its own so that its memory is its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../prisma-schemas.js';

export interface ServerProcess {
  url: string;
  pid: number;
  metrics(): Promise<Record<string, number>>;
  /** Resident memory, from the kernel. */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

async function readRss(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** Starts a script with tsx and waits for the JSON log line (or plain line) that gives its URL. */
export function startProcess(script: string, env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, script)], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /"url":"(http:[^"]+)"/.exec(output)?.[1] ?? /^listening (http:\S+)$/m.exec(output)?.[1];
      if (!url) return;
      child.stderr!.off('data', onData);
      child.stdout!.off('data', onData);
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({
        url,
        pid: child.pid!,
        metrics: async () => {
          const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
          return Object.fromEntries(
            text
              .split('\n')
              .filter((line) => line && !line.startsWith('#'))
              .map((line) => [line.split(' ')[0], Number(line.split(' ')[1])]),
          );
        },
        rss: () => readRss(child.pid!),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}
