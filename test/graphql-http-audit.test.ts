/**
 * graphql-http's audits of the GraphQL-over-HTTP spec, against the real server with every protection
 * on: API tokens required (each audit request carries one), production mode (no GraphiQL,
 * introspection or suggestions), a CORS allow-list, CSRF prevention and every limit at its default.
 *
 * Every MUST passes, with one proviso: two audits (28B9, a MUST, and its SHOULD twin 2EA1) send their
 * variables to `__type(name: $name)`, an introspection field, which production mode refuses on
 * purpose. So the audits run twice: with INTROSPECTION=true (everything else as in production) every
 * MUST passes; in production as is, those two fail and nothing else changes.
 *
 * The audits that fail on purpose (README "Security" says the same):
 * - 5A70 (MAY accept application/x-www-form-urlencoded formatted GET requests), D6D5 and 6A70 (MAY
 *   allow URL-encoded JSON {variables} in GETs): a GET must carry the `x-graphql-yoga-csrf` header
 *   (CSRF prevention: another site's page can send a GET without a preflight); the audits send none,
 *   so they are answered 403.
 * - 28B9 (MUST allow map {variables} parameter when accepting application/json) and 2EA1 (SHOULD, the
 *   same with application/graphql-response+json), in production only: their query is introspection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverAudits, type AuditResult } from 'graphql-http';
import { expect, it } from 'vitest';
import { ApiTokens } from '../src/auth/tokens.js';
import { freshDatabase } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { startTestServer } from './support/server.js';

/** The audits that fail on purpose, by id, with why. */
const CSRF_GETS: Record<string, string> = {
  '5A70': 'a GET without the x-graphql-yoga-csrf header is refused (CSRF prevention)',
  D6D5: 'a GET without the x-graphql-yoga-csrf header is refused (CSRF prevention)',
  '6A70': 'a GET without the x-graphql-yoga-csrf header is refused (CSRF prevention)',
};
const INTROSPECTION_QUERIES: Record<string, string> = {
  '28B9': 'its variables go to __type(name:), introspection, which production mode refuses',
  '2EA1': 'its variables go to __type(name:), introspection, which production mode refuses',
};

const describeResult = (result: AuditResult) => `${result.id} ${result.name}${result.status === 'ok' ? '' : `: ${result.reason}`}`;

it('every MUST of the GraphQL-over-HTTP audits passes with every protection on; what fails is known and explained', async () => {
  // A store holding an API token before the server starts, so that the server requires one.
  const database = freshDatabase('sqlite');
  const root = mkdtempSync(path.join(tmpdir(), 'asg-audit-'));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const setup = await startTestServer('sqlite', { bare: true, database });
  const { token } = await new ApiTokens(setup.app.database.prisma).create('auditor');
  await setup.stop();

  const audit = async (env: Record<string, string>) => {
    const server = await startTestServer('sqlite', {
      bare: true,
      database,
      env: { SESSION_WORKDIR_ROOT: root, NODE_ENV: 'production', CORS_ORIGINS: 'https://app.example', ...env },
    });
    expect(server.app.config).toMatchObject({ production: true, graphiql: false });
    const anonymous = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(anonymous.status, 'tokens are required').toBe(401);
    // Each audit's request as a client with its token sends it.
    const fetchFn: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const results: AuditResult[] = [];
    for (const { fn } of serverAudits({ url: server.url, fetchFn })) results.push(await fn());
    // Read what the failed ones answered, so that no response is left open as the server stops.
    const answers = new Map<string, string>();
    for (const result of results) if (result.status !== 'ok') answers.set(result.id, await result.response.text().catch(() => ''));
    await server.stop();
    expect(results.length).toBeGreaterThan(40);
    return { failed: results.filter((result) => result.status !== 'ok'), answers };
  };

  // Everything as in production but introspection: every MUST passes.
  const relaxed = await audit({ INTROSPECTION: 'true' });
  const report = relaxed.failed.map(describeResult).join('\n');
  expect(relaxed.failed.filter((result) => result.name.startsWith('MUST')).map(describeResult), 'every MUST passes').toEqual([]);
  expect(relaxed.failed.map((result) => result.id).sort(), report).toEqual(Object.keys(CSRF_GETS).sort());
  for (const id of Object.keys(CSRF_GETS)) expect(relaxed.answers.get(id)).toMatch(/Required CSRF header/);

  // Production as is: only the two audits whose query is introspection fail besides, and for that reason.
  const production = await audit({});
  expect(production.failed.map((result) => result.id).sort(), production.failed.map(describeResult).join('\n')).toEqual(
    Object.keys({ ...CSRF_GETS, ...INTROSPECTION_QUERIES }).sort(),
  );
  for (const id of Object.keys(INTROSPECTION_QUERIES)) expect(production.answers.get(id)).toMatch(/introspection has been disabled/);
});
