/**
 * The frontend clients of README.md ("For frontend developers") work as written: in a project folder of
 * their own, the README's codegen.ts generates their types from the committed schema.graphql, both clients
 * typecheck against them, and, run with tsx against a live server, each prints the session's stored events
 * and then one that happens while it listens.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { onCleanup } from './support/dispose.js';
import { eventually } from './support/faults.js';
import { startTestServer } from './support/server.js';
import { createSession, switchModel } from './support/sessions.js';

const projectRoot = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

/** The README's marked blocks, by the file name each is shown as. */
const examples = new Map(
  [...readme.matchAll(/<!-- frontend-example: (\S+) -->\n```ts\n([\s\S]*?)```/g)].map((match) => [match[1]!, match[2]!]),
);
const WEBSOCKET_CLIENT = 'src/session-events.ts';
const SSE_CLIENT = 'src/session-events-sse.ts';

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output}`)))),
  );
}

/** Starts a client that runs until the test ends; `output()` is what it has printed so far. */
function startClient(file: string, cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    output: () => output,
    /** Resolves once the output matches; fails with the output when it does not in time. */
    printed: (expected: RegExp) =>
      eventually(async () => (expected.test(output) ? true : undefined), `${file} to print ${expected}`).catch((error: Error) => {
        throw new Error(`${error.message}; it printed:\n${output}`);
      }),
  };
}

/** The compiler's complaints about `files`, checked as a frontend project would: strict, DOM and Node types, a bundler's resolution. */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file ? `${path.basename(diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  });
}

it('the codegen config, the typed graphql-ws client and the SSE client in README.md generate, typecheck, and print a session\'s events', async () => {
  expect([...examples.keys()]).toEqual(['codegen.ts', WEBSOCKET_CLIENT, SSE_CLIENT]);

  // Inside this project, so that 'graphql-ws', 'ws', tsx and the codegen packages resolve to its node_modules.
  mkdirSync(path.join(projectRoot, 'test-results'), { recursive: true });
  const folder = mkdtempSync(path.join(projectRoot, 'test-results', 'readme-clients-'));
  onCleanup(() => rmSync(folder, { recursive: true, force: true }));
  copyFileSync(path.join(projectRoot, 'schema.graphql'), path.join(folder, 'schema.graphql'));
  for (const [file, text] of examples) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), text);
  }

  // `npx graphql-codegen`, as the README says: the typed documents of src/ into src/graphql/.
  await run(process.execPath, [path.join(projectRoot, 'node_modules', '.bin', 'graphql-codegen'), '--config', 'codegen.ts', '--silent'], folder);
  expect(readFileSync(path.join(folder, 'src', 'graphql', 'graphql.ts'), 'utf8')).toContain('SessionEventsSubscription');
  expect(typeErrors([WEBSOCKET_CLIENT, SSE_CLIENT].map((file) => path.join(folder, file)))).toEqual([]);

  const server = await startTestServer('sqlite', { bare: true });
  const { id } = await createSession(server, { title: 'watched by the README clients', team: 'demo' });
  const env = { API_URL: server.url, SESSION_ID: id };
  const clients = [startClient(WEBSOCKET_CLIENT, folder, env), startClient(SSE_CLIENT, folder, env)];

  // The stored events first (`after: 0`)…
  for (const client of clients) await client.printed(/^1 SessionCreatedEvent$/m);
  // …then, once both listen, a change made now.
  const { seq } = await switchModel(server, id, 'echo-short');
  await clients[0]!.printed(new RegExp(`^${seq} ModelChangedEvent echo-short$`, 'm'));
  await clients[1]!.printed(new RegExp(`^${seq} ModelChangedEvent$`, 'm'));
  for (const client of clients) expect(client.output()).not.toMatch(/Error/);
});
