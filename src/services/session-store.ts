/**
 * The store side of every session change: each kind of write, run inside the writer's transaction
 * (after it has locked the session's row), and the events that record it. Services describe a change
 * as data (`SessionWrite`s and the facts a runtime change reports); only this module turns them into
 * rows, so a change reads service → writer → store.
 */
import { randomUUID } from 'node:crypto';
import type { ToolCallRequest } from '../runtime/model-client.js';
import type { RuntimeFact, TurnPause } from '../runtime/runtime-change.js';
import type { Todo } from '../runtime/tools/tool.js';
import { isInlineRef } from '../runtime/model-ref.js';
import { STATE_OF_PAUSE, type TurnState } from '../runtime/agent-runtime.js';
import { MessageNotFoundError, RunningElsewhereError, SessionBusyError } from './errors.js';
import type { EventDraft, SessionStopReason, TransactionClient } from './event-log.js';
import { LIMITS, type Permissions, type SafetyPolicy } from './validation.js';

/** A session's own settings, as a new session (created or forked) stores them. */
export interface SessionSettings {
  title: string;
  workingDir: string;
  teamName: string;
  currentAgent: string;
  permissions: Permissions;
  safetyPolicy: SafetyPolicy;
  limits: { maxIterations: number; maxConsecutiveToolCalls: number; maxOldToolCallTokens: number };
  attributes: Record<string, string>;
  /** The principal it belongs to (null: none, a server without tokens). */
  ownerId: string | null;
}

export interface NewMessage {
  id: string;
  role: string;
  agentName: string | null;
  content: string;
}

/** What the writer knows of the change's session when a write runs: its lease, as claimed under the row's lock. */
export interface WriteContext {
  /** This server instance. */
  instanceId: string;
  /** This instance held the session's runtime when the change began. */
  heldHere: boolean;
  /** The instance the store names as the runtime's holder (before this change). */
  runtimeInstanceId: string | null;
  /** The turn the store says is running (before this change). */
  activeTurnId: string | null;
}

/**
 * The running turn as the store keeps it (Session.activeTurn), so that every instance answers
 * `Session.turn` alike, whichever holds the runtime.
 */
export interface StoredTurn {
  agentName: string;
  startedAt: string;
  state: TurnState;
  pause: TurnPause | null;
}

/** One write of a change, described as data; `apply` below runs it. */
export type SessionWrite =
  | { kind: 'createSession'; settings: SessionSettings; overrides: { agentName: string; modelRef: string }[] }
  | {
      kind: 'forkSession';
      sourceId: string;
      /** Copy the source's messages before this position; all of them when undefined. */
      beforePosition: number | undefined;
      currentAgent: string;
      /** The fork belongs to whoever forks, not to the source's owner. */
      ownerId: string | null;
    }
  | { kind: 'deleteSession' }
  | { kind: 'setTitle'; title: string }
  | { kind: 'setStarred'; starred: boolean }
  | { kind: 'setPermissions'; permissions: Permissions }
  | { kind: 'setTokenUsage'; inputTokens: number; outputTokens: number; cost: number }
  | { kind: 'addMessage'; message: NewMessage }
  | { kind: 'updateMessage'; messageId: string; content: string }
  | {
      kind: 'assistantReply';
      turnId: string;
      message: NewMessage & { cancelled: boolean; toolCalls?: ToolCallRequest[] };
      /** What the model call used, added to the session's totals; none for a message of the runtime's own. */
      usage?: { inputTokens: number; outputTokens: number; cost: number };
    }
  | { kind: 'toolCall'; turnId: string; agentName: string; call: ToolCallRequest }
  | {
      kind: 'toolResult';
      turnId: string;
      agentName: string;
      call: ToolCallRequest;
      output: string;
      isError: boolean;
      /** The todo list the call set (the `todo` toolset). */
      todos?: Todo[];
    }
  | { kind: 'toolsetFailed'; agentName: string; toolset: string; message: string }
  /** resumeTurn APPROVE_SESSION: every later tool call of the session runs without asking. */
  | { kind: 'approveAllTools' }
  /** resumeTurn APPROVE_TOOL: the tool joins the session's `allow` permissions. */
  | { kind: 'allowTool'; tool: string }
  | { kind: 'setSafetyPolicy'; safetyPolicy: SafetyPolicy }
  | { kind: 'modelFallback'; turnId: string; agentName: string; fromModel: string; toModel: string; reason: string }
  /**
   * The runtime `instanceId` held is gone (the instance crashed, or lost its lease): its turn ends
   * INTERRUPTED and the session stops, once, by whichever instance gets here first. Nothing is written
   * when the store no longer names that instance (somebody else got here first), or when this instance
   * holds the runtime after all.
   */
  | { kind: 'releaseLostRuntime'; instanceId: string; reason: 'OWNER_LOST' | 'SERVER_RESTARTED' }
  | RuntimeFact;

