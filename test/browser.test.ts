/**
 * GraphiQL in a real browser (Debian's Chromium, driven by playwright-core), on a server with no
 * internet to reach: the page loads with no console error, and a subscription run from it receives
 * events as they happen.
 */
import { expect, it } from 'vitest';
import { launchBrowser, saveScreenshot, watchPage } from './support/browser.js';
import { startTestServer } from './support/server.js';
import { createSession } from './support/sessions.js';

it('GraphiQL loads with no console error, and a subscription typed into it receives events', async () => {
  const server = await startTestServer('sqlite', { bare: true });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // A request to another host would be the CDN GraphiQL used to need: recorded and refused.
  const { problems, foreign } = await watchPage(page, new URL(server.url).origin);

  const subscription = 'subscription { sessionsChanged { kind session { title } } }';
  await page.goto(`${server.url}?query=${encodeURIComponent(subscription)}`);
  expect(foreign).toEqual([]);
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator('.graphiql-response');

  // The subscription hears only what happens once it is open: create sessions until it shows one.
  let shown = '';
  for (let attempt = 0; attempt < 200 && !shown.includes('from the browser test'); attempt += 1) {
    await createSession(server, { title: 'from the browser test' });
    // The editor lays text out with non-breaking spaces.
    shown = (await response.innerText()).replace(/\s+/g, ' ');
  }
  // GraphiQL shows the newest event: the session's creation, or its start right after.
  expect(shown).toMatch(/"kind": "(CREATED|UPDATED)"/);
  expect(shown).toContain('from the browser test');
  expect(problems).toEqual([]);

  await saveScreenshot(page, 'graphiql.png');
});
