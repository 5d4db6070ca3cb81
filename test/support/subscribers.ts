/**
 * Real subscription clients against a real server: graphql-ws over a WebSocket, and Server-Sent Events
 * read off a fetch response. Both collect what arrives; tests wait on conditions, never on time.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readSse } from '../../scripts/sse-reader.js';
import { onCleanup } from './dispose.js';
import type { TestServer } from './server.js';

export type Transport = 'websocket' | 'sse';
export const TRANSPORTS: Transport[] = ['websocket', 'sse'];

/** How long `received` waits at most: far longer than any delivery takes, well inside vitest's test timeout. */
const RECEIVED_LIMIT_MS = 15_000;

export interface Subscriber<T> {
  /** Every `next` payload so far. */
  results: FormattedExecutionResult<T>[];
  /** Resolves when the server completes the subscription (or it fails). */
  ended: Promise<void>;
  /** Resolves once `check` holds for the results so far. */
  until(check: (results: FormattedExecutionResult<T>[]) => boolean, what?: string): Promise<void>;
  /**
   * A bounded wait that never rejects: resolves with a copy of the results once `enough` holds for them,
   * or the subscription has ended, or (a server that misbehaves) `limitMs` has passed, whichever is first.
   * Without `enough` it waits for the end. Assert on what it returns: a broken server then fails the
   * test's `expect` with what did arrive, not with a timeout.
   */
  received(enough?: (results: FormattedExecutionResult<T>[]) => boolean, limitMs?: number): Promise<FormattedExecutionResult<T>[]>;
  /** Whether the subscription has ended (completed by the server, failed, or closed). */
  readonly hasEnded: boolean;
  /** SSE keep-alive comments seen (always empty over WebSocket). */
  comments: string[];
  /** Stops reading without closing (a slow consumer); `resume` reads again. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

class Collector<T> {
  readonly results: FormattedExecutionResult<T>[] = [];
  readonly #waiters: { check: (results: FormattedExecutionResult<T>[]) => boolean; resolve: () => void; reject: (error: Error) => void }[] = [];
  #finished: Error | undefined;
  #endedResolve!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.#endedResolve = resolve));

  push(result: FormattedExecutionResult<T>): void {
    this.results.push(result);
    for (const waiter of [...this.#waiters]) {
      if (waiter.check(this.results)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  end(error?: unknown): void {
    if (error) this.push({ errors: [{ message: String((error as Error)?.message ?? JSON.stringify(error)) }] } as FormattedExecutionResult<T>);
    this.#finished = new Error(`the subscription ended; received: ${JSON.stringify(this.results).slice(0, 2000)}`);
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.check(this.results)) waiter.resolve();
      else waiter.reject(this.#finished);
    }
    this.#endedResolve();
  }

  until(check: (results: FormattedExecutionResult<T>[]) => boolean, what = 'the expected events'): Promise<void> {
    if (check(this.results)) return Promise.resolve();
    if (this.#finished) return Promise.reject(new Error(`waiting for ${what}: ${this.#finished.message}`));
    return new Promise((resolve, reject) => this.#waiters.push({ check, resolve, reject }));
  }

  get hasEnded(): boolean {
    return this.#finished !== undefined;
  }

  received(
    enough: (results: FormattedExecutionResult<T>[]) => boolean = () => false,
    limitMs = RECEIVED_LIMIT_MS,
  ): Promise<FormattedExecutionResult<T>[]> {
    const snapshot = () => [...this.results];
    if (this.#finished || enough(this.results)) return Promise.resolve(snapshot());
    return new Promise((resolve) => {
      const settle = () => {
        clearTimeout(timer);
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        resolve(snapshot());
      };
      // Resolved when `enough` holds, rejected when the stream ends first: either way, hand back what came.
      const waiter = { check: enough, resolve: settle, reject: settle };
      this.#waiters.push(waiter);
      // Only a cap for a server that misbehaves (never reached when it works): the caller's expect then fails.
      const timer = setTimeout(settle, limitMs);
    });
  }
}

export function subscribe<T, V>(
  server: TestServer,
  transport: Transport,
  document: TypedDocumentNode<T, V>,
  variables: V,
  options: {
    webSocket?: WebSocket.ClientOptions;
    /** WebSocket only: called with the client's socket once it is made (e.g. to answer pings by hand). */
    onSocket?: (socket: WebSocket) => void;
  } = {},
): Subscriber<T> {
  return transport === 'websocket'
    ? subscribeOverWebSocket(server, document, variables, options.webSocket, options.onSocket)
    : subscribeOverSse(server, document, variables);
}

function subscribeOverWebSocket<T, V>(
  server: TestServer,
  document: TypedDocumentNode<T, V>,
  variables: V,
  socketOptions: WebSocket.ClientOptions = {},
  onSocket?: (socket: WebSocket) => void,
): Subscriber<T> {
  const collector = new Collector<T>();
  let socket: WebSocket | undefined;
  class TrackedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, socketOptions);
      socket = this;
      onSocket?.(this);
    }
  }
  const client = createClient({
    url: server.url.replace(/^http/, 'ws'),
    webSocketImpl: TrackedWebSocket,
    ...(server.token && { connectionParams: { authorization: `Bearer ${server.token}` } }),
    retryAttempts: 0,
    lazy: true,
  });
  const unsubscribe = client.subscribe<T>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (result) => collector.push(result as FormattedExecutionResult<T>),
      error: (error) => collector.end(error),
      complete: () => collector.end(),
    },
  );
  const close = async () => {
    unsubscribe();
    await client.dispose();
  };
  onCleanup(close);
  return {
    results: collector.results,
    ended: collector.ended,
    comments: [],
    until: (check, what) => collector.until(check, what),
    received: (enough, limitMs) => collector.received(enough, limitMs),
    get hasEnded() {
      return collector.hasEnded;
    },
    // Stops reading the TCP socket: the server's send buffer fills, as with a client that cannot keep up.
    pause: () => (socket as unknown as { _socket: import('node:net').Socket })._socket.pause(),
    resume: () => (socket as unknown as { _socket: import('node:net').Socket })._socket.resume(),
    close,
  };
}

function subscribeOverSse<T, V>(server: TestServer, document: TypedDocumentNode<T, V>, variables: V): Subscriber<T> {
  const collector = new Collector<T>();
  const abort = new AbortController();
  let paused: { promise: Promise<void>; resolve: () => void } | undefined;
  const read = async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(server.token && { authorization: `Bearer ${server.token}` }),
      },
      body: JSON.stringify({ query: print(document), variables }),
      signal: abort.signal,
    });

    await readSse(
      response.body!,
      (block) => {
        if (block.comment) sseComments.push(block.data);
        if (block.event === 'next') collector.push(JSON.parse(block.data) as FormattedExecutionResult<T>);
        return block.event === 'complete';
      },
      () => paused?.promise,
    );
    collector.end();
  };
  const sseComments: string[] = [];
  read().catch((error: unknown) => collector.end(abort.signal.aborted ? undefined : error));
  const close = async () => {
    abort.abort();
    await collector.ended;
  };
  onCleanup(close);
  return {
    results: collector.results,
    ended: collector.ended,
    comments: sseComments,
    until: (check, what) => collector.until(check, what),
    received: (enough, limitMs) => collector.received(enough, limitMs),
    get hasEnded() {
      return collector.hasEnded;
    },
    pause: () => {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      paused = { promise, resolve };
    },
    resume: () => {
      const current = paused;
      paused = undefined;
      current?.resolve();
    },
    close,
  };
}
