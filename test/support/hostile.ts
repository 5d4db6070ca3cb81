/**
 * Raw clients for hostile requests (test/hostile.test.ts): HTTP and SSE through fetch, WebSocket as a
 * bare graphql-transport-ws socket, so that a request may be anything a client could send, not only
 * what a well-behaved GraphQL client would. Each returns an Outcome: what came back, whole, for the
 * table's expectations and for the check that nothing in it leaks the server's internals.
 */
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import WebSocket from 'ws';
import { readSse } from '../../scripts/sse-reader.js';
import { onCleanup } from './dispose.js';

/** What a hostile request got back, over any transport. */
export interface Outcome {
  /** The HTTP status (the refused upgrade's, for a WebSocket that never opened). */
  status?: number;
  headers?: Headers;
  /** The WebSocket's close code and reason, when the server closed it. */
  close?: number;
  closeReason?: string;
  /** Every result (HTTP: the body; SSE: each `next`; WebSocket: each `next`, and each `error` as a result). */
  results: FormattedExecutionResult[];
  /** Every GraphQL error in them. */
  errors: GraphQLFormattedError[];
  /** Everything received as text (bodies, messages, close reasons), searched for leaks. */
  raw: string;
}

/** How long a hostile exchange may take at most: far longer than any answer takes; a cap, never a wait. */
const LIMIT_MS = 15_000;

function outcomeOf(partial: Partial<Outcome> & { results: FormattedExecutionResult[]; raw: string }): Outcome {
  return { ...partial, errors: partial.results.flatMap((result) => result.errors ?? []) };
}

/**
 * One HTTP request; the body read whole (an event stream until it completes). JSON bodies and SSE
 * `next` blocks become results; anything else is kept as raw text only.
 */
export async function httpRequest(url: string, init: RequestInit = {}): Promise<Outcome> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(LIMIT_MS) });
  const type = response.headers.get('content-type') ?? '';
  const results: FormattedExecutionResult[] = [];
  let raw = '';
  if (type.includes('text/event-stream') && response.body) {
    await readSse(response.body, (block) => {
      raw += `event: ${block.event}\ndata: ${block.data}\n\n`;
      if (block.event === 'next') results.push(JSON.parse(block.data) as FormattedExecutionResult);
      return block.event === 'complete';
    });
  } else {
    raw = await response.text();
    if (type.includes('json') && raw) results.push(JSON.parse(raw) as FormattedExecutionResult);
  }
  return outcomeOf({ status: response.status, headers: response.headers, results, raw });
}

export interface Caller {
  url: string;
  /** The API token presented, if any. */
  token?: string;
}

const authorization = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** A GraphQL POST as every client sends it (JSON), as `caller`. */
export function graphqlPost(caller: Caller, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  return httpRequest(caller.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...authorization(caller.token), ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

/** A subscription over SSE (POST, `accept: text/event-stream`), read until the server completes it. */
export function ssePost(caller: Caller, query: string, variables?: Record<string, unknown>) {
  return httpRequest(caller.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authorization(caller.token) },
    body: JSON.stringify({ query, variables }),
  });
}

export type Opened = { opened: true } | { opened: false; status?: number; close?: number; reason?: string };

interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A bare graphql-transport-ws socket: every message it receives, and how it ended. */
export class RawSocket {
  readonly socket: WebSocket;
  readonly messages: Message[] = [];
  raw = '';
  closed: { code: number; reason: string } | undefined;
  /** Resolves once the server acknowledged the connection, or refused the upgrade, or closed the socket. */
  readonly ready: Promise<Opened>;
  readonly #waiters = new Set<() => void>();

