/** The HTTP server: GET /metrics, everything else to Yoga. It tracks its sockets so that close() ends them. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ApiYoga } from './yoga.js';

export interface HttpEndpoint {
  server: Server;
  /** Listens on `host:port` (0 picks a free port) and returns the port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops listening and ends every connection, idle or not. */
  close(): Promise<void>;
}

export function createHttpEndpoint({ yoga, metrics }: { yoga: ApiYoga; metrics: () => string }): HttpEndpoint {
  const server = createServer((request, response) => {
    if (request.url === '/metrics' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
      return;
    }
    void yoga(request, response);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Streams (SSE) never go idle: end them after close() has stopped new connections.
        setImmediate(() => sockets.forEach((socket) => socket.destroy()));
        if (!server.listening) resolve();
      }),
  };
}
