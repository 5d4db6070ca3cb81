/**
 * A server that dies (SIGKILL) while a turn waits for a tool call's confirmation: the server runs as a
 * child process on a SQLite file, as `npm start` runs it, and its model is a fake OpenAI server in this
 * process. The next server on that file ends the turn INTERRUPTED, once, the call never runs, and the
 * conversation goes on with the interrupted call answered, as a provider requires.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import BetterSqlite3 from 'better-sqlite3';
import { print, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { onCleanup } from './support/dispose.js';
import { eventually } from './support/faults.js';
import { startFakeOpenAI } from './support/fake-providers.js';
import { CreateSession, StartSession } from './support/operations.js';
import { ToolsetSession } from './support/tool-operations.js';
import { startMainProcess } from './support/server-process.js';
import { RunTurn } from './support/turn-operations.js';

/** One GraphQL operation over HTTP; fails on GraphQL errors. */
async function send<R, V>(url: string, document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const result = (await response.json()) as ExecutionResult<R>;
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

async function readSession(url: string, id: string) {
  const { session } = await send(url, ToolsetSession, { id });
  if (session?.__typename !== 'Session') throw new Error(`no session: ${JSON.stringify(session)}`);
  return session;
}

/** The session's stored log, read from the SQLite file past the server. */
function storedLog(file: string, globalId: string) {
  const id = Buffer.from(globalId, 'base64').toString('utf8').replace(/^Session:/, '');
  const raw = new BetterSqlite3(file, { readonly: true });
  try {
    const rows = raw.prepare('SELECT seq, kind, payload FROM "SessionEvent" WHERE "sessionId" = ? ORDER BY seq').all(id) as {
      seq: number;
      kind: string;
      payload: string;
    }[];
    return rows.map((row) => ({ seq: row.seq, kind: row.kind, payload: JSON.parse(row.payload) as Record<string, unknown> }));
  } finally {
    raw.close();
  }
}

describe('a server killed while a tool call waits for confirmation', () => {
  it('the next server ends the turn INTERRUPTED once; the call never runs and the next turn sends it answered with a tool error', async () => {
    const fake = await startFakeOpenAI();
    fake
      .toolCalls([{ id: 'doomed-call', name: 'write_file', arguments: { path: 'never.txt', content: 'should not be written' } }])
      .reply(['Back again']);
    const scratch = mkdtempSync(path.join(tmpdir(), 'asg-tool-crash-'));
    onCleanup(() => rmSync(scratch, { recursive: true, force: true }));
    const agentsDir = path.join(scratch, 'agents');
    const workingDir = path.join(scratch, 'work');
    mkdirSync(agentsDir);
    mkdirSync(workingDir);
    writeFileSync(
      path.join(agentsDir, 'crashy.yaml'),
      [
        'agents:',
        '  root:',
        '    model: fake',
        '    toolsets: [{ type: filesystem }]',
        'models:',
        `  fake: { provider: openai, model: fake-model, base_url: "${fake.url}" }`,
      ].join('\n'),
    );
    const databaseFile = path.join(scratch, 'sessions.db');
    // A short lease: a restart waits a moment to be sure the killed server is gone before it takes back its sessions.
    const env = { DATABASE_URL: `file:${databaseFile}`, AGENTS_DIR: agentsDir, DEFAULT_TEAM: 'crashy', OPENAI_API_KEY: 'sk-fake', LEASE_TTL_MS: '600' };

    // The first server: the turn waits for write_file's confirmation (default safety policy ASK_UNSAFE).
    const first = startMainProcess(env, scratch);
    const firstUrl = await first.listening;
    const { createSession } = await send(firstUrl, CreateSession, { input: { title: 'crash', workingDir } });
    if (createSession.__typename !== 'Session') throw new Error(JSON.stringify(createSession));
    const sessionId = createSession.id;
    const { runTurn } = await send(firstUrl, RunTurn, { input: { sessionId, messages: [{ role: 'user', content: 'write it' }] } });
    if (runTurn.__typename !== 'TurnPayload') throw new Error(JSON.stringify(runTurn));
    const turnId = runTurn.turnId;
    const waiting = await eventually(async () => {
      const { turn } = await readSession(firstUrl, sessionId);
      return turn?.state === 'AWAITING_CONFIRMATION' ? turn : undefined;
    }, 'the turn to wait for confirmation');
    expect(waiting.pendingToolCall).toMatchObject({ toolCallId: 'doomed-call', tool: 'write_file' });
    expect(storedLog(databaseFile, sessionId).at(-1)).toMatchObject({ kind: 'TOOL_CALL_CONFIRMATION', payload: { turnId } });

    // Killed outright: nothing gets to record the turn's end.
    first.killGroup('SIGKILL');
    await first.closed;
    expect(storedLog(databaseFile, sessionId).filter((event) => event.kind === 'TURN_ENDED')).toEqual([]);

    // The next server on that file ends it INTERRUPTED as it starts, before anything can run, and records
    // that the session's runtime went with the crash.
    const second = startMainProcess(env, scratch);
    const secondUrl = await second.listening;
    const afterRestart = storedLog(databaseFile, sessionId);
    expect(afterRestart.slice(-2)).toMatchObject([
      { kind: 'TURN_ENDED', payload: { turnId, reason: 'INTERRUPTED' } },
      { kind: 'SESSION_STOPPED', payload: { reason: 'SERVER_RESTARTED' } },
    ]);
    expect((await readSession(secondUrl, sessionId)).turn).toBeNull();
    second.killGroup('SIGTERM');
    await second.closed;

    // A third start finds nothing left to end: the interrupted end is stored exactly once.
    const third = startMainProcess(env, scratch);
    const thirdUrl = await third.listening;
    const ends = storedLog(databaseFile, sessionId).filter((event) => event.kind === 'TURN_ENDED');
    expect(ends).toEqual([{ seq: expect.any(Number), kind: 'TURN_ENDED', payload: { turnId, reason: 'INTERRUPTED' } }]);

    // The session starts again and a new turn completes; the model receives the interrupted call answered.
    expect((await send(thirdUrl, StartSession, { id: sessionId })).startSession).toMatchObject({ __typename: 'Session', running: true });
    const next = await send(thirdUrl, RunTurn, { input: { sessionId, messages: [{ role: 'user', content: 'are you there?' }] } });
    expect(next.runTurn.__typename).toBe('TurnPayload');
    const endsStored = () => storedLog(databaseFile, sessionId).filter((event) => event.kind === 'TURN_ENDED').length;
    await eventually(async () => (endsStored() === 2 ? true : undefined), "the new turn's end to be stored");
    expect(storedLog(databaseFile, sessionId).filter((event) => event.kind === 'TURN_ENDED').map((event) => event.payload.reason)).toEqual([
      'INTERRUPTED',
      'COMPLETED',
    ]);
    expect(fake.requests).toHaveLength(2);
    const request = fake.requests[1];
    expect(
      request!.body.messages.map((message) => [message.role, message.tool_calls?.map((call) => call.id) ?? message.tool_call_id ?? message.content]),
    ).toEqual([
      ['user', 'write it'],
      ['assistant', ['doomed-call']],
      ['tool', 'doomed-call'],
      ['user', 'are you there?'],
    ]);
    const answered = request!.body.messages.find((message) => message.role === 'tool');
    expect(answered!.content).toMatch(/interrupted/);
    const { messages } = await readSession(thirdUrl, sessionId);
    expect(messages.edges.at(-1)?.node).toMatchObject({ role: 'assistant', content: 'Back again' });

    // The call was never run.
    expect(existsSync(path.join(workingDir, 'never.txt'))).toBe(false);
  });
});
