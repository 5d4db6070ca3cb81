/** The Session type, its queries, and the mutations that return sessions. */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { listAvailableModels } from '../runtime/agent-runtime.js';
import {
  AgentNotFoundError,
  InvalidInputError,
  InvalidModelRefError,
  PersistenceFailedError,
  SessionNotFoundError,
  SessionNotRunningError,
  TeamNotFoundError,
} from '../services/errors.js';
import type { BatchDeletion } from '../services/session-batch-service.js';
import type { AgentSwitch } from '../services/session-service.js';
import type { Permissions } from '../services/validation.js';
import { builder } from './builder.js';
import { parseGlobalId, parseSessionId } from './ids.js';
import { AvailableModelRef } from './model.js';

const SafetyPolicyEnum = builder.enumType('SafetyPolicy', {
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
  description: 'A conversation between a user and a team of agents.',
  fields: (t) => ({
    title: t.exposeString('title'),
    workingDir: t.exposeString('workingDir'),
    team: t.exposeString('teamName', { description: 'Name of the team (agent config) the session runs.' }),
    starred: t.exposeBoolean('starred'),
    permissions: t.field({ type: PermissionsRef, resolve: (session) => JSON.parse(session.permissions) as Permissions }),
    safetyPolicy: t.field({ type: SafetyPolicyEnum, resolve: (session) => session.safetyPolicy as 'ASK_UNSAFE' }),
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
      resolve: (session) => (session.forkedFromId ? encodeGlobalID('Session', session.forkedFromId) : null),
    }),
    version: t.exposeInt('version', { description: 'Goes up by one with every committed change.' }),
    lastEventSeq: t.exposeInt('lastEventSeq', { description: 'Sequence number of the newest event.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    running: t.boolean({
      description: 'Whether a runtime is attached; switching models needs one.',
      resolve: (session, _args, ctx) => ctx.runtimes.isRunning(session.id),
    }),
    currentAgent: t.string({
      description: 'The agent the session runs now.',
      resolve: (session, _args, ctx) => ctx.runtimes.get(session.id)?.currentAgent ?? session.currentAgent,
    }),
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
      resolve: (session, _args, ctx) => {
        const customRefs = session.customModelsUsed.map((custom) => custom.modelRef);
        const runtime = ctx.runtimes.get(session.id);
        if (runtime) return runtime.availableModels(customRefs);
        const team = ctx.teams.get(session.teamName);
        if (!team) return [];
        const override = session.agentModelOverrides.find((row) => row.agentName === session.currentAgent);
        return listAvailableModels(team, session.currentAgent, override?.modelRef, customRefs);
      },
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

const SessionOrderField = builder.enumType('SessionOrderField', { values: ['CREATED_AT', 'UPDATED_AT', 'TITLE'] as const });
const OrderDirection = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });
const SessionOrder = builder.inputType('SessionOrder', {
  fields: (t) => ({
    field: t.field({ type: SessionOrderField, required: true }),
    direction: t.field({ type: OrderDirection, defaultValue: 'DESC' }),
  }),
});
const SessionFilter = builder.inputType('SessionFilter', {
  fields: (t) => ({
    starred: t.boolean(),
    search: t.string({ description: 'Words in the title (case-insensitive).' }),
    team: t.string(),
    running: t.boolean(),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

const ORDER_COLUMN = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', TITLE: 'title' } as const;

builder.queryFields((t) => ({
  session: t.prismaField({
    type: 'Session',
    description: 'One session by id.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError], directResult: true },
    resolve: async (query, _root, args, ctx) => {
      const id = parseSessionId(String(args.id), 'id');
      const session = await ctx.prisma.session.findUnique({ ...query, where: { id } });
      if (!session) throw new SessionNotFoundError(id);
      return session;
    },
  }),
  sessions: t.prismaConnection(
    {
      type: 'Session',
      cursor: 'id',
      description: 'Sessions, newest first unless `orderBy` says otherwise, narrowed by `filter`.',
      args: { filter: t.arg({ type: SessionFilter }), orderBy: t.arg({ type: SessionOrder }) },
      resolve: (query, _root, args, ctx) => {
        const direction = args.orderBy?.direction === 'ASC' ? 'asc' : 'desc';
        const column = ORDER_COLUMN[args.orderBy?.field ?? 'CREATED_AT'];
        return ctx.prisma.session.findMany({
          ...query,
          where: sessionWhere(args.filter, ctx),
          orderBy: [{ [column]: direction }, { id: direction }],
        });
      },
      totalCount: (_connection, args, ctx) => ctx.prisma.session.count({ where: sessionWhere(args.filter, ctx) }),
    },
    {},
  ),
}));

type FilterArgs = {
  starred?: boolean | null;
  search?: string | null;
  team?: string | null;
  running?: boolean | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
} | null | undefined;

function sessionWhere(filter: FilterArgs, ctx: { runtimes: { ids(): string[] }; provider: string }) {
  if (!filter) return {};
  if (filter.search && filter.search.length > 200) throw new InvalidInputError('filter.search', 'search at most 200 characters');
  return {
    ...(filter.starred != null && { starred: filter.starred }),
    ...(filter.team != null && { teamName: filter.team }),
    ...(filter.running != null && { id: filter.running ? { in: ctx.runtimes.ids() } : { notIn: ctx.runtimes.ids() } }),
    ...((filter.createdAfter || filter.createdBefore) && {
      createdAt: { ...(filter.createdAfter && { gte: filter.createdAfter }), ...(filter.createdBefore && { lt: filter.createdBefore }) },
    }),
    // SQLite's LIKE ignores ASCII case by itself; PostgreSQL needs it asked for (the SQLite client's types lack it).
    ...(filter.search && {
      title: { contains: filter.search, ...(ctx.provider === 'postgresql' && { mode: 'insensitive' }) } as { contains: string },
    }),
  };
}

const AgentModelOverrideInput = builder.inputType('AgentModelOverrideInput', {
  fields: (t) => ({
    agentName: t.string({ required: true }),
    modelRef: t.string({ required: true, description: 'A model name of the team, or an inline ref.' }),
  }),
});

const PermissionsInput = builder.inputType('PermissionsInput', {
  fields: (t) => ({
    allow: t.stringList({ required: true }),
    ask: t.stringList({ required: true }),
    deny: t.stringList({ required: true }),
  }),
});

const LimitsInput = builder.inputType('SessionLimitsInput', {
  fields: (t) => ({ maxIterations: t.int(), maxConsecutiveToolCalls: t.int(), maxOldToolCallTokens: t.int() }),
});

const CreateSessionInput = builder.inputType('CreateSessionInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: '1 to 200 characters.' }),
    team: t.string({ description: "A team from `agents`; the server's default team when omitted." }),
    workingDir: t.string({
      description: "An absolute path; inside SESSION_WORKDIR_ROOT when that is set; the server's default when omitted.",
    }),
    agentModelOverrides: t.field({ type: [AgentModelOverrideInput] }),
    permissions: t.field({ type: PermissionsInput }),
    safetyPolicy: t.field({ type: SafetyPolicyEnum }),
    limits: t.field({ type: LimitsInput }),
    attributes: t.field({ type: 'JSON', description: 'An object of string values.' }),
    start: t.boolean({ description: 'Start a runtime at once (default true); false only stores the session.' }),
  }),
});

const DeleteSessionPayload = builder.objectRef<{ sessionId: string }>('DeleteSessionPayload').implement({
  fields: (t) => ({
    deletedSessionId: t.id({ resolve: (payload) => encodeGlobalID('Session', payload.sessionId) }),
  }),
});

const DeleteSessionFailure = builder.objectRef<BatchDeletion['failed'][number]>('DeleteSessionFailure').implement({
  fields: (t) => ({
    sessionId: t.id({ description: 'The id as it was given.', resolve: (failure) => failure.given }),
    code: t.string({
      description: 'The error type a single deleteSession would answer: SessionNotFound, InvalidInput or PersistenceFailed.',
      resolve: (failure) => failure.error.name.replace(/Error$/, ''),
    }),
    message: t.string({ resolve: (failure) => failure.error.message }),
  }),
});

const DeleteSessionsPayload = builder
  .objectRef<BatchDeletion>('DeleteSessionsPayload')
  .implement({
    description: 'Each id is deleted on its own: the ones that failed are listed with the reason.',
    fields: (t) => ({
      deletedSessionIds: t.idList({ resolve: (payload) => payload.deleted.map((id) => encodeGlobalID('Session', id)) }),
      failures: t.field({ type: [DeleteSessionFailure], resolve: (payload) => payload.failed }),
    }),
  });

const SwitchAgentPayload = builder.objectRef<AgentSwitch>('SwitchAgentPayload').implement({
  fields: (t) => ({
    session: t.prismaField({
      type: 'Session',
      resolve: (query, change, _args, ctx) => ctx.prisma.session.findUniqueOrThrow({ ...query, where: { id: change.sessionId } }),
    }),
    agentName: t.exposeString('agentName'),
    previousAgentName: t.exposeString('previousAgentName'),
    seq: t.exposeInt('seq'),
  }),
});

const ExportSessionsPayload = builder.objectRef<{ json: unknown; count: number }>('ExportSessionsPayload').implement({
  fields: (t) => ({
    count: t.exposeInt('count'),
    json: t.field({
      type: 'JSON',
      description: 'The sessions with their settings, token usage, overrides, custom models and messages.',
      resolve: (payload) => payload.json,
    }),
  }),
});

const UpdateTitleInput = builder.inputType('UpdateSessionTitleInput', {
  fields: (t) => ({ sessionId: t.id({ required: true }), title: t.string({ required: true }) }),
});
const SetStarredInput = builder.inputType('SetSessionStarredInput', {
  fields: (t) => ({ sessionId: t.id({ required: true }), starred: t.boolean({ required: true }) }),
});
const UpdateTokensInput = builder.inputType('UpdateSessionTokensInput', {
  description: 'Usage to add to the totals (not the new totals).',
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    inputTokens: t.int({ required: true }),
    outputTokens: t.int({ required: true }),
    cost: t.float({ required: true }),
  }),
});
const SwitchAgentInput = builder.inputType('SwitchAgentInput', {
  fields: (t) => ({ sessionId: t.id({ required: true }), agentName: t.string({ required: true }) }),
});
const UpdatePermissionsInput = builder.inputType('UpdateSessionPermissionsInput', {
  fields: (t) => ({ sessionId: t.id({ required: true }), permissions: t.field({ type: PermissionsInput, required: true }) }),
});
const ForkSessionInput = builder.inputType('ForkSessionInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    beforeMessageId: t.id({ description: 'Copy the messages before this one; all of them when omitted.' }),
    start: t.boolean({ description: 'Start a runtime for the fork (default true).' }),
  }),
});

