/**
 * The better-sqlite3 adapter runs everything on one connection. While an interactive transaction is
 * open, a statement from outside it must wait, or it would read uncommitted rows, or have its own
 * acknowledged write rolled back with the transaction.
 */
import { expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/log.js';
import { freshDatabase } from './support/databases.js';
import { onCleanup } from './support/dispose.js';
import { startTestServer } from './support/server.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

it('statements outside an open transaction neither see its writes nor get rolled back with it', async () => {
  const database = await openDatabase({
    url: freshDatabase('sqlite').url,
    log: createLogger({ level: 'silent', format: 'pretty' }),
  });
  onCleanup(() => database.close());
  const { prisma } = database;
  const session = (id: string) => ({ id, title: id, workingDir: '/', teamName: 'example', currentAgent: 'root' });

  let outsideRead: Promise<{ id: string }[]> | undefined;
  let outsideWrite: Promise<unknown> | undefined;
  let outsideSettled = false;
  const failing = prisma.$transaction(async (tx) => {
    await tx.session.create({ data: session('inside') });
    // Prisma's promises are lazy: Promise.resolve makes these run now, while the transaction is open.
    outsideRead = Promise.resolve(prisma.session.findMany({ select: { id: true } }));
    outsideWrite = Promise.resolve(prisma.session.create({ data: session('outside') }));
    void Promise.all([outsideRead, outsideWrite]).finally(() => (outsideSettled = true));
    // Give them ample turns of the event loop to reach the connection (they must not be able to).
    for (let turn = 0; turn < 200 && !outsideSettled; turn += 1) await nextTurn();
    throw new Error('roll back');
  });

  await expect(failing).rejects.toThrow('roll back');
  expect(await outsideRead).toEqual([]);
  await outsideWrite;
  expect((await prisma.session.findMany({ select: { id: true } })).map((row) => row.id)).toEqual(['outside']);
});

/** The connection's own busy timeout, as SQLite reports it: the longest one wait for another process's lock. */
async function busyTimeoutOf(env: Record<string, string>): Promise<number> {
  const server = await startTestServer('sqlite', { env });
  const [row] = await server.app.database.prisma.$queryRawUnsafe<{ timeout: number | bigint }[]>('PRAGMA busy_timeout');
  return Number(row?.timeout);
}

it('never lets a wait for another process\'s lock outlast the transaction timeout, which cannot interrupt it', async () => {
  expect(await busyTimeoutOf({ TRANSACTION_TIMEOUT_MS: '300', SQLITE_BUSY_TIMEOUT_MS: '2000' })).toBe(300);
});

it('keeps the configured busy timeout when it is the shorter of the two', async () => {
  expect(await busyTimeoutOf({})).toBe(2000);
  expect(await busyTimeoutOf({ TRANSACTION_TIMEOUT_MS: '3000', SQLITE_BUSY_TIMEOUT_MS: '700' })).toBe(700);
});
