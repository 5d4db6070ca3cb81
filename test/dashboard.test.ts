/**
 * /dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a real server:
 * the list follows the API live, the model picker switches models and shows typed errors, replies
 * stream in, tool calls and the iteration limit are answered from the page, a turn is cancelled, a
 * token is asked for once, and a server restart loses no event. Every wait is on the page or the store
 * (never a fixed time); no page logs a console error, and none loads anything from another host.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { AddMessage, UpdateTitle } from './support/api-operations.js';
import { launchBrowser, saveScreenshot, watchPage, type PageWatch } from './support/browser.js';
import { onCleanup } from './support/dispose.js';
import { DeleteSession } from './support/event-operations.js';
import { eventually, rejectEventsMentioning } from './support/faults.js';
import { startFakeOpenAI } from './support/fake-providers.js';
import { StartSession, StopSession } from './support/operations.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename, storedSession, switchModel, turnEndStored } from './support/sessions.js';
import { serverWithTokens } from './support/tokens.js';
import { RunTurn } from './support/turn-operations.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

interface Dashboard extends PageWatch {
  page: Page;
}

/** A fresh browser context on the server's /dashboard (optionally with a session open). */
async function openDashboard(server: TestServer, options: { sessionId?: string; viewport?: { width: number; height: number } } = {}): Promise<Dashboard> {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP });
  onCleanup(async () => {
    // Leaving the page first closes its WebSocket as a browser does (a close frame), rather than cutting it
    // while the server may still be writing to it.
    await Promise.all(context.pages().map((open) => open.goto('about:blank').catch(() => undefined)));
    await context.close();
  });
  // A bound for a page that misbehaves, far above what any step takes; the test then fails saying where.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const origin = new URL(server.url).origin;
  const watch = await watchPage(page, origin);
  await page.goto(`${origin}/dashboard${options.sessionId ? `#session=${encodeURIComponent(options.sessionId)}` : ''}`);
  return { page, ...watch };
}

const byTestId = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"]`);
const listItem = (page: Page, sessionId: string) => page.locator(`[data-testid="session-item"][data-session-id="${sessionId}"]`);
const field = (page: Page, sessionId: string, name: string) => listItem(page, sessionId).locator(`[data-testid="session-${name}"]`);
const status = (page: Page, state: string) => page.locator(`[data-testid="connection-status"][data-state="${state}"]`);
const stored = (page: Page, role: string, text: string) =>
  page.locator(`[data-testid="message"][data-role="${role}"][data-streaming="false"]`).filter({ hasText: text });

/** Waits until the element's text is `expected` exactly (auto-waiting on the page, no fixed time). */
async function textIs(page: Page, selector: string, expected: string): Promise<void> {
  await page.waitForFunction(([css, text]) => document.querySelector(css)?.textContent === text, [selector, expected] as const);
}

/** Waits until the open session's turn panel says the session runs no turn. */
function turnOver(page: Page) {
  return page.locator('[data-testid="turn-state"][data-state="NONE"]').waitFor();
}

/** What the page's `<select>` shows, once it can be used again (no switch pending). */
async function pickerShows(page: Page, ref: string): Promise<void> {
  await page.waitForFunction((expected) => {
    const picker = document.querySelector<HTMLSelectElement>('[data-testid="model-picker"]');
    return picker !== null && !picker.disabled && picker.value === expected;
  }, ref);
}

/** Types a message into the box and sends it with Enter, as a keyboard user does. */
async function say(page: Page, text: string): Promise<void> {
  await byTestId(page, 'message-box').focus();
  await page.keyboard.insertText(text);
  await page.keyboard.press('Enter');
}

