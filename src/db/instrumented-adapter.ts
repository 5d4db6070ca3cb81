/**
 * Wraps a driver adapter factory to count the statements sent (for tests and the benchmark: a page must
 * cost the same number of statements whatever its size) and, for SQLite, to serialise its connection.
 *
 * Why SQLite needs it: the better-sqlite3 adapter shares one connection between everything, and its own
 * mutex only orders transactions against each other. A plain query issued while an interactive
 * transaction is open runs inside that transaction: a read sees rows that may still be rolled back, and
 * a write is rolled back with somebody else's failure. Serialised, every statement outside a transaction
 * waits for the open one to end.
 */
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from '@prisma/driver-adapter-utils';
import { FifoLock } from '../locks.js';

/** Statements sent to the database since start. */
export interface StatementCounter {
  count: number;
}

type Gate = Pick<FifoLock, 'run' | 'acquire'>;

const NO_GATE: Gate = { run: (work) => work(), acquire: async () => () => {} };

/** Commit and rollback both release, and a caller may call both: the lock counts only the first release. */
function wrapTransaction(transaction: Transaction, counter: StatementCounter, release: () => void): Transaction {
  return {
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: (query: SqlQuery) => (counter.count++, transaction.queryRaw(query)),
    executeRaw: (query: SqlQuery) => (counter.count++, transaction.executeRaw(query)),
    commit: () => transaction.commit().finally(release),
    rollback: () => transaction.rollback().finally(release),
    createSavepoint: transaction.createSavepoint?.bind(transaction),
    rollbackToSavepoint: transaction.rollbackToSavepoint?.bind(transaction),
    releaseSavepoint: transaction.releaseSavepoint?.bind(transaction),
  };
}

function wrapAdapter(adapter: SqlDriverAdapter, counter: StatementCounter, serialise: boolean): SqlDriverAdapter {
  const gate: Gate = serialise ? new FifoLock() : NO_GATE;
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    queryRaw: (query: SqlQuery) => gate.run(() => (counter.count++, adapter.queryRaw(query))),
    executeRaw: (query: SqlQuery) => gate.run(() => (counter.count++, adapter.executeRaw(query))),
    executeScript: (script: string) => gate.run(() => (counter.count++, adapter.executeScript(script))),
    startTransaction: async (isolationLevel) => {
      const release = await gate.acquire();
      try {
        return wrapTransaction(await adapter.startTransaction(isolationLevel), counter, release);
      } catch (error) {
        release();
        throw error;
      }
    },
    dispose: () => adapter.dispose(),
  };
}

export function instrumentedAdapter(
  factory: SqlMigrationAwareDriverAdapterFactory,
  options: { counter: StatementCounter; serialise: boolean },
): SqlMigrationAwareDriverAdapterFactory {
  const wrap = (adapter: SqlDriverAdapter) => wrapAdapter(adapter, options.counter, options.serialise);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  };
}
