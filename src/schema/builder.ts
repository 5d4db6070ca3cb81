/** The schema builder: plugins, scalars and root types only. Domain types live in their own files. */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import type { Context } from './context.js';
import { CONNECTION_CURSOR, decodeNodeId } from './ids.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  Scalars: { DateTime: { Input: Date; Output: Date }; JSON: { Input: unknown; Output: unknown } };
  DefaultFieldNullability: false;
}>({
  plugins: [ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  prisma: {
    // plugin-prisma loads what a resolver's query did not include (a node by id, a relation) itself.
    client: (ctx) => ctx.services.reads.client,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    // node(id:) and nodes(ids:): an id that is not one of ours is the client's mistake (InvalidInput),
    // not a failure of the server; a well-formed id of a missing row is null (the node types are nullable).
    decodeGlobalID: (globalId) => decodeNodeId(globalId),
    // Marks every connection's cursor arguments, so that a forged cursor is refused before execution.
    afterArgOptions: { extensions: { [CONNECTION_CURSOR]: true } },
    beforeArgOptions: { extensions: { [CONNECTION_CURSOR]: true } },
  },
  errors: {
    // Every field with typed errors returns its object itself in the union, beside the error types.
    directResult: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Result` },
    defaultResultOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Success` },
  },
});

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

builder.addScalarType(
  'DateTime',
  new GraphQLScalarType<Date, string>({
    name: 'DateTime',
    description: 'An instant, as an ISO 8601 string in UTC.',
    serialize: (value) => {
      const date = value instanceof Date ? value : new Date(value as string);
      if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
      return date.toISOString();
    },
    parseValue: (value) => parseDate(value),
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO 8601 string');
      return parseDate(ast.value);
    },
  }),
);

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 string');
  return date;
}

builder.addScalarType(
  'JSON',
  new GraphQLScalarType({
    name: 'JSON',
    description: 'Any JSON value.',
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
  }),
);

builder.queryType({});
builder.mutationType({});
