/**
 * The GraphQL endpoint: schema, per-request context, GraphiQL, the checks that run before execution
 * (depth, cursors), and masking. Expected failures reach clients with their code; anything else as a
 * bare message with an incident id, logged once under that id.
 */
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../log.js';
import type { ApiServices, Context } from '../schema/context.js';
import { toGraphQLError } from '../schema/errors.js';
import { buildSchema } from '../schema/index.js';
import { isDomainError } from '../services/errors.js';
import type { Authenticator } from './auth.js';
import { useConnectionCursorCheck } from './cursors.js';
import { useDepthLimit } from './max-depth.js';

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
}

const EXAMPLE_OPERATION = `# Create a session on the bundled demo team (its "models" echo; no key needed):
mutation Create {
  createSession(input: { title: "My first session" }) {
    ... on Session { id title running currentAgent availableModels { ref isCurrent } }
    ... on Error { message }
  }
}

# Paste the id from above, then switch its model or run a turn:
# mutation Switch {
#   setSessionAgentModel(input: { sessionId: "…", modelRef: "echo-short" }) {
#     ... on SetSessionAgentModelPayload { agentName modelRef previousModelRef }
#     ... on Error { __typename message }
#   }
# }
# mutation Turn {
#   runTurn(input: { sessionId: "…", messages: [{ role: "user", content: "Hello" }] }) {
#     ... on TurnPayload { turnId }
#     ... on Error { __typename message }
#   }
# }
`;

/**
 * Expected failures (DomainErrors) become GraphQL errors with their code wherever no typed result
 * took them; GraphQL's own errors, and those raised on purpose, pass; anything else is masked.
 */
function errorMasking(log: Logger) {
  /** Errors masking has dealt with: Yoga would log each once more, without the incident id. */
  const dealtWith = new WeakSet<object>();
  const maskError = (error: unknown): Error => {
    if (typeof error === 'object' && error !== null) dealtWith.add(error);
    const located = error instanceof GraphQLError ? error : undefined;
    const original = located ? located.originalError : error;
    if (isDomainError(original)) return toGraphQLError(original, { nodes: located?.nodes, path: located?.path });
    if (located && (!original || original instanceof GraphQLError)) return located;
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

export function createApiYoga({ services, log, webSocketMaxBufferedBytes, authenticator }: ApiYogaOptions): ApiYoga {
  const apiLog = log.child({ component: 'graphql' });
  const masking = errorMasking(apiLog);
  return createYoga<TransportContext, Context>({
    schema: buildSchema(),
    context: async ({ socket, principal, request }) => ({
      services,
      // A WebSocket was authenticated as it connected; an HTTP request (SSE included) is, here.
      principal: principal ?? (await authenticator.request(request)),
      transportBackedUp: socket ? () => socket.bufferedAmount > webSocketMaxBufferedBytes : undefined,
    }),
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'agent-session-graphql', defaultQuery: EXAMPLE_OPERATION },
    // GraphiQL's assets from the package itself: Yoga's default page loads them from a CDN, and is blank
    // on a machine without internet access.
    renderGraphiQL,
    plugins: [useDepthLimit(), useConnectionCursorCheck()],
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
