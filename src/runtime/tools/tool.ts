/**
 * What an agent can call: tools, grouped in toolsets declared per agent in the team YAML (docker-agent's
 * `toolsets:`). The turn loop sees only these interfaces; each toolset (filesystem, shell, think, todo,
 * MCP) implements them in a module of its own. Nothing here knows of the store or of GraphQL.
 */

/** A JSON Schema object describing a tool's arguments (what the model is told). */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  /** Unique among an agent's tools; what the model calls and what permission patterns match. */
  name: string;
  description: string;
  /** JSON Schema of the arguments object (`{ type: 'object', properties, required }`). */
  parameters: JsonSchema;
  /**
   * The tool only reads (MCP's `readOnlyHint`): under the ASK_UNSAFE policy it runs without asking.
   */
  readOnly: boolean;
}

/** What running a tool gave: `isError` results reach the model as tool errors. */
export interface ToolResult {
  output: string;
  isError: boolean;
}

/** An item of a session's todo list (the `todo` toolset's state, kept with the session). */
export interface Todo {
  id: string;
  description: string;
  status: 'pending' | 'in-progress' | 'completed';
}

/** An MCP server asking the user for input in the middle of a tool call (MCP `elicitation/create`). */
export interface ElicitationRequest {
  /** The server's name (the toolset's `name`, else its command or URL). */
  server: string;
  message: string;
  /** The JSON Schema of the answer the server wants (`requestedSchema`). */
  requestedSchema: JsonSchema;
}

export interface ElicitationAnswer {
  action: 'accept' | 'decline' | 'cancel';
  /** With `accept`: the answer, matching the requested schema. */
  content?: Record<string, unknown>;
}

export interface ToolContext {
  /** The session's working directory (absolute): filesystem and shell tools stay inside it. */
  workingDir: string;
  /** Aborted when the turn is cancelled: a tool stops what it does and returns. */
  signal: AbortSignal;
  /** The session's todo list as it is now (the `todo` toolset reads and replaces it). */
  todos: readonly Todo[];
  /**
   * Asks the user (pausing the turn until they answer, or the turn is cancelled: then `cancel`). Only
   * MCP servers use it.
   */
  elicit(request: ElicitationRequest): Promise<ElicitationAnswer>;
}

/** A tool's answer, and for the `todo` toolset the new todo list, which the turn stores with the result. */
export interface ToolOutcome extends ToolResult {
  todos?: Todo[];
}

export interface Tool extends ToolDefinition {
  /**
   * Runs the tool with the arguments the model sent (parsed JSON; anything, so check it). Bad arguments,
   * a refused path, a failing command: a result with `isError`, never a throw. A throw is a bug and is
   * reported to the model as an error result too.
   */
  run(args: unknown, context: ToolContext): Promise<ToolOutcome>;
}

/** A started toolset: its tools, listed once, and how to stop it (an MCP server's process, say). */
export interface StartedToolset {
  tools: Tool[];
  close(): Promise<void>;
}

/** Raised by a toolset that cannot start (an MCP server that exits at once): reported, not fatal. */
export class ToolsetStartError extends Error {
  constructor(
    readonly toolset: string,
    message: string,
  ) {
    super(`toolset ${toolset}: ${message}`);
    this.name = 'ToolsetStartError';
  }
}

/** One entry of an agent's `toolsets:` in the team YAML, as loaded (docker-agent's shape). */
export type ToolsetConfig = { /** Only these of the toolset's tools, when given (docker-agent's `tools:`). */ tools?: string[] } & (
  | { type: 'filesystem' }
  | {
      type: 'shell';
      /** How long one command may run before it is killed. */
      timeoutMs: number;
      /** Bytes of output (stdout and stderr together) kept; the rest is cut and said to be. */
      maxOutputBytes: number;
      /** Variables added to the command's minimal environment. */
      env: Record<string, string>;
    }
  | { type: 'think' }
  | { type: 'todo' }
  | { type: 'mcp'; name: string; command: string; args: string[]; env: Record<string, string> }
  | { type: 'mcp'; name: string; remote: { url: string; headers: Record<string, string> } }
);
