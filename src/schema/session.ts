/** The Session type: its settings, usage, running state, models and messages. */
import type { Todo } from '../runtime/tools/tool.js';
import type { Permissions } from '../services/validation.js';
import { builder } from './builder.js';
import { TodoRef } from './todo.js';
import { globalId } from './ids.js';
import { AvailableModelRef } from './model.js';

export const SafetyPolicyEnum = builder.enumType('SafetyPolicy', {
  description: 'How tool calls are approved.',
  values: {
    ASK_ALWAYS: { description: 'Ask the user before every tool call.' },
    ASK_UNSAFE: { description: 'Ask before tool calls that can change things (the default).' },
    ALLOW_ALL: { description: 'Never ask.' },
  },
});

const PermissionsRef = builder.objectRef<Permissions>('Permissions').implement({
  description: 'Tool-call patterns: deny wins over ask, ask over allow.',
  fields: (t) => ({
    allow: t.exposeStringList('allow'),
    ask: t.exposeStringList('ask'),
    deny: t.exposeStringList('deny'),
  }),
});

type Limits = { maxIterations: number; maxConsecutiveToolCalls: number; maxOldToolCallTokens: number };
const LimitsRef = builder.objectRef<Limits>('SessionLimits').implement({
  description: 'Limits of the agent loop; 0 means none.',
  fields: (t) => ({
    maxIterations: t.exposeInt('maxIterations'),
    maxConsecutiveToolCalls: t.exposeInt('maxConsecutiveToolCalls'),
    maxOldToolCallTokens: t.exposeInt('maxOldToolCallTokens'),
  }),
});

export const SessionRef = builder.prismaNode('Session', {
  id: { field: 'id' },
  // node(id:) and nodes(ids:) find only what the caller may see: someone else's session is null.
  findUnique: (id, ctx) => ({ id, ...ctx.services.access.where(ctx.principal) }),
  // node(id:) with the id of a session that does not exist (any more) is null, as Relay has it.
  nullable: true,
  description: 'A conversation between a user and a team of agents.',
  fields: (t) => ({
    title: t.exposeString('title'),
    workingDir: t.exposeString('workingDir'),
    team: t.exposeString('teamName', { description: 'Name of the team (agent config) the session runs.' }),
    starred: t.exposeBoolean('starred'),
    permissions: t.field({ type: PermissionsRef, resolve: (session) => JSON.parse(session.permissions) as Permissions }),
    safetyPolicy: t.field({ type: SafetyPolicyEnum, resolve: (session) => session.safetyPolicy as 'ASK_UNSAFE' }),
    toolsApproved: t.exposeBoolean('toolsApproved', {
      description: 'Every tool call runs without asking (resumeTurn APPROVE_SESSION was given).',
    }),
    todos: t.field({
      type: [TodoRef],
      description: 'The todo list the agent keeps with the `todo` toolset.',
      resolve: (session) => JSON.parse(session.todos) as Todo[],
    }),
    limits: t.field({ type: LimitsRef, resolve: (session) => session }),
    inputTokens: t.exposeInt('inputTokens'),
    outputTokens: t.exposeInt('outputTokens'),
    cost: t.exposeFloat('cost', { description: 'Total cost so far, in the currency the client reports.' }),
    attributes: t.field({
      type: 'JSON',
      description: 'Client-defined attributes: an object of string values.',
      resolve: (session) => JSON.parse(session.attributes) as unknown,
    }),
    forkedFromId: t.id({
      nullable: true,
      description: 'The session this one was forked from.',
      resolve: (session) => (session.forkedFromId ? globalId('Session', session.forkedFromId) : null),
    }),
    version: t.exposeInt('version', { description: 'Goes up by one with every committed change.' }),
    lastEventSeq: t.exposeInt('lastEventSeq', { description: 'Sequence number of the newest event.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    running: t.boolean({
      description: 'Whether a runtime is attached (on any instance); switching models needs one.',
      resolve: (session, _args, ctx) => ctx.services.reads.isRunning(session),
    }),
    runningOn: t.string({
      nullable: true,
      description: 'The server instance holding its runtime (see `serverInstances`); null when it is not running.',
      resolve: (session) => session.runtimeInstanceId,
    }),
    currentAgent: t.exposeString('currentAgent', { description: 'The agent the session runs now.' }),
    agentModelOverrides: t.relation('agentModelOverrides', {
      description: 'Per-session model overrides, by agent.',
      query: { orderBy: { agentName: 'asc' } },
    }),
    customModelsUsed: t.stringList({
      description: 'Inline `provider/model` refs picked in this session, in the order first used.',
      select: { customModelsUsed: { select: { modelRef: true }, orderBy: { position: 'asc' } } },
      resolve: (session) => session.customModelsUsed.map((custom) => custom.modelRef),
    }),
    availableModels: t.field({
      type: [AvailableModelRef],
      description: 'Models the current agent can switch to; `isCurrent` marks the one in use.',
      select: {
        agentModelOverrides: { select: { agentName: true, modelRef: true } },
        customModelsUsed: { select: { modelRef: true }, orderBy: { position: 'asc' } },
      },
      resolve: (session, _args, ctx) => ctx.services.reads.availableModels(session),
    }),
    messages: t.relatedConnection('messages', {
      cursor: 'id',
      description: 'The conversation, oldest first (`last: 5` for the newest five).',
      query: { orderBy: { position: 'asc' } },
      totalCount: true,
    }),
  }),
});

builder.prismaObject('AgentModelOverride', {
  fields: (t) => ({
    agentName: t.exposeString('agentName'),
    modelRef: t.exposeString('modelRef'),
  }),
});
