/**
 * What an untrusted client may ask of the server in one request, checked before anything runs
 * (README "Security"): graphql-armor's limits on the document (tokens, depth, aliases, directives), its
 * cost limit on the operation with each connection counted at the page size it will really return, a
 * cap on the ids of `nodes` per request, and `exportSessions`/`deleteSessions` once per operation (so
 * that their caps on ids hold per request, not per alias). Each refusal says which limit and what to
 * do, with a code: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED or BAD_USER_INPUT.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { toGraphQLError } from '../schema/errors.js';
import { InvalidInputError } from '../services/errors.js';
import { LIMITS } from '../services/validation.js';

/** The limits on documents and operations (config.ts, "Limits for untrusted clients"). */
export type OperationLimits = Pick<
  Config,
  'maxTokens' | 'maxQueryDepth' | 'maxAliases' | 'maxDirectives' | 'maxQueryCost' | 'maxNodeIds'
>;

/**
 * A connection's page without `first`/`last`, and its largest page: plugin-prisma's defaults (the
 * builder sets neither), which clamps a larger `first` to the largest page.
 */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/**
 * Fields whose one value may be large, with its cost: 4 per kilobyte it may hold instead of 1, so that
 * many of them at once (pages of message contents, aliases of `attributes`) are refused like many small
 * values, and the budget bounds the answer to some tens of megabytes.
 */
const COST_PER_KILOBYTE = 4;
const HEAVY_FIELDS: Readonly<Record<string, number>> = {
  'Message.content': (COST_PER_KILOBYTE * LIMITS.messageContent) / 1000,
  'Session.attributes': (COST_PER_KILOBYTE * LIMITS.attributes * (LIMITS.attributeKey + LIMITS.attributeValue)) / 1000,
  'ToolCallResultEvent.output': COST_PER_KILOBYTE * 16,
};

/**
 * The cost model (graphql-armor's): a scalar costs 1 and an object 2 plus its fields, times the page
 * size for a connection. No extra factor per level (armor's default is 1.5), so the cost reads as
 * about how many values the answer may hold: `sessions(first: 100)` with 10 fields and, in each,
 * `messages(first: 100)` with 4 fields costs about 160,000.
 */
const COST_MODEL = { objectCost: 2, scalarCost: 1, depthCostFactor: 1, flattenFragments: true, ignoreIntrospection: true };

const validationError = (message: string) => new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

/** armor's rejection as our own error, reported by the rule (armor's own message starts "Syntax Error"). */
const reportAs = (message: string) => ({
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null) => context?.reportError(validationError(message))],
});

/** Whether `error` is the stack running out (a RangeError is what V8 throws for it). */
const isStackExhausted = (error: unknown) => error instanceof RangeError;

/**
 * A clear error instead of a crash for a document nested too deep for graphql-js's own parser or
 * validation to walk (possible only with MAX_TOKENS raised far above its default).
 */
function useStackGuard(maxDepth: number): Plugin {
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
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        try {
          return validateFn(...args);
        } catch (error) {
          if (!isStackExhausted(error)) throw error;
          return [validationError(`the operation nests fields more than ${maxDepth} levels deep; ask for fewer levels at once`)];
        }
      });
    },
  };
}

/** The fields of a selection set, through its inline fragments and fragment spreads (each fragment once). */
function collectFields(
  selectionSet: SelectionSetNode,
  fragments: (name: string) => FragmentDefinitionNode | undefined,
  seen = new Set<string>(),
): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...collectFields(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments(selection.name.value);
      if (fragment) fields.push(...collectFields(fragment.selectionSet, fragments, seen));
    }
  }
  return fields;
}

/** Root fields whose cap on ids would otherwise hold per alias: each may run once per operation. */
const ONCE_PER_OPERATION: Record<string, string> = {
  exportSessions: `its limit of ${LIMITS.exportIds} ids holds per request`,
  deleteSessions: `its limit of ${LIMITS.batchIds} ids holds per request`,
};

function oncePerOperationRule(): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      if (operation.operation !== 'mutation') return;
      const responseKeys = new Map<string, Set<string>>();
      for (const field of collectFields(operation.selectionSet, (name) => context.getFragment(name) ?? undefined)) {
        if (!(field.name.value in ONCE_PER_OPERATION)) continue;
        const keys = responseKeys.get(field.name.value) ?? new Set<string>();
        keys.add(field.alias?.value ?? field.name.value);
        responseKeys.set(field.name.value, keys);
      }
      for (const [name, keys] of responseKeys) {
        if (keys.size < 2) continue;
        context.reportError(
          new GraphQLError(`${name} may appear only once in an operation (${ONCE_PER_OPERATION[name]}); list every id in one call`, {
            nodes: [operation],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        );
      }
    },
  });
}

const argument = (field: FieldNode, name: string): ArgumentNode | undefined => field.arguments?.find((arg) => arg.name.value === name);

/** A connection field (Relay's arguments). */
const isConnection = (field: GraphQLField<unknown, unknown>) =>
  field.args.some((arg) => arg.name === 'first') && field.args.some((arg) => arg.name === 'last');

/** The operation that runs, its variables' values (as given, or their defaults) and its fragments. */
type FoundOperation = NonNullable<ReturnType<typeof operationOf>>;

function operationOf({ document, operationName, variableValues }: ExecutionArgs) {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const defaults = new Map(operation.variableDefinitions?.map((definition) => [definition.variable.name.value, definition.defaultValue]));
  /** A value node's value when it is a variable: given, or else the variable's default (a node). */
  const resolve = (value: ValueNode | undefined): { given: unknown } | { node: ValueNode | undefined } => {
    if (value?.kind !== Kind.VARIABLE) return { node: value };
    const name = value.name.value;
    if (variableValues && name in variableValues) return { given: variableValues[name] };
    return { node: defaults.get(name) };
  };
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  return { operation, resolve, fragments };
}

