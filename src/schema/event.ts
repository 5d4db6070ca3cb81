/**
 * Session events: an interface with a type per kind, the `sessionEvents` subscription (replay, then
 * live) and `sessionsChanged` for session lists.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import type { SessionChange } from '../pubsub.js';
import { InvalidInputError, SessionNotFoundError } from '../services/errors.js';
import type { SessionEventKind, SessionEventRecord } from '../services/event-log.js';
import { SubscriberTooSlowError, type StreamItem } from '../services/event-stream.js';
import { builder } from './builder.js';
import { parseSessionId } from './ids.js';

const EVENT_TYPE_BY_KIND: Record<SessionEventKind, string> = {
  SESSION_CREATED: 'SessionCreatedEvent',
  SESSION_STARTED: 'SessionStartedEvent',
  SESSION_STOPPED: 'SessionStoppedEvent',
  MODEL_CHANGED: 'ModelChangedEvent',
  TITLE_CHANGED: 'TitleChangedEvent',
  STARRED_CHANGED: 'StarredChangedEvent',
  PERMISSIONS_CHANGED: 'PermissionsChangedEvent',
  MESSAGE_ADDED: 'MessageAddedEvent',
  MESSAGE_UPDATED: 'MessageUpdatedEvent',
  TOKEN_USAGE_UPDATED: 'TokenUsageUpdatedEvent',
  CURRENT_AGENT_SWITCHED: 'CurrentAgentSwitchedEvent',
  GAP: 'GapEvent',
  SESSION_EXITED: 'SessionExitedEvent',
};

export const SessionEventInterface = builder.interfaceRef<SessionEventRecord>('SessionEvent').implement({
  description: 'A committed change of a session, numbered per session.',
  resolveType: (event) => EVENT_TYPE_BY_KIND[event.kind],
  fields: (t) => ({
    seq: t.exposeInt('seq', {
      description:
        'Sequence number within the session; resume a subscription with `after: seq`. ' +
        'GapEvent carries the `after` it answers, SessionExitedEvent the number after the last event.',
    }),
    at: t.expose('at', { type: 'DateTime' }),
    agentName: t.exposeString('agentName', { nullable: true, description: 'The agent the change concerns.' }),
    sessionId: t.id({ resolve: (event) => encodeGlobalID('Session', event.sessionId) }),
    session: t.prismaField({
      type: 'Session',
      nullable: true,
      description: 'The session as it is now (null once deleted).',
      resolve: (query, event, _args, ctx) => ctx.prisma.session.findUnique({ ...query, where: { id: event.sessionId } }),
    }),
  }),
});

type PayloadField = {
  name: string;
  type: 'String' | 'Int' | 'Float' | 'Boolean' | 'ID';
  list?: boolean;
  nullable?: boolean;
  description?: string;
  /** The payload holds a database id of this type; the field shows its global id. */
  globalIdOf?: string;
};

/** One object type per kind; its own fields come from the stored payload. */
function eventType(kind: SessionEventKind, description: string, fields: PayloadField[] = []) {
  builder.objectRef<SessionEventRecord>(EVENT_TYPE_BY_KIND[kind]).implement({
    description,
    interfaces: [SessionEventInterface],
    isTypeOf: (event) => (event as SessionEventRecord).kind === kind,
    fields: (t) =>
      Object.fromEntries(
        fields.map((field) => [
          field.name,
          t.field({
            type: field.list ? [field.type] : field.type,
            nullable: field.nullable ?? false,
            description: field.description,
            resolve: (event) => {
              const value = event.payload[field.name];
              return (field.globalIdOf ? encodeGlobalID(field.globalIdOf, String(value)) : value) as never;
            },
          }),
        ]),
      ),
  });
}