/** The errors every change of an existing session may answer. */
const CHANGE_ERRORS = [InvalidInputError, SessionNotFoundError, PersistenceFailedError];

builder.mutationFields((t) => ({
  createSession: t.field({
    type: SessionRef,
    args: { input: t.arg({ type: CreateSessionInput, required: true }) },
    errors: { types: [InvalidInputError, TeamNotFoundError, InvalidModelRefError, PersistenceFailedError], directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.sessions.createSession({ ...input, permissions: input.permissions as Permissions | null | undefined }),
  }),
  forkSession: t.field({
    type: SessionRef,
    description: 'A copy of the session with its history up to a message, titled "<title> (fork N)".',
    args: { input: t.arg({ type: ForkSessionInput, required: true }) },
    errors: { types: [...CHANGE_ERRORS, TeamNotFoundError], directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.sessions.forkSession(
        parseSessionId(String(input.sessionId), 'sessionId'),
        input.beforeMessageId == null ? null : parseGlobalId(String(input.beforeMessageId), 'Message', 'beforeMessageId'),
        input.start ?? true,
      ),
  }),
  startSession: t.field({
    type: SessionRef,
    description: 'Attaches a runtime; stored overrides are re-applied. Starting a running session changes nothing.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [...CHANGE_ERRORS, TeamNotFoundError], directResult: true },
    resolve: (_root, args, ctx) => ctx.sessions.startSession(parseSessionId(String(args.id), 'id')),
  }),
  stopSession: t.field({
    type: SessionRef,
    description: 'Detaches the runtime. Stopping a stopped session changes nothing.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: CHANGE_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => ctx.sessions.stopSession(parseSessionId(String(args.id), 'id')),
  }),
  deleteSession: t.field({
    type: DeleteSessionPayload,
    description: 'Deletes the session and its events; its event streams end with SessionExitedEvent.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: CHANGE_ERRORS, directResult: true },
    resolve: (_root, args, ctx) => ctx.sessions.deleteSession(parseSessionId(String(args.id), 'id')),
  }),
  deleteSessions: t.field({
    type: DeleteSessionsPayload,
    description: 'Deletes up to 500 sessions, each on its own; failures are reported per id.',
    args: { ids: t.arg.idList({ required: true }) },
    errors: { types: [InvalidInputError], directResult: true },
    resolve: (_root, args, ctx) =>
      ctx.batches.deleteSessions(
        args.ids.map(String).map((given) => {
          try {
            return { given, id: parseSessionId(given, 'ids') };
          } catch (error) {
            return { given, id: error as Error };
          }
        }),
      ),
  }),
  exportSessions: t.field({
    type: ExportSessionsPayload,
    description: 'Up to 100 sessions as one JSON document; all or nothing.',
    args: { ids: t.arg.idList({ required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError], directResult: true },
    resolve: async (_root, args, ctx) => {
      const sessions = await ctx.batches.exportSessions(args.ids.map((id) => parseSessionId(String(id), 'ids')));
      const json = {
        exportedAt: new Date().toISOString(),
        sessions: sessions.map((session) => ({
          id: encodeGlobalID('Session', session.id),
          title: session.title,
          team: session.teamName,
          workingDir: session.workingDir,
          currentAgent: session.currentAgent,
          starred: session.starred,
          createdAt: session.createdAt.toISOString(),
          updatedAt: session.updatedAt.toISOString(),
          permissions: JSON.parse(session.permissions) as unknown,
          safetyPolicy: session.safetyPolicy,
          limits: {
            maxIterations: session.maxIterations,
            maxConsecutiveToolCalls: session.maxConsecutiveToolCalls,
            maxOldToolCallTokens: session.maxOldToolCallTokens,
          },
          tokens: { inputTokens: session.inputTokens, outputTokens: session.outputTokens, cost: session.cost },
          attributes: JSON.parse(session.attributes) as unknown,
          agentModelOverrides: Object.fromEntries(session.agentModelOverrides.map((row) => [row.agentName, row.modelRef])),
          customModelsUsed: session.customModelsUsed.map((row) => row.modelRef),
          messages: session.messages.map((message) => ({
            id: encodeGlobalID('Message', message.id),
            role: message.role,
            agentName: message.agentName,
            content: message.content,
            createdAt: message.createdAt.toISOString(),
          })),
        })),
      };
      return { json, count: sessions.length };
    },
  }),
  updateSessionTitle: t.field({
    type: SessionRef,
    args: { input: t.arg({ type: UpdateTitleInput, required: true }) },
    errors: { types: CHANGE_ERRORS, directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.updates.updateTitle(parseSessionId(String(input.sessionId), 'sessionId'), input.title),
  }),
  setSessionStarred: t.field({
    type: SessionRef,
    args: { input: t.arg({ type: SetStarredInput, required: true }) },
    errors: { types: CHANGE_ERRORS, directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.updates.setStarred(parseSessionId(String(input.sessionId), 'sessionId'), input.starred),
  }),
  updateSessionPermissions: t.field({
    type: SessionRef,
    description: 'Replaces the three permission lists.',
    args: { input: t.arg({ type: UpdatePermissionsInput, required: true }) },
    errors: { types: CHANGE_ERRORS, directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.updates.updatePermissions(parseSessionId(String(input.sessionId), 'sessionId'), input.permissions as Permissions),
  }),
  updateSessionTokens: t.field({
    type: SessionRef,
    description: "Adds token usage and cost to the session's totals.",
    args: { input: t.arg({ type: UpdateTokensInput, required: true }) },
    errors: { types: CHANGE_ERRORS, directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.updates.addTokenUsage(parseSessionId(String(input.sessionId), 'sessionId'), input),
  }),
  switchAgent: t.field({
    type: SwitchAgentPayload,
    description: "Makes another agent of the team current in a running session.",
    args: { input: t.arg({ type: SwitchAgentInput, required: true }) },
    errors: { types: [...CHANGE_ERRORS, SessionNotRunningError, AgentNotFoundError], directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.sessions.switchAgent(parseSessionId(String(input.sessionId), 'sessionId'), input.agentName),
  }),
}));
