/**
 * A private Redis for a test: a `redis-server` child process on a free port of its own, that the test can
 * stop (SIGKILL, as a crash or an outage) and start again on the same port, so that the clients connected
 * to it see a real outage and a real recovery. Nothing is persisted (`--save ""`, no AOF): a restarted
 * Redis starts empty, as pub/sub holds nothing anyway. Killed when the test (or, made in beforeAll, the
 * file) ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onCleanup } from './dispose.js';

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`: the same for the life of the test, across stops and starts. */
  readonly url: string;
  readonly port: number;
  /** Whether the process runs and answered PING (false between stop() and start()). */
  readonly running: boolean;
  /** Kills the process (SIGKILL: nothing is flushed, connections drop at once) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and resolves once it answers PING. */
  start(): Promise<void>;
}

/** How long a start may take before it counts as failed: far longer than redis-server needs. */
const START_LIMIT_MS = 10_000;

/** A port nobody listens on now: the kernel picks one for a listener on port 0, which is then closed. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** One PING over a plain socket: resolves true on `+PONG`, false on anything else (refused, loading…). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'asg-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let running = false;
  let output = '';

  const launch = async (port: number): Promise<void> => {
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = server;
    output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let gone = false;
    exited = new Promise<void>((resolve) => {
      server.once('error', (error) => {
        output += String(error);
        gone = true;
        resolve();
      });
      server.once('exit', () => {
        gone = true;
        resolve();
      });
    });
    // Polled, never slept on: it answers within milliseconds; a process that exits (port taken) fails at once.
    const deadline = Date.now() + START_LIMIT_MS;
    for (;;) {
      if (gone) throw new Error(`redis-server on port ${port} exited before answering PING:\n${output}`);
      if (await answersPing(port)) break;
      if (Date.now() > deadline) {
        server.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not answer PING within ${START_LIMIT_MS} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    running = true;
  };

  const stop = async () => {
    running = false;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  onCleanup(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // Another process may take the probed port before redis-server binds it: then try another one.
  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    try {
      await launch(port);
      break;
    } catch (error) {
      await stop();
      if (attempt >= 3) throw error;
    }
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return running;
    },
    stop,
    start: async () => {
      if (running) throw new Error('the private Redis runs already');
      await launch(port);
    },
  };
}
