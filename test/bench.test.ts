/**
 * `npm run bench` keeps working: a tiny run must finish, print its table and write complete results.
 * Only structure and correctness (no lost event) are checked here, never speed.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { onCleanup } from './support/dispose.js';

const root = new URL('..', import.meta.url).pathname;

it('a tiny benchmark run completes with every figure and its baseline', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', 'scripts/bench/run.ts', '--duration', '0.3', '--subscribers', '20', '--sse', '5', '--rate', '20',
      '--turns', '3', '--turn-subscribers', '5', '--deltas', '20',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  onCleanup(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, stderr).toBe(0);
  expect(stderr).toMatch(/\[bench .*\] throughput with 8 client\(s\): setSessionAgentModel/);
  expect(stdout).toMatch(/switch\/trivial\s+switch\/bare/);
  expect(stdout).toMatch(/fan-out WS \/ bare: \d/);
  expect(stderr).toMatch(/\[bench .*\] turns: time to first delta over 3 turns/);
  expect(stdout).toMatch(/added at p50: -?\d+\.\d+ ms \(goal ≤ 2 ms: (met|missed)\)/);
  expect(stdout).toMatch(/turn deltas \/ bare: \d/);
  expect(stdout).not.toMatch(/failed: /);

  const file = path.join(root, /results: (\S+)/.exec(stdout)![1]!);
  onCleanup(() => rmSync(file, { force: true }));
  const results = JSON.parse(readFileSync(file, 'utf8'));
  expect(results.throughput.map((row: { clients: number }) => row.clients)).toEqual([1, 8, 32]);
  for (const row of results.throughput) {
    for (const figure of [row.trivial, row.switches, row.bare]) expect(figure.count).toBeGreaterThan(0);
  }
  for (const fan of [results.fanOut.bare, results.fanOut.webSocket, results.fanOut.sse]) {
    expect(fan.delivered).toBe(fan.expected);
  }
  expect(results.page.statementsPerRequest).toBeGreaterThan(0);
  expect(results.memory.subscribers).toBe(20);

  // Turns: every measured turn and provider request has its figure, nothing failed.
  const { firstDelta, longReply } = results.turns;
  for (const side of [firstDelta.provider, firstDelta.turn]) {
    expect(side).toMatchObject({ count: 3, failed: 0, failures: [] });
    expect(Number.isFinite(side.p50) && Number.isFinite(side.p99)).toBe(true);
  }
  for (const stage of [firstDelta.turn.answered, firstDelta.turn.modelRequest]) expect(Number.isFinite(stage.p50)).toBe(true);
  expect(Number.isFinite(firstDelta.addedP50Ms)).toBe(true);
  expect(typeof firstDelta.goalMet).toBe('boolean');
  // The long reply: every subscriber got every delta, once, in order, with the model's text.
  for (const reply of [longReply.bare, longReply.turn]) {
    expect(reply).toMatchObject({ subscribers: 5, deltas: 20, expected: 100, delivered: 100, complete: 5, endedEarly: 0, failed: 0 });
    expect(reply.deliveredPerSecond).toBeGreaterThan(0);
  }
  expect(longReply.vsBare).toBeGreaterThan(0);
}, 120_000);
