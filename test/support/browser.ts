/**
 * The browser tests' browser: Debian's Chromium (or CHROMIUM_PATH), driven by playwright-core, which
 * downloads no browser of its own. Closed after the test, or after the file when launched in beforeAll.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { onCleanup } from './dispose.js';

/** Screenshots of the pages, kept after the run for a person to look at. */
export const ARTIFACTS = new URL('../../test-results/', import.meta.url);

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
