/**
 * GraphiQL's example tabs in a real browser (Debian's Chromium, driven by playwright-core): a first visit
 * opens with every example tab, named after its operation, with no console error and no request to
 * another host; the first tab runs as it is, and the events tab runs once the id it returned is pasted,
 * over SSE, carrying the token put in its Headers when the server has API tokens.
 */
import { parse, Kind } from 'graphql';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { GRAPHIQL_EXAMPLE_TABS, SESSION_ID_PLACEHOLDER } from '../src/server/graphiql-examples.js';
import { launchBrowser, saveScreenshot, watchPage } from './support/browser.js';
import { startTestServer } from './support/server.js';
import { createSession } from './support/sessions.js';
import { serverWithTokens } from './support/tokens.js';

/** How long the page may take to show what a step waits for: far more than it takes. */
const PATIENCE_MS = 10_000;

const tabNames = GRAPHIQL_EXAMPLE_TABS.map((tab) => {
  const [operation] = parse(tab.query ?? '').definitions;
  return operation?.kind === Kind.OPERATION_DEFINITION ? operation.name?.value : undefined;
});

/** The editors lay text out on lines, with non-breaking spaces: one line, plain spaces. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

async function waitFor<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`GraphiQL did not show ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Clicks a tab until it is the active one: GraphiQL can miss a click on a tab just after it loads or runs an operation. */
async function openTab(page: Page, name: string): Promise<void> {
  await waitFor(async () => {
    await page.locator(`.graphiql-tab-button[title="${name}"]`).click();
    await page.waitForTimeout(100);
    return (await page.locator('.graphiql-tab-active').innerText()).includes(name) ? true : undefined;
  }, `the tab ${name} once clicked`);
}

/**
 * Replaces what the active tab's Variables or Headers pane holds with `json`, as a user pasting into it
 * does. On one line: after a newline the editor indents and closes the open brace itself.
 */
async function fillPane(page: Page, pane: 'Variables' | 'Headers', json: string): Promise<void> {
  await page.locator(`.graphiql-editor-tools button[data-name="${pane.toLowerCase()}"]`).click();
  await page.locator('.graphiql-editor-tool .monaco-editor:visible').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(JSON.stringify(JSON.parse(json)));
}

const watchTab = GRAPHIQL_EXAMPLE_TABS[tabNames.indexOf('WatchEvents')]!;

/** Runs the active tab and resolves with the type of the session event GraphiQL then shows. */
async function runAndReadEvent(page: Page): Promise<string> {
  await page.locator('.graphiql-execute-button').click();
  return waitFor(
    async () => /"sessionEvents": \{ "__typename": "(\w+)"/.exec(flat(await page.locator('.graphiql-response').innerText()))?.[1],
    'an event of the session',
  );
}

it('GraphiQL opens with the example tabs by name, runs the first as it is, and the events tab with the id pasted', async () => {
  const server = await startTestServer('sqlite', { bare: true });
  const browser = await launchBrowser();
  // A new context has empty storage: GraphiQL opens as on a first visit, with the default tabs.
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const { problems, foreign } = await watchPage(page, new URL(server.url).origin);

  await page.goto(server.url);
  expect(tabNames.length).toBeGreaterThanOrEqual(5);
  // GraphiQL renders its tabs all at once.
  await page.locator('.graphiql-tab-button').first().waitFor({ timeout: PATIENCE_MS });
  expect(await page.locator('.graphiql-tab-button').allInnerTexts()).toEqual(tabNames);
  for (const name of tabNames) await expect(page.locator(`.graphiql-tab-button[title="${name}"]`).isVisible()).resolves.toBe(true);
  expect(await page.locator('.graphiql-tab-active').innerText()).toBe(tabNames[0]);

  // The first tab as it is: ▶ creates a session, whose id the answer shows.
  await waitFor(async () => (flat(await page.locator('.graphiql-query-editor').innerText()).includes('mutation CreateSession') ? true : undefined), 'the first tab\'s operation');
  const answered = page.waitForResponse((response) => response.request().postData()?.includes('mutation CreateSession') === true);
  await page.locator('.graphiql-execute-button').click();
  // The id as the server sent it: the response pane wraps long lines wherever it likes.
  const { data } = (await (await answered).json()) as { data: { createSession: { id: string } } };
  const id = data.createSession.id;
  await waitFor(async () => (flat(await page.locator('.graphiql-response').innerText()).includes('"createSession"') ? true : undefined), 'the created session');

  // The events tab with that id pasted over the placeholder: a subscription, replaying from the start.
  await openTab(page, 'WatchEvents');
  await fillPane(page, 'Variables', watchTab.variables!.replace(SESSION_ID_PLACEHOLDER, id));
  expect(await runAndReadEvent(page)).toMatch(/^Session(Created|Started)Event$/);

  expect(problems).toEqual([]);
  expect(foreign).toEqual([]);
  await saveScreenshot(page, 'graphiql-tabs.png');
});

it("with API tokens, the events tab subscribes with the token put in its Headers", async () => {
  const { alice } = await serverWithTokens('sqlite');
  const { id } = await createSession(alice, { title: "alice's session" });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(alice.url);
  await page.locator('.graphiql-tab-button').first().waitFor({ timeout: PATIENCE_MS });

  // A subscription that did not carry the token would be refused: over SSE it is an HTTP request, with the tab's headers.
  await openTab(page, 'WatchEvents');
  await fillPane(page, 'Variables', watchTab.variables!.replace(SESSION_ID_PLACEHOLDER, id));
  await fillPane(page, 'Headers', JSON.stringify({ Authorization: `Bearer ${alice.token}` }));
  expect(await runAndReadEvent(page)).toMatch(/^Session(Created|Started)Event$/);
  await saveScreenshot(page, 'graphiql-tabs-token.png');
});
