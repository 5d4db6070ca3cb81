/** Load generators: closed-loop HTTP clients and raw subscription clients over WebSocket and SSE. */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { readSse } from '../sse-reader.js';

export async function graphqlPost(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * `clients` loops, each sending the next request as soon as the previous answered, for `seconds`.
 * Returns every request's latency in milliseconds.
 */
export async function closedLoop(clients: number, seconds: number, request: (client: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const started = performance.now();
        await request(client);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

export interface Received {
  /** Receive time, epoch ms (fractional). */
  at: number;
  data: any;
}

export interface Subscriber {
  /** Receive time and the event payload of every `next` message. */
  received: Received[];
  /** How the stream ended, unless by `close()`: an `error` or `complete` message, or the connection lost (the first only). */
  ended: { at: number; how: 'error' | 'complete' | 'lost'; payload?: unknown }[];
  /**
   * The first event from `received[from]` on that `match`es, as soon as it arrives; `undefined` after
   * `timeoutMs` or once the stream has ended without one.
   */
  waitFor(match: (entry: Received) => boolean, from: number, timeoutMs: number): Promise<Received | undefined>;
  close(): void;
}

export const nowEpochMs = () => performance.timeOrigin + performance.now();

/** The bookkeeping both kinds of subscriber share: what arrived, how it ended, who waits for what. */
function subscriberState(close: () => void) {
  const waiters = new Set<{ match: (entry: Received) => boolean; from: number; done: (entry: Received | undefined) => void }>();
  let closed = false;
  const subscriber: Subscriber = {
    received: [],
    ended: [],
    waitFor(match, from, timeoutMs) {
      const found = subscriber.received.slice(from).find(match);
      if (found || subscriber.ended.length > 0 || closed) return Promise.resolve(found);
      return new Promise((resolve) => {
        const waiter = {
          match,
          from,
          done: (entry: Received | undefined) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(entry);
          },
        };
        const timer = setTimeout(() => waiter.done(undefined), timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      closed = true;
      for (const waiter of [...waiters]) waiter.done(undefined);
      close();
    },
  };
  return {
    subscriber,
    push(data: any) {
      const entry = { at: nowEpochMs(), data };
      subscriber.received.push(entry);
      for (const waiter of [...waiters]) {
        if (subscriber.received.length - 1 >= waiter.from && waiter.match(entry)) waiter.done(entry);
      }
    },
    end(how: Subscriber['ended'][number]['how'], payload?: unknown) {
      if (closed || subscriber.ended.length > 0) return;
      subscriber.ended.push({ at: nowEpochMs(), how, payload });
      for (const waiter of [...waiters]) waiter.done(undefined);
    },
  };
}

/** A graphql-transport-ws subscriber speaking the protocol directly, to keep the client side light. */
export function webSocketSubscriber(url: string, query: string, variables: Record<string, unknown>): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const state = subscriberState(() => socket.terminate());
    let subscribed = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('error', (error) => (subscribed ? state.end('lost', String(error)) : reject(error)));
    socket.on('close', () => state.end('lost'));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; payload?: any };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
        subscribed = true;
        resolve(state.subscriber);
      } else if (message.type === 'next') {
        state.push(message.payload?.data);
      } else if (message.type === 'error') {
        state.end('error', message.payload);
        reject(new Error(JSON.stringify(message.payload)));
      } else if (message.type === 'complete') {
        state.end('complete');
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
  });
}

/** An SSE subscriber (Yoga's text/event-stream) reading the response as it streams. */
export async function sseSubscriber(url: string, query: string, variables: Record<string, unknown>): Promise<Subscriber> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const state = subscriberState(() => abort.abort());
  readSse(response.body!, (block) => {
    if (block.event === 'next' && block.data) state.push(JSON.parse(block.data).data);
    else if (block.event === 'complete') state.end('complete');
  }).then(
    () => state.end('lost'),
    () => state.end('lost'),
  );
  return state.subscriber;
}

/** Runs `tick` `rate` times a second for `seconds`, on a schedule (late ticks do not bunch up). */
export async function fixedRate(rate: number, seconds: number, tick: (index: number) => Promise<unknown>): Promise<number> {
  const interval = 1000 / rate;
  const start = performance.now();
  const total = Math.round(rate * seconds);
  const pending: Promise<unknown>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = start + index * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(tick(index));
  }
  await Promise.all(pending);
  return total;
}
