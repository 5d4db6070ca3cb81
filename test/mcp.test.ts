/**
 * The `mcp` toolset against a real MCP server built with the SDK (test/fixtures/mcp-server.ts), over stdio
 * (a child process) and over Streamable HTTP (in this process).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startMcpToolset, type McpToolsetConfig } from '../src/runtime/tools/mcp.js';
import {
  ToolsetStartError,
  type ElicitationAnswer,
  type ElicitationRequest,
  type StartedToolset,
  type Tool,
  type ToolContext,
} from '../src/runtime/tools/tool.js';
import { onCleanup } from './support/dispose.js';
import { startMcpHttpFixture } from './support/mcp-http.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/mcp-server.ts', import.meta.url));
const ALL_TOOLS = ['echo', 'write_note', 'ask_name', 'slow', 'crash', 'pid'];

function stdioConfig(overrides: Partial<Extract<McpToolsetConfig, { command: string }>> = {}): McpToolsetConfig {
  return {
    type: 'mcp',
    name: 'fixture',
    command: process.execPath,
    args: ['--import', 'tsx', FIXTURE],
    env: {},
    ...overrides,
  };
}

async function start(config: McpToolsetConfig, options?: { startTimeoutMs?: number }): Promise<StartedToolset> {
  const toolset = await startMcpToolset(config, options);
  onCleanup(() => toolset.close());
  return toolset;
}

function context(
  options: { signal?: AbortSignal; elicit?: (request: ElicitationRequest) => Promise<ElicitationAnswer> } = {},
): ToolContext {
  return {
    workingDir: process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    todos: [],
    elicit: options.elicit ?? (() => Promise.reject(new Error('this test does not expect an elicitation'))),
  };
}

function tool(toolset: StartedToolset, name: string): Tool {
  const found = toolset.tools.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no tool ${name} among ${toolset.tools.map((t) => t.name).join(', ')}`);
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

async function startFailure(promise: Promise<unknown>): Promise<ToolsetStartError> {
  const error = await promise.then(
    () => {
      throw new Error('the toolset started');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ToolsetStartError);
  return error as ToolsetStartError;
}

const transports = [
  { kind: 'stdio', config: async () => stdioConfig() },
  {
    kind: 'HTTP',
    config: async (): Promise<McpToolsetConfig> => {
      const server = await startMcpHttpFixture({ requiredHeaders: { authorization: 'Bearer fixture-token' } });
      return {
        type: 'mcp',
        name: 'fixture',
        remote: { url: server.url, headers: { Authorization: 'Bearer fixture-token' } },
      };
    },
  },
] as const;

describe.each(transports)('the mcp toolset over $kind', ({ config }) => {
  it("lists every tool (across the server's pages) with its schema and read-only hint", async () => {
    const toolset = await start(await config());
    expect(toolset.tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    const echo = tool(toolset, 'echo');
    expect(echo.description).toBe('Returns the text it is given.');
    expect(echo.parameters).toEqual({
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    });
    expect(echo.readOnly).toBe(true);
    expect(tool(toolset, 'write_note').readOnly).toBe(false);
    expect(tool(toolset, 'pid').readOnly).toBe(true);
    expect(tool(toolset, 'ask_name').readOnly).toBe(false);
  });

  it('calls a tool and returns its text', async () => {
    const toolset = await start(await config());
    expect(await tool(toolset, 'echo').run({ text: 'hi there' }, context())).toEqual({
      output: 'hi there',
      isError: false,
    });
    expect(await tool(toolset, 'write_note').run({ note: 'milk' }, context())).toEqual({
      output: 'noted: milk',
      isError: false,
    });
  });

  it('answers arguments that are not an object with an error result', async () => {
    const toolset = await start(await config());
    for (const args of ['text', null, [1], 3]) {
      const result = await tool(toolset, 'echo').run(args, context());
      expect(result.isError).toBe(true);
      expect(result.output).toMatch(/must be a JSON object/);
    }
  });

  it('offers only the tools the config lists', async () => {
    const toolset = await start({ ...(await config()), tools: ['write_note', 'pid', 'not_a_tool'] });
    expect(toolset.tools.map((t) => t.name)).toEqual(['write_note', 'pid']);
  });

  it("forwards the server's elicitation to the running call's user, and the answer back", async () => {
    const toolset = await start(await config());
    const asked: ElicitationRequest[] = [];
    const accept = context({
      elicit: async (request) => {
        asked.push(request);
        return { action: 'accept', content: { name: 'Ada' } };
      },
    });
    expect(await tool(toolset, 'ask_name').run({}, accept)).toEqual({ output: 'hello Ada', isError: false });
    expect(asked).toEqual([
      {
        server: 'fixture',
        message: 'What is your name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
    ]);

    const decline = context({ elicit: async () => ({ action: 'decline' }) });
    expect(await tool(toolset, 'ask_name').run({}, decline)).toEqual({ output: 'declined', isError: false });
    const cancel = context({ elicit: async () => ({ action: 'cancel' }) });
    expect(await tool(toolset, 'ask_name').run({}, cancel)).toEqual({ output: 'cancelled', isError: false });
  });

  it('cancels a running call when the turn is cancelled, and keeps working', async () => {
    const toolset = await start(await config());
    const turn = new AbortController();
    const started = Date.now();
    const running = tool(toolset, 'slow').run({ ms: 30_000 }, context({ signal: turn.signal }));
    turn.abort();
    const result = await running;
    expect(result).toEqual({ output: 'the tool call was cancelled', isError: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await tool(toolset, 'echo').run({ text: 'still here' }, context())).toEqual({
      output: 'still here',
      isError: false,
    });
  });

  it('refuses calls once closed, and closes twice without complaint', async () => {
    const toolset = await start(await config());
    await toolset.close();
    await toolset.close();
    const result = await tool(toolset, 'echo').run({ text: 'late' }, context());
    expect(result.isError).toBe(true);
    expect(result.output).toMatch(/fixture was stopped/);
  });
});

describe('the mcp toolset over stdio', () => {
  it("gives the server a minimal environment plus the config's env, not ours", async () => {
    process.env.MCP_TEST_SECRET = 'sk-must-not-leak';
    onCleanup(() => delete process.env.MCP_TEST_SECRET);
    // A "server" that prints its environment to stderr and exits: the start failure carries the stderr.
    const printEnv = 'process.stderr.write(JSON.stringify(process.env)); process.exit(5)';
    const error = await startFailure(
      startMcpToolset({ ...stdioConfig(), args: ['-e', printEnv], env: { FROM_CONFIG: 'yes' } }),
    );
    const stderr = error.message.slice(error.message.indexOf('{'));
    const env = JSON.parse(stderr) as Record<string, string>;
    expect(env.FROM_CONFIG).toBe('yes');
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.MCP_TEST_SECRET).toBeUndefined();
  });

  it("fails to start with the server's stderr in the message when the server exits at once", async () => {
    const error = await startFailure(startMcpToolset(stdioConfig({ env: { MCP_FIXTURE_FAIL_START: '1' } })));
    expect(error.toolset).toBe('fixture');
    expect(error.message).toMatch(/^toolset fixture: the server exited before it was ready/);
    expect(error.message).toContain('fixture refuses to start');
  });

  it('fails to start when the command does not exist', async () => {
    const error = await startFailure(startMcpToolset(stdioConfig({ command: 'no-such-mcp-server-xyz', args: [] })));
    expect(error.message).toMatch(/could not run no-such-mcp-server-xyz: .*ENOENT/);
  });

  it('fails to start when the server does not answer in time, and leaves no process behind', async () => {
    // A "server" that says who it is and then never speaks MCP (nor exits when its stdin closes).
    const silent = "process.stderr.write('silent pid ' + process.pid + '\\n'); setInterval(() => {}, 1000)";
    const error = await startFailure(
      startMcpToolset(stdioConfig({ args: ['-e', silent] }), { startTimeoutMs: 1_500 }),
    );
    expect(error.message).toMatch(/did not get ready within 1500 ms/);
    const pid = Number(/silent pid (\d+)/.exec(error.message)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('answers calls with errors once the server dies in the middle of one', async () => {
    const toolset = await start(stdioConfig());
    const pid = Number((await tool(toolset, 'pid').run({}, context())).output);
    const crashed = await tool(toolset, 'crash').run({}, context());
    expect(crashed.isError).toBe(true);
    expect(crashed.output).toMatch(/^the MCP server fixture failed: the server process exited \(.*Connection closed\)/);
    expect(crashed.output).toContain('fixture listening on stdio'); // its stderr
    const later = await tool(toolset, 'echo').run({ text: 'anyone?' }, context());
    expect(later.isError).toBe(true);
    expect(later.output).toMatch(/^the MCP server fixture failed: the server process exited/);
    expect(isAlive(pid)).toBe(false);
    await toolset.close();
  });

  it('stops the server process on close', async () => {
    const toolset = await start(stdioConfig());
    const pid = Number((await tool(toolset, 'pid').run({}, context())).output);
    expect(pid).not.toBe(process.pid);
    expect(isAlive(pid)).toBe(true);
    await toolset.close();
    expect(isAlive(pid)).toBe(false);
  });

  it('declines an elicitation that arrives when no call is running', async () => {
    // The fixture asks while its tools are listed, at start: no call, so nobody to ask.
    const toolset = await start(stdioConfig({ env: { MCP_FIXTURE_ELICIT_ON_LIST: '1' } }));
    expect(toolset.tools.map((t) => t.name)).toEqual([...ALL_TOOLS, 'elicited_decline']);
  });
});

describe('the mcp toolset over HTTP', () => {
  it('fails to start when the server refuses the request', async () => {
    const server = await startMcpHttpFixture({ requiredHeaders: { authorization: 'Bearer fixture-token' } });
    const error = await startFailure(
      startMcpToolset({ type: 'mcp', name: 'remote', remote: { url: server.url, headers: {} } }),
    );
    expect(error.message).toMatch(/^toolset remote: .*401/);
  });

  it('fails to start when nothing listens at the URL', async () => {
    const server = await startMcpHttpFixture();
    await server.close();
    const error = await startFailure(
      startMcpToolset({ type: 'mcp', name: 'remote', remote: { url: server.url, headers: {} } }),
    );
    expect(error.message).toMatch(/^toolset remote: /);
  });

  it('fails to start on a malformed URL', async () => {
    const error = await startFailure(
      startMcpToolset({ type: 'mcp', name: 'remote', remote: { url: 'not a url', headers: {} } }),
    );
    expect(error.message).toMatch(/^toolset remote: .*URL/i);
  });

  it('answers calls with errors once the server has gone', async () => {
    const server = await startMcpHttpFixture();
    const toolset = await start({ type: 'mcp', name: 'remote', remote: { url: server.url, headers: {} } });
    await server.close();
    const result = await tool(toolset, 'echo').run({ text: 'anyone?' }, context());
    expect(result.isError).toBe(true);
    expect(result.output).toMatch(/^the MCP server remote failed: /);
  });
});
