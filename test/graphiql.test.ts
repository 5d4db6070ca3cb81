/** GraphiQL is served from the server itself: nothing it needs comes from another host. */
import { expect, it } from 'vitest';
import { startTestServer } from './support/server.js';

it('serves GraphiQL with its assets inline, its title set, and no script or style from another host', async () => {
  const server = await startTestServer('sqlite', { bare: true });
  const response = await fetch(server.url, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  const page = await response.text();
  expect(page).toContain('<title>agent-session-graphql</title>');
  expect(page).not.toContain('__TITLE__');
  const external = [...page.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)=["']?(https?:)?\/\/[^"'\s>]+/gi)].map((match) => match[0]);
  expect(external).toEqual([]);
  expect(page).not.toMatch(/unpkg\.com|jsdelivr|cdn\./);
  // The page carries GraphiQL itself (hundreds of kilobytes of script), not a loader for it.
  expect(page.length).toBeGreaterThan(200_000);
});
