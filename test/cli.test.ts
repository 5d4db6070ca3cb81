/** The server as `npm start` runs it: a child process, configured by its environment only. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { eventually } from './support/faults.js';
import { startMainProcess, startServerProcess } from './support/server-process.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Resolves with the error a TCP connection to the URL's port fails with, or rejects if one is accepted. */
function connectionFailure(url: string): Promise<NodeJS.ErrnoException> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error(`${hostname}:${port} still accepts connections`));
    });
    socket.once('error', resolve);
  });
}

describe('command line', () => {
  it('starts on the embedded SQLite default in ./data (WAL), serves GraphiQL and the API, and stops cleanly', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'asg-cli-'));
    onCleanup(() => rmSync(cwd, { recursive: true, force: true }));
    const server = startMainProcess({}, cwd);
    const url = await server.listening;

    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createSession(input: { title: "cli" }) { ... on Session { id running team } } }' }),
    });
    const created = (await response.json()) as { data: { createSession: { id: string; running: boolean; team: string } } };
    expect(created.data.createSession).toMatchObject({ running: true, team: 'demo' });

    // The default demo team answers a turn with no credentials and no network.
    const turn = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($id: ID!) { runTurn(input: { sessionId: $id, messages: [{ role: "user", content: "hi" }] }) { __typename } }',
        variables: { id: created.data.createSession.id },
      }),
    });
    expect(await turn.json()).toEqual({ data: { runTurn: { __typename: 'TurnPayload' } } });
    const ended = await eventually(async () => server.lines.find((line) => line.message === 'turn ended'), 'the turn to end');
    expect(ended).toMatchObject({ reason: 'COMPLETED' });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.lines.map((line) => line.message)).toEqual(
      expect.arrayContaining(['migration applied', 'server listening', 'session created', 'turn started', 'shutting down', 'server stopped']),
    );
    const file = path.join(cwd, 'data', 'sessions.db');
    expect(existsSync(file)).toBe(true);
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT count(*) AS n FROM "Session"').get()).toEqual({ n: 1 });
    raw.close();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '`npm start` runs the server as the process that gets %s: it shuts down cleanly and frees the port',
    async (signal) => {
      const scratch = mkdtempSync(path.join(tmpdir(), 'asg-npm-start-'));
      onCleanup(() => rmSync(scratch, { recursive: true, force: true }));
      const npm = startServerProcess('npm', ['start'], { DATABASE_URL: `file:${path.join(scratch, 'sessions.db')}` }, projectRoot);
      const url = await npm.listening;
      // main.ts installs its signal handlers just after it logs that it listens, and a signal before that
      // would kill the server outright; once it answers a request, the handlers are in place.
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });

      npm.child.kill(signal);
      const exitCode = await npm.exited;
      expect((await connectionFailure(url)).code).toBe('ECONNREFUSED');
      expect(exitCode).toBe(0);
      await npm.closed;
      expect(npm.lines.map((line) => line.message)).toEqual(expect.arrayContaining(['shutting down', 'server stopped']));
      expect(npm.lines.find((line) => line.message === 'shutting down')).toMatchObject({ signal });
    },
  );

  it('runs the same server on PostgreSQL when DATABASE_URL says so', async () => {
    const database = freshDatabase('postgresql');
    const server = startMainProcess({ DATABASE_URL: database.url }, process.cwd());
    const url = await server.listening;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ agents { name } }' }),
    });
    expect(await response.json()).toEqual({ data: { agents: [{ name: 'demo' }, { name: 'example' }, { name: 'pinned' }] } });
    expect(server.lines.find((line) => line.message === 'opening database')).toMatchObject({ provider: 'postgresql' });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses a bad configuration, listing every problem', async () => {
    const server = startMainProcess({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' }, process.cwd());
    expect(await server.exited).toBe(2);
    expect(server.output()).toMatch(/PORT must be a whole number/);
    expect(server.output()).toMatch(/LOG_LEVEL must be one of/);
    expect(server.output()).toMatch(/DATABASE_URL must start with "file:"/);
  });
});
