/**
 * The browser tests' browser: Debian's Chromium (or CHROMIUM_PATH), driven by playwright-core, which
 * downloads no browser of its own. Closed after the test, or after the file when launched in beforeAll.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { onCleanup } from './dispose.js';

/** Screenshots of the pages, kept after the run for a person to look at. */
const ARTIFACTS = new URL('../../test-results/', import.meta.url);

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  onCleanup(() => browser.close());
  return browser;
}

/** Saves what `page` shows as test-results/<name>; returns the file's path. */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = new URL(name, ARTIFACTS).pathname;
  await page.screenshot({ path, ...options });
  return path;
}

/** What a page did wrong as a test drove it: console errors, uncaught errors, and requests to another host. */
export interface PageWatch {
  /** Console errors and uncaught page errors, as they happen. */
  problems: string[];
  /** Requests the page tried to send to another origin than `origin` (refused): a CDN, say. */
  foreign: string[];
}

/** Records `page`'s console and page errors, and refuses (recording them) its requests to another origin. */
export async function watchPage(page: Page, origin: string): Promise<PageWatch> {
  const watch: PageWatch = { problems: [], foreign: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watch.problems.push(message.text());
  });
  page.on('pageerror', (error) => watch.problems.push(String(error)));
  await page.route(
    (url) => url.origin !== origin,
    (route) => {
      watch.foreign.push(route.request().url());
      return route.abort();
    },
  );
  return watch;
}