/** The writes that make a session that did not exist: the writer numbers their events from 1. */
export const isCreation = (write: SessionWrite) => write.kind === 'createSession' || write.kind === 'forkSession';

/** Writes one part of a change for `sessionId` and returns the events that record it. */
export async function applyWrite(
  tx: TransactionClient,
  sessionId: string,
  write: SessionWrite,
  context: WriteContext,
): Promise<EventDraft[]> {
  switch (write.kind) {
    case 'createSession': {
      const { settings } = write;
      await tx.session.create({
        data: {
          id: sessionId,
          ...storedSettings(settings),
          agentModelOverrides: { create: write.overrides },
        },
      });
      return [{ kind: 'SESSION_CREATED', agentName: null, payload: { title: settings.title, team: settings.teamName } }];
    }
    case 'forkSession':
      return forkSession(tx, sessionId, write);
    case 'deleteSession':
      // Its runtime must go with it: the instance that holds it deletes it (the router sends it there).
      if (context.runtimeInstanceId !== null && context.runtimeInstanceId !== context.instanceId) {
        throw new RunningElsewhereError(sessionId, context.runtimeInstanceId);
      }
      await tx.session.delete({ where: { id: sessionId }, select: { id: true } });
      return [];
    case 'setTitle': {
      const { title: previousTitle } = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { title: true } });
      await tx.session.update({ where: { id: sessionId }, data: { title: write.title } });
      return [{ kind: 'TITLE_CHANGED', agentName: null, payload: { title: write.title, previousTitle } }];
    }
    case 'setStarred':
      await tx.session.update({ where: { id: sessionId }, data: { starred: write.starred } });
      return [{ kind: 'STARRED_CHANGED', agentName: null, payload: { starred: write.starred } }];
    case 'setPermissions':
      await tx.session.update({ where: { id: sessionId }, data: { permissions: JSON.stringify(write.permissions) } });
      return [{ kind: 'PERMISSIONS_CHANGED', agentName: null, payload: { ...write.permissions } }];
    case 'setTokenUsage': {
      const { inputTokens, outputTokens, cost } = write;
      await tx.session.update({ where: { id: sessionId }, data: { inputTokens, outputTokens, cost } });
      return [{ kind: 'TOKEN_USAGE_UPDATED', agentName: null, payload: { inputTokens, outputTokens, cost } }];
    }
    case 'addMessage':
      refuseDuringTurn(sessionId, context);
      return appendMessages(tx, sessionId, [write.message]);
    case 'assistantReply': {
      const { toolCalls, ...message } = write.message;
      const stored = { ...message, ...(toolCalls && toolCalls.length > 0 && { toolCalls: JSON.stringify(toolCalls) }) };
      const added = await appendMessages(tx, sessionId, [stored], write.turnId);
      return write.usage ? [...added, ...(await addTokenUsage(tx, sessionId, write.usage))] : added;
    }
    case 'toolCall': {
      const { turnId, agentName, call } = write;
      return [{ kind: 'TOOL_CALL', agentName, payload: { turnId, toolCallId: call.id, tool: call.name, arguments: call.arguments } }];
    }
    case 'toolResult': {
      const { turnId, agentName, call, output, isError, todos } = write;
      const message = { id: randomUUID(), role: 'tool', agentName, content: output, toolCallId: call.id, toolName: call.name, isError };
      const events: EventDraft[] = [
        ...(await appendMessages(tx, sessionId, [message], turnId)),
        {
          kind: 'TOOL_CALL_RESULT',
          agentName,
          payload: { turnId, toolCallId: call.id, tool: call.name, output: cappedForEvent(output), isError },
        },
      ];
      if (todos) {
        await tx.session.update({ where: { id: sessionId }, data: { todos: JSON.stringify(todos) } });
        events.push({ kind: 'TODOS_CHANGED', agentName, payload: { todos } });
      }
      return events;
    }
    case 'toolsetFailed':
      return [{ kind: 'TOOLSET_FAILED', agentName: write.agentName, payload: { toolset: write.toolset, message: write.message } }];
    case 'approveAllTools':
      await tx.session.update({ where: { id: sessionId }, data: { toolsApproved: true } });
      return [];
    case 'allowTool': {
      const stored = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { permissions: true } });
      const permissions = JSON.parse(stored.permissions) as Permissions;
      if (permissions.allow.includes(write.tool)) return [];
      // Out of `ask` too: a pattern stays in one list, as updateSessionPermissions requires.
      const ask = permissions.ask.filter((pattern) => pattern !== write.tool);
      return applyWrite(tx, sessionId, { kind: 'setPermissions', permissions: { ...permissions, ask, allow: [...permissions.allow, write.tool] } }, context);
    }
    case 'setSafetyPolicy': {
      const { safetyPolicy: previousSafetyPolicy } = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { safetyPolicy: true } });
      await tx.session.update({ where: { id: sessionId }, data: { safetyPolicy: write.safetyPolicy } });
      return [{ kind: 'SAFETY_POLICY_CHANGED', agentName: null, payload: { safetyPolicy: write.safetyPolicy, previousSafetyPolicy } }];
    }
    case 'turnPaused':
      await updateStoredTurn(tx, sessionId, { state: STATE_OF_PAUSE[write.pause.kind], pause: write.pause });
      return [pauseEvent(write.turnId, write.agentName, write.pause)];
    case 'turnResumed': {
      const { turnId, agentName, pause, resume } = write;
      await updateStoredTurn(tx, sessionId, { state: 'RUNNING', pause: null });
      const toolCallId = pause.kind === 'confirmation' ? pause.toolCall.id : null;
      return [{ kind: 'TURN_RESUMED', agentName, payload: { turnId, decision: resume.decision, reason: resume.reason, toolCallId } }];
    }
    case 'modelFallback': {
      const { turnId, agentName, fromModel, toModel, reason } = write;
      return [{ kind: 'MODEL_FALLBACK', agentName, payload: { turnId, fromModel, toModel, reason } }];
    }
    case 'turnStarted': {
      const turn: StoredTurn = { agentName: write.agentName, startedAt: write.startedAt.toISOString(), state: 'RUNNING', pause: null };
      await tx.session.update({ where: { id: sessionId }, data: { activeTurnId: write.turnId, activeTurn: JSON.stringify(turn) } });
      const started: EventDraft = { kind: 'TURN_STARTED', agentName: write.agentName, payload: { turnId: write.turnId, model: write.model } };
      const messages = write.userMessages.map((message) => ({ ...message, agentName: null }));
      return [started, ...(await appendMessages(tx, sessionId, messages, write.turnId))];
    }
    case 'turnEnded': {
      const { turnId, agentName, reason, failure } = write;
      await tx.session.updateMany({ where: { id: sessionId, activeTurnId: turnId }, data: { activeTurnId: null, activeTurn: null } });
      const ended: EventDraft = { kind: 'TURN_ENDED', agentName, payload: { turnId, reason } };
      return failure ? [{ kind: 'TURN_FAILED', agentName, payload: { turnId, ...failure } }, ended] : [ended];
    }
    case 'updateMessage': {
      refuseDuringTurn(sessionId, context);
      const updated = await tx.message.updateMany({ where: { id: write.messageId, sessionId }, data: { content: write.content } });
      // Deleted with its session between the service's lookup and now.
      if (updated.count === 0) throw new MessageNotFoundError(write.messageId);
      return [{ kind: 'MESSAGE_UPDATED', agentName: null, payload: { messageId: write.messageId } }];
    }
    case 'modelSet':
      await recordOverride(tx, sessionId, write.agentName, write.modelRef);
      return [
        {
          kind: 'MODEL_CHANGED',
          agentName: write.agentName,
          payload: { modelRef: write.modelRef, previousModelRef: write.previousModelRef },
        },
      ];
    case 'agentSwitched':
      await tx.session.update({ where: { id: sessionId }, data: { currentAgent: write.agentName } });
      return [{ kind: 'CURRENT_AGENT_SWITCHED', agentName: write.agentName, payload: { previousAgentName: write.previousAgentName } }];
    case 'started': {
      // The lease: taken only where nobody holds the runtime. One that another instance holds (or that
      // the store still names this instance for, without a runtime here) is left to its holder.
      const holder = context.runtimeInstanceId;
      if (holder !== null) throw new RunningElsewhereError(sessionId, holder);
      await tx.session.update({ where: { id: sessionId }, data: { runtimeInstanceId: context.instanceId } });
      return [{ kind: 'SESSION_STARTED', agentName: write.agentName, payload: { instanceId: context.instanceId } }];
    }
    case 'stopped':
      await tx.session.update({ where: { id: sessionId }, data: { runtimeInstanceId: null } });
      return [stoppedEvent(write.agentName, write.reason, context.instanceId)];
    case 'releaseLostRuntime':
      return releaseLostRuntime(tx, sessionId, write, context);
  }
}

