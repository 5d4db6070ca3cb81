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
  /** Whether a principal authenticated earlier (a socket, an open stream) may still act: its token is not revoked. */
  stillValid(principal: Principal): Promise<boolean>;
  /** The error a caller whose token was revoked meanwhile gets. */
  revoked(): GraphQLError;
}

/**
 * Whether a request's Host may be served. With tokens, any. Without (the local principal, loopback
 * only), a loopback name only: otherwise a page whose domain is rebound to 127.0.0.1 would be same-origin
 * with the server (DNS rebinding) and act as the local user.
 */
export function acceptsHost(authenticator: Authenticator, host: string | undefined): boolean {
  if (authenticator.required) return true;
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(name.toLowerCase());
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
    stillValid: async (principal) => principal.tokenId === undefined || (await tokens.isActive(principal.tokenId)),
    revoked: () =>
      new GraphQLError('the API token of this connection was revoked', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      }),
    async connection(params) {
      if (!required) return LOCAL_PRINCIPAL;
      const authorization = params?.authorization ?? params?.Authorization;
      const token = typeof authorization === 'string' ? bearerToken(authorization) : typeof params?.token === 'string' ? params.token : undefined;
      return principalOf(token);
    },
  };
}
