/**
 * The `mcp` toolset: an MCP server's tools, over stdio (a child process we start) or Streamable HTTP (a
 * remote server). The server is connected and its tools listed once, at start; each tool call is one
 * `tools/call`. While a call runs, the server may ask the user something (`elicitation/create`): that goes
 * to the running call's `context.elicit`.
 *
 * A child process gets a minimal environment (PATH, HOME, LANG and the like) plus the toolset's `env`,
 * never the whole of ours: API keys stay here. Its stderr is kept (the last few KB) to explain failures.
 */
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitRequestSchema,
  type CallToolResult,
  type ElicitResult,
  type Tool as McpTool,
} from '@modelcontextprotocol/sdk/types.js';
import {
  ToolsetStartError,
  type JsonSchema,
  type StartedToolset,
  type Tool,
  type ToolContext,
  type ToolOutcome,
  type ToolsetConfig,
} from './tool.js';

export type McpToolsetConfig = Extract<ToolsetConfig, { type: 'mcp' }>;

export interface McpToolsetOptions {
  /** How long connecting and listing the tools may take (10 s by default). */
  startTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
/** Bytes of the child's stderr kept for error messages. */
const STDERR_TAIL_BYTES = 4096;
/**
 * Tool calls end when the turn is cancelled (`context.signal`), not on a timer: the SDK's default of 60 s
 * would cut off a call waiting for the user's answer to an elicitation. This is setTimeout's maximum.
 */
const CALL_TIMEOUT_MS = 2_147_483_647;
/** After the SDK's own stop sequence (stdin closed, SIGTERM, SIGKILL: up to 4 s), how long to wait for the exit. */
const EXIT_WAIT_MS = 6_000;
/** How long a remote session's DELETE may take when closing. */
const TERMINATE_WAIT_MS = 2_000;
/** A server that pages its tools forever is not followed past this. */
const MAX_TOOL_PAGES = 100;

/** The last bytes of a stream (a child's stderr), always read so the child never blocks on a full pipe. */
class StreamTail {
  private chunks: Buffer[] = [];
  private size = 0;
  readonly ended: Promise<void>;

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer | string) => this.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    this.ended = new Promise((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
  }

  private push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= STDERR_TAIL_BYTES) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - STDERR_TAIL_BYTES)).toString('utf8').trim();
  }
}

/** The stdio transport, remembering its child's pid (the SDK forgets it once the child is gone). */
class ChildTransport extends StdioClientTransport {
  childPid: number | null = null;

  override async start(): Promise<void> {
    await super.start();
    this.childPid = this.pid;
  }
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

function describe(error: unknown): string {
  if (error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0) {
    return `HTTP ${error.code}: ${error.message}`;
  }
  if (error instanceof Error) {
    // fetch's "fetch failed" says why only in its cause (ECONNREFUSED and the like).
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message !== error.message) return `${error.message} (${cause.message})`;
    return error.message;
  }
  return String(error);
}

const failure = (output: string): ToolOutcome => ({ output, isError: true });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The result as text: text contents joined by newlines, anything else named briefly. */
function renderResult(result: CallToolResult): string {
  const parts = result.content.map((item) => {
    switch (item.type) {
      case 'text':
        return item.text;
      case 'image':
      case 'audio':
        return `[${item.type} ${item.mimeType}]`;
      case 'resource_link':
        return `[resource ${item.uri}]`;
      case 'resource':
        return 'text' in item.resource && typeof item.resource.text === 'string'
          ? item.resource.text
          : `[resource ${item.resource.uri}${item.resource.mimeType ? ` ${item.resource.mimeType}` : ''}]`;
      default:
        return `[${(item as { type: string }).type}]`;
    }
  });
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.join('\n');
}