eventType('SESSION_CREATED', 'The session was created.', [
  { name: 'title', type: 'String' },
  { name: 'team', type: 'String' },
]);
eventType('SESSION_STARTED', 'A runtime was attached.');
eventType('SESSION_STOPPED', 'The runtime was detached.');
eventType('MODEL_CHANGED', "The current agent's model override changed.", [
  { name: 'modelRef', type: 'String', nullable: true, description: 'The override now; null when cleared.' },
  { name: 'previousModelRef', type: 'String', nullable: true, description: 'The override before; null when none.' },
]);
eventType('TITLE_CHANGED', 'The title changed.', [
  { name: 'title', type: 'String' },
  { name: 'previousTitle', type: 'String' },
]);
eventType('STARRED_CHANGED', 'The session was starred or unstarred.', [{ name: 'starred', type: 'Boolean' }]);
eventType('PERMISSIONS_CHANGED', "The session's tool permissions were replaced.", [
  { name: 'allow', type: 'String', list: true },
  { name: 'ask', type: 'String', list: true },
  { name: 'deny', type: 'String', list: true },
]);
eventType('MESSAGE_ADDED', 'A message was added to the conversation.', [
  { name: 'messageId', type: 'ID', globalIdOf: 'Message' },
  { name: 'role', type: 'String' },
]);
eventType('MESSAGE_UPDATED', "A message's content was edited.", [{ name: 'messageId', type: 'ID', globalIdOf: 'Message' }]);
eventType('TOKEN_USAGE_UPDATED', 'Token usage and cost were added.', [
  { name: 'inputTokens', type: 'Int' },
  { name: 'outputTokens', type: 'Int' },
  { name: 'cost', type: 'Float' },
]);
eventType('CURRENT_AGENT_SWITCHED', 'The session switched to another agent.', [
  { name: 'previousAgentName', type: 'String' },
]);
eventType('GAP', 'Events after `seq` up to `missedTo` are no longer retained: refetch the session.', [
  { name: 'missedFrom', type: 'Int' },
  { name: 'missedTo', type: 'Int' },
]);
eventType('SESSION_EXITED', 'The session is gone; the stream ends after this event.', [{ name: 'reason', type: 'String' }]);

const SessionChangeKindEnum = builder.enumType('SessionChangeKind', {
  values: ['CREATED', 'UPDATED', 'DELETED'] as const,
});

const SessionChangeRef = builder.objectRef<SessionChange>('SessionChange').implement({
  description: 'A session was created, changed or deleted.',
  fields: (t) => ({
    kind: t.field({ type: SessionChangeKindEnum, resolve: (change) => change.kind }),
    sessionId: t.id({ resolve: (change) => encodeGlobalID('Session', change.sessionId) }),
    seq: t.exposeInt('seq'),
    session: t.prismaField({
      type: 'Session',
      nullable: true,
      resolve: (query, change, _args, ctx) =>
        ctx.prisma.session.findUnique({ ...query, where: { id: change.sessionId } }),
    }),
  }),
});

/** Subscriptions report failures as GraphQL errors with a machine-readable code. */
function subscriptionError(error: unknown): never {
  if (error instanceof SessionNotFoundError) {
    throw new GraphQLError(error.message, { extensions: { code: 'SESSION_NOT_FOUND' } });
  }
  if (error instanceof InvalidInputError) {
    throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', field: error.field } });
  }
  throw error;
}

builder.subscriptionType({});

builder.subscriptionFields((t) => ({
  sessionEvents: t.field({
    type: SessionEventInterface,
    description:
      "A session's events: with `after`, first every retained event after it (GapEvent first when some " +
      'are gone), then live ones, each exactly once and in order. Ends after SessionExitedEvent; a ' +
      'subscriber that falls too far behind gets an error with `extensions.resumeAfter`.',
    args: { sessionId: t.arg.id({ required: true }), after: t.arg.int() },
    subscribe: async (_root, args, ctx) => {
      try {
        const sessionId = parseSessionId(String(args.sessionId), 'sessionId');
        return await ctx.streams.open(sessionId, args.after ?? null, { transportBackedUp: ctx.transportBackedUp });
      } catch (error) {
        return subscriptionError(error);
      }
    },
    resolve: (item: StreamItem) => {
      if (item instanceof SubscriberTooSlowError) {
        throw new GraphQLError(item.message, {
          extensions: { code: 'SUBSCRIBER_TOO_SLOW', resumeAfter: item.resumeAfter },
        });
      }
      return item;
    },
  }),
  sessionsChanged: t.field({
    type: SessionChangeRef,
    description: 'Every session created, changed or deleted from now on, for session lists.',
    subscribe: (_root, _args, ctx) => ctx.pubsub.sessionChanges(),
    resolve: (change: SessionChange) => change,
  }),
}));
