/** Reading sessions: one by id, and the filtered, ordered list. */
import { InvalidInputError, SessionNotFoundError } from '../services/errors.js';
import { parseSessionId } from './ids.js';
import { builder } from './builder.js';

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

builder.queryFields((t) => ({
  session: t.prismaField({
    type: 'Session',
    description: 'One session by id.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [InvalidInputError, SessionNotFoundError] },
    resolve: (query, _root, args, ctx) => ctx.services.reads.requireSession(query, parseSessionId(String(args.id), 'id'), ctx.principal),
  }),
  sessions: t.prismaConnection(
    {
      type: 'Session',
      cursor: 'id',
      description: 'Sessions, newest first unless `orderBy` says otherwise, narrowed by `filter`.',
      args: { filter: t.arg({ type: SessionFilter }), orderBy: t.arg({ type: SessionOrder }) },
      resolve: (query, _root, args, ctx) => ctx.services.reads.listSessions(query, args.filter, args.orderBy, ctx.principal),
      totalCount: (_connection, args, ctx) => ctx.services.reads.countSessions(args.filter, ctx.principal),
    },
    {},
  ),
}));
