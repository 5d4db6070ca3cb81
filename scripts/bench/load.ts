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

export interface Subscriber {
  /** Receive time (epoch ms, fractional) and the event payload of every `next` message. */
  received: { at: number; data: any }[];
  close(): void;
}

const nowEpochMs = () => performance.timeOrigin + performance.now();

/** A graphql-transport-ws subscriber speaking the protocol directly, to keep the client side light. */
export function webSocketSubscriber(url: string, query: string, variables: Record<string, unknown>): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const received: Subscriber['received'] = [];
    const subscriber = { received, close: () => socket.terminate() };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('error', reject);
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; payload?: any };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
        resolve(subscriber);
      } else if (message.type === 'next') {
        received.push({ at: nowEpochMs(), data: message.payload?.data });
      } else if (message.type === 'error') {
        reject(new Error(JSON.stringify(message.payload)));
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
  const received: Subscriber['received'] = [];
  readSse(response.body!, (block) => {
    if (block.event === 'next' && block.data) received.push({ at: nowEpochMs(), data: JSON.parse(block.data).data });
  }).catch(() => {
    // aborted
  });
  return { received, close: () => abort.abort() };
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
