/** The mutations that create, change and delete sessions. */
import {
  AgentNotFoundError,
  InvalidInputError,
  InvalidModelRefError,
  SessionNotFoundError,
  SessionNotRunningError,
  TeamNotFoundError,
} from '../services/errors.js';
import type { BatchDeletion, SessionExport } from '../services/session-batch-service.js';
import type { AgentSwitch } from '../services/session-service.js';
import type { Permissions } from '../services/validation.js';
import { ownSessionId } from './access.js';
import { builder } from './builder.js';
import { RUNTIME_ERRORS, STORE_WRITE_ERRORS } from './errors.js';
import { globalId, parseGlobalId, parseSessionId } from './ids.js';
import { ownerFor } from '../auth/principal.js';
import { SafetyPolicyEnum, SessionRef } from './session.js';

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
    deletedSessionId: t.id({ resolve: (payload) => globalId('Session', payload.sessionId) }),
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

const DeleteSessionsPayload = builder.objectRef<BatchDeletion>('DeleteSessionsPayload').implement({
  description: 'Each id is deleted on its own: the ones that failed are listed with the reason.',
  fields: (t) => ({
    deletedSessionIds: t.idList({ resolve: (payload) => payload.deleted.map((id) => globalId('Session', id)) }),
    failures: t.field({ type: [DeleteSessionFailure], resolve: (payload) => payload.failed }),
  }),
});

const SwitchAgentPayload = builder.objectRef<AgentSwitch>('SwitchAgentPayload').implement({
  fields: (t) => ({
    session: t.prismaField({
      type: 'Session',
      resolve: (query, change, _args, ctx) => ctx.services.reads.requireSession(query, change.sessionId, ctx.principal),
    }),
    agentName: t.exposeString('agentName'),
    previousAgentName: t.exposeString('previousAgentName'),
    seq: t.exposeInt('seq'),
  }),
});