function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the session list', () => {
  it('shows a session created through the API, its changes and its deletion, live; keyboard and phone width work', async () => {
    const server = await startTestServer('sqlite', { bare: true });
    const earlier = await createSession(server, { title: 'created before the page' });
    const { page, problems, foreign } = await openDashboard(server);
    await status(page, 'live').waitFor();
    await listItem(page, earlier.id).waitFor();
    // The list's feed hears what happens once it is open (as any sessionsChanged without `after`).
    await eventually(async () => (server.app.services.streams.openChangeFeeds === 1 ? true : undefined), 'the page to subscribe');

    const workingDir = scratchDir('asg-dash-list-');
    const created = await createSession(server, { title: 'created through the API', workingDir });
    await listItem(page, created.id).filter({ hasText: 'created through the API' }).waitFor();
    expect(await field(page, created.id, 'running').textContent()).toBe('running');
    expect(await field(page, created.id, 'agent').textContent()).toBe('root');
    expect(await field(page, created.id, 'model').textContent()).toBe('echo');
    expect(await field(page, created.id, 'turn').getAttribute('data-state')).toBe('NONE');

    // Changed: its title, its turn (waiting for a tool approval), its model, its running state.
    await server.data(UpdateTitle, { input: { sessionId: created.id, title: 'renamed through the API' } });
    await listItem(page, created.id).filter({ hasText: 'renamed through the API' }).waitFor();
    const { runTurn } = await server.data(RunTurn, {
      input: { sessionId: created.id, messages: [{ role: 'user', content: 'call write_file {"path": "a.txt", "content": "a"}' }] },
    });
    expectTypename(runTurn, 'TurnPayload');
    await field(page, created.id, 'turn').and(page.locator('[data-state="AWAITING_CONFIRMATION"]')).waitFor();
    await server.data(StopSession, { id: created.id });
    await field(page, created.id, 'running').and(page.locator('[data-running="false"]')).waitFor();
    await server.data(StartSession, { id: created.id });
    await switchModel(server, created.id, 'echo-short');
    await field(page, created.id, 'model').filter({ hasText: /^echo-short$/ }).waitFor();
    expect(await field(page, created.id, 'running').textContent()).toBe('running');

    // Newest first; ↓ moves to the next session, Enter opens it.
    expect(await page.locator('[data-testid="session-item"]').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.sessionId))).toEqual([
      created.id,
      earlier.id,
    ]);
    await listItem(page, created.id).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await textIs(page, '[data-testid="detail-title"]', 'created before the page');
    expect(await listItem(page, earlier.id).getAttribute('aria-current')).toBe('true');

    // Deleted: gone from the list.
    await server.data(DeleteSession, { id: created.id });
    await listItem(page, created.id).waitFor({ state: 'detached' });
    await saveScreenshot(page, 'dashboard-list.png');

    // A phone's width: one column, the list above the session, each as wide as the screen, nothing wider.
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const list = (await page.locator('nav.list').boundingBox())!;
    const detail = (await byTestId(page, 'session-detail').boundingBox())!;
    expect(detail.y).toBeGreaterThanOrEqual(list.y + list.height - 1);
    expect(Math.min(list.width, detail.width)).toBeGreaterThan(PHONE.width * 0.9);
    await saveScreenshot(page, 'dashboard-phone.png', { fullPage: true });
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  });
});

describe('the model picker', () => {
  it('switches the model (page and store); a refused switch shows why and the model in use', async () => {
    const server = await startTestServer('sqlite', { bare: true });
    const session = await createSession(server, { title: 'switch models' });
    const { page, problems } = await openDashboard(server, { sessionId: session.id });
    await status(page, 'live').waitFor();
    await pickerShows(page, 'echo');
    expect(await byTestId(page, 'model-picker').locator('option').allTextContents()).toEqual(['echo (default)', 'echo-short', 'echo-duo']);

    await byTestId(page, 'model-picker').selectOption('echo-short');
    await field(page, session.id, 'model').filter({ hasText: /^echo-short$/ }).waitFor();
    await pickerShows(page, 'echo-short');
    expect((await storedSession(server, session.id)).overrides).toEqual({ root: 'echo-short' });
    expect(await byTestId(page, 'model-error').isHidden()).toBe(true);

    // InvalidModelRef: an inline ref whose provider has no credential here; its reason is shown.
    await byTestId(page, 'model-ref-input').fill('openai/gpt-5');
    await byTestId(page, 'model-ref-input').press('Enter');
    await byTestId(page, 'model-error').filter({ hasText: 'OPENAI_API_KEY' }).waitFor();
    expect(await byTestId(page, 'model-error').textContent()).toMatch(/^"openai\/gpt-5" cannot be used: .*OPENAI_API_KEY.*\. The model is still echo-short\.$/);
    await pickerShows(page, 'echo-short');

    // PersistenceFailed: the database refuses the change (a trigger), the runtime is rolled back.
    await rejectEventsMentioning(server, 'echo-duo');
    await byTestId(page, 'model-picker').selectOption('echo-duo');
    await byTestId(page, 'model-error').filter({ hasText: 'not saved' }).waitFor();
    expect(await byTestId(page, 'model-error').textContent()).toMatch(/^The switch to echo-duo was not saved, the model was put back to echo-short\./);
    await pickerShows(page, 'echo-short');
    expect(await field(page, session.id, 'model').textContent()).toBe('echo-short');
    expect((await storedSession(server, session.id)).overrides).toEqual({ root: 'echo-short' });
    await saveScreenshot(page, 'dashboard-model-error.png');
    // Typed errors are results shown on the page, not console errors.
    expect(problems).toEqual([]);
  });
});

