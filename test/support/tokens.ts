/** A server on which callers must authenticate: tokens for alice, bob and an admin. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiTokens } from '../../src/auth/tokens.js';
import type { DatabaseProvider } from '../../src/db/providers.js';
import { freshDatabase, type TestDatabase } from './databases.js';
import { onCleanup } from './dispose.js';
import { startTestServer } from './server.js';

/**
 * A server whose store holds tokens for alice, bob and an admin. They are made through a first server,
 * stopped before the one returned starts: tokens are looked for at start. `database` is theirs, for a
 * test that starts another server on it (with `env`: SESSION_WORKDIR_ROOT is required once tokens exist).
 */
export async function serverWithTokens(provider: DatabaseProvider) {
  const database: TestDatabase = freshDatabase(provider);
  const root = mkdtempSync(path.join(tmpdir(), 'asg-root-'));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const env = { SESSION_WORKDIR_ROOT: root };
  const first = await startTestServer(provider, { bare: true, database, env });
  const tokens = new ApiTokens(first.app.database.prisma);
  const [alice, bob, admin] = [
    (await tokens.create('alice')).token,
    (await tokens.create('bob')).token,
    (await tokens.create('ops', { admin: true })).token,
  ];
  await first.stop();
  const server = await startTestServer(provider, { bare: true, database, env });
  return { server, database, env, alice: server.as(alice), bob: server.as(bob), admin: server.as(admin), tokens: new ApiTokens(server.app.database.prisma) };
}
