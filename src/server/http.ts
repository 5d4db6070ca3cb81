/**
 * The HTTP server: GET /health and GET /metrics, the dashboard's files (when it is served), everything
 * else to Yoga. It tracks its sockets so that close() ends them, and the responses being written so that
 * a stopping server can let them finish.
 */
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DashboardHandler } from './dashboard.js';
import { SHUTTING_DOWN_MESSAGE } from './operations.js';
import type { ApiYoga } from './yoga.js';

export interface HttpEndpoint {
  server: Server;
  /** Listens on `host:port` (0 picks a free port) and returns the port. */
  listen(port: number, host: string): Promise<number>;
  /**
   * Stops listening and closes idle connections. A request that still comes on a connection left open
   * is answered 503 (SERVER_SHUTTING_DOWN) and its connection closed; /health, /ready and /metrics
   * still answer.
   */
  stopAccepting(): void;
  /** Resolves once no response is being written (event streams included). */
  responsesDone(): Promise<void>;
  /** Stops listening and ends every connection, idle or not. */
  close(): Promise<void>;
}

const SHUTTING_DOWN_BODY = JSON.stringify({ errors: [{ message: SHUTTING_DOWN_MESSAGE, extensions: { code: 'SERVER_SHUTTING_DOWN' } }] });

export function createHttpEndpoint({
  yoga,
  metrics,
  acceptsHost,
  dashboard,
}: {
  yoga: ApiYoga;
  metrics: () => string;
  /** Whether a request's Host header may be served (see server/auth.ts); others get 421. */
  acceptsHost: (host: string | undefined) => boolean;
  /** /dashboard and its files (server/dashboard.ts); absent when DASHBOARD is off. */
  dashboard?: DashboardHandler;
}): HttpEndpoint {
  let accepting = true;
  const responses = new Set<ServerResponse>();
  const whenNoResponses: (() => void)[] = [];
  const server = createServer((request, response) => {
    if (!acceptsHost(request.headers.host)) {
      response.writeHead(421, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      response.end(
        JSON.stringify({
          errors: [{ message: 'this server answers to loopback names only', extensions: { code: 'MISDIRECTED_REQUEST' } }],
        }),
      );
      return;
    }
    const path = request.url?.split('?')[0];
    if (path === '/health' && (request.method === 'GET' || request.method === 'HEAD')) {
      // Liveness: the process runs and answers. Readiness (its database, Redis) is /ready's.
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (request.url === '/metrics' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
      return;
    }
    if (!accepting && path !== '/ready') {
      response.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' });
      response.end(SHUTTING_DOWN_BODY);
      return;
    }
    if (dashboard?.(request, response)) return;
    responses.add(response);
    response.once('close', () => {
      responses.delete(response);
      if (responses.size === 0) for (const resolve of whenNoResponses.splice(0)) resolve();
    });
    void yoga(request, response);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let closed: Promise<void> | undefined;
  const stopAccepting = () => {
    if (closed) return;
    accepting = false;
    // Resolves once every connection has ended (close() ends those still open).
    closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
  };
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    stopAccepting,
    responsesDone: () => {
      if (responses.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => whenNoResponses.push(resolve));
    },
    close: async () => {
      stopAccepting();
      // Streams (SSE) never go idle, and WebSockets are upgraded connections: end whatever is left.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
