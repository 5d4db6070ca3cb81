/**
 * Who a request is: the bearer token of an HTTP request (queries, mutations, SSE streams) or of a
 * WebSocket's `connectionParams`, checked against the stored tokens. A server with tokens requires one
 * everywhere; a server without them treats every caller as the local principal (and listens on
 * loopback only, see app.ts).
 */
import { GraphQLError } from 'graphql';
import { LOCAL_PRINCIPAL, type Principal } from '../auth/principal.js';
import { bearerToken, type ApiTokens } from '../auth/tokens.js';

export interface Authenticator {
  /** Whether every caller must present a token. */
  readonly required: boolean;
  /** The caller of an HTTP request; throws UNAUTHENTICATED (HTTP 401) without a valid token. */
  request(request: Request): Promise<Principal>;
  /** The caller of a WebSocket, from `connectionParams.authorization` (`Bearer …`) or `.token`; null when refused. */
  connection(params: Readonly<Record<string, unknown>> | undefined): Promise<Principal | null>;
}

export function createAuthenticator(tokens: ApiTokens, required: boolean): Authenticator {
  const principalOf = async (token: string | undefined) => (token ? await tokens.authenticate(token) : null);
  return {
    required,
    async request(request) {
      if (!required) return LOCAL_PRINCIPAL;
      const principal = await principalOf(bearerToken(request.headers.get('authorization')));
      if (principal) return principal;
      throw new GraphQLError('a valid API token is required: send "Authorization: Bearer <token>"', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
      });
    },
    async connection(params) {
      if (!required) return LOCAL_PRINCIPAL;
      const authorization = params?.authorization ?? params?.Authorization;
      const token = typeof authorization === 'string' ? bearerToken(authorization) : typeof params?.token === 'string' ? params.token : undefined;
      return principalOf(token);
    },
  };
}
