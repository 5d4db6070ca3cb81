/** The README's GraphQL examples run, as written, against a real server. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startTestServer } from './support/server.js';
import { createSession } from './support/sessions.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((match) =>
  // A block may hold several one-line operations.
  match[1]!.trim().startsWith('mutation {\n') || match[1]!.trim().startsWith('query {\n')
    ? [match[1]!]
    : match[1]!.split('\n').filter((line) => line.trim()),
);

it('every GraphQL example in README.md runs without errors', async () => {
  expect(blocks.length).toBeGreaterThanOrEqual(6);
  const server = await startTestServer('sqlite');
  const { id } = await createSession(server, { title: 'readme' });
  for (const block of blocks) {
    const query = block.replaceAll('U2Vzc2lvbjo…', id);
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: Record<string, { __typename?: string }>; errors?: unknown };
    expect(body.errors, query).toBeUndefined();
    for (const value of Object.values(body.data ?? {})) {
      expect(JSON.stringify(value), query).not.toMatch(/"__typename":"(InvalidInput|SessionNotFound|PersistenceFailed)"/);
    }
  }
});
