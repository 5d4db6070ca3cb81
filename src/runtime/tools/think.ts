/**
 * docker-agent's `think` toolset: a scratchpad. The model writes a thought down, the tool hands it back,
 * and nothing else happens; it gives the model a place to reason between tool calls.
 */

import type { StartedToolset, Tool } from './tool.js';

const thinkTool: Tool = {
  name: 'think',
  description:
    'Records a thought, to reason step by step or plan before acting; it changes nothing and returns the thought.',
  parameters: {
    type: 'object',
    properties: { thought: { type: 'string', description: 'The thought to record.' } },
    required: ['thought'],
    additionalProperties: false,
  },
  readOnly: true,
  async run(args) {
    const thought = typeof args === 'object' && args !== null ? (args as Record<string, unknown>).thought : undefined;
    if (typeof thought !== 'string' || thought.trim() === '') return { output: 'thought must be a non-empty string', isError: true };
    return { output: `Thought recorded:\n${thought}`, isError: false };
  },
};

export function thinkToolset(): StartedToolset {
  return { tools: [thinkTool], close: async () => {} };
}
