/** The README's GraphQL examples run, as written, against a real server. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { spawn } from 'node:child_process';
import { parse } from 'graphql';
import { onCleanup } from './support/dispose.js';
import { AddMessage } from './support/api-operations.js';
import { SetModel } from './support/operations.js';
import { startTestServer } from './support/server.js';
import { createSession } from './support/sessions.js';
import { subscribe } from './support/subscribers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((match) =>
  // A block may hold several one-line operations.
  /^(mutation|query|subscription) \{\n/.test(match[1]!.trim())
    ? [match[1]!]
    : match[1]!.split('\n').filter((line) => line.trim()),
);

it('every GraphQL example in README.md runs without errors', async () => {
  expect(blocks.length).toBeGreaterThanOrEqual(20);
  const server = await startTestServer('sqlite');
  for (const block of blocks.filter((text) => !text.trim().startsWith('subscription'))) {
    // Each example gets a session (with a message) of its own: some delete theirs.
    const { id } = await createSession(server, { title: 'readme' });
    const { addMessage } = await server.data(AddMessage, { input: { sessionId: id, role: 'user', content: 'hello' } });
    if (addMessage.__typename !== 'Message') throw new Error('addMessage failed');
    const query = block.replaceAll('U2Vzc2lvbjo…', id).replaceAll('TWVzc2FnZTo…', addMessage.id);
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
    expect(body.errors, query).toBeUndefined();
    // Every example selects `... on Error { message }`: a result with a message is a failure.
    for (const value of Object.values(body.data ?? {})) {
      expect(value, query).not.toHaveProperty('message');
    }
  }
});

it('every subscription example in README.md delivers events', async () => {
  const subscriptions = blocks.filter((text) => text.trim().startsWith('subscription'));
  expect(subscriptions.length).toBeGreaterThanOrEqual(1);
  const server = await startTestServer('sqlite');
  const { id } = await createSession(server, { title: 'readme' });
  for (const block of subscriptions) {
    const document = parse(block.replaceAll('U2Vzc2lvbjo…', id)) as TypedDocumentNode<{ sessionEvents?: unknown }, Record<string, never>>;
    const stream = subscribe(server, 'sse', document, {});
    await server.data(SetModel, { input: { sessionId: id, modelRef: 'gpt' } });
    await stream.until((results) => results.some((result) => result.data?.sessionEvents), 'an event');
    expect(stream.results.every((result) => !result.errors), JSON.stringify(stream.results)).toBe(true);
  }
});

/** Runs a README snippet as a child process until its output shows `expected`, then stops it. */
function runUntil(command: string, args: string[], expected: RegExp): Promise<string> {
  const child = spawn(command, args, { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => child.kill('SIGKILL'));
  let output = '';
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (expected.test(output)) {
        child.kill();
        resolve(output);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', () => reject(new Error(`exited before printing ${expected}:\n${output}`)));
  });
}

it('the curl (SSE) and graphql-ws client examples in README.md receive events', async () => {
  const server = await startTestServer('sqlite');
  const { id } = await createSession(server, { title: 'readme' });
  const withServer = (text: string) =>
    text.replaceAll('U2Vzc2lvbjo…', id).replaceAll('127.0.0.1:4000', new URL(server.url).host);

  const curl = /```sh\n(curl -N [\s\S]*?)```/.exec(readme)?.[1];
  expect(curl).toBeDefined();
  const sse = await runUntil('bash', ['-c', withServer(curl!).replace(/\\\n\s*/g, ' ')], /event: next\ndata: .*SessionCreatedEvent/);
  expect(sse).toContain('"seq":1');

  const client = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(client).toBeDefined();
  const printed = await runUntil(process.execPath, ['--input-type=module', '-e', withServer(client!)], /sessionEvents/);
  expect(printed).toMatch(/SessionCreatedEvent/);
});
