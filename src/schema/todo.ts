/** The `todo` toolset's list, kept with the session. */
import type { Todo } from '../runtime/tools/tool.js';
import { builder } from './builder.js';

const TodoStatusEnum = builder.enumType('TodoStatus', {
  values: { pending: { value: 'pending' }, in_progress: { value: 'in-progress' }, completed: { value: 'completed' } },
});

export const TodoRef = builder.objectRef<Todo>('Todo').implement({
  description: "An item of the todo list the agent keeps with the `todo` toolset.",
  fields: (t) => ({
    id: t.exposeString('id'),
    description: t.exposeString('description'),
    status: t.field({ type: TodoStatusEnum, resolve: (todo) => todo.status }),
  }),
});
