/**
 * Everything a test opens is registered here and closed when the test (or, for resources made in
 * beforeAll, the file) ends, newest first, so nothing leaks from one test into the next.
 */
type Cleanup = () => unknown | Promise<unknown>;

const scopes: Cleanup[][] = [[]];

export function onCleanup(cleanup: Cleanup): void {
  scopes[scopes.length - 1]!.push(cleanup);
}

export function openScope(): void {
  scopes.push([]);
}

export async function closeScope(): Promise<void> {
  const cleanups = scopes.length > 1 ? scopes.pop()! : scopes[0]!.splice(0);
  const failures: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'cleanup failed');
}
