/**
 * docker-agent's `todo` toolset: the agent's own task list. The toolset keeps no state: each call reads the
 * session's list from `context.todos` and returns the new one in `ToolOutcome.todos`, which the turn stores
 * with the result (so the list survives restarts and belongs to the session, not to this process).
 */

import type { StartedToolset, Todo, Tool, ToolOutcome } from './tool.js';

const MAX_TODOS = 200;
const MAX_DESCRIPTION_LENGTH = 1000;
const STATUSES: readonly Todo['status'][] = ['pending', 'in-progress', 'completed'];
const STATUS_MARKS: Record<Todo['status'], string> = { pending: '[ ]', 'in-progress': '[~]', completed: '[x]' };

export function todoToolset(): StartedToolset {
  return { tools: [createTodoTool, createTodosTool, updateTodosTool, listTodosTool], close: async () => {} };
}

const createTodoTool: Tool = {
  name: 'create_todo',
  description: 'Adds a task to your todo list, as pending.',
  parameters: objectSchema(
    { description: { type: 'string', description: 'What is to be done.', maxLength: MAX_DESCRIPTION_LENGTH } },
    ['description'],
  ),
  readOnly: true,
  async run(args, context) {
    const description = checkDescription(argsObject(args)?.description, 'description');
    if (typeof description !== 'string') return description;
    return addTodos(context.todos, [description]);
  },
};

const createTodosTool: Tool = {
  name: 'create_todos',
  description: 'Adds several tasks to your todo list at once, as pending, in the order given.',
  parameters: objectSchema(
    {
      descriptions: {
        type: 'array',
        description: 'What is to be done, one entry per task.',
        minItems: 1,
        items: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH },
      },
    },
    ['descriptions'],
  ),
  readOnly: true,
  async run(args, context) {
    const descriptions = argsObject(args)?.descriptions;
    if (!Array.isArray(descriptions) || descriptions.length === 0) return failure('descriptions must be a non-empty array of strings');
    const checked: string[] = [];
    for (const [index, value] of descriptions.entries()) {
      const description = checkDescription(value, `descriptions[${index}]`);
      if (typeof description !== 'string') return description;
      checked.push(description);
    }
    return addTodos(context.todos, checked);
  },
};

const updateTodosTool: Tool = {
  name: 'update_todos',
  description: 'Changes the status of tasks on your todo list (pending, in-progress or completed).',
  parameters: objectSchema(
    {
      updates: {
        type: 'array',
        description: 'The tasks to change, by id.',
        minItems: 1,
        items: objectSchema(
          {
            id: { type: 'string', description: 'The task id, such as todo_1.' },
            status: { type: 'string', enum: [...STATUSES] },
          },
          ['id', 'status'],
        ),
      },
    },
    ['updates'],
  ),
  readOnly: true,
  async run(args, context) {
    const updates = argsObject(args)?.updates;
    if (!Array.isArray(updates) || updates.length === 0) return failure('updates must be a non-empty array of {id, status}');

    const newStatus = new Map<string, Todo['status']>();
    for (const [index, update] of updates.entries()) {
      const { id, status } = (typeof update === 'object' && update !== null ? update : {}) as Record<string, unknown>;
      if (typeof id !== 'string' || id === '') return failure(`updates[${index}].id must be a non-empty string`);
      if (!STATUSES.includes(status as Todo['status'])) {
        return failure(`updates[${index}].status must be one of ${STATUSES.join(', ')}`);
      }
      newStatus.set(id, status as Todo['status']);
    }
    // Checked before anything changes: an unknown id leaves the whole list as it was.
    const known = new Set(context.todos.map((todo) => todo.id));
    const unknown = [...newStatus.keys()].filter((id) => !known.has(id));
    if (unknown.length > 0) return failure(`unknown todo id${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}; nothing was changed`);

    const todos = context.todos.map((todo) => ({ ...todo, status: newStatus.get(todo.id) ?? todo.status }));
    return { output: `Updated ${newStatus.size} todo${newStatus.size === 1 ? '' : 's'}.\n${renderTodos(todos)}`, isError: false, todos };
  },
};

const listTodosTool: Tool = {
  name: 'list_todos',
  description: 'Shows your todo list with each task id and status.',
  parameters: objectSchema({}, []),
  readOnly: true,
  async run(_args, context) {
    return { output: renderTodos(context.todos), isError: false };
  },
};

function addTodos(current: readonly Todo[], descriptions: string[]): ToolOutcome {
  if (current.length + descriptions.length > MAX_TODOS) {
    return failure(`the todo list holds at most ${MAX_TODOS} items (it has ${current.length}); nothing was added`);
  }
  // Ids continue after the highest existing number, so an id is never reused within a session's list.
  let next = Math.max(0, ...current.map((todo) => todoNumber(todo.id))) + 1;
  const added: Todo[] = descriptions.map((description) => ({ id: `todo_${next++}`, description, status: 'pending' }));
  const todos = [...current, ...added];
  const summary = added.length === 1 ? `Created ${added[0]!.id}.` : `Created ${added.length} todos.`;
  return { output: `${summary}\n${renderTodos(todos)}`, isError: false, todos };
}

/** The number in an id like `todo_7`; 0 for any other shape. */
function todoNumber(id: string): number {
  const match = /^todo_(\d+)$/.exec(id);
  return match ? Number(match[1]) : 0;
}

function renderTodos(todos: readonly Todo[]): string {
  if (todos.length === 0) return 'The todo list is empty.';
  return todos.map((todo) => `${STATUS_MARKS[todo.status] ?? '[?]'} ${todo.id}: ${todo.description}`).join('\n');
}

/** A valid description (trimmed), or the error result saying why not. */
function checkDescription(value: unknown, name: string): string | ToolOutcome {
  if (typeof value !== 'string' || value.trim() === '') return failure(`${name} must be a non-empty string`);
  if (value.length > MAX_DESCRIPTION_LENGTH) return failure(`${name} is longer than ${MAX_DESCRIPTION_LENGTH} characters`);
  return value.trim();
}

function argsObject(args: unknown): Record<string, unknown> | undefined {
  return typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : undefined;
}

function objectSchema(properties: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return { type: 'object', properties, required, additionalProperties: false };
}

function failure(output: string): ToolOutcome {
  return { output, isError: true };
}
