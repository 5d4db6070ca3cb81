/**
 * buildApp(config): the whole server, wired but not listening. `start(port)` listens (0 picks a free
 * port, as tests do); `stop()` closes connections, then the store.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { createLogger, type Logger } from './log.js';
import { createAppPubSub, type AppPubSub } from './pubsub.js';
import type { ModelProviderFactory } from './runtime/agent-runtime.js';
import { RuntimeRegistry } from './runtime/registry.js';
import { TeamCatalog } from './runtime/team.js';
import { createContext, type AppServices, type Context } from './schema/context.js';
import { buildSchema } from './schema/index.js';
import { InvalidInputError, isDomainError } from './services/errors.js';
import { EventLog } from './services/event-log.js';
import { SessionEventStreams } from './services/event-stream.js';
import { MessageService } from './services/message-service.js';
import { SessionBatchService } from './services/session-batch-service.js';
import { SessionService } from './services/session-service.js';
import { SessionUpdateService } from './services/session-update-service.js';
import { SessionWriter } from './services/session-writer.js';

export interface BuildAppOptions {
  log?: Logger;
  /** How runtimes create model providers; the default never dials out. */
  createModelProvider?: ModelProviderFactory;
}

export interface App {
  config: Config;
  log: Logger;
  database: Database;
  services: AppServices;
  pubsub: AppPubSub;
  yoga: YogaServerInstance<{ socket?: import('ws').WebSocket }, Context>;
  server: Server;
  start(port?: number): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

const EXAMPLE_OPERATION = `# Create a session on the bundled example team, then switch its model:
mutation Create {
  createSession(input: { title: "My first session" }) {
    ... on Session { id title running currentAgent availableModels { ref isCurrent } }
    ... on Error { message }
  }
}

# Paste the id from above:
# mutation Switch {
#   setSessionAgentModel(input: { sessionId: "…", modelRef: "openai/gpt-5" }) {
#     ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef }
#     ... on Error { __typename message }
#   }
# }
`;

export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const teams = await TeamCatalog.load(config.agentsDir);
  for (const problem of teams.problems) log.error('team config skipped', { problem });
  if (!teams.get(config.defaultTeam)) {
    throw new Error(
      `the default team "${config.defaultTeam}" is not in ${config.agentsDir} ` +
        `(found: ${teams.list().map((team) => team.name).join(', ') || 'none'})`,
    );
  }
  log.info('teams loaded', { dir: config.agentsDir, teams: teams.list().map((team) => team.name).join(',') });

  const database = await openDatabase({
    url: config.databaseUrl,
    postgresPoolSize: config.postgresPoolSize,
    sqliteBusyTimeoutMs: config.sqliteBusyTimeoutMs,
    statementTimeoutMs: config.transactionTimeoutMs,
    log,
  });
  const pubsub = createAppPubSub({ redisUrl: config.redisUrl, log });
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
    createModelProvider: options.createModelProvider,
  });
  const streams = new SessionEventStreams({
    prisma: database.prisma,
    events,
    live: pubsub.liveEvents,
    queueLimit: config.subscriptionQueueLimit,
    log,
  });
  const services: AppServices = {
    prisma: database.prisma,
    provider: database.provider,
    sessions,
    updates: new SessionUpdateService(database.prisma, writer),
    messages: new MessageService(database.prisma, writer),
    batches: new SessionBatchService(database.prisma, sessions),
    streams,
    pubsub,
    runtimes,
    teams,
    webSocketMaxBufferedBytes: config.webSocketMaxBufferedBytes,
  };
  const apiLog = log.child({ component: 'graphql' });

  const yoga = createYoga<{ socket?: import('ws').WebSocket }, Context>({
    schema: buildSchema(),
    context: (initial) => createContext(services, initial),
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'agent-session-graphql', defaultQuery: EXAMPLE_OPERATION },
    logging: {
      debug: (...args) => apiLog.debug(args.map(String).join(' ')),
      info: (...args) => apiLog.info(args.map(String).join(' ')),
      warn: (...args) => apiLog.warn(args.map(String).join(' ')),
      error: (...args) => apiLog.error(args.map(String).join(' ')),
    },
    // Unexpected errors reach clients as a bare message with an id; the log line with that id has the rest.
    maskedErrors: {
      maskError: (error) => {
        const original = error instanceof GraphQLError ? error.originalError : error;
        // GraphQL's own errors, and those the schema raises on purpose, are meant for the client.
        if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
        // An expected failure on a field that has no typed result for it (a query's filter, say).
        if (error instanceof GraphQLError && isDomainError(original)) {
          return new GraphQLError(original.message, {
            nodes: error.nodes,
            path: error.path,
            extensions: {
              code: original.name.replace(/Error$/, ''),
              ...(original instanceof InvalidInputError && { field: original.field }),
            },
          });
        }
        const incidentId = randomUUID();
        apiLog.error('unexpected error', {
          incidentId,
          error: (original as Error)?.message,
          stack: (original as Error)?.stack,
        });
        return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR', incidentId } });
      },
    },
  });

  // Operators (and the benchmark) read these; Prometheus' text format, so any scraper can too.
  const metrics = () =>
    [
      ['asg_sql_statements_total', 'counter', 'SQL statements sent to the database', database.statements.count],
      ['asg_event_streams_open', 'gauge', 'sessionEvents subscriptions open', streams.openCount],
      ['asg_sessions_running', 'gauge', 'sessions with a runtime in this process', runtimes.size],
      ['process_resident_memory_bytes', 'gauge', 'resident memory of this process', process.memoryUsage.rss()],
    ]
      .map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`)
      .join('');

  const server = createServer((request, response) => {
    if (request.url === '/metrics' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
      return;
    }
    void yoga(request, response);
  });
  // Subscriptions over WebSocket (graphql-transport-ws) on the same port and path, through the same
  // envelope as HTTP: same schema, context, validation and error masking.
  const webSockets = new WebSocketServer({ server, path: '/graphql' });
  const wsLog = log.child({ component: 'websocket' });
  const webSocketHandle = useServer<Record<string, unknown>, { socket: import('ws').WebSocket }>(
    {
      execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
        });
        const document = parse(payload.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
      onConnect: () => {
        wsLog.debug('websocket connected');
        return true;
      },
    },
    webSockets,
    config.keepAliveMs,
  );
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  let stopped = false;
  return {
    config,
    log,
    database,
    services,
    pubsub,
    yoga,
    server,
    start: (port = config.port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, config.host, () => {
          const actual = (server.address() as AddressInfo).port;
          const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${actual}/graphql`;
          log.info('server listening', { url });
          resolve({ port: actual, url });
        });
      }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await webSocketHandle.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setImmediate(() => sockets.forEach((socket) => socket.destroy()));
        if (!server.listening) resolve();
      });
      await pubsub.close();
      await database.close();
      log.info('server stopped');
    },
  };
}
