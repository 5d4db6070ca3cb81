/**
 * The fixture MCP server (test/fixtures/mcp-server.ts) over Streamable HTTP, in this process, on
 * 127.0.0.1 port 0. Stateful: each client session (started by an `initialize` POST) gets its own server
 * and transport, so server-to-client requests such as elicitation find their way back.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createFixtureServer } from '../fixtures/mcp-server.js';
import { onCleanup } from './dispose.js';

export interface McpHttpFixture {
  /** The MCP endpoint. */
  url: string;
  close(): Promise<void>;
}

export interface McpHttpFixtureOptions {
  /** Requests without these header values are refused with 401. */
  requiredHeaders?: Record<string, string>;
}

interface Session {
  server: Server;
  transport: StreamableHTTPServerTransport;
}

function sendError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  return body === '' ? undefined : JSON.parse(body);
}

export async function startMcpHttpFixture(options: McpHttpFixtureOptions = {}): Promise<McpHttpFixture> {
  const sessions = new Map<string, Session>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(options.requiredHeaders ?? {})) {
      if (req.headers[name.toLowerCase()] !== value) return sendError(res, 401, `missing or wrong ${name}`);
    }
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (existing) return existing.transport.handleRequest(req, res, body);
    if (sessionId !== undefined) return sendError(res, 404, 'session not found');
    if (req.method !== 'POST' || !isInitializeRequest(body)) return sendError(res, 400, 'no session');

    const server = createFixtureServer('http');
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { server, transport });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((session) => session.server.close()));
      // Long-lived SSE streams would keep close() waiting.
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    })());
  onCleanup(close);
  return { url: `http://127.0.0.1:${port}/mcp`, close };
}
