/**
 * Several real server processes (as `npm start` runs them, each on its own port 0) sharing one fresh
 * PostgreSQL database and one Redis: what an operator runs behind a load balancer. Each instance comes
 * with a GraphQL client over HTTP and can be killed outright (SIGKILL of its process group). The
 * database is read past the API, over raw connections, to compare every instance with what is stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type ExecutionResult } from 'graphql';
import pg from 'pg';
import type { ServerInstancesQuery } from '../graphql/graphql.js';
import { ServerInstances } from './cluster-operations.js';
import { freshDatabase, POSTGRES_URL, type TestDatabase } from './databases.js';
import { onCleanup } from './dispose.js';
import { startMainProcess } from './server-process.js';
import type { TestServer } from './server.js';

/** One server process of the cluster and a client of it. */
export interface ClusterInstance extends Pick<TestServer, 'request' | 'data'> {
  /** Its position in the cluster (0…size-1), for messages. */
  index: number;
  url: string;
  /** Its id in the store (ServerInstance.id, random per process). */
  id: string;
  process: ReturnType<typeof startMainProcess>;
  /** False once kill() was called. */
  alive: boolean;
  /**
   * What test/support/subscribers.ts needs to subscribe over WebSocket or SSE (the URL, no token): this
   * instance as a TestServer for `subscribe`, which uses nothing else of it.
   */
  subscriptionTarget: TestServer;
  /** `serverInstances` as this instance answers it. */
  serverInstances(): Promise<ServerInstanceRow[]>;
  /** kill -9 of its process group; resolves once the process is gone. */
  kill(): Promise<void>;
}

export type ServerInstanceRow = Awaited<ReturnType<typeof fetchInstances>>[number];

export interface StoredEvent {
  seq: number;
  kind: string;
  agentName: string | null;
  payload: Record<string, unknown>;
}

export interface StoredSession {
  id: string;
  currentAgent: string;
  runtimeInstanceId: string | null;
  /** AgentModelOverride rows, by agent name. */
  overrides: Record<string, string>;
}

export interface Cluster {
  instances: ClusterInstance[];
  database: TestDatabase;
  redisUrl: string;
  /** Raw connections into the cluster's schema, past the servers. */
  db: pg.Pool;
  alive(): ClusterInstance[];
  /** The instance whose store id is `id`. */
  byId(id: string): ClusterInstance | undefined;
  /** The session's stored log (SessionEvent rows by seq), read past the API. */
  storedEvents(globalId: string): Promise<StoredEvent[]>;
  /** The session's row and its overrides, read past the API. */
  storedSession(globalId: string): Promise<StoredSession>;
}

export interface ClusterOptions {
  size: number;
  redisUrl: string;
  /** Added to every instance's environment (LEASE_TTL_MS is 1500 unless set here). */
  env?: Record<string, string>;
}

/** A session's store id from its Relay global id. */
export function rawId(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString('utf8').replace(/^Session:/, '');
}

async function send(url: string, document: DocumentNode, variables?: unknown): Promise<ExecutionResult<unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as ExecutionResult<unknown>;
  } catch {
    throw new Error(`HTTP ${response.status} from ${url} is not a GraphQL response: ${text.slice(0, 500)}`);
  }
}

async function fetchInstances(url: string) {
  const result = (await send(url, ServerInstances)) as ExecutionResult<ServerInstancesQuery>;
  if (result.errors?.length) throw new Error(`serverInstances failed on ${url}: ${JSON.stringify(result.errors)}`);
  return result.data!.serverInstances;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const database = freshDatabase('postgresql');
  const scratch = mkdtempSync(path.join(tmpdir(), 'asg-cluster-'));
  onCleanup(() => rmSync(scratch, { recursive: true, force: true }));
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: options.redisUrl,
    LEASE_TTL_MS: '1500',
    ...options.env,
  };
  // All at once: migrations are serialised by an advisory lock, the rest is independent.
  const processes = Array.from({ length: options.size }, () => startMainProcess(env, scratch));
  const urls = await Promise.all(processes.map((child) => child.listening));

  const instances = await Promise.all(
    urls.map(async (url, index): Promise<ClusterInstance> => {
      const child = processes[index]!;
      const self = (await fetchInstances(url)).find((row) => row.self);
      if (!self) throw new Error(`instance ${index} (${url}) does not list itself in serverInstances`);
      const request = (document: TypedDocumentNode<unknown, unknown>, variables?: unknown) => send(url, document, variables);
      const instance: ClusterInstance = {
        index,
        url,
        id: self.id,
        process: child,
        alive: true,
        request: request as ClusterInstance['request'],
        data: (async (document: TypedDocumentNode<unknown, unknown>, variables?: unknown) => {
          const result = await request(document, variables);
          if (result.errors?.length) throw new Error(`GraphQL errors from instance ${index}: ${JSON.stringify(result.errors)}`);
          return result.data;
        }) as ClusterInstance['data'],
        subscriptionTarget: { url } as TestServer,
        serverInstances: () => fetchInstances(url),
        kill: async () => {
          instance.alive = false;
          child.killGroup('SIGKILL');
          await child.closed;
        },
      };
      return instance;
    }),
  );
  const db = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path="${database.schema}"`, max: 4 });
  onCleanup(() => db.end());

  return {
    instances,
    database,
    redisUrl: options.redisUrl,
    db,
    alive: () => instances.filter((instance) => instance.alive),
    byId: (id) => instances.find((instance) => instance.id === id),
    storedEvents: async (globalId) => {
      const { rows } = await db.query<{ seq: number; kind: string; agentName: string | null; payload: string }>(
        'SELECT seq, kind, "agentName", payload FROM "SessionEvent" WHERE "sessionId" = $1 ORDER BY seq',
        [rawId(globalId)],
      );
      return rows.map((row) => ({ ...row, payload: JSON.parse(row.payload) as Record<string, unknown> }));
    },
    storedSession: async (globalId) => {
      const id = rawId(globalId);
      // One statement: one snapshot of the row and its overrides.
      const { rows } = await db.query<{ currentAgent: string; runtimeInstanceId: string | null; overrides: { agentName: string; modelRef: string }[] }>(
        `SELECT s."currentAgent", s."runtimeInstanceId",
           COALESCE(json_agg(json_build_object('agentName', o."agentName", 'modelRef', o."modelRef") ORDER BY o."agentName")
             FILTER (WHERE o."agentName" IS NOT NULL), '[]') AS overrides
         FROM "Session" s LEFT JOIN "AgentModelOverride" o ON o."sessionId" = s.id
         WHERE s.id = $1 GROUP BY s.id`,
        [id],
      );
      const row = rows[0];
      if (!row) throw new Error(`no session ${id} in the store`);
      return {
        id,
        currentAgent: row.currentAgent,
        runtimeInstanceId: row.runtimeInstanceId,
        overrides: Object.fromEntries(row.overrides.map((override) => [override.agentName, override.modelRef])),
      };
    },
  };
}
