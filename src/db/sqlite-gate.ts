/**
 * The better-sqlite3 adapter shares one connection between everything, and its own mutex only orders
 * transactions against each other. A plain query issued while an interactive transaction is open runs
 * inside that transaction: a read sees rows that may still be rolled back, and a write is rolled back
 * with somebody else's failure. This wrapper makes every statement outside a transaction wait for the
 * open transaction to end, so nothing outside a transaction ever sees or joins a half-written state.
 */
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from '@prisma/driver-adapter-utils';

/** A FIFO lock: `acquire` resolves with the function that releases it. */
class Gate {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => released);
    return acquired;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}

function gateTransaction(transaction: Transaction, release: () => void): Transaction {
  let released = false;
  const releaseOnce = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  return {
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: (query: SqlQuery) => transaction.queryRaw(query),
    executeRaw: (query: SqlQuery) => transaction.executeRaw(query),
    commit: () => transaction.commit().finally(releaseOnce),
    rollback: () => transaction.rollback().finally(releaseOnce),
    createSavepoint: transaction.createSavepoint?.bind(transaction),
    rollbackToSavepoint: transaction.rollbackToSavepoint?.bind(transaction),
    releaseSavepoint: transaction.releaseSavepoint?.bind(transaction),
  };
}

function gateAdapter(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const gate = new Gate();
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    queryRaw: (query: SqlQuery) => gate.run(() => adapter.queryRaw(query)),
    executeRaw: (query: SqlQuery) => gate.run(() => adapter.executeRaw(query)),
    executeScript: (script: string) => gate.run(() => adapter.executeScript(script)),
    startTransaction: async (isolationLevel) => {
      const release = await gate.acquire();
      try {
        return gateTransaction(await adapter.startTransaction(isolationLevel), release);
      } catch (error) {
        release();
        throw error;
      }
    },
    dispose: () => adapter.dispose(),
  };
}

/** Wraps an SQLite adapter factory so that each connection it makes is gated as described above. */
export function gatedSqliteAdapter(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => gateAdapter(await factory.connect()),
    connectToShadowDb: async () => gateAdapter(await factory.connectToShadowDb()),
  };
}
