/** The executable schema: every domain file registers its types with the builder on import. */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './errors.js';
import './event.js';
import './instance.js';
import './message.js';
import './model.js';
import './session.js';
import './session-mutations.js';
import './session-queries.js';
import './team.js';
import './turn.js';

let schema: GraphQLSchema | undefined;

export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema();
  return schema;
}

/** The SDL committed as schema.graphql: sorted, so that it diffs well. */
export function printSortedSchema(): string {
  return printSchema(lexicographicSortSchema(buildSchema())) + '\n';
}