/**
 * A running turn owns the conversation until it ends (docker-agent answers 409 Conflict). Asked of the
 * row as the writer locked it, because the turn may run on another instance.
 */
function refuseDuringTurn(sessionId: string, context: WriteContext): void {
  if (context.activeTurnId !== null) throw new SessionBusyError(sessionId);
}

function stoppedEvent(agentName: string | null, reason: SessionStopReason, instanceId: string): EventDraft {
  return { kind: 'SESSION_STOPPED', agentName, payload: { reason, instanceId } };
}

async function updateStoredTurn(tx: TransactionClient, sessionId: string, change: Pick<StoredTurn, 'state' | 'pause'>) {
  const { activeTurn } = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { activeTurn: true } });
  if (activeTurn === null) return;
  const turn: StoredTurn = { ...(JSON.parse(activeTurn) as StoredTurn), ...change };
  await tx.session.update({ where: { id: sessionId }, data: { activeTurn: JSON.stringify(turn) } });
}

async function releaseLostRuntime(
  tx: TransactionClient,
  sessionId: string,
  write: Extract<SessionWrite, { kind: 'releaseLostRuntime' }>,
  context: WriteContext,
): Promise<EventDraft[]> {
  if (context.runtimeInstanceId !== write.instanceId || context.heldHere) return [];
  const session = await tx.session.findUniqueOrThrow({
    where: { id: sessionId },
    select: { activeTurnId: true, activeTurn: true, currentAgent: true },
  });
  await tx.session.update({ where: { id: sessionId }, data: { runtimeInstanceId: null, activeTurnId: null, activeTurn: null } });
  const events: EventDraft[] = [];
  if (session.activeTurnId !== null) {
    const agentName = session.activeTurn ? (JSON.parse(session.activeTurn) as StoredTurn).agentName : session.currentAgent;
    events.push({ kind: 'TURN_ENDED', agentName, payload: { turnId: session.activeTurnId, reason: 'INTERRUPTED' } });
  }
  events.push(stoppedEvent(session.currentAgent, write.reason, write.instanceId));
  return events;
}