describe('a turn from the page', () => {
  /** A server whose default team's root agent calls a fake OpenAI server, and a session on it. */
  async function fakeProviderSession() {
    const fake = await startFakeOpenAI();
    const agentsDir = scratchDir('asg-dash-agents-');
    writeFileSync(
      path.join(agentsDir, 'streaming.yaml'),
      ['agents:', '  root:', '    model: fake', 'models:', `  fake: { provider: openai, model: fake-model, base_url: "${fake.url}" }`].join('\n'),
    );
    const server = await startTestServer('sqlite', { env: { AGENTS_DIR: agentsDir, DEFAULT_TEAM: 'streaming' } });
    const session = await createSession(server, { title: 'streaming' });
    return { fake, server, session };
  }

  const storedReplies = async (server: TestServer, sessionId: string) =>
    (await server.app.database.prisma.message.findMany({ where: { sessionId: (await storedSession(server, sessionId)).id, role: 'assistant' } })).map(
      (message) => ({ content: message.content, cancelled: message.cancelled }),
    );

  it('streams the reply into the page as it arrives, then shows the stored message', async () => {
    const { fake, server, session } = await fakeProviderSession();
    let finish!: () => void;
    fake.stall(['Streaming ', 'into ', 'the page'], { until: new Promise<void>((resolve) => (finish = resolve)) });
    const { page, problems } = await openDashboard(server, { sessionId: session.id });
    await status(page, 'live').waitFor();

    await say(page, 'Tell me something');
    await stored(page, 'user', 'Tell me something').waitFor();
    const streaming = page.locator('[data-testid="message"][data-streaming="true"]');
    await streaming.filter({ hasText: 'Streaming into the page' }).waitFor();
    await byTestId(page, 'turn-state').and(page.locator('[data-state="RUNNING"]')).waitFor();
    // Nothing of the reply is stored yet: what the page shows came from the live deltas.
    expect(await storedReplies(server, session.id)).toEqual([]);
    await saveScreenshot(page, 'dashboard-streaming.png');

    finish();
    await stored(page, 'assistant', 'Streaming into the page').waitFor();
    await streaming.waitFor({ state: 'detached' });
    await turnOver(page);
    expect(await storedReplies(server, session.id)).toEqual([{ content: 'Streaming into the page', cancelled: false }]);
    expect(await byTestId(page, 'message-box').inputValue()).toBe('');
    expect(problems).toEqual([]);
  });

  it('cancels a running turn: what had streamed is kept as a cancelled reply', async () => {
    const { fake, server, session } = await fakeProviderSession();
    fake.stall(['Half ', 'a reply']);
    const { page, problems } = await openDashboard(server, { sessionId: session.id });
    await status(page, 'live').waitFor();
    await say(page, 'Start something long');
    await page.locator('[data-testid="message"][data-streaming="true"]').filter({ hasText: 'Half a reply' }).waitFor();

    await byTestId(page, 'cancel-turn').click();
    await page.locator('[data-testid="message"][data-role="assistant"][data-cancelled="true"]').filter({ hasText: 'Half a reply' }).waitFor();
    await turnOver(page);
    await turnEndStored(server, session.id);
    expect((await storedSession(server, session.id)).events.filter((event) => event.kind === 'TURN_ENDED').map((event) => event.payload.reason)).toEqual([
      'CANCELLED',
    ]);
    expect(await storedReplies(server, session.id)).toEqual([{ content: 'Half a reply', cancelled: true }]);
    expect(await byTestId(page, 'turn-state').textContent()).toBe('The last turn ended: cancelled.');
    expect(problems).toEqual([]);
  });
});

