/**
 * buildApp(config): the whole server, wired but not listening: configuration → teams, database, pubsub,
 * runtimes → services → the GraphQL endpoint over HTTP and WebSocket. `start(port)` listens (0 picks a
 * free port, as tests do); `stop()` shuts down gracefully within SHUTDOWN_TIMEOUT_MS: no new requests, the
 * ones in flight finish, running turns end, every subscription ends once it has delivered everything
 * committed (with the reason and where to resume), then the connections, the writer, the pubsub, and the
 * store close.
 */
import type { Server } from 'node:http';
import { ConfigError, type Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { createLogger, type Logger } from './log.js';
import { createAppPubSub, type AppPubSub } from './pubsub.js';
import type { ModelProviderFactory } from './runtime/agent-runtime.js';
import { createModelClient } from './runtime/providers.js';
import { RuntimeRegistry } from './runtime/registry.js';
import { startToolset } from './runtime/tools/index.js';
import { TeamCatalog } from './runtime/team.js';
import type { ApiServices } from './schema/context.js';
import { globalId } from './schema/ids.js';
import { createHttpEndpoint } from './server/http.js';
import { Operations } from './server/operations.js';
import { renderMetrics } from './server/metrics.js';
import { ApiTokens } from './auth/tokens.js';
import { acceptsHost, createAuthenticator } from './server/auth.js';
import { attachWebSocketEndpoint } from './server/websocket.js';
import { createApiYoga, type ApiYoga } from './server/yoga.js';
import { EventLog } from './services/event-log.js';
import { SessionEventStreams } from './services/event-stream.js';
import { MessageService } from './services/message-service.js';
import { SessionBatchService } from './services/session-batch-service.js';
import { SessionAccess } from './services/session-access.js';
import { SessionReads } from './services/session-reads.js';
import { SessionService } from './services/session-service.js';
import { SessionUpdateService } from './services/session-update-service.js';
import { SessionWriter } from './services/session-writer.js';
import { TurnService } from './services/turn-service.js';

export interface BuildAppOptions {
  log?: Logger;
  /** How runtimes create model clients; the default is the AI SDK's, with credentials from the config's environment. */
  createModelProvider?: ModelProviderFactory;
}

export interface App {
  config: Config;
  log: Logger;
  database: Database;
  /** The services resolvers call, and the runtimes of this process (for tests and operators to inspect). */
  services: ApiServices & { runtimes: RuntimeRegistry };
  pubsub: AppPubSub;
  yoga: ApiYoga;
  /** Readiness, and the operations in flight. */
  operations: Operations;
  server: Server;
  start(port?: number): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

/** The close frame's reason on every WebSocket as the server stops (at most 123 bytes). */
const SHUTDOWN_CLOSE_REASON = 'the server is shutting down; reconnect and resubscribe';
/** How long the pubsub and the store may take to close, even once SHUTDOWN_TIMEOUT_MS has passed. */
const CLOSE_GRACE_MS = 2000;

async function loadTeams(config: Config, log: Logger): Promise<TeamCatalog> {
  const teams = await TeamCatalog.load(config.agentsDir);
  for (const problem of teams.problems) log.error('team config skipped', { problem });
  if (!teams.get(config.defaultTeam)) {
    throw new Error(
      `the default team "${config.defaultTeam}" is not in ${config.agentsDir} ` +
        `(found: ${teams.list().map((team) => team.name).join(', ') || 'none'})`,
    );
  }
  log.info('teams loaded', { dir: config.agentsDir, teams: teams.list().map((team) => team.name).join(',') });
  return teams;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Where to listen: HOST when callers must authenticate; without API tokens, loopback only whatever
 * HOST says, since anyone reaching the port could then read and delete every session.
 */
function listeningHost(host: string, authenticated: boolean, log: Logger): string {
  if (authenticated) {
    log.info('API tokens required on every request', { host });
    return host;
  }
  const loopback = LOOPBACK.has(host) ? host : '127.0.0.1';
  log.warn('no API tokens exist: the server is open to whoever reaches it, so it listens on loopback only', {
    host: loopback,
    ...(loopback !== host && { ignoredHost: host }),
    hint: 'create one with `npm run token -- create --name <name>` and restart',
  });
  return loopback;
}

export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const teams = await loadTeams(config, log);
  const database = await openDatabase({
    url: config.databaseUrl,
    postgresPoolSize: config.postgresPoolSize,
    sqliteBusyTimeoutMs: config.sqliteBusyTimeoutMs,
    statementTimeoutMs: config.transactionTimeoutMs,
    log,
  });
  // Tokens are looked for once, at start: a server started without any stays open, on loopback only.
  const tokens = new ApiTokens(database.prisma);
  const authenticator = createAuthenticator(tokens, await tokens.anyActive());
  // Agents read and write files in a session's working directory: on a network, callers must not be
  // able to point one at any path of the machine.
  if (authenticator.required && !config.workingDirRoot) {
    await database.close();
    throw new ConfigError([
      'SESSION_WORKDIR_ROOT must be set once API tokens exist: sessions\' working directories (where their agents\' ' +
        'tools read and write) must then lie inside it',
    ]);
  }
  const pubsub = createAppPubSub({ redisUrl: config.redisUrl, log, queueLimit: config.subscriptionQueueLimit });
  const runtimes = new RuntimeRegistry();
  const events = new EventLog(config.eventRetention);

  const writer = new SessionWriter({
    database,
    events,
    publisher: pubsub.publisher,
    log,
    transactionTimeoutMs: config.transactionTimeoutMs,
    transactionMaxWaitMs: config.transactionMaxWaitMs,
  });
  const sessions = new SessionService({
    prisma: database.prisma,
    writer,
    runtimes,
    teams,
    log,
    defaultTeam: config.defaultTeam,
    workingDirRoot: config.workingDirRoot,
    createModelProvider: options.createModelProvider ?? ((spec) => createModelClient(spec, config.providerEnv)),
    startToolset,
  });
  const turns = new TurnService({ prisma: database.prisma, sessions, writer, runtimes, publisher: pubsub.publisher, log });
  // Before anything can run: a turn the store says is running ran in a server that stopped.
  await turns.endInterruptedTurns();
  const access = new SessionAccess(database.prisma);
  const services: ApiServices = {
    access,
    sessions,
    updates: new SessionUpdateService(database.prisma, writer),
    messages: new MessageService(database.prisma, writer, runtimes),
    turns,
    batches: new SessionBatchService(database.prisma, sessions, globalId, access),
    reads: new SessionReads({
      prisma: database.prisma,
      provider: database.provider,
      runtimes,
      teams,
      sessionChanges: () => pubsub.sessionChanges(),
      access,
    }),
    streams: new SessionEventStreams({
      prisma: database.prisma,
      events,
      live: pubsub.listenToSession,
      queueLimit: config.subscriptionQueueLimit,
      log,
    }),
  };

  const host = listeningHost(config.host, authenticator.required, log);
  const operations = new Operations({ database, redisCheck: pubsub.redisCheck, timeoutMs: config.readinessTimeoutMs, log });
  const yoga = createApiYoga({
    services,
    log,
    webSocketMaxBufferedBytes: config.webSocketMaxBufferedBytes,
    authenticator,
    operations,
    protection: config,
  });
  const http = createHttpEndpoint({
    yoga,
    metrics: () =>
      renderMetrics({
        sqlStatements: () => database.statements.count,
        openEventStreams: () => services.streams.openCount,
        runningSessions: () => runtimes.size,
      }),
    acceptsHost: (requestHost) => acceptsHost(authenticator, requestHost),
  });
  const webSocket = attachWebSocketEndpoint({
    server: http.server,
    yoga,
    log,
    keepAliveMs: config.keepAliveMs,
    authenticator,
    protection: config,
  });

  /**
   * The graceful stop, bounded by SHUTDOWN_TIMEOUT_MS: each wait goes on at most until the deadline,
   * after which what is left is cut (and the log says what was cut short).
   */
  const shutDown = async () => {
    const started = Date.now();
    const deadline = started + config.shutdownTimeoutMs;
    const cutShort: string[] = [];
    const within = async (what: string, work: Promise<unknown>, atLeastMs = 0): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        work.then(
          () => true,
          (error: unknown) => {
            log.warn('shutdown step failed', { step: what, error: (error as Error)?.message });
            return true;
          },
        ),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(atLeastMs, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
      if (!inTime) {
        cutShort.push(what);
        log.warn('shutdown timeout reached: going on without waiting', { waitingFor: what, timeoutMs: config.shutdownTimeoutMs });
      }
    };

    // Readiness answers 503, the port closes, and new operations are refused (on connections still open).
    operations.beginShutdown();
    http.stopAccepting();
    log.info('shutdown: no longer accepting requests', {
      timeoutMs: config.shutdownTimeoutMs,
      inFlight: operations.inFlight,
      subscriptions: services.streams.openCount + services.streams.openChangeFeeds,
      runningTurns: runtimes.size,
    });
    // Queries and mutations in flight finish: each commits or rolls back, and is answered.
    if (operations.inFlight > 0) log.info('shutdown: waiting for in-flight operations', { count: operations.inFlight });
    await within('in-flight operations', operations.idle());
    // Running turns end, each with its partial reply and its INTERRUPTED end recorded (and published).
    await within(
      'running turns to end',
      (async () => {
        await turns.cancelAll();
        await Promise.all(runtimes.ids().map((sessionId) => runtimes.get(sessionId)?.close()));
      })(),
    );
    // Every subscription ends once its subscriber has taken everything committed, with SERVER_SHUTTING_DOWN
    // (sessionEvents: and resumeAfter); then the transports send it: SSE responses end with `complete`.
    await within('subscribers to take their last events', services.streams.shutDown());
    await within('responses to finish', http.responsesDone());
    // graphql-ws sends each finished subscription's `complete` a few promise turns after its stream ends:
    // one turn of the event loop, and the close frames queue behind them.
    await new Promise((resolve) => setImmediate(resolve));
    await within('WebSockets to close', webSocket.dispose(SHUTDOWN_CLOSE_REASON));
    await http.close();
    // No background settling of unknown commit outcomes once the store is about to close.
    writer.close();
    // Closing gets a moment even once the deadline has passed.
    await within('the pubsub to close', pubsub.close(), CLOSE_GRACE_MS);
    await within('the store to close', database.close(), CLOSE_GRACE_MS);
    log.info('server stopped', { ms: Date.now() - started, ...(cutShort.length > 0 && { cutShort }) });
  };
  let stopping: Promise<void> | undefined;

  return {
    config,
    log,
    database,
    services: { ...services, runtimes },
    pubsub,
    yoga,
    operations,
    server: http.server,
    start: async (port = config.port) => {
      const actual = await http.listen(port, host);
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}/graphql`;
      log.info('server listening', { url });
      return { port: actual, url };
    },
    stop: () => (stopping ??= shutDown()),
  };
}