/** The most of a tool's output an event carries; the stored message has all of it. */
export const EVENT_OUTPUT_CHARS = 16_384;

function cappedForEvent(output: string): string {
  return output.length <= EVENT_OUTPUT_CHARS ? output : `${output.slice(0, EVENT_OUTPUT_CHARS)}\n[${output.length - EVENT_OUTPUT_CHARS} more characters in the message]`;
}

/** The event that says why a turn waits for the user. */
function pauseEvent(turnId: string, agentName: string, pause: TurnPause): EventDraft {
  switch (pause.kind) {
    case 'confirmation': {
      const { id: toolCallId, name: tool, arguments: args } = pause.toolCall;
      return { kind: 'TOOL_CALL_CONFIRMATION', agentName, payload: { turnId, toolCallId, tool, arguments: args } };
    }
    case 'maxIterations':
      return { kind: 'MAX_ITERATIONS_REACHED', agentName, payload: { turnId, maxIterations: pause.maxIterations } };
    case 'elicitation': {
      const { server, message, requestedSchema } = pause.request;
      const payload = { turnId, elicitationId: pause.elicitationId, server, message, requestedSchema: JSON.stringify(requestedSchema) };
      return { kind: 'ELICITATION_REQUEST', agentName, payload };
    }
  }
}

/** A message as appendMessages stores it: a reply's tool calls as JSON, a tool result's call. */
type StoredMessage = NewMessage & { cancelled?: boolean; toolCalls?: string; toolCallId?: string; toolName?: string; isError?: boolean };

/** Appends messages after the session's last one, in order. */
async function appendMessages(
  tx: TransactionClient,
  sessionId: string,
  messages: StoredMessage[],
  turnId?: string,
): Promise<EventDraft[]> {
  const last = await tx.message.findFirst({ where: { sessionId }, orderBy: { position: 'desc' }, select: { position: true } });
  const first = (last?.position ?? 0) + 1;
  await tx.message.createMany({
    data: messages.map((message, index) => ({ ...message, sessionId, turnId, position: first + index })),
  });
  return messages.map((message) => ({
    kind: 'MESSAGE_ADDED',
    agentName: message.agentName,
    payload: { messageId: message.id, role: message.role },
  }));
}

