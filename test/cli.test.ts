/** The server as `npm start` runs it: a child process, configured by its environment only. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from './support/databases.js';
import { onCleanup } from './support/dispose.js';

const mainScript = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

function startCli(env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, ['--import', tsxLoader, mainScript], {
    cwd,
    env: { PATH: process.env.PATH, PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onCleanup(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const lines: Record<string, unknown>[] = [];
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
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
  return { child, listening, exited, lines, output: () => output };
}

describe('command line', () => {
  it('starts on the embedded SQLite default in ./data (WAL), serves GraphiQL and the API, and stops cleanly', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'asg-cli-'));
    onCleanup(() => rmSync(cwd, { recursive: true, force: true }));
    const server = startCli({}, cwd);
    const url = await server.listening;

    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createSession(input: { title: "cli" }) { ... on Session { running team } } }' }),
    });
    expect(await response.json()).toEqual({ data: { createSession: { running: true, team: 'example' } } });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.lines.map((line) => line.message)).toEqual(
      expect.arrayContaining(['migration applied', 'server listening', 'session created', 'shutting down', 'server stopped']),
    );
    const file = path.join(cwd, 'data', 'sessions.db');
    expect(existsSync(file)).toBe(true);
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT count(*) AS n FROM "Session"').get()).toEqual({ n: 1 });
    raw.close();
  });

  it('runs the same server on PostgreSQL when DATABASE_URL says so', async () => {
    const database = freshDatabase('postgresql');
    const server = startCli({ DATABASE_URL: database.url }, process.cwd());
    const url = await server.listening;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ agents { name } }' }),
    });
    expect(await response.json()).toEqual({ data: { agents: [{ name: 'example' }, { name: 'pinned' }] } });
    expect(server.lines.find((line) => line.message === 'opening database')).toMatchObject({ provider: 'postgresql' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses a bad configuration, listing every problem', async () => {
    const server = startCli({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' }, process.cwd());
    expect(await server.exited).toBe(2);
    expect(server.output()).toMatch(/PORT must be a whole number/);
    expect(server.output()).toMatch(/LOG_LEVEL must be one of/);
    expect(server.output()).toMatch(/DATABASE_URL must start with "file:"/);
  });
});