describe('answering a waiting turn from the page', () => {
  it('tool confirmations: approve, reject, always allow and approve for the session each let the turn go on', async () => {
    const server = await startTestServer('sqlite', { bare: true });
    const workingDir = scratchDir('asg-dash-tools-');
    // Another session, so that the screenshot (README's) shows a list.
    await createSession(server, { title: 'Plan the release' });
    // ASK_ALWAYS: read-only tools ask too, so that one is left to approve for the whole session.
    const session = await createSession(server, { title: 'Write the release notes', workingDir, safetyPolicy: 'ASK_ALWAYS' });
    const { page, problems } = await openDashboard(server, { sessionId: session.id });
    await status(page, 'live').waitFor();
    const confirmation = byTestId(page, 'tool-confirmation');
    const decide = (decision: string) => confirmation.locator(`[data-testid="confirm-decision"][data-decision="${decision}"]`).click();
    const asks = async (tool: string, argument: string) => {
      await confirmation.waitFor();
      await byTestId(page, 'confirmation-arguments').filter({ hasText: argument }).waitFor();
      expect(await byTestId(page, 'confirmation-tool').textContent()).toBe(tool);
    };

    await say(page, 'call write_file {"path": "approved.txt", "content": "from the page"}');
    await asks('write_file', 'approved.txt');
    expect(existsSync(path.join(workingDir, 'approved.txt'))).toBe(false);
    await saveScreenshot(page, 'dashboard.png');
    await decide('APPROVE');
    await stored(page, 'assistant', 'write_file returned: Wrote 13 bytes to approved.txt.').waitFor();
    await turnOver(page);
    expect(await confirmation.isHidden()).toBe(true);
    expect(readFileSync(path.join(workingDir, 'approved.txt'), 'utf8')).toBe('from the page');

    await say(page, 'call write_file {"path": "rejected.txt", "content": "no"}');
    await asks('write_file', 'rejected.txt');
    await byTestId(page, 'reject-reason').fill('not that file');
    await decide('REJECT');
    await stored(page, 'tool', 'The user rejected the tool call. Reason: not that file').waitFor();
    await turnOver(page);
    expect(existsSync(path.join(workingDir, 'rejected.txt'))).toBe(false);

    await say(page, 'call write_file {"path": "allowed.txt", "content": "yes"}');
    await asks('write_file', 'allowed.txt');
    await decide('APPROVE_TOOL');
    await stored(page, 'assistant', 'Wrote 3 bytes to allowed.txt.').waitFor();
    await turnOver(page);
    expect(JSON.parse((await storedSession(server, session.id)).session!.permissions).allow).toEqual(['write_file']);

    await say(page, 'call list_directory {"path": "."}');
    await asks('list_directory', '"path": "."');
    await decide('APPROVE_SESSION');
    await stored(page, 'assistant', 'list_directory returned:').waitFor();
    await turnOver(page);
    expect((await storedSession(server, session.id)).session!.toolsApproved).toBe(true);
    const decisions = (await storedSession(server, session.id)).events.filter((event) => event.kind === 'TURN_RESUMED');
    expect(decisions.map((event) => event.payload.decision)).toEqual(['APPROVE', 'REJECT', 'APPROVE_TOOL', 'APPROVE_SESSION']);
    expect(problems).toEqual([]);
  });

  it('the iteration limit: continue lets the turn finish, stop ends it at the limit', async () => {
    const server = await startTestServer('sqlite', { bare: true });
    const session = await createSession(server, { title: 'limits', limits: { maxIterations: 1 } });
    const { page, problems } = await openDashboard(server, { sessionId: session.id });
    await status(page, 'live').waitFor();
    const prompt = byTestId(page, 'iteration-prompt');
    const decide = (decision: string) => prompt.locator(`[data-decision="${decision}"]`).click();

    // The demo agent may think without asking: its one model call goes to the tool, the next one waits.
    await say(page, 'call think {"thought": "first step"}');
    await prompt.waitFor();
    expect(await byTestId(page, 'iteration-text').textContent()).toBe('The turn has reached its limit of 1 model call. Let it make 10 more?');
    await decide('APPROVE');
    await stored(page, 'assistant', 'think returned:').waitFor();
    await turnOver(page);
    expect(await prompt.isHidden()).toBe(true);

    await say(page, 'call think {"thought": "second step"}');
    await prompt.waitFor();
    await decide('REJECT');
    await turnOver(page);
    expect(await byTestId(page, 'turn-state').textContent()).toBe('The last turn ended: max iterations.');
    await turnEndStored(server, session.id);
    const ends = (await storedSession(server, session.id)).events.filter((event) => event.kind === 'TURN_ENDED');
    expect(ends.map((event) => event.payload.reason)).toEqual(['COMPLETED', 'MAX_ITERATIONS']);
    expect(problems).toEqual([]);
  });
});