/** An Int argument's value: a literal, a variable's value or default; undefined when absent or null. */
function intValue(resolved: { given: unknown } | { node: ValueNode | undefined }): number | undefined {
  if ('given' in resolved) return typeof resolved.given === 'number' ? resolved.given : undefined;
  return resolved.node?.kind === Kind.INT ? Number(resolved.node.value) : undefined;
}

/**
 * The operation, alone with its fragments, with every connection's `first` set to the page it will
 * return: armor counts only a literal `first`/`last` (a variable, or none, would count one item).
 */
function withPageSizes(args: ExecutionArgs, { operation, resolve }: FoundOperation): DocumentNode {
  const typeInfo = new TypeInfo(args.schema);
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: args.document.definitions.filter((definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION),
  };
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(field) {
        const definition = typeInfo.getFieldDef();
        const weight = HEAVY_FIELDS[`${typeInfo.getParentType()?.name}.${field.name.value}`];
        // armor gives every scalar the same cost: a heavy one is rewritten (for the measure only) as a
        // list of `weight / 3` objects of one field, which armor counts at about `weight`.
        if (weight) return { ...field, arguments: [pageArgument(Math.ceil(weight / 3))], selectionSet: TYPENAME_ONLY };
        if (!definition || !isConnection(definition)) return undefined;
        const requested =
          intValue(resolve(argument(field, 'first')?.value)) ?? intValue(resolve(argument(field, 'last')?.value));
        const size = Math.max(0, Math.min(requested ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE));
        return { ...field, arguments: [pageArgument(size)] };
      },
    }),
  );
}

const pageArgument = (size: number): ArgumentNode => ({
  kind: Kind.ARGUMENT,
  name: { kind: Kind.NAME, value: 'first' },
  value: { kind: Kind.INT, value: String(size) },
});

const TYPENAME_ONLY: SelectionSetNode = {
  kind: Kind.SELECTION_SET,
  selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }],
};

/** How many ids the operation's `nodes` fields ask for, over all their aliases. */
function nodeIdsAsked(found: FoundOperation): number {
  if (found.operation.operation !== 'query') return 0;
  let total = 0;
  for (const field of collectFields(found.operation.selectionSet, (name) => found.fragments.get(name))) {
    if (field.name.value !== 'nodes') continue;
    const ids = found.resolve(argument(field, 'ids')?.value);
    if ('given' in ids) total += Array.isArray(ids.given) ? ids.given.length : ids.given == null ? 0 : 1;
    else if (ids.node) total += ids.node.kind === Kind.LIST ? ids.node.values.length : 1;
  }
  return total;
}

/** The first limit the operation about to run goes past, with its variables' values known. */
function overBudget(args: ExecutionArgs, limits: OperationLimits): GraphQLError | undefined {
  const found = operationOf(args);
  if (!found) return undefined;
  const ids = nodeIdsAsked(found);
  if (ids > limits.maxNodeIds) {
    return toGraphQLError(
      new InvalidInputError('ids', `nodes takes at most ${limits.maxNodeIds} ids per request (over all its aliases); got ${ids}: ask for the rest in another request`),
    );
  }
  // armor measures; the comparison is ours, so that the refusal can say how far over the limit it is.
  let cost = 0;
  const measure = costLimitRule({
    ...COST_MODEL,
    maxCost: Number.POSITIVE_INFINITY,
    onAccept: [(_context, details: { n: number }) => (cost = details.n)],
  });
  validate(args.schema, withPageSizes(args, found), [measure]);
  if (cost <= limits.maxQueryCost) return undefined;
  return validationError(
    `the operation may cost ${Math.ceil(cost)}, more than the ${limits.maxQueryCost} allowed: ask for fewer items at once ` +
      '(a smaller first/last, fewer fields or aliases), or page through them',
  );
}

/** Checks what runs with its variables' values: the ids of `nodes` and the operation's cost. */
function useOperationBudget(limits: OperationLimits): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = overBudget(args, limits);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = overBudget(args, limits);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}

/**
 * The limits, as Yoga plugins, in the order they must run: the token limit replaces the parser, and
 * the stack guard wraps whichever parser is in place.
 */
export function operationLimitPlugins(limits: OperationLimits): Plugin[] {
  return [
    maxTokensPlugin({
      n: limits.maxTokens,
      onReject: [
        () => {
          throw new GraphQLError(`the document is longer than ${limits.maxTokens} tokens; send a shorter one (split it into several operations)`, {
            extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          });
        },
      ],
    }),
    useStackGuard(limits.maxQueryDepth),
    maxDepthPlugin({
      n: limits.maxQueryDepth,
      // Fields count one level each; fragments (inline or spread) count by the fields inside them.
      flattenFragments: true,
      ...reportAs(
        `the operation nests fields more than ${limits.maxQueryDepth} levels deep; ask for fewer levels at once ` +
          '(follow a relation with its own query instead)',
      ),
    }),
    maxAliasesPlugin({
      n: limits.maxAliases,
      ...reportAs(`the operation uses more than ${limits.maxAliases} aliases; ask for fewer fields under other names at once`),
    }),
    maxDirectivesPlugin({
      n: limits.maxDirectives,
      ...reportAs(`the operation uses more than ${limits.maxDirectives} directives; use fewer`),
    }),
    { onValidate: ({ addValidationRule }) => addValidationRule(oncePerOperationRule()) },
    useOperationBudget(limits),
  ];
}

/**
 * Whether a browser page at `origin` may use the API: no Origin (not a browser, or a same-origin GET),
 * the server's own origin (its Host), or one of the allowed origins. `null` (a sandboxed page, a file)
 * never is.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && host !== undefined && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}
