/** The README's GraphQL examples run, as written, against a real server. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { spawn } from 'node:child_process';
import { getNamedType, isAbstractType, isInterfaceType, isObjectType, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../src/schema/index.js';
import { onCleanup } from './support/dispose.js';
import { AddMessage } from './support/api-operations.js';
import { startTestServer } from './support/server.js';
import { eventually } from './support/faults.js';
import { createSession, switchModel } from './support/sessions.js';
import { SessionTurn } from './support/turn-operations.js';
import { subscribe } from './support/subscribers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((match) =>
  // A block may hold several one-line operations.
  /^(mutation|query|subscription) \{\n/.test(match[1]!.trim())
    ? [match[1]!]
    : match[1]!.split('\n').filter((line) => line.trim()),
);

it('every query and mutation example in README.md selects `... on Error { message }` on each result with typed errors', () => {
  const schema = buildSchema();
  const errorInterface = schema.getType('Error');
  if (!isInterfaceType(errorInterface)) throw new Error('the schema has no interface Error');
  const operations = blocks.filter((text) => !text.trim().startsWith('subscription'));
  expect(operations.length).toBeGreaterThanOrEqual(20);
  const checked: string[] = [];
  const missing: string[] = [];
  for (const block of operations) {
    for (const operation of parse(block).definitions as OperationDefinitionNode[]) {
      const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
      for (const selection of operation.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD) continue;
        const returned = getNamedType(root!.getFields()[selection.name.value]!.type);
        const possible = isAbstractType(returned) ? schema.getPossibleTypes(returned) : isObjectType(returned) ? [returned] : [];
        // A field some of whose results are typed errors: one of those would otherwise come back as `{}`.
        if (!possible.some((type) => schema.isSubType(errorInterface, type))) continue;
        checked.push(selection.name.value);
        const selectsMessage = (selection.selectionSet?.selections ?? []).some(
          (inner) =>
            inner.kind === Kind.INLINE_FRAGMENT &&
            inner.typeCondition?.name.value === 'Error' &&
            inner.selectionSet.selections.some((field) => field.kind === Kind.FIELD && field.name.value === 'message' && !field.alias),
        );
        if (!selectsMessage) missing.push(block.trim());
      }
    }
  }
  // The README's examples cover the result unions: mutations and `session` both.
  expect(checked).toEqual(expect.arrayContaining(['createSession', 'setSessionAgentModel', 'session', 'deleteSession']));
  expect(missing).toEqual([]);
});

it('README.md names every error type and every event type the schema has', () => {
  const schema = buildSchema();
  const implementing = (name: string) =>
    Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && type.getInterfaces().some((iface) => iface.name === name))
      .map((type) => type.name);
  const types = [...implementing('Error'), ...implementing('SessionEvent')];
  expect(types.length).toBeGreaterThanOrEqual(20);
  expect(types.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
});

it('every GraphQL example in README.md runs without errors', async () => {
  expect(blocks.length).toBeGreaterThanOrEqual(20);
  const server = await startTestServer('sqlite', { bare: true });
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
    // Every example selects `... on Error { message }` (the test above checks it): a result with a message is a failure.
    for (const value of Object.values(body.data ?? {})) {
      expect(value, query).not.toHaveProperty('message');
    }
  }
});

it('every subscription example in README.md delivers events', async () => {
  const subscriptions = blocks.filter((text) => text.trim().startsWith('subscription'));
  expect(subscriptions.length).toBeGreaterThanOrEqual(1);
  const server = await startTestServer('sqlite', { bare: true });
  const { id } = await createSession(server, { title: 'readme' });
  for (const [index, block] of subscriptions.entries()) {
    const document = parse(block.replaceAll('U2Vzc2lvbjo…', id)) as TypedDocumentNode<
      { sessionEvents?: { seq: number } },
      Record<string, never>
    >;
    const stream = subscribe(server, 'sse', document, {});
    const { seq } = await switchModel(server, id, index % 2 ? 'echo-short' : 'echo');
    // The examples subscribe from `after: 0`: every event of the session up to this change is due.
    const events = await stream.received(
      (results) => results.length >= seq || results.some((result) => result.data?.sessionEvents?.seq === seq),
    );
    expect(events.filter((result) => result.errors), block).toEqual([]);
    expect(events.map((result) => result.data?.sessionEvents?.seq), block).toEqual(Array.from({ length: seq }, (_, at) => at + 1));
    await stream.close();
  }
});

/**
 * Runs a README snippet as a child process until its output shows `expected`, it exits, or (when it
 * hangs) `limitMs` passes; then stops it and resolves with its output, for the test to assert on.
 */
