/** The Session type, its queries, and the mutations that create, start and stop sessions. */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { listAvailableModels } from '../runtime/agent-runtime.js';
import {
  InvalidInputError,
  InvalidModelRefError,
  PersistenceFailedError,
  SessionNotFoundError,
  TeamNotFoundError,
} from '../services/errors.js';
import { builder } from './builder.js';
import { parseSessionId } from './ids.js';
import { AvailableModelRef } from './model.js';

export const SessionRef = builder.prismaNode('Session', {
  id: { field: 'id' },
  description: 'A conversation between a user and a team of agents.',
  fields: (t) => ({
    title: t.exposeString('title'),
    workingDir: t.exposeString('workingDir'),
    team: t.exposeString('teamName', { description: 'Name of the team (agent config) the session runs.' }),
    starred: t.exposeBoolean('starred'),
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
      description: "Models the current agent can switch to; `isCurrent` marks the one in use.",
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
  }),
});

builder.prismaObject('AgentModelOverride', {
  fields: (t) => ({
    agentName: t.exposeString('agentName'),
    modelRef: t.exposeString('modelRef'),
  }),
});

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
  sessions: t.prismaConnection({
    type: 'Session',
    cursor: 'id',
    description: 'All sessions, newest first.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.session.findMany({ ...query, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}));

const AgentModelOverrideInput = builder.inputType('AgentModelOverrideInput', {
  fields: (t) => ({
    agentName: t.string({ required: true }),
    modelRef: t.string({ required: true, description: 'A model name of the team, or an inline ref.' }),
  }),
});

const CreateSessionInput = builder.inputType('CreateSessionInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: '1 to 200 characters.' }),
    team: t.string({ description: 'A team from `agents`; the server\'s default team when omitted.' }),
    workingDir: t.string({ description: "An absolute path; the server's working directory when omitted." }),
    agentModelOverrides: t.field({ type: [AgentModelOverrideInput] }),
    start: t.boolean({ description: 'Start a runtime at once (default true); false only stores the session.' }),
  }),
});

const DeleteSessionPayload = builder.objectRef<{ sessionId: string }>('DeleteSessionPayload').implement({
  fields: (t) => ({
    deletedSessionId: t.id({ resolve: (payload) => encodeGlobalID('Session', payload.sessionId) }),
  }),
});

builder.mutationFields((t) => ({
  deleteSession: t.field({
    type: DeleteSessionPayload,
    description: 'Deletes the session and its events; its event streams end with SessionExitedEvent.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError, PersistenceFailedError], directResult: true },
    resolve: (_root, args, ctx) => ctx.sessions.deleteSession(parseSessionId(String(args.id), 'id')),
  }),
  createSession: t.field({
    type: SessionRef,
    args: { input: t.arg({ type: CreateSessionInput, required: true }) },
    errors: {
      types: [InvalidInputError, TeamNotFoundError, InvalidModelRefError, PersistenceFailedError],
      directResult: true,
    },
    resolve: (_root, { input }, ctx) => ctx.sessions.createSession(input),
  }),
  startSession: t.field({
    type: SessionRef,
    description: 'Attaches a runtime; stored overrides are re-applied. Starting a running session changes nothing.',
    args: { id: t.arg.id({ required: true }) },
    errors: {
      types: [InvalidInputError, SessionNotFoundError, TeamNotFoundError, PersistenceFailedError],
      directResult: true,
    },
    resolve: (_root, args, ctx) => ctx.sessions.startSession(parseSessionId(String(args.id), 'id')),
  }),
  stopSession: t.field({
    type: SessionRef,
    description: 'Detaches the runtime. Stopping a stopped session changes nothing.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError, PersistenceFailedError], directResult: true },
    resolve: (_root, args, ctx) => ctx.sessions.stopSession(parseSessionId(String(args.id), 'id')),
  }),
}));