const ExportSessionsPayload = builder.objectRef<SessionExport>('ExportSessionsPayload').implement({
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
  description: "The session's new token totals and cost (they replace the totals, as in docker-agent).",
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
const CHANGE_ERRORS = [InvalidInputError, SessionNotFoundError, ...STORE_WRITE_ERRORS];

builder.mutationFields((t) => ({
  createSession: t.field({
    type: SessionRef,
    args: { input: t.arg({ type: CreateSessionInput, required: true }) },
    errors: { types: [InvalidInputError, TeamNotFoundError, InvalidModelRefError, ...STORE_WRITE_ERRORS] },
    resolve: (_root, { input }, ctx) =>
      ctx.services.sessions.createSession(
        { ...input, permissions: input.permissions as Permissions | null | undefined },
        ownerFor(ctx.principal),
      ),
  }),
  forkSession: t.field({
    type: SessionRef,
    description: 'A copy of the session with its history up to a message, titled "<title> (fork N)".',
    args: { input: t.arg({ type: ForkSessionInput, required: true }) },
    errors: { types: [...CHANGE_ERRORS, TeamNotFoundError] },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.sessions.forkSession(
        await ownSessionId(ctx, input.sessionId, 'sessionId'),
        // The service checks that the message is in the source session, which the caller may see.
        input.beforeMessageId == null ? null : parseGlobalId(String(input.beforeMessageId), 'Message', 'beforeMessageId'),
        input.start ?? true,
        ownerFor(ctx.principal),
      ),
  }),
  startSession: t.field({
    type: SessionRef,
    description: 'Attaches a runtime; stored overrides are re-applied. Starting a running session changes nothing.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [...CHANGE_ERRORS, TeamNotFoundError] },
    resolve: async (_root, args, ctx) => ctx.services.sessions.startSession(await ownSessionId(ctx, args.id, 'id')),
  }),
  stopSession: t.field({
    type: SessionRef,
    description: 'Detaches the runtime. Stopping a stopped session changes nothing.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [...CHANGE_ERRORS, ...RUNTIME_ERRORS] },
    resolve: async (_root, args, ctx) => ctx.services.sessions.stopSession(await ownSessionId(ctx, args.id, 'id')),
  }),
  deleteSession: t.field({
    type: DeleteSessionPayload,
    description: 'Deletes the session and its events; its event streams end with SessionExitedEvent.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [...CHANGE_ERRORS, ...RUNTIME_ERRORS] },
    resolve: async (_root, args, ctx) => ctx.services.sessions.deleteSession(await ownSessionId(ctx, args.id, 'id')),
  }),
  deleteSessions: t.field({
    type: DeleteSessionsPayload,
    description: 'Deletes up to 500 sessions, each on its own; failures are reported per id.',
    args: { ids: t.arg.idList({ required: true }) },
    errors: { types: [InvalidInputError] },
    resolve: async (_root, args, ctx) =>
      ctx.services.batches.deleteSessions(
        await Promise.all(
          args.ids.map(String).map(async (given) => {
            try {
              return { given, id: await ownSessionId(ctx, given, 'ids') };
            } catch (error) {
              return { given, id: error as Error };
            }
          }),
        ),
      ),
  }),
  exportSessions: t.field({
    type: ExportSessionsPayload,
    description: 'Up to 100 sessions as one JSON document; all or nothing.',
    args: { ids: t.arg.idList({ required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError] },
    resolve: (_root, args, ctx) =>
      ctx.services.batches.exportSessions(args.ids.map((id) => parseSessionId(String(id), 'ids')), ctx.principal),
  }),
  updateSessionTitle: t.field({
    type: SessionRef,
    args: { input: t.arg({ type: UpdateTitleInput, required: true }) },
    errors: { types: CHANGE_ERRORS },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.updates.updateTitle(await ownSessionId(ctx, input.sessionId, 'sessionId'), input.title),
  }),
  setSessionStarred: t.field({
    type: SessionRef,
    args: { input: t.arg({ type: SetStarredInput, required: true }) },
    errors: { types: CHANGE_ERRORS },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.updates.setStarred(await ownSessionId(ctx, input.sessionId, 'sessionId'), input.starred),
  }),
  updateSessionPermissions: t.field({
    type: SessionRef,
    description: 'Replaces the three permission lists.',
    args: { input: t.arg({ type: UpdatePermissionsInput, required: true }) },
    errors: { types: CHANGE_ERRORS },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.updates.updatePermissions(
        await ownSessionId(ctx, input.sessionId, 'sessionId'),
        input.permissions as Permissions,
      ),
  }),
  setSessionSafetyPolicy: t.field({
    type: SessionRef,
    description:
      "Changes how the session's tool calls are approved; it applies from the next tool call on, even in a " +
      'running turn. ALLOW_ALL runs every call; ASK_UNSAFE asks unless a permission or the tool being ' +
      'read-only says otherwise; ASK_ALWAYS also asks for read-only tools.',
    args: { sessionId: t.arg.id({ required: true }), safetyPolicy: t.arg({ type: SafetyPolicyEnum, required: true }) },
    errors: { types: CHANGE_ERRORS },
    resolve: async (_root, args, ctx) =>
      ctx.services.updates.setSafetyPolicy(await ownSessionId(ctx, args.sessionId, 'sessionId'), args.safetyPolicy),
  }),
  updateSessionTokens: t.field({
    type: SessionRef,
    description: "Sets the session's token totals and cost (docker-agent's UpdateSessionTokens); model calls add to them.",
    args: { input: t.arg({ type: UpdateTokensInput, required: true }) },
    errors: { types: CHANGE_ERRORS },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.updates.setTokenUsage(await ownSessionId(ctx, input.sessionId, 'sessionId'), input),
  }),
  switchAgent: t.field({
    type: SwitchAgentPayload,
    description: "Makes another agent of the team current in a running session.",
    args: { input: t.arg({ type: SwitchAgentInput, required: true }) },
    errors: { types: [...CHANGE_ERRORS, SessionNotRunningError, AgentNotFoundError, ...RUNTIME_ERRORS] },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.sessions.switchAgent(await ownSessionId(ctx, input.sessionId, 'sessionId'), input.agentName),
  }),
}));
