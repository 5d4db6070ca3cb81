/**
 * A real server on port 0 over a real database, and a client that speaks GraphQL over HTTP to it.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { buildApp, type App, type BuildAppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { DatabaseProvider } from '../../src/db/providers.js';
import { createLogger, type LogLevel } from '../../src/log.js';
import type { SessionEventRecord } from '../../src/services/event-log.js';
import { freshDatabase, type TestDatabase } from './databases.js';
import { onCleanup } from './dispose.js';

export interface TestServer {
  app: App;
  database: TestDatabase;
  url: string;
  /** Sends one operation over HTTP; GraphQL errors are returned, not thrown. */
  request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: TVariables extends Record<string, never> ? [] : [TVariables]
  ): Promise<ExecutionResult<TResult>>;
  /** Like request, but fails the test on any GraphQL error and returns `data`. */
  data<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: TVariables extends Record<string, never> ? [] : [TVariables]
  ): Promise<TResult>;
  /** Every event the server published for a session since this call. */
  publishedEvents(sessionId: string): SessionEventRecord[];
  stop(): Promise<void>;
  /** The API token this client presents (HTTP header, SSE header, WebSocket connectionParams), if any. */
  token?: string;
  /** The same server, as a client presenting `token`. */
  as(token: string): TestServer;
}

/**
 * Most tests work on the bundled `example` team, whose real providers need credentials to be resolved:
 * these stand in for them (no test calls those providers; turns go to fake servers or the demo team).
 */
export const TEST_PROVIDER_ENV = {
  OPENAI_API_KEY: 'sk-test-not-a-key',
  ANTHROPIC_API_KEY: 'sk-ant-test-not-a-key',
  GOOGLE_API_KEY: 'test-not-a-key',
};
const TEST_DEFAULTS = { DEFAULT_TEAM: 'example', ...TEST_PROVIDER_ENV };

export interface TestServerOptions extends BuildAppOptions {
  /** The server as a fresh install runs it: the default team and no provider credentials. */
  bare?: boolean;
  /** Reuse a database (e.g. to restart a server on it); a fresh one by default. */
  database?: TestDatabase;
  env?: Record<string, string>;
  /** The port to listen on (a restarted server takes its predecessor's); a free one by default. */
  port?: number;
  /** Runs once the server is built, before it listens: what it does, no client can see happen live. */
  beforeListen?: (app: App) => Promise<void>;
}

export async function startTestServer(provider: DatabaseProvider, options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? freshDatabase(provider);
  const config = loadConfig({
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    PORT: '0',
    ...(options.bare ? {} : TEST_DEFAULTS),
    ...options.env,
  });
  const level = (process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent';
  const app = await buildApp(config, { log: createLogger({ level, format: 'pretty' }), ...options });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  onCleanup(stop);
  await options.beforeListen?.(app);
  const { url } = await app.start(options.port ?? 0);

  const recorded = new Map<string, SessionEventRecord[]>();
  const client = (token: string | undefined): TestServer => {
    const request = async (document: TypedDocumentNode<unknown, unknown>, variables?: unknown) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ query: print(document), variables }),
      });
      return (await response.json()) as ExecutionResult<unknown>;
    };
    return {
      app,
      database,
      url,
      token,
      request: request as TestServer['request'],
      data: (async (document: TypedDocumentNode<unknown, unknown>, variables?: unknown) => {
        const result = await request(document, variables);
        if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
        return result.data;
      }) as TestServer['data'],
      publishedEvents: (sessionId) => {
        if (!recorded.has(sessionId)) recorded.set(sessionId, collect(app.pubsub.liveEvents(sessionId)));
        return recorded.get(sessionId)!;
      },
      stop,
      as: client,
    };
  };
  return client(undefined);
}

/** Everything `iterator` yields from now on, in a list that grows as it does; closed after the test. */
export function collect<T>(iterator: AsyncIterableIterator<T>): T[] {
  const items: T[] = [];
  const pump = async (): Promise<void> => {
    const next = await iterator.next();
    if (next.done) return;
    items.push(next.value);
    return pump();
  };
  void pump();
  onCleanup(() => iterator.return?.());
  return items;
}

/** A logger that keeps its records, for tests that check what an operator is told. */
export function capturedLog() {
  const records: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (line) => records.push(JSON.parse(line)) });
  return { log, records };
}
