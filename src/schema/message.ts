/** Messages of a session's conversation, and the mutations that add and edit them. */
import { InvalidInputError, MessageNotFoundError, SessionBusyError, SessionNotFoundError } from '../services/errors.js';
import { MESSAGE_ROLES } from '../services/validation.js';
import type { ToolCallRequest } from '../runtime/model-client.js';
import { ownSessionId, ownMessageId } from './access.js';
import { builder } from './builder.js';
import { STORE_WRITE_ERRORS } from './errors.js';

const ToolCallRef = builder.objectRef<ToolCallRequest>('ToolCall').implement({
  description: 'A tool call of an assistant reply.',
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    arguments: t.exposeString('arguments', { description: 'As the model sent them (JSON text).' }),
  }),
});

export const MessageRef = builder.prismaNode('Message', {
  id: { field: 'id' },
  findUnique: (id, ctx) => ({ id, session: ctx.services.access.where(ctx.principal) }),
  // node(id:) with the id of a message that does not exist (any more) is null, as Relay has it.
  nullable: true,
  fields: (t) => ({
    position: t.exposeInt('position', { description: 'Order within the session, from 1.' }),
    role: t.exposeString('role', { description: MESSAGE_ROLES.join(', ') }),
    agentName: t.exposeString('agentName', { nullable: true }),
    content: t.exposeString('content'),
    turnId: t.exposeID('turnId', { nullable: true, description: 'The turn that brought or wrote it.' }),
    cancelled: t.exposeBoolean('cancelled', {
      description: 'An assistant reply cut short by a cancelled turn: the content is what had streamed.',
    }),
    toolCalls: t.field({
      type: [ToolCallRef],
      description: 'The tools an assistant reply calls (none for other messages).',
      resolve: (message) => (message.toolCalls ? (JSON.parse(message.toolCalls) as ToolCallRequest[]) : []),
    }),
    toolCallId: t.exposeString('toolCallId', { nullable: true, description: 'A tool message: the call it answers.' }),
    toolName: t.exposeString('toolName', { nullable: true, description: 'A tool message: the tool that answered.' }),
    isError: t.exposeBoolean('isError', { description: 'A tool message that is an error result.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    session: t.relation('session'),
  }),
});

const AddMessageInput = builder.inputType('AddMessageInput', {
  fields: (t) => ({
    sessionId: t.id({ required: true }),
    role: t.string({ required: true, description: MESSAGE_ROLES.join(', ') }),
    content: t.string({ required: true, description: '1 to 100,000 characters.' }),
    agentName: t.string(),
  }),
});

const UpdateMessageInput = builder.inputType('UpdateMessageInput', {
  fields: (t) => ({
    messageId: t.id({ required: true }),
    content: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  addMessage: t.field({
    type: MessageRef,
    description: 'Appends a message. SessionBusy while another change holds the session.',
    args: { input: t.arg({ type: AddMessageInput, required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError, SessionBusyError, ...STORE_WRITE_ERRORS] },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.messages.addMessage(await ownSessionId(ctx, input.sessionId, 'sessionId'), input),
  }),
  updateMessage: t.field({
    type: MessageRef,
    description: "Replaces a message's content. SessionBusy while another change holds the session.",
    args: { input: t.arg({ type: UpdateMessageInput, required: true }) },
    errors: { types: [InvalidInputError, MessageNotFoundError, SessionBusyError, ...STORE_WRITE_ERRORS] },
    resolve: async (_root, { input }, ctx) =>
      ctx.services.messages.updateMessage(await ownMessageId(ctx, input.messageId, 'messageId'), input.content),
  }),
}));
