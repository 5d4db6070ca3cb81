/**
 * Subscriptions (and any operation) over WebSocket (graphql-transport-ws) on the same port and path as
 * HTTP, through the same envelope: same schema, context, validation, checks and error masking.
 */
import type { Server } from 'node:http';
import { GraphQLError, type execute, type subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../log.js';
import type { Authenticator } from './auth.js';
import type { ApiYoga } from './yoga.js';

export interface WebSocketEndpoint {
  /** Ends every subscription and closes every socket. */
  dispose(): Promise<void>;
}

/** Yoga's enveloped execute and subscribe travel to graphql-ws through the operation's root value. */
type EnvelopedRoot = { execute: typeof execute; subscribe: typeof subscribe };

export function attachWebSocketEndpoint(options: {
  server: Server;
  yoga: ApiYoga;
  log: Logger;
  /** How often each client is pinged; one that stops answering is dropped. */
  keepAliveMs: number;
  authenticator: Authenticator;
}): WebSocketEndpoint {
  const { server, yoga, keepAliveMs, authenticator } = options;
  const log = options.log.child({ component: 'websocket' });
  const webSockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const handle = useServer<Record<string, unknown>, { socket: WebSocket; principal?: Principal }>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
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
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
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
        log.debug('websocket connected', { principal: principal.name });
        return true;
      },
    },
    webSockets,
    keepAliveMs,
  );
  return { dispose: async () => handle.dispose() };
}
