/**
 * The GraphQL endpoint: schema, per-request context, GraphiQL, cross-site protection (CSRF, CORS), the
 * checks that run before execution (limits.ts, cursors), production settings, and masking. Expected
 * failures reach clients with their code; anything else as a bare message with an incident id, logged
 * once under that id.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { useDisableIntrospection } from '@envelop/disable-introspection';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ApiServices, Context } from '../schema/context.js';
import { toGraphQLError } from '../schema/errors.js';
import { buildSchema } from '../schema/index.js';
import { isDomainError } from '../services/errors.js';
import type { Authenticator } from './auth.js';
import { useConnectionCursorCheck } from './cursors.js';
import { GRAPHIQL_EXAMPLE_TABS } from './graphiql-examples.js';
import { operationLimitPlugins, type OperationLimits } from './limits.js';
import type { Operations } from './operations.js';

/** What the transport gives Yoga per request: over graphql-ws, the socket and who opened it. */
export interface TransportContext {
  socket?: WebSocket;
  principal?: Principal;
}

export type ApiYoga = YogaServerInstance<TransportContext, Context>;

export interface ApiYogaOptions {
  services: ApiServices;
  log: Logger;
  /** Unsent bytes a WebSocket may hold before its subscriptions are ended as too slow. */
  webSocketMaxBufferedBytes: number;
  authenticator: Authenticator;
  /** GET /ready, and the operations in flight (counted for shutdown, refused once it has begun). */
  operations?: Operations;
  /** Cross-site access, production settings and limits for untrusted clients (config.ts). */
  protection: HttpProtection;
}

/** What Yoga enforces for untrusted clients (config.ts, "Limits for untrusted clients"). */
export type HttpProtection = OperationLimits & Pick<Config, 'corsOrigins' | 'graphiql' | 'introspection' | 'maxRequestBytes'>;

/** The header a request without a content-type that browsers preflight (a GET) must carry: Yoga's own. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/**
 * CORS: only the allowed origins get an answer that lets a browser read it (with credentials); any
 * other origin, `null` included, gets no CORS header at all.
 */
function corsFor(allowed: readonly string[]) {
  const origins = new Set(allowed);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !origins.has(origin)) return false as const;
    return {
      origin,
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', CSRF_HEADER],
      maxAge: 600,
    };
  };
}

/** Answers differ by Origin once some origins are allowed: caches must keep them apart. */
function useVaryOnOrigin(): Plugin {
  return { onResponse: ({ response }) => response.headers.append('vary', 'Origin') };
}

/** graphql-js's "Did you mean …?" (fields, arguments, types, enum values): the schema, piece by piece. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** `error` without its suggestions (the same error when it has none). */
function withoutSuggestions(error: GraphQLError): GraphQLError {
  const message = error.message.replace(SUGGESTION, '');
  if (message === error.message) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/**
 * No suggestions in validation errors, over every transport. (armor's block-field-suggestions hides
 * only those of fields, and leaves the enum values'.) Execution's (variables') go through masking.
 */
function useNoSuggestions(): Plugin {
  return {
    onValidate: () => ({ valid, result, setResult }) => {
      if (!valid) setResult(result.map((error: Error) => (error instanceof GraphQLError ? withoutSuggestions(error) : error)));
    },
  };
}

/**
 * Expected failures (DomainErrors) become GraphQL errors with their code wherever no typed result
 * took them; GraphQL's own errors, and those raised on purpose, pass (without suggestions, when the
 * schema is not to be handed out); anything else is masked.
 */
function errorMasking(log: Logger, { hideSuggestions }: { hideSuggestions: boolean }) {
  /** Errors masking has dealt with: Yoga would log each once more, without the incident id. */
  const dealtWith = new WeakSet<object>();
  const maskError = (error: unknown): Error => {
    if (typeof error === 'object' && error !== null) dealtWith.add(error);
    const located = error instanceof GraphQLError ? error : undefined;
    const original = located ? located.originalError : error;
    if (isDomainError(original)) return toGraphQLError(original, { nodes: located?.nodes, path: located?.path });
    if (located && (!original || original instanceof GraphQLError)) return hideSuggestions ? withoutSuggestions(located) : located;
    const incidentId = randomUUID();
    log.error('unexpected error', {
      incidentId,
      error: (original as Error | undefined)?.message,
      stack: (original as Error | undefined)?.stack,
    });
    return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR', incidentId } });
  };
  return { maskError, dealtWith };
}

export function createApiYoga({ services, log, webSocketMaxBufferedBytes, authenticator, operations, protection }: ApiYogaOptions): ApiYoga {
  const apiLog = log.child({ component: 'graphql' });
  const masking = errorMasking(apiLog, { hideSuggestions: !protection.introspection });
  return createYoga<TransportContext, Context>({
    schema: buildSchema(),
    context: async ({ socket, principal: connected, request }) => {
      // An HTTP request (SSE included) is authenticated here. A WebSocket was as it connected: each of its
      // operations checks that the token has not been revoked since.
      const principal = connected ?? (await authenticator.request(request));
      if (connected && !(await authenticator.stillValid(connected))) throw authenticator.revoked();
      return {
        services,
        principal,
        stillAuthorized: () => authenticator.stillValid(principal),
        transportBackedUp: socket ? () => socket.bufferedAmount > webSocketMaxBufferedBytes : undefined,
      };
    },
    graphqlEndpoint: '/graphql',
    graphiql: protection.graphiql && {
      title: 'agent-session-graphql',
      // The walk through the API a first visit opens with (graphiql-examples.ts).
      defaultTabs: GRAPHIQL_EXAMPLE_TABS,
      // Subscriptions over SSE rather than WebSocket: an SSE request is an HTTP request like a query's, so
      // it carries the tab's Headers (`Authorization: Bearer …`) and is authenticated the same way. Our
      // WebSocket takes its token from connectionParams, which GraphiQL fills from no tab: with API tokens
      // every subscription run from GraphiQL over WS would be refused (4403). test/graphiql-tabs.test.ts.
      subscriptionsProtocol: 'SSE',
      // GraphiQL runs subscriptions as GETs (SSE): they carry the CSRF header like any client's GET.
      additionalHeaders: { [CSRF_HEADER]: 'graphiql' },
    },
    // GraphiQL's assets from the package itself: Yoga's default page loads them from a CDN, and is blank
    // on a machine without internet access.
    renderGraphiQL,
    cors: corsFor(protection.corsOrigins),
    // Larger bodies are answered 413, by their content-length or as they stream in.
    maxRequestBodySize: protection.maxRequestBytes,
    plugins: [
      // A form, multipart or text POST, or a GET without the header, is what another site's page can
      // send without a preflight: refused (403). JSON POSTs (any GraphQL client's) need nothing.
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
      ...(protection.corsOrigins.length > 0 ? [useVaryOnOrigin()] : []),
      ...operationLimitPlugins(protection),
      // Production: the schema is not handed out, not even piecewise through "Did you mean…?".
      ...(protection.introspection ? [] : [useDisableIntrospection(), useNoSuggestions()]),
      useConnectionCursorCheck(),
      ...(operations?.plugins() ?? []),
    ],
    logging: {
      debug: (...args) => apiLog.debug(args.map(String).join(' ')),
      info: (...args) => apiLog.info(args.map(String).join(' ')),
      warn: (...args) => apiLog.warn(args.map(String).join(' ')),
      error: (...args) => {
        if (args.length === 1 && masking.dealtWith.has(args[0] as object)) return;
        apiLog.error(args.map(String).join(' '));
      },
    },
    maskedErrors: { maskError: masking.maskError },
  });
}
