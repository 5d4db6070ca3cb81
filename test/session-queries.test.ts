/** Listing, filtering, sorting, global ids, and what a page costs in SQL statements. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AddMessage, CreateDetailed, DashboardPage, Node, SearchSessions, SetStarred, UpdateTitle } from './support/api-operations.js';
import { PROVIDERS } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { DeleteSession } from './support/event-operations.js';
import { GetSession, StopSession } from './support/operations.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename, setModel } from './support/sessions.js';

async function titles(server: TestServer, variables: VariablesOf<typeof SearchSessions>) {
  const seen: string[] = [];
  let after: string | null | undefined = null;
  let totalCount = 0;
  for (;;) {
    const page: ResultOf<typeof SearchSessions> = await server.data(SearchSessions, { ...variables, first: 2, after });
    totalCount = page.sessions.totalCount;
    seen.push(...page.sessions.edges.map((edge) => edge.node.title));
    if (!page.sessions.pageInfo.hasNextPage) break;
    after = page.sessions.pageInfo.endCursor;
  }
  return { titles: seen, totalCount };
}

describe.each(PROVIDERS)('listing sessions on %s', (provider) => {
  let server: TestServer;
  let ids: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer(provider);
    ids = {};
    for (const [title, team] of [['Bravo report', 'example'], ['alpha plan', 'pinned'], ['Charlie REPORT', 'example'], ['delta', 'example']]) {
      ids[title!] = (await createSession(server, { title: title!, team: team! })).id;
    }
    await server.data(SetStarred, { input: { sessionId: ids['alpha plan']!, starred: true } });
    await server.data(SetStarred, { input: { sessionId: ids['delta']!, starred: true } });
    await server.data(StopSession, { id: ids['delta']! });
    // Touch Bravo last, so it is the most recently updated.
    await server.data(UpdateTitle, { input: { sessionId: ids['Bravo report']!, title: 'Bravo report' } });
  });

  it.each([
    ['starred', { starred: true }, ['delta', 'alpha plan']],
    ['not starred', { starred: false }, ['Charlie REPORT', 'Bravo report']],
    ['a search, ignoring case', { search: 'report' }, ['Charlie REPORT', 'Bravo report']],
    ['a team', { team: 'pinned' }, ['alpha plan']],
    ['running', { running: true }, ['Charlie REPORT', 'alpha plan', 'Bravo report']],
    ['not running', { running: false }, ['delta']],
    ['starred and running', { starred: true, running: true }, ['alpha plan']],
  ])('filters by %s, page by page, with totalCount', async (_case, filter, expected) => {
    expect(await titles(server, { filter })).toEqual({ titles: expected, totalCount: expected.length });
  });

  it('filters by creation time', async () => {
    const { session } = await server.data(GetSession, { id: ids['Charlie REPORT']! });
    expectTypename(session, 'Session');
    const created = new Date(session.createdAt);
    const after = await titles(server, { filter: { createdAfter: created.toISOString() } });
    expect(after.titles).toContain('Charlie REPORT');
    expect(after.titles).not.toContain('Bravo report');
    const before = await titles(server, { filter: { createdBefore: created.toISOString() } });
    expect(before.titles).not.toContain('Charlie REPORT');
    expect([...before.titles, ...after.titles].sort()).toEqual(['Bravo report', 'Charlie REPORT', 'alpha plan', 'delta'].sort());
  });

  it.each([
    ['title ascending', { field: 'TITLE', direction: 'ASC' }],
    ['title descending', { field: 'TITLE', direction: 'DESC' }],
    ['creation, oldest first', { field: 'CREATED_AT', direction: 'ASC' }],
    ['last update, newest first', { field: 'UPDATED_AT', direction: 'DESC' }],
  ] as const)('sorts by %s across pages', async (_case, orderBy) => {
    const { titles: sorted } = await titles(server, { orderBy });
    expect(sorted).toHaveLength(4);
    if (orderBy.field === 'TITLE') {
      const byTitle = [...sorted].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(sorted).toEqual(orderBy.direction === 'ASC' ? byTitle : byTitle.reverse());
    }
    if (orderBy.field === 'CREATED_AT') expect(sorted).toEqual(['Bravo report', 'alpha plan', 'Charlie REPORT', 'delta']);
    if (orderBy.field === 'UPDATED_AT') expect(sorted[0]).toBe('Bravo report');
  });

  it('resolves global ids with node(id), each to its own type', async () => {
    const id = ids['delta']!;
    const { addMessage } = await server.data(AddMessage, { input: { sessionId: id, role: 'user', content: 'ping' } });
    expectTypename(addMessage, 'Message');
    expect((await server.data(Node, { id })).node).toEqual({ __typename: 'Session', id, title: 'delta' });
    expect((await server.data(Node, { id: addMessage.id })).node).toEqual({ __typename: 'Message', id: addMessage.id, content: 'ping' });
    // A Message id is not a Session id.
    const { session } = await server.data(GetSession, { id: addMessage.id });
    expectTypename(session, 'InvalidInput');
    const bogus = await server.request(Node, { id: Buffer.from('Nope:1').toString('base64') });
    expect(bogus.errors?.[0]?.message).toBeDefined();
  });

  it('a search matches `%`, `_` and `\\` as typed, not as wildcards, with any other filter', async () => {
    const made: string[] = [];
    for (const title of ['100% Sure', 'a_b', 'axb', 'back\\slash']) made.push((await createSession(server, { title })).id);
    expect((await titles(server, { filter: { search: '%' } })).titles).toEqual(['100% Sure']);
    expect((await titles(server, { filter: { search: '0% s' } })).titles).toEqual(['100% Sure']);
    expect((await titles(server, { filter: { search: 'A_B' } })).titles).toEqual(['a_b']);
    expect((await titles(server, { filter: { search: '_', running: true } })).titles).toEqual(['a_b']);
    expect((await titles(server, { filter: { search: '_', running: false } })).titles).toEqual([]);
    expect((await titles(server, { filter: { search: '\\' } })).titles).toEqual(['back\\slash']);
    for (const id of made) await server.data(DeleteSession, { id });
  });

  it('a search longer than 200 characters is a clear error', async () => {
    const result = await server.request(SearchSessions, { filter: { search: 's'.repeat(201) } });
    expect(result.errors?.[0]).toMatchObject({
      message: 'search at most 200 characters',
      extensions: { code: 'BAD_USER_INPUT', field: 'filter.search' },
    });
  });
});

describe.each(PROVIDERS)('what a page costs on %s', (provider) => {
  it('a page of 5 and a page of 50 sessions, with overrides, custom refs, last messages and running state, cost the same statements', async () => {
    const server = await startTestServer(provider);
    for (let index = 0; index < 50; index += 1) {
      const { id } = await createSession(server, { title: `page ${index}`, start: index % 2 === 0 });
      if (index % 2 === 0) await setModel(server, id, index % 4 ? 'openai/gpt-5' : 'gpt');
      for (let message = 0; message < 6; message += 1) {
        await server.data(AddMessage, { input: { sessionId: id, role: 'user', content: `m${message}` } });
      }
    }
    const statementsFor = async (first: number) => {
      const before = server.app.database.statements.count;
      const page = await server.data(DashboardPage, { first });
      expect(page.sessions.edges).toHaveLength(first);
      expect(page.sessions.edges.every((edge) => edge.node.messages.edges.length === 5)).toBe(true);
      return server.app.database.statements.count - before;
    };
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(small).toBeGreaterThan(0);
    expect(large).toBe(small);
  });
});

describe('working directory confinement (SESSION_WORKDIR_ROOT)', () => {
  it.each(PROVIDERS)('on %s accepts directories inside the root and rejects everything else', async (provider) => {
    const root = mkdtempSync(path.join(tmpdir(), 'asg-root-'));
    const outside = mkdtempSync(path.join(tmpdir(), 'asg-outside-'));
    onCleanup(() => rmSync(root, { recursive: true, force: true }));
    onCleanup(() => rmSync(outside, { recursive: true, force: true }));
    mkdirSync(path.join(root, 'project'));
    writeFileSync(path.join(root, 'file.txt'), 'x');
    symlinkSync(outside, path.join(root, 'escape'));
    symlinkSync(path.join(root, 'project'), path.join(root, 'inside-link'));
    const server = await startTestServer(provider, { env: { SESSION_WORKDIR_ROOT: root } });

    const create = async (workingDir: string) =>
      (await server.data(CreateDetailed, { input: { title: 'confined', workingDir } })).createSession;
    expectTypename(await create(path.join(root, 'project')), 'Session');
    expectTypename(await create(path.join(root, 'inside-link')), 'Session');
    for (const [workingDir, message] of [
      [`${root}/project/../project`, /must not contain "\.\."/],
      [path.join(root, 'missing'), /does not exist/],
      [path.join(root, 'file.txt'), /is not a directory/],
      [path.join(root, 'escape'), /must be inside/],
      [outside, /must be inside/],
      ['project', /absolute path/],
    ] as const) {
      const result = await create(workingDir);
      expectTypename(result, 'InvalidInput');
      expect(result.field).toBe('workingDir');
      expect(result.message).toMatch(message);
    }
    // Without a working directory, a session starts in the root.
    const defaulted = await create(undefined as unknown as string);
    expectTypename(defaulted, 'Session');
    expect(defaulted.workingDir).toBe(root);
  });
});