class McpToolset implements StartedToolset {
  tools: Tool[] = [];
  private readonly client: Client;
  private readonly transport: ChildTransport | StreamableHTTPClientTransport;
  private readonly stderr: StreamTail | undefined;
  /** Settles when the child process has gone (stdio only). */
  private readonly childGone: Promise<void>;
  /** The tool call running now, whose user any elicitation goes to. */
  private current: ToolContext | undefined;
  /** Set when the connection ended without us closing it: why later calls fail. */
  private lost: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly config: McpToolsetConfig) {
    this.client = new Client(
      { name: 'agent-session-graphql', version: '0.1.0' },
      { capabilities: { elicitation: {} } },
    );
    let markGone!: () => void;
    this.childGone = new Promise((resolve) => (markGone = resolve));
    if ('remote' in config) {
      this.transport = new StreamableHTTPClientTransport(new URL(config.remote.url), {
        requestInit: { headers: config.remote.headers },
      });
    } else {
      const base = getDefaultEnvironment();
      if (process.env.LANG !== undefined) base.LANG = process.env.LANG;
      const child = new ChildTransport({
        command: config.command,
        args: config.args,
        env: { ...base, ...config.env },
        stderr: 'pipe',
      });
      // A PassThrough given before start, so nothing the child writes early is lost.
      this.stderr = new StreamTail(child.stderr as Readable);
      this.transport = child;
    }
    // Installed before connect: the client chains its own handler after this one. For stdio it runs when the
    // child's process and pipes have closed, whoever ended it.
    this.transport.onclose = () => {
      markGone();
      if (this.closing === undefined) {
        this.lost ??= 'remote' in config ? 'the server closed the connection' : 'the server process exited';
      }
    };
    this.client.onerror = () => {
      // Reported per call (or at start); nothing to do out of band, but never unhandled.
    };
    this.client.setRequestHandler(ElicitRequestSchema, (request) => this.elicit(request.params));
  }

  private stderrSuffix(): string {
    const tail = this.stderr?.text();
    return tail ? `\nstderr (last lines):\n${tail}` : '';
  }

  private async elicit(params: { mode?: string; message: string; requestedSchema?: unknown }): Promise<ElicitResult> {
    const context = this.current;
    // URL-mode elicitation was not declared as supported (the SDK refuses it before us); no call: nobody to ask.
    if (context === undefined || params.mode === 'url' || !isPlainObject(params.requestedSchema)) {
      return { action: 'decline' };
    }
    try {
      const answer = await context.elicit({
        server: this.config.name,
        message: params.message,
        requestedSchema: params.requestedSchema as JsonSchema,
      });
      if (answer.action !== 'accept') return { action: answer.action };
      // The SDK checks the values' types against ElicitResult before sending.
      return { action: 'accept', content: (answer.content ?? {}) as ElicitResult['content'] };
    } catch {
      return { action: 'cancel' };
    }
  }

  async start(timeoutMs: number): Promise<void> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`the server did not get ready within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const work = this.connectAndList(abort.signal, timeoutMs);
    work.catch(() => {}); // Lost races are settled here, never unhandled.
    try {
      await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async connectAndList(signal: AbortSignal, timeout: number): Promise<void> {
    await this.client.connect(this.transport, { signal, timeout });
    const listed: McpTool[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await this.client.listTools(cursor === undefined ? {} : { cursor }, { signal, timeout });
      listed.push(...result.tools);
      cursor = result.nextCursor;
      if (cursor === undefined || seen.has(cursor)) break;
      seen.add(cursor);
    }
    const wanted = this.config.tools;
    this.tools = listed
      .filter((tool) => wanted === undefined || wanted.includes(tool.name))
      .map((tool) => this.toTool(tool));
  }

  private toTool(tool: McpTool): Tool {
    return {
      name: tool.name,
      description: tool.description ?? tool.title ?? '',
      parameters: tool.inputSchema as JsonSchema,
      readOnly: tool.annotations?.readOnlyHint === true,
      run: (args, context) => this.call(tool.name, args, context),
    };
  }

  private async call(name: string, args: unknown, context: ToolContext): Promise<ToolOutcome> {
    if (this.closing !== undefined) return failure(`the MCP server ${this.config.name} was stopped`);
    if (this.lost !== undefined) {
      return failure(`the MCP server ${this.config.name} failed: ${this.lost}${this.stderrSuffix()}`);
    }
    if (!isPlainObject(args)) return failure(`the arguments of ${name} must be a JSON object`);
    if (context.signal.aborted) return failure('the tool call was cancelled');

    // A signal of our own per call: the SDK never removes the abort listener it adds to the signal it gets,
    // and a turn's signal lives through many calls.
    const callAbort = new AbortController();
    const onAbort = () => callAbort.abort(context.signal.reason);
    context.signal.addEventListener('abort', onAbort, { once: true });
    this.current = context;
    try {
      const result = await this.client.callTool({ name, arguments: args }, undefined, {
        signal: callAbort.signal,
        timeout: CALL_TIMEOUT_MS,
      });
      return { output: renderResult(result as CallToolResult), isError: result.isError === true };
    } catch (error) {
      if (context.signal.aborted) return failure('the tool call was cancelled');
      const why = this.lost === undefined ? describe(error) : `${this.lost} (${describe(error)})${this.stderrSuffix()}`;
      return failure(`the MCP server ${this.config.name} failed: ${why}`);
    } finally {
      context.signal.removeEventListener('abort', onAbort);
      if (this.current === context) this.current = undefined;
    }
  }

  close(): Promise<void> {
    this.closing ??= this.stop().catch(() => {});
    return this.closing;
  }

  private async stop(): Promise<void> {
    const transport = this.transport;
    if (transport instanceof StreamableHTTPClientTransport) {
      // Ends the server's session (DELETE); a server that does not answer is not waited for.
      await Promise.race([transport.terminateSession().catch(() => {}), delay(TERMINATE_WAIT_MS)]);
      await this.client.close().catch(() => {});
      return;
    }
    // The SDK closes the child's stdin, then sends SIGTERM, then SIGKILL, but does not wait for the last.
    await this.client.close().catch(() => {});
    await transport.close().catch(() => {});
    const pid = transport.childPid;
    if (pid === null) return; // never started
    const gone = await Promise.race([this.childGone.then(() => true), delay(EXIT_WAIT_MS).then(() => false)]);
    if (!gone) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await Promise.race([this.childGone, delay(1_000)]);
    }
  }

  /** Why starting failed, with the child's stderr (read to its end, the child being gone by now). */
  async startFailure(error: unknown): Promise<string> {
    if (this.stderr !== undefined) await Promise.race([this.stderr.ended, delay(1_000)]);
    let what = describe(error);
    if ('command' in this.config && error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      what = `could not run ${this.config.command}: ${what}`;
    } else if (this.lost !== undefined && 'command' in this.config) {
      what = `the server exited before it was ready (${what})`;
    }
    return `${what}${this.stderrSuffix()}`;
  }
}

/**
 * Starts an MCP toolset: spawns or reaches the server, connects and lists its tools (following pagination),
 * all within `startTimeoutMs`. Any failure is a ToolsetStartError, after everything started is stopped.
 */
export async function startMcpToolset(
  config: McpToolsetConfig,
  options: McpToolsetOptions = {},
): Promise<StartedToolset> {
  let toolset: McpToolset;
  try {
    toolset = new McpToolset(config); // spawns nothing yet; throws on a malformed URL
  } catch (error) {
    throw new ToolsetStartError(config.name, describe(error));
  }
  try {
    await toolset.start(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (error) {
    await toolset.close();
    throw new ToolsetStartError(config.name, await toolset.startFailure(error));
  }
  return toolset;
}
