/**
 * Refuses, before it runs, an operation whose fields nest deeper than a limit. Planning a query walks
 * every nested selection at once (plugin-prisma plans nested relations together), so a query nested a
 * few hundred levels would exhaust the stack or the store's own nesting limit instead of being answered.
 * A document nested some thousands of levels (selections or list values) exhausts the stack of
 * graphql-js's own parser or validation first: that is answered as the client's mistake too.
 */
import { GraphQLError, Kind, type SelectionSetNode, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Deeper than any screen asks for, far below what exhausts anything. */
export const MAX_QUERY_DEPTH = 15;

/** Fields count one level each; fragments (inline or spread) count by the fields inside them. */
export function maxDepthRule(limit: number = MAX_QUERY_DEPTH): ValidationRule {
  return (context) => {
    // A fragment's own depth, counted to at most limit + 1: past the limit, how far no longer matters.
    const fragmentDepths = new Map<string, number>();
    const inProgress = new Set<string>();

    const fragmentDepth = (name: string): number => {
      const known = fragmentDepths.get(name);
      if (known !== undefined) return known;
      const fragment = context.getFragment(name);
      // A fragment spread inside itself, or one that does not exist: other rules report those.
      if (!fragment || inProgress.has(name)) return 0;
      inProgress.add(name);
      const depth = measure(fragment.selectionSet, limit);
      inProgress.delete(name);
      fragmentDepths.set(name, depth);
      return depth;
    };

    /** How deep `selectionSet` nests, counted to at most `room + 1`, so the walk never goes past the limit. */
    const measure = (selectionSet: SelectionSetNode, room: number): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (deepest > room) break;
        let depth: number;
        if (selection.kind === Kind.FIELD && selection.name.value.startsWith('__')) {
          // Introspection reads only the schema (GraphiQL's nests type references a dozen levels deep).
          depth = 0;
        } else if (selection.kind === Kind.FIELD) {
          depth = selection.selectionSet && room > 0 ? 1 + measure(selection.selectionSet, room - 1) : 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          depth = measure(selection.selectionSet, room);
        } else {
          depth = fragmentDepth(selection.name.value);
        }
        deepest = Math.max(deepest, depth);
      }
      return Math.min(deepest, room + 1);
    };

    return {
      OperationDefinition(operation) {
        if (measure(operation.selectionSet, limit) <= limit) return;
        context.reportError(
          new GraphQLError(
            `the operation nests fields more than ${limit} levels deep; ask for fewer levels at once ` +
              '(follow a relation with its own query instead)',
            { nodes: [operation], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          ),
        );
      },
    };
  };
}

/** Whether `error` is the stack running out (a RangeError is what V8 throws for it). */
const isStackExhausted = (error: unknown) => error instanceof RangeError;

/** The depth rule, and a clear error instead of a crash for documents too deep to parse or validate. */
export function useDepthLimit(limit: number = MAX_QUERY_DEPTH): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((...args) => {
        try {
          return parseFn(...args);
        } catch (error) {
          if (!isStackExhausted(error)) throw error;
          throw new GraphQLError('the document nests too deep to be read; ask for fewer levels at once', {
            extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          });
        }
      });
    },
    onValidate({ addValidationRule, validateFn, setValidationFn }) {
      addValidationRule(maxDepthRule(limit));
      setValidationFn((...args) => {
        try {
          return validateFn(...args);
        } catch (error) {
          if (!isStackExhausted(error)) throw error;
          return [
            new GraphQLError(`the operation nests fields more than ${limit} levels deep; ask for fewer levels at once`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          ];
        }
      });
    },
  };
}