describe('tokens', () => {
  it('asks once for a token where one is required, and keeps it for the tab', async () => {
    const { server, alice, bob } = await serverWithTokens('sqlite');
    const mine = await createSession(alice, { title: "alice's session" });
    const theirs = await createSession(bob, { title: "bob's session" });
    const { page, problems } = await openDashboard(server);
    await status(page, 'token required').waitFor();
    await byTestId(page, 'token-form').waitFor();

    await byTestId(page, 'token-input').fill(alice.token!);
    await byTestId(page, 'token-input').press('Enter');
    await status(page, 'live').waitFor();
    await listItem(page, mine.id).waitFor();
    expect(await listItem(page, theirs.id).count()).toBe(0);
    expect(await byTestId(page, 'token-form').isHidden()).toBe(true);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([alice.token]);

    // Entered once: a reload uses it again (the WebSocket's connectionParams, the HTTP Authorization).
    await page.reload();
    await status(page, 'live').waitFor();
    await listItem(page, mine.id).waitFor();
    expect(await byTestId(page, 'token-form').isHidden()).toBe(true);
    expect(problems).toEqual([]);
  });
});

/** A client of an app that does not listen yet: its own Yoga, in process, as the HTTP endpoint would call it. */
async function inProcess<TResult, TVariables>(app: App, document: TypedDocumentNode<TResult, TVariables>, variables: TVariables): Promise<TResult> {
  const response = await app.yoga.fetch('http://127.0.0.1/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const { data, errors } = (await response.json()) as { data: TResult; errors?: unknown };
  expect(errors).toBeUndefined();
  return data;
}

describe('a server restart', () => {
  it('is survived: the page reconnects with `after`, catches up and shows every event once', async () => {
    const first = await startTestServer('sqlite', { bare: true });
    const session = await createSession(first, { title: 'before the restart' });
    await switchModel(first, session.id, 'echo-short');
    const openedAt = (await storedSession(first, session.id)).session!.lastEventSeq;

    const { page, problems } = await openDashboard(first, { sessionId: session.id });
    let sockets = 0;
    page.on('websocket', () => (sockets += 1));
    await status(page, 'live').waitFor();
    // Every state the status goes through from now on, and the newest event shown when it says "live".
    await page.evaluate(() => {
      const element = document.querySelector<HTMLElement>('[data-testid="connection-status"]')!;
      const seen = { states: [] as string[], newestWhenLive: [] as number[] };
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        const state = element.dataset.state!;
        if (seen.states.at(-1) === state) return;
        seen.states.push(state);
        const shown = [...document.querySelectorAll<HTMLElement>('[data-testid="event"]')].map((entry) => Number(entry.dataset.seq));
        if (state === 'live') seen.newestWhenLive.push(Math.max(0, ...shown));
      }).observe(element, { attributes: true, attributeFilter: ['data-state'] });
    });
    await say(page, 'before');
    await stored(page, 'assistant', 'you said "before"').waitFor();
    await turnOver(page);

    // The page's next connections go through the test: it records what the page subscribes to, and holds
    // back what the server sends on them until released, to see the page catching up.
    const subscribed: { operationName?: string; variables?: Record<string, unknown> }[] = [];
    const held: (() => void)[] = [];
    let holding = true;
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((message) => {
        const { type, payload } = JSON.parse(String(message)) as { type: string; payload?: { query: string; variables?: Record<string, unknown> } };
        if (type === 'subscribe') subscribed.push({ operationName: /subscription (\w+)/.exec(payload!.query)?.[1], variables: payload!.variables });
        server.send(message);
      });
      server.onMessage((message) => {
        const deliver = () => socket.send(message);
        if (holding && (JSON.parse(String(message)) as { type: string }).type === 'next') held.push(deliver);
        else deliver();
      });
    });

    const port = Number(new URL(first.url).port);
    // From here until the next server listens, the page's attempts to reconnect are refused.
    const downSince = problems.length;
    const socketsBefore = sockets;
    await first.stop();
    await status(page, 'reconnecting').waitFor();

    // Another server on the same database and port. Before it listens, three changes happen that the page
    // cannot hear live: it must fetch them with `after` once it reconnects.
    const second = await startTestServer('sqlite', {
      bare: true,
      database: first.database,
      port,
      beforeListen: async (app) => {
        // The page keeps trying meanwhile, and is refused.
        await eventually(async () => (sockets > socketsBefore ? true : undefined), 'the page to try to reconnect');
        await inProcess(app, StartSession, { id: session.id });
        await inProcess(app, UpdateTitle, { input: { sessionId: session.id, title: 'after the restart' } });
        await inProcess(app, AddMessage, { input: { sessionId: session.id, role: 'user', content: 'written while the page was away' } });
      },
    });

    // Connected again, the session's state read (its new title comes from that read: the feeds are held),
    // the events not in yet: the page says it is catching up, not live.
    await listItem(page, session.id).filter({ hasText: 'after the restart' }).waitFor();
    const upAgain = problems.length;
    expect(await byTestId(page, 'connection-status').getAttribute('data-state')).toBe('catching up');
    // It resumed from where it was: the session's events after the last one it had, the list after its cursor.
    const lastSeqBefore = (await storedSession(second, session.id)).events.find((event) => event.kind === 'SESSION_STOPPED')!.seq;
    expect(subscribed).toEqual(
      expect.arrayContaining([
        { operationName: 'DashboardSessionEvents', variables: { sessionId: session.id, after: lastSeqBefore } },
        { operationName: 'DashboardSessionsChanged', variables: { after: expect.any(String) } },
      ]),
    );
    expect(subscribed).toHaveLength(2);

    holding = false;
    for (const deliver of held.splice(0)) deliver();
    await status(page, 'live').waitFor();
    await field(page, session.id, 'running').and(page.locator('[data-running="true"]')).waitFor();
    await stored(page, 'user', 'written while the page was away').waitFor();

    // Every stored event since the page opened the session, once each, in order.
    const storedSeqs = (await storedSession(second, session.id)).events.map((event) => event.seq).filter((seq) => seq > openedAt);
    const shown = await page.locator('[data-testid="event"]').evaluateAll((entries) =>
      entries.map((entry) => [Number((entry as HTMLElement).dataset.seq), (entry as HTMLElement).dataset.type] as const),
    );
    expect(shown.map(([seq]) => seq)).toEqual(storedSeqs);
    expect(shown.slice(-4).map(([, type]) => type)).toEqual(['SessionStoppedEvent', 'SessionStartedEvent', 'TitleChangedEvent', 'MessageAddedEvent']);
    // "catching up" until every event the server had when the page came back was on the page.
    expect(await page.evaluate(() => (window as unknown as { seen: unknown }).seen)).toEqual({
      states: ['reconnecting', 'catching up', 'live'],
      newestWhenLive: [storedSeqs.at(-1)],
    });

    // While the port was closed, Chromium itself logs each refused connection attempt; nothing else.
    expect(problems.slice(downSince, upAgain).filter((problem) => !/WebSocket connection to '.*' failed/.test(problem))).toEqual([]);
    expect([...problems.slice(0, downSince), ...problems.slice(upAgain)]).toEqual([]);
    await saveScreenshot(page, 'dashboard-restart.png');
  });
});

describe('serving /dashboard', () => {
  it('from the server itself, with a content security policy and no framing; production hides it unless DASHBOARD=true', async () => {
    const server = await startTestServer('sqlite', { bare: true });
    const origin = new URL(server.url).origin;
    const page = await fetch(`${origin}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1])).toEqual(['data:,', '/dashboard/app.css', '/dashboard/app.js', '/graphql']);
    const script = await fetch(`${origin}/dashboard/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('graphql-transport-ws');
    expect((await fetch(`${origin}/dashboard/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${origin}/dashboard/other.js`)).status).toBe(404);

    const production = await startTestServer('sqlite', { bare: true, env: { PRODUCTION: 'true' } });
    expect((await fetch(`${new URL(production.url).origin}/dashboard`)).status).toBe(404);
    const optedIn = await startTestServer('sqlite', { bare: true, env: { PRODUCTION: 'true', DASHBOARD: 'true' } });
    expect((await fetch(`${new URL(optedIn.url).origin}/dashboard`)).status).toBe(200);
  });
});
