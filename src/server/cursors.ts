/**
 * Connection cursors are opaque: a client passes back one a connection handed out, unchanged. A forged
 * one is refused before execution, as InvalidInput for its argument, because plugin-prisma decodes it
 * while it plans the query (for a connection nested in a session, while it plans the session's) and
 * either throws or hands the store a value of the wrong type.
 */
import { Kind, TypeInfo, visit, visitWithTypeInfo, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { toGraphQLError } from '../schema/errors.js';
import { CONNECTION_CURSOR, isConnectionCursor } from '../schema/ids.js';
import { InvalidInputError } from '../services/errors.js';

/** The first cursor argument in the operation (or its fragments) that no connection could have given. */
function forgedCursor({ schema, document, variableValues }: ExecutionArgs): GraphQLError | undefined {
  const typeInfo = new TypeInfo(schema);
  let forged: GraphQLError | undefined;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(argument) {
        if (forged || !typeInfo.getArgument()?.extensions[CONNECTION_CURSOR]) return;
        const value =
          argument.value.kind === Kind.VARIABLE
            ? variableValues?.[argument.value.name.value]
            : argument.value.kind === Kind.STRING
              ? argument.value.value
              : undefined;
        // Anything but a string is the wrong type, which execution reports in its own words.
        if (typeof value !== 'string' || isConnectionCursor(value)) return;
        const name = argument.name.value;
        forged = toGraphQLError(
          new InvalidInputError(
            name,
            `"${value.slice(0, 100)}" is not a cursor of this connection; pass \`${name}\` an edge's cursor ` +
              'or a pageInfo cursor as it was given',
          ),
          { nodes: [argument] },
        );
      },
    }),
  );
  return forged;
}

export function useConnectionCursorCheck(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const forged = forgedCursor(args);
      if (forged) setResultAndStopExecution({ errors: [forged] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const forged = forgedCursor(args);
      if (forged) setResultAndStopExecution({ errors: [forged] });
    },
  };
}