function storedSettings(settings: SessionSettings) {
  return {
    title: settings.title,
    workingDir: settings.workingDir,
    teamName: settings.teamName,
    currentAgent: settings.currentAgent,
    permissions: JSON.stringify(settings.permissions),
    safetyPolicy: settings.safetyPolicy,
    ...settings.limits,
    attributes: JSON.stringify(settings.attributes),
    ownerId: settings.ownerId,
  };
}

/** A new session with the source's settings, overrides, custom models and (some of) its messages. */
async function forkSession(
  tx: TransactionClient,
  sessionId: string,
  write: Extract<SessionWrite, { kind: 'forkSession' }>,
): Promise<EventDraft[]> {
  const source = await tx.session.findUniqueOrThrow({
    where: { id: write.sourceId },
    include: { agentModelOverrides: true, customModelsUsed: true },
  });
  const forks = await tx.session.count({ where: { forkedFromId: write.sourceId } });
  const suffix = ` (fork ${forks + 1})`;
  const title = source.title.slice(0, LIMITS.title - suffix.length) + suffix;
  const messages = await tx.message.findMany({
    where: { sessionId: write.sourceId, ...(write.beforePosition !== undefined && { position: { lt: write.beforePosition } }) },
    orderBy: { position: 'asc' },
  });
  await tx.session.create({
    data: {
      id: sessionId,
      title,
      workingDir: source.workingDir,
      teamName: source.teamName,
      currentAgent: write.currentAgent,
      permissions: source.permissions,
      safetyPolicy: source.safetyPolicy,
      maxIterations: source.maxIterations,
      maxConsecutiveToolCalls: source.maxConsecutiveToolCalls,
      maxOldToolCallTokens: source.maxOldToolCallTokens,
      attributes: source.attributes,
      todos: source.todos,
      forkedFromId: write.sourceId,
      ownerId: write.ownerId,
      agentModelOverrides: { create: source.agentModelOverrides.map(({ agentName, modelRef }) => ({ agentName, modelRef })) },
      customModelsUsed: { create: source.customModelsUsed.map(({ position, modelRef }) => ({ position, modelRef })) },
      messages: {
        create: messages.map((message, index) => ({
          id: randomUUID(),
          position: index + 1,
          role: message.role,
          agentName: message.agentName,
          content: message.content,
          cancelled: message.cancelled,
          toolCalls: message.toolCalls,
          toolCallId: message.toolCallId,
          toolName: message.toolName,
          isError: message.isError,
        })),
      },
    },
  });
  return [
    {
      kind: 'SESSION_CREATED',
      agentName: null,
      payload: { title, team: source.teamName, forkedFrom: write.sourceId, messages: messages.length },
    },
  ];
}

/**
 * Adds a model call's usage to the session's totals; the event carries the totals after it. A total
 * stops at the column's limit rather than losing the reply that brought it there.
 */
async function addTokenUsage(
  tx: TransactionClient,
  sessionId: string,
  usage: { inputTokens: number; outputTokens: number; cost: number },
): Promise<EventDraft[]> {
  // Read under the row lock the writer already holds, so no other writer moves the totals meanwhile.
  const before = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { inputTokens: true, outputTokens: true, cost: true } });
  const totals = {
    inputTokens: Math.min(before.inputTokens + usage.inputTokens, LIMITS.counter),
    outputTokens: Math.min(before.outputTokens + usage.outputTokens, LIMITS.counter),
    cost: before.cost + usage.cost,
  };
  await tx.session.update({ where: { id: sessionId }, data: totals });
  return [{ kind: 'TOKEN_USAGE_UPDATED', agentName: null, payload: totals }];
}

/** Writes (or deletes) the override row and remembers an inline ref once in customModelsUsed. */
async function recordOverride(tx: TransactionClient, sessionId: string, agentName: string, modelRef: string | null): Promise<void> {
  if (modelRef === null) {
    await tx.agentModelOverride.deleteMany({ where: { sessionId, agentName } });
    return;
  }
  await tx.agentModelOverride.upsert({
    where: { sessionId_agentName: { sessionId, agentName } },
    create: { sessionId, agentName, modelRef },
    update: { modelRef },
  });
  if (!isInlineRef(modelRef)) return;
  const known = await tx.customModelUsed.findUnique({ where: { sessionId_modelRef: { sessionId, modelRef } } });
  if (known) return;
  const last = await tx.customModelUsed.findFirst({ where: { sessionId }, orderBy: { position: 'desc' }, select: { position: true } });
  await tx.customModelUsed.create({ data: { sessionId, modelRef, position: (last?.position ?? 0) + 1 } });
}
