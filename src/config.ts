/**
 * Reads the server's configuration from the environment, validates all of it at once and reports
 * every problem in one message, so an operator fixes the whole list in one go.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { providerOfUrl, type DatabaseProvider } from './db/providers.js';

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  databaseProvider: DatabaseProvider;
  /** Folder of team configs (`<name>.yaml`); the bundled `agents/` by default. */
  agentsDir: string;
  /** Team used by `createSession` when the input names none. */
  defaultTeam: string;
  /** When set, sessions' working directories must lie inside it. */
  workingDirRoot?: string;
  logLevel: LogLevel;
  logFormat: 'pretty' | 'json';
  /** How long one store transaction may run before it is rolled back (Prisma's `timeout`). */
  transactionTimeoutMs: number;
  /** How long a store transaction may wait to start (Prisma's `maxWait`). */
  transactionMaxWaitMs: number;
  /** Connections in the PostgreSQL pool. */
  postgresPoolSize: number;
  /**
   * The SQLite connection's busy timeout: min(SQLITE_BUSY_TIMEOUT_MS, TRANSACTION_TIMEOUT_MS). One wait
   * for a lock another process holds on the file lasts at most this long, and the server's event loop
   * is blocked meanwhile: better-sqlite3 waits synchronously, and Prisma's transaction timeout cannot
   * interrupt it. Keep it short.
   */
  sqliteBusyTimeoutMs: number;
  /** Set to join several server instances through Redis pub/sub. */
  redisUrl?: string;
  // Several instances (README "Several instances").
  /**
   * INSTANCE_NAME: a stable name for this instance (one per instance). One restarted under the name of
   * one that crashed takes back at once, as SERVER_RESTARTED, the sessions it held.
   */
  instanceName?: string;
  /**
   * LEASE_TTL_MS: how long an instance that stops renewing its lease (every third of it) keeps its
   * sessions before the others release them as OWNER_LOST; also how long a database outage may last
   * before an instance drops its runtimes itself.
   */
  leaseTtlMs: number;
  /** RESTART_LOST_SESSIONS: start a session released from a lost instance again, on the one that released it. */
  restartLostSessions: boolean;
  /** FORWARD_TIMEOUT_MS: how long an instance waits for the holder of a session to answer a forwarded operation. */
  forwardTimeoutMs: number;
  /** Events kept per session; subscribers replay from these (docker-agent keeps 1024). */
  eventRetention: number;
  /** Session-list changes kept (all sessions together); a sessionsChanged resuming from further back gets a GAP. */
  changeLogRetention: number;
  /**
   * Live events a subscription may hold unread before it is ended as too slow (replays are read from
   * the store page by page and do not count).
   */
  subscriptionQueueLimit: number;
  /** Bytes a WebSocket may have unsent before its subscriptions are ended as too slow. */
  webSocketMaxBufferedBytes: number;
  /** Keep-alive ping interval on WebSockets; a peer that misses one pong is disconnected. */
  keepAliveMs: number;
  // Operations (health, readiness, shutdown; README "Operations").
  /**
   * How long a stop may take (SIGTERM, SIGINT): in-flight operations finish, running turns are ended,
   * and subscribers take their last events; past it, what is left is cut and the process exits.
   */
  shutdownTimeoutMs: number;
  /** How long each /ready check (database, migrations, Redis) may take before it counts as failed. */
  readinessTimeoutMs: number;
  // Limits for untrusted clients (cross-site access, production settings, cost; README "Security").
  /** Browser origins (`https://app.example.com`) allowed to call the API from their pages: CORS_ORIGINS. */
  corsOrigins: string[];
  /** NODE_ENV=production or PRODUCTION=true: GraphiQL, introspection and field suggestions off by default. */
  production: boolean;
  /** GET /graphql from a browser serves GraphiQL (GRAPHIQL; on unless in production). */
  graphiql: boolean;
  /** Introspection and "Did you mean…?" suggestions (INTROSPECTION; on unless in production). */
  introspection: boolean;
  /** GET /dashboard serves the live dashboard, a client of the public API (DASHBOARD; on unless in production). */
  dashboard: boolean;
  /** Largest HTTP request body (MAX_REQUEST_BYTES); larger ones are answered 413. */
  maxRequestBytes: number;
  /** Largest WebSocket message (WS_MAX_MESSAGE_BYTES); a larger one closes the socket with 1009. */
  webSocketMaxMessageBytes: number;
  /** Operations one WebSocket may run at once, subscriptions included (WS_MAX_SUBSCRIPTIONS_PER_SOCKET). */
  webSocketMaxSubscriptions: number;
  /** WebSockets one client (its principal, or its address) may hold open at once (WS_MAX_SOCKETS_PER_CLIENT). */
  webSocketMaxSocketsPerClient: number;
  /** Tokens in one document (MAX_TOKENS). */
  maxTokens: number;
  /** Levels of nested fields in one operation (MAX_QUERY_DEPTH). */
  maxQueryDepth: number;
  /** Aliases in one operation (MAX_ALIASES). */
  maxAliases: number;
  /** Directives in one operation (MAX_DIRECTIVES). */
  maxDirectives: number;
  /** The most one operation may cost, in about the values its answer may hold (MAX_QUERY_COST). */
  maxQueryCost: number;
  /** Ids `nodes` takes in one request, over all its aliases (MAX_NODE_IDS). */
  maxNodeIds: number;
  /** Where model providers' credentials are read (OPENAI_API_KEY, a team's token_key…): the environment. */
  providerEnv: Env;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const BUNDLED_AGENTS_DIR = fileURLToPath(new URL('../agents', import.meta.url));

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}; got "${raw}"`);
    return fallback;
  };

  const databaseUrl = env.DATABASE_URL || 'file:./data/sessions.db';
  let databaseProvider: DatabaseProvider = 'sqlite';
  try {
    databaseProvider = providerOfUrl(databaseUrl);
  } catch (error) {
    problems.push((error as Error).message);
  }

  const config: Config = {
    host: env.HOST || '127.0.0.1',
    port: integer('PORT', 4000, 0, 65535),
    databaseUrl,
    databaseProvider,
    agentsDir: path.resolve(env.AGENTS_DIR || BUNDLED_AGENTS_DIR),
    defaultTeam: env.DEFAULT_TEAM || 'demo',
    workingDirRoot: env.SESSION_WORKDIR_ROOT ? path.resolve(env.SESSION_WORKDIR_ROOT) : undefined,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf('LOG_FORMAT', ['pretty', 'json'] as const, 'pretty'),
    transactionTimeoutMs: integer('TRANSACTION_TIMEOUT_MS', 5000, 50, 600_000),
    transactionMaxWaitMs: integer('TRANSACTION_MAX_WAIT_MS', 10_000, 50, 600_000),
    postgresPoolSize: integer('POSTGRES_POOL_SIZE', 10, 1, 1000),
    sqliteBusyTimeoutMs: integer('SQLITE_BUSY_TIMEOUT_MS', 2000, 0, 60_000),
    redisUrl: env.REDIS_URL || undefined,
    instanceName: env.INSTANCE_NAME || undefined,
    leaseTtlMs: integer('LEASE_TTL_MS', 15_000, 300, 3_600_000),
    restartLostSessions: oneOf('RESTART_LOST_SESSIONS', ['true', 'false'] as const, 'false') === 'true',
    forwardTimeoutMs: integer('FORWARD_TIMEOUT_MS', 15_000, 100, 600_000),
    eventRetention: integer('EVENT_RETENTION', 1024, 1, 1_000_000),
    changeLogRetention: integer('CHANGE_LOG_RETENTION', 10_000, 1, 10_000_000),
    subscriptionQueueLimit: integer('SUBSCRIPTION_QUEUE_LIMIT', 512, 1, 1_000_000),
    webSocketMaxBufferedBytes: integer('WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024, 1024 ** 3),
    keepAliveMs: integer('KEEPALIVE_MS', 12_000, 10, 600_000),
    // Operations: shutdown and readiness bounds.
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    readinessTimeoutMs: integer('READINESS_TIMEOUT_MS', 2000, 10, 60_000),
    // Limits for untrusted clients (README "Security").
    ...clientLimits(env, integer, oneOf, problems),
    providerEnv: env,
  };
  // Nothing can interrupt a busy wait once it blocks the event loop, so no one wait may outlast the
  // transaction timeout.
  config.sqliteBusyTimeoutMs = Math.min(config.sqliteBusyTimeoutMs, config.transactionTimeoutMs);
  if (config.redisUrl && !/^rediss?:\/\//.test(config.redisUrl)) {
    problems.push(`REDIS_URL must start with "redis://" or "rediss://"; got "${config.redisUrl}"`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

type ClientLimits = Pick<
  Config,
  | 'corsOrigins'
  | 'production'
  | 'graphiql'
  | 'introspection'
  | 'dashboard'
  | 'maxRequestBytes'
  | 'webSocketMaxMessageBytes'
  | 'webSocketMaxSubscriptions'
  | 'webSocketMaxSocketsPerClient'
  | 'maxTokens'
  | 'maxQueryDepth'
  | 'maxAliases'
  | 'maxDirectives'
  | 'maxQueryCost'
  | 'maxNodeIds'
>;

/**
 * Limits for untrusted clients: each default is far above what a frontend asks for, and each can be
 * changed through the environment.
 */
function clientLimits(
  env: Env,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  oneOf: <T extends string>(name: string, allowed: readonly T[], fallback: T) => T,
  problems: string[],
): ClientLimits {
  const flag = (name: string, fallback: boolean) => oneOf(name, ['true', 'false'] as const, fallback ? 'true' : 'false') === 'true';
  const production = env.NODE_ENV === 'production' || flag('PRODUCTION', false);
  const MiB = 1024 * 1024;
  return {
    corsOrigins: corsOrigins(env.CORS_ORIGINS, problems),
    production,
    graphiql: flag('GRAPHIQL', !production),
    introspection: flag('INTROSPECTION', !production),
    // Tooling, like GraphiQL: production hides it unless asked for.
    dashboard: flag('DASHBOARD', !production),
    maxRequestBytes: integer('MAX_REQUEST_BYTES', MiB, 1024, 1024 * MiB),
    webSocketMaxMessageBytes: integer('WS_MAX_MESSAGE_BYTES', MiB, 1024, 1024 * MiB),
    webSocketMaxSubscriptions: integer('WS_MAX_SUBSCRIPTIONS_PER_SOCKET', 25, 1, 100_000),
    webSocketMaxSocketsPerClient: integer('WS_MAX_SOCKETS_PER_CLIENT', 20, 1, 100_000),
    maxTokens: integer('MAX_TOKENS', 5000, 100, 10_000_000),
    maxQueryDepth: integer('MAX_QUERY_DEPTH', 15, 1, 1000),
    maxAliases: integer('MAX_ALIASES', 30, 0, 100_000),
    maxDirectives: integer('MAX_DIRECTIVES', 50, 0, 100_000),
    maxQueryCost: integer('MAX_QUERY_COST', 250_000, 1, Number.MAX_SAFE_INTEGER),
    maxNodeIds: integer('MAX_NODE_IDS', 100, 1, 100_000),
  };
}

/** CORS_ORIGINS: comma-separated origins (scheme, host, port); none by default, and never `*` or `null`. */
function corsOrigins(raw: string | undefined, problems: string[]): string[] {
  const origins: string[] = [];
  for (const entry of (raw ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    const originOnly = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (!url || !originOnly || !['http:', 'https:'].includes(url.protocol)) {
      problems.push(
        `CORS_ORIGINS must list origins such as "https://app.example.com" (scheme, host and port only; no "*" or "null"); got "${entry}"`,
      );
      continue;
    }
    origins.push(url.origin);
  }
  return origins;
}
