/**
 * Reads a rejected store operation: whether trying again may succeed, and what to log. Prisma reports
 * its own code (`P…`) and, for errors from the database, the driver's original code beside it.
 */
const RETRYABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);

/**
 * PostgreSQL SQLSTATEs after which the same transaction may well succeed: serialization failure,
 * deadlock, lock not available, statement timeout, server shutdown or restart, lost connection.
 */
const RETRYABLE_SQLSTATE = /^(40001|40P01|55P03|57014|57P0[123]|53300|08...)$/;
const RETRYABLE_SQLITE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

export interface StoreFailure {
  prismaCode?: string;
  databaseCode?: string;
  retryable: boolean;
}

/**
 * The driver's words for a connection that went away mid-operation (node-postgres and the sockets below
 * it): no Prisma code or SQLSTATE comes with them, and the next connection may well succeed.
 */
const CONNECTION_LOST = /Connection terminated|connection (is )?closed|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up/i;

export function describeStoreFailure(error: unknown): StoreFailure {
  const prismaCode = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta
    ?.driverAdapterError?.cause;
  const databaseCode = typeof cause?.originalCode === 'string' ? cause.originalCode : undefined;
  const retryable =
    (prismaCode !== undefined && RETRYABLE_PRISMA_CODES.has(prismaCode)) ||
    (databaseCode !== undefined && (RETRYABLE_SQLSTATE.test(databaseCode) || RETRYABLE_SQLITE.has(databaseCode))) ||
    (prismaCode === undefined && databaseCode === undefined && CONNECTION_LOST.test(String((error as Error)?.message)));
  return { prismaCode, databaseCode, retryable };
}

/** Prisma's "record to update not found" on the given model. */
export function isRecordNotFound(error: unknown, modelName: string): boolean {
  const { code, meta } = error as { code?: unknown; meta?: { modelName?: unknown } };
  return code === 'P2025' && meta?.modelName === modelName;
}