  constructor(
    url: string,
    options: { token?: string; origin?: string; connectionParams?: Record<string, unknown>; init?: boolean } = {},
  ) {
    const wsUrl = url.replace(/^http/, 'ws');
    this.socket = new WebSocket(wsUrl, 'graphql-transport-ws', options.origin !== undefined ? { origin: options.origin } : {});
    onCleanup(() => this.socket.terminate());
    this.ready = new Promise((resolve) => {
      // A refused upgrade: its status and body (ws leaves the request to whoever listens for this).
      this.socket.on('unexpected-response', (request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += String(chunk)));
        response.on('end', () => {
          this.raw += body;
          request.destroy();
          resolve({ opened: false, status: response.statusCode });
        });
      });
      this.socket.on('error', () => resolve({ opened: false }));
      this.socket.on('open', () => {
        if (options.init === false) return resolve({ opened: true });
        const params = options.connectionParams ?? (options.token ? { authorization: `Bearer ${options.token}` } : undefined);
        this.socket.send(JSON.stringify({ type: 'connection_init', ...(params && { payload: params }) }));
      });
      this.socket.on('message', (data) => {
        const text = String(data);
        this.raw += `${text}\n`;
        const message = JSON.parse(text) as Message;
        this.messages.push(message);
        if (message.type === 'connection_ack') resolve({ opened: true });
        this.#notify();
      });
      this.socket.on('close', (code, reason) => {
        this.closed = { code, reason: String(reason) };
        this.raw += `close ${code} ${String(reason)}\n`;
        resolve({ opened: false, close: code, reason: String(reason) });
        this.#notify();
      });
    });
  }

  send(message: Message | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  /** The messages of operation `id`. */
  of(id: string): Message[] {
    return this.messages.filter((message) => message.id === id);
  }

  /** Whether operation `id` has finished (an `error` or a `complete`). */
  finished(id: string): boolean {
    return this.of(id).some((message) => message.type === 'error' || message.type === 'complete');
  }

  /** Resolves once `check` holds, or the socket has closed, or (a server that misbehaves) the cap has passed. */
  until(check: () => boolean): Promise<void> {
    if (check() || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = () => {
        if (!check() && !this.closed) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        resolve();
      }, LIMIT_MS);
      this.#waiters.add(waiter);
    });
  }

  /**
   * The socket's exchange as an Outcome: each `next` a result, each `error` a result of its errors (of
   * operation `only`, when given). `raw` is everything the socket received.
   */
  outcome(opened?: Opened, only?: string): Outcome {
    const messages = only === undefined ? this.messages : this.of(only);
    const results = messages.flatMap((message): FormattedExecutionResult[] => {
      if (message.type === 'next') return [message.payload as FormattedExecutionResult];
      if (message.type === 'error') return [{ errors: message.payload as GraphQLFormattedError[] }];
      return [];
    });
    const status = opened && !opened.opened ? opened.status : undefined;
    return outcomeOf({ results, raw: this.raw, status, close: this.closed?.code, closeReason: this.closed?.reason });
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/**
 * Opens a socket as `caller` and runs `operations` on it, one id each ("1", "2"…), until each has
 * finished or the socket has closed.
 */
export async function wsRun(
  caller: Caller,
  operations: { query: string; variables?: Record<string, unknown> }[],
  options: { origin?: string; connectionParams?: Record<string, unknown> } = {},
): Promise<Outcome> {
  const socket = new RawSocket(caller.url, { token: caller.token, ...options });
  const opened = await socket.ready;
  if (!opened.opened) return socket.outcome(opened);
  operations.forEach((operation, index) => socket.subscribe(String(index + 1), operation.query, operation.variables));
  await socket.until(() => operations.every((_operation, index) => socket.finished(String(index + 1))));
  socket.socket.close();
  return socket.outcome(opened);
}

/** Whether `text` gives away the server's internals: an unexpected error, or a stack trace. */
export function leaks(text: string): string | undefined {
  for (const marker of ['INTERNAL_SERVER_ERROR', '    at ', '.ts:', '"stack"']) {
    if (text.includes(marker)) return marker;
  }
  return undefined;
}

// Hostile documents, generated: too wide, too deep, too long or too costly.

const times = (count: number, item: (index: number) => string, separator = ' ') => Array.from({ length: count }, (_, index) => item(index)).join(separator);

/** A session's `attributes` under `count` aliases: with 50 attributes of 200 characters, `count` × 10 kB. */
export const attributeAliases = (count: number) => times(count, (index) => `a${index}: attributes`);

const heavySession = (count = 20) => `session { ${attributeAliases(count)} }`;

/** Every change to a session list, each with a large selection of its session. */
export const HEAVY_CHANGES = `subscription HeavyChanges { sessionsChanged { kind sessionId seq ${heavySession()} } }`;

/** A session's live events, each with a large selection of its session. */
export const HEAVY_EVENTS = `subscription HeavyEvents($id: ID!) { sessionEvents(sessionId: $id) { seq ${heavySession()} } }`;

/** A session's events from the first; refused for a session the caller may not see. */
export const EVENTS = 'subscription Events($id: ID!) { sessionEvents(sessionId: $id, after: 0) { seq } }';

/** `count` aliases of one scalar (3 tokens each). */
export const scalarAliases = (count: number) => `{ agents { ${times(count, (index) => `a${index}: name`)} } }`;

/** `count` aliases of a full page of sessions. */
export const pageAliases = (count: number) => `{ ${times(count, (index) => `a${index}: sessions(first: 100) { edges { node { id } } }`)} }`;

/**
 * `{ sessions { edges { node { … id } } } }`: 3 levels (sessions, edges, node), 4 more for each of
 * `repeats` (messages, edges, node, session), then the leaf; pages of 2, so that only the depth limit
 * refuses it.
 */
export function nestedFields(repeats: number, leaf = 'id'): string {
  let inner = leaf;
  for (let repeat = 0; repeat < repeats; repeat += 1) inner = `messages(first: 2) { edges { node { session { ${inner} } } } }`;
  return `{ sessions(first: 2) { edges { node { ${inner} } } } }`;
}

/** The same depth through a chain of fragments, each spreading the next. */
export function nestedFragments(count: number): string {
  const fragments = times(
    count,
    (index) => `fragment F${index} on Session { messages(first: 2) { edges { node { session { ${index + 1 < count ? `...F${index + 1}` : 'id'} } } } } }`,
  );
  return `{ sessions(first: 2) { edges { node { ...F0 } } } } ${fragments}`;
}

/** A selection `levels` deep (3 tokens a level): refused as it is read, before any validation. */
export const deepSelection = (levels: number) => `{ ${'a { '.repeat(levels)}b${' }'.repeat(levels)} }`;

/** Lists nested `levels` deep in an argument. */
export const deepList = (levels: number) => `{ nodes(ids: ${'['.repeat(levels)}"x"${']'.repeat(levels)}) { id } }`;

/**
 * A request body (`{"query", "variables"}`) whose variable `name` nests `levels` lists (`[]`) or
 * objects (`{}`) deep, written as text: JSON.stringify would run out of stack building it.
 */
export function deepVariable(query: string, name: string, levels: number, kind: '[]' | '{}'): string {
  const [open, close] = kind === '[]' ? ['[', ']'] : ['{"a": ', '}'];
  return `{"query": ${JSON.stringify(query)}, "variables": {"${name}": ${open.repeat(levels)}"x"${close.repeat(levels)}}}`;
}

/** createSession with `$attributes` (a JSON object of strings). */
export const CREATE_WITH_ATTRIBUTES =
  'mutation($attributes: JSON) { createSession(input: { title: "deep", attributes: $attributes }) { __typename ... on InvalidInput { field } } }';

/** A document of `count` tokens (each `__typename` one, and the braces). */
export const manyTokens = (count: number) => `{ ${'__typename '.repeat(count - 2)}}`;

/** `count` directives on `__typename`. */
export const directives = (count: number) => `{ ${'__typename @include(if: true) '.repeat(count)}}`;

/** A page of 100 sessions and, in each, 100 messages with their content: past the cost limit (each content may be 100 kB). */
export const bigPage = (alias: string) =>
  `${alias}: sessions(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title createdAt updatedAt starred running currentAgent attributes availableModels { ref isCurrent } messages(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id role content createdAt } } } } } }`;

/** sessions → messages → session → messages, each page `$first`. */
export const NESTED_PAGES =
  'query NestedPages($first: Int) { sessions(first: $first) { edges { node { messages(first: $first) { edges { node { session { messages(first: $first) { edges { node { id } } } } } } } } } } }';

/** `count` well-formed ids of sessions that do not exist. */
export const unknownIds = (count: number) => Array.from({ length: count }, () => Buffer.from('Session:00000000-0000-4000-8000-000000000000').toString('base64'));