function runUntil(command: string, args: string[], expected: RegExp, limitMs = 15_000): Promise<string> {
  const child = spawn(command, args, { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => child.kill('SIGKILL'));
  let output = '';
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      child.kill();
      resolve(output);
    };
    const timer = setTimeout(finish, limitMs);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (expected.test(output)) finish();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('close', finish);
  });
}

it('the curl (SSE) and graphql-ws client examples in README.md receive events', async () => {
  const server = await startTestServer('sqlite', { bare: true });
  const { id } = await createSession(server, { title: 'readme' });
  const withServer = (text: string) =>
    text.replaceAll('U2Vzc2lvbjo…', id).replaceAll('127.0.0.1:4000', new URL(server.url).host);

  const curl = /```sh\n(curl -N [\s\S]*?)```/.exec(readme)?.[1];
  expect(curl).toBeDefined();
  const sse = await runUntil('bash', ['-c', withServer(curl!).replace(/\\\n\s*/g, ' ')], /event: next\ndata: .*SessionCreatedEvent/);
  expect(sse).toMatch(/event: next\ndata: .*SessionCreatedEvent/);
  expect(sse).toContain('"seq":1');

  const client = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(client).toBeDefined();
  const printed = await runUntil(process.execPath, ['--input-type=module', '-e', withServer(client!)], /sessionEvents/);
  expect(printed).toMatch(/SessionCreatedEvent/);
});

it("the tools walkthrough in README.md: a second client approves a tool call while the first watches", async () => {
  const section = readme.slice(readme.indexOf('### Tools and approvals'), readme.indexOf('### Several instances'));
  const [watch, ask, approve] = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!.replace(/\\\n\s*/g, ' '));
  expect([watch, ask, approve].every(Boolean)).toBe(true);
  const server = await startTestServer('sqlite', { bare: true });
  const workingDir = mkdtempSync(path.join(tmpdir(), 'asg-readme-'));
  onCleanup(() => rmSync(workingDir, { recursive: true, force: true }));
  const { id } = await createSession(server, { title: 'readme tools', workingDir });
  const withServer = (text: string) => text.replaceAll('U2Vzc2lvbjo…', id).replaceAll('127.0.0.1:4000', new URL(server.url).host);

  // Without `after` the watcher replays the session's log first, so nothing it must see can pass it by.
  const watched = runUntil('bash', ['-c', withServer(watch!)], /TurnEndedEvent/);
  expect(await runUntil('bash', ['-c', withServer(ask!)], /turnId|message/)).toMatch(/turnId/);
  await eventually(async () => {
    const { session } = await server.data(SessionTurn, { id });
    return session && 'turn' in session && session.turn?.state === 'AWAITING_CONFIRMATION' ? true : undefined;
  }, 'the tool call to wait');
  expect(await runUntil('bash', ['-c', withServer(approve!)], /turnId|message/)).toMatch(/turnId/);

  const output = await watched;
  for (const event of ['ToolCallConfirmationEvent', 'TurnResumedEvent', 'ToolCallResultEvent', 'TurnEndedEvent']) expect(output).toContain(event);
  expect(readFileSync(path.join(workingDir, 'hello.txt'), 'utf8')).toBe('Hello from the agent');
});
