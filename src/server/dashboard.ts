/**
 * GET /dashboard: a page that lists sessions live and drives them (src/dashboard/). It is a client of
 * the public GraphQL API like any other (JSON POSTs to /graphql, a graphql-ws WebSocket on the same
 * origin), so it needs no endpoint of its own beyond its three files. Its script is bundled with esbuild,
 * in memory, on the first request, and kept for the life of the process; nothing is fetched from
 * elsewhere, by the server or by the page.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';

const SOURCE = new URL('../dashboard/', import.meta.url);
const sourceFile = (name: string) => fileURLToPath(new URL(name, SOURCE));

/**
 * The page may load its own files and talk to its own origin only ('self' covers the WebSocket of the
 * same host), and no other site may frame it: its buttons approve tool calls.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Small, and rebuilt at each start: always asked for again.
  'cache-control': 'no-cache',
};

interface Asset {
  type: string;
  body: Buffer;
}

/** The script: src/dashboard/main.ts and what it imports (graphql-ws's client), as one ES module. */
async function bundleScript(): Promise<Buffer> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [sourceFile('main.ts')],
    tsconfig: sourceFile('tsconfig.json'),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0]!.contents);
}

const ASSETS: Record<string, () => Promise<Asset>> = {
  '/dashboard': async () => ({ type: 'text/html; charset=utf-8', body: await readFile(sourceFile('index.html')) }),
  '/dashboard/app.css': async () => ({ type: 'text/css; charset=utf-8', body: await readFile(sourceFile('app.css')) }),
  '/dashboard/app.js': async () => ({ type: 'text/javascript; charset=utf-8', body: await bundleScript() }),
};

/**
 * Answers the dashboard's requests: returns false for any other path (for the caller to route), true
 * once it has answered.
 */
export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

export function createDashboard({ log }: { log: Logger }): DashboardHandler {
  /** Each asset is made once; one that failed is made again at the next request. */
  const made = new Map<string, Promise<Asset>>();
  const asset = (path: string, make: () => Promise<Asset>) => {
    let pending = made.get(path);
    if (!pending) {
      pending = make();
      made.set(path, pending);
      pending.catch(() => made.delete(path));
    }
    return pending;
  };
  return (request, response) => {
    const path = (request.url ?? '').split('?')[0]!.replace(/\/$/, '');
    if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return false;
    const make = ASSETS[path];
    if (!make || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(make ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8', ...(make && { allow: 'GET, HEAD' }) });
      response.end(make ? 'Method Not Allowed' : 'Not Found');
      return true;
    }
    asset(path, make).then(
      ({ type, body }) => {
        response.writeHead(200, { 'content-type': type, 'content-length': body.length, ...SECURITY_HEADERS });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: Error) => {
        log.error('dashboard asset failed', { path, error: error.message });
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('The dashboard could not be prepared; the server log says why.');
      },
    );
    return true;
  };
}
