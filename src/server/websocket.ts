/**
 * Subscriptions (and any operation) over WebSocket (graphql-transport-ws) on the same port and path as
 * HTTP, through the same envelope: same schema, context, validation, checks and error masking. A page
 * from another site cannot open one (Origin check), and a client's sockets, each socket's operations
 * and each message are bounded.
 */
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type execute, type subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { LOCAL_PRINCIPAL, type Principal } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { acceptsHost, type Authenticator } from './auth.js';
import { originAllowed } from './limits.js';
import type { ApiYoga } from './yoga.js';

export interface WebSocketEndpoint {
  /**
   * Ends every subscription and closes every socket: with 1001 and `reason` (graphql-ws says only
   * "Going away"; a stopping server says why, and that the client may reconnect).
   */
  dispose(reason?: string): Promise<void>;
}

/** Yoga's enveloped execute and subscribe travel to graphql-ws through the operation's root value. */
type EnvelopedRoot = { execute: typeof execute; subscribe: typeof subscribe };

/** The WebSocket limits for untrusted clients (config.ts, "Limits for untrusted clients"). */
export type WebSocketProtection = Pick<
  Config,
  'corsOrigins' | 'webSocketMaxMessageBytes' | 'webSocketMaxSubscriptions' | 'webSocketMaxSocketsPerClient'
>;

/** Who a socket's client is, for the cap on sockets per client. */
export type IdentifyClient = (
  request: IncomingMessage,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  principal: Principal,
) => string | Promise<string>;

/**
 * By default, a client is the principal it authenticated as (its token's name, wherever it connects
 * from); without tokens, every caller is the local principal, so it is told apart by address.
 */
const byPrincipal: IdentifyClient = (request, _params, principal) =>
  principal === LOCAL_PRINCIPAL ? `address:${request.socket.remoteAddress ?? 'unknown'}` : `principal:${principal.name}`;

/**
 * The code HTTP clients get for the same mistake (Yoga adds it over HTTP only): a client reads one error
 * shape whatever the transport.
 */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/** A close code for "refused by policy" that graphql-ws clients may retry later (1008, Policy Violation). */
const POLICY_VIOLATION = 1008;

export function attachWebSocketEndpoint(options: {
  server: Server;
  yoga: ApiYoga;
  log: Logger;
  /** How often each client is pinged; one that stops answering is dropped. */
  keepAliveMs: number;
  authenticator: Authenticator;
  protection: WebSocketProtection;
  /** Who a client is, for WS_MAX_SOCKETS_PER_CLIENT: its principal (or, without tokens, its address) unless given. */
  identify?: IdentifyClient;
}): WebSocketEndpoint {
  const { server, yoga, keepAliveMs, authenticator, protection, identify = byPrincipal } = options;
  const log = options.log.child({ component: 'websocket' });
  const webSockets = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    // A larger message closes its socket with 1009 (ws's own default is 100 MiB).
    maxPayload: protection.webSocketMaxMessageBytes,
    // A page from another site may not open a socket with the user's browser: refused before the upgrade.
    verifyClient: ({ origin, req }: { origin?: string; req: IncomingMessage }, callback: (allowed: boolean, code?: number, message?: string) => void) => {
      if (!acceptsHost(authenticator, req.headers.host)) {
        log.info('websocket refused: not a loopback Host on a server without tokens', { host: req.headers.host });
        return callback(false, 421, 'Misdirected Request: this server answers to loopback names only');
      }
      if (originAllowed(origin, req.headers.host, protection.corsOrigins)) return callback(true);
      log.info('websocket refused: origin not allowed', { origin });
      callback(false, 403, 'Forbidden: this origin may not open a WebSocket here (CORS_ORIGINS)');
    },
  });
  /** Sockets open per client, counted once they are accepted. */
  const socketsByClient = new Map<string, number>();
  const handle = useServer<Record<string, unknown>, { socket: WebSocket; request: IncomingMessage; principal?: Principal }>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        // ctx.subscriptions holds every operation the socket runs, this one included.
        if (Object.keys(ctx.subscriptions).length > protection.webSocketMaxSubscriptions) {
          return [
            new GraphQLError(
              `this connection already runs ${protection.webSocketMaxSubscriptions} operations, the most one may run at once; ` +
                'complete one before starting another',
              { extensions: { code: 'TOO_MANY_OPERATIONS' } },
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          principal: ctx.extra.principal,
          params: payload,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          // A document that cannot be read is the client's mistake: an error for this operation, as
          // over HTTP, rather than closing the socket as if the server had failed.
          if (error instanceof GraphQLError) return [withCode(error, 'GRAPHQL_PARSE_FAILED')];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors.map((error: GraphQLError) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        let contextValue;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          // Refused for this caller (its token was revoked since it connected): an error for this operation.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
      },
      // Refused (a missing or bad token where one is required): graphql-ws closes with 4403 Forbidden.
      onConnect: async (ctx) => {
        const principal = await authenticator.connection(ctx.connectionParams);
        if (!principal) {
          log.info('websocket refused: no valid API token in connectionParams');
          return false;
        }
        ctx.extra.principal = principal;
        const { socket, request } = ctx.extra;
        const client = await identify(request, ctx.connectionParams, principal);
        // Gone meanwhile: nothing to count (its close event has passed).
        if (socket.readyState !== socket.OPEN) return false;
        const open = socketsByClient.get(client) ?? 0;
        if (open >= protection.webSocketMaxSocketsPerClient) {
          log.info('websocket refused: too many sockets for one client', { client, open });
          // Closed with its reason before graphql-ws closes it as Forbidden (which then does nothing).
          socket.close(
            POLICY_VIOLATION,
            `too many connections: at most ${protection.webSocketMaxSocketsPerClient} per client; close one first`,
          );
          return false;
        }
        socketsByClient.set(client, open + 1);
        socket.once('close', () => {
          const left = (socketsByClient.get(client) ?? 1) - 1;
          if (left > 0) socketsByClient.set(client, left);
          else socketsByClient.delete(client);
        });
        log.debug('websocket connected', { principal: principal.name });
        return true;
      },
    },
    webSockets,
    keepAliveMs,
  );
  // A client's breach of the protocol (a message over WS_MAX_MESSAGE_BYTES, an invalid frame): ws closes
  // its socket with the matching code (1009, 1002…). graphql-ws would report each as its own internal
  // failure on the console; it is the client's, and is logged as such.
  webSockets.on('connection', (socket) => {
    const graphqlWs = socket.listeners('error') as ((error: Error) => void)[];
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code?.startsWith('WS_ERR_')) log.info('websocket closed: the client broke the protocol', { error: error.message });
      else for (const listener of graphqlWs) listener.call(socket, error);
    });
  });
  return {
    dispose: async (reason) => {
      // Close frames go after whatever each socket has queued (the subscriptions' last messages).
      if (reason) for (const client of webSockets.clients) client.close(1001, reason);
      await handle.dispose();
    },
  };
}
