/** Starts one toolset of an agent from its team config: the runtime's ToolsetFactory. */
import type { ToolsetFactory } from '../agent-runtime.js';
import { filesystemToolset } from './filesystem.js';
import { startMcpToolset } from './mcp.js';
import { shellToolset } from './shell.js';
import { thinkToolset } from './think.js';
import { todoToolset } from './todo.js';

export const startToolset: ToolsetFactory = async (config) => {
  switch (config.type) {
    case 'filesystem':
      return filesystemToolset();
    case 'shell':
      return shellToolset(config);
    case 'think':
      return thinkToolset();
    case 'todo':
      return todoToolset();
    case 'mcp':
      return startMcpToolset(config);
  }
};
