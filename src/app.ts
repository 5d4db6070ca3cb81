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
import { createDashboard } from './server/dashboard.js';
import { createHttpEndpoint } from './server/http.js';
import { Operations } from './server/operations.js';
import { renderMetrics } from './server/metrics.js';
import { ApiTokens } from './auth/tokens.js';
import { acceptsHost, createAuthenticator } from './server/auth.js';
import { attachWebSocketEndpoint } from './server/websocket.js';
import { createApiYoga, type ApiYoga } from './server/yoga.js';
import { ChangeLog } from './services/change-log.js';
import { ServerShuttingDownError } from './services/errors.js';
import { EventLog } from './services/event-log.js';
import { Forwarder } from './services/forwarding.js';
import { InstanceLease, LostRuntimes } from './services/instances.js';
import { RuntimeRouting } from './services/runtime-routing.js';
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
  /** This instance's lease on the runtimes it holds (its id names it in the store). */
  lease: InstanceLease;
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
  // Without Redis, instances cannot reach each other: this one is alone on its database.
  const lease = new InstanceLease({
    prisma: database.prisma,
    runtimes,
    log,
    name: config.instanceName,
    leaseTtlMs: config.leaseTtlMs,
    alone: !config.redisUrl,
  });
  let predecessors: string[];
  try {
    predecessors = await lease.register();
  } catch (error) {
    await Promise.all([pubsub.close(), database.close()]);
    throw error;
  }

  const changeLog = new ChangeLog(database.provider, config.changeLogRetention);
  const writer = new SessionWriter({
    database,
    events,
    changeLog,
    holder: lease,
    publisher: pubsub.publisher,
    log,
    transactionTimeoutMs: config.transactionTimeoutMs,
    transactionMaxWaitMs: config.transactionMaxWaitMs,
  });
  const forwarder = config.redisUrl
    ? new Forwarder({ redisUrl: config.redisUrl, instanceId: lease.instanceId, log, timeoutMs: config.forwardTimeoutMs })
    : undefined;
  const routing = new RuntimeRouting({
    prisma: database.prisma,
    holder: lease,
    forwarder,
    settledChanges: (sessionId) => writer.settledChanges(sessionId),
    log,
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
    routing,
  });
  const turns = new TurnService({ prisma: database.prisma, sessions, writer, runtimes, publisher: pubsub.publisher, log, routing });
  const lostRuntimes = new LostRuntimes({
    prisma: database.prisma,
    writer,
    lease,
    log,
    restart: config.restartLostSessions ? (sessionId) => sessions.restartLost(sessionId) : undefined,
  });
  // Before anything can run: what a crashed predecessor held is released (and restarted, if so set),
  // and turns left by a server from before leases are ended.
  await lostRuntimes.takeBack(predecessors);
  await turns.endInterruptedTurns();
  lease.start(() => lostRuntimes.sweep());
  const access = new SessionAccess(database.prisma);
  const services: ApiServices = {
    access,
    sessions,
    updates: new SessionUpdateService(database.prisma, writer),
    messages: new MessageService(database.prisma, writer),
    turns,
    batches: new SessionBatchService(database.prisma, sessions, globalId, access),
    reads: new SessionReads({
      prisma: database.prisma,
      instanceId: lease.instanceId,
      provider: database.provider,
      runtimes,
      teams,
      access,
    }),
    streams: new SessionEventStreams({
      prisma: database.prisma,
      events,
      changeLog,
      live: pubsub.listenToSession,
      liveChanges: pubsub.listenToChanges,
      queueLimit: config.subscriptionQueueLimit,
      log,
    }),
  };

  const host = listeningHost(config.host, authenticator.required, log);
  // Redis is ready when events can cross and operations can be forwarded (both subscriptions confirmed).
  const redisCheck =
    pubsub.redisCheck && forwarder
      ? async () => {
          await pubsub.redisCheck!();
          await forwarder.check().catch((error: Error) => Promise.reject(new Error(`forwarding: ${error.message}`)));
        }
      : pubsub.redisCheck;
  const operations = new Operations({ database, redisCheck, timeoutMs: config.readinessTimeoutMs, log });
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
    dashboard: config.dashboard ? createDashboard({ log }) : undefined,
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
    // Running turns end, each with its partial reply and its INTERRUPTED end recorded (and published);
    // then each session held here stops (SERVER_STOPPED), free to start on another instance at once.
    // Nothing forwarded from other instances starts here meanwhile.
    routing.refuseForwarded(() => new ServerShuttingDownError(undefined, 'try again: the session is being released'));
    await within(
      'running turns to end',
      (async () => {
        await turns.cancelAll();
        await sessions.stopAllHere();
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
    await within('the lease to be given up', lease.close(), CLOSE_GRACE_MS);
    if (forwarder) await within('forwarding to close', forwarder.close(), CLOSE_GRACE_MS);
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
    lease,
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
