/**
 * Every subscription is bounded: a client that stops reading is ended with a reason once it has too
 * much unread, and the server goes on. sessionEvents' bound is covered in transport.test.ts; this is
 * sessionsChanged's, which had none of its own (the pubsub's Repeater buffer overflowed after 1,024
 * unread changes, an uncaught exception that ended the process).
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, switchModel } from './support/sessions.js';
import { subscribe, TRANSPORTS } from './support/subscribers.js';

interface Change {
  kind: string;
  sessionId: string;
  seq: number;
}

/** Each change carries a large selection: 20 copies of the session's attributes (50 × 1,000 characters). */
const HeavySessionsChanged = parse(`
  subscription HeavySessionsChanged {
    sessionsChanged {
      kind
      sessionId
      seq
      session { ${Array.from({ length: 20 }, (_, index) => `a${index}: attributes`).join(' ')} }
    }
  }
`) as TypedDocumentNode<{ sessionsChanged: Change }, Record<string, never>>;

const LightSessionsChanged = parse(`subscription LightSessionsChanged { sessionsChanged { kind sessionId seq } }`) as TypedDocumentNode<
  { sessionsChanged: Change },
  Record<string, never>
>;

/** Changes the session until the dashboard hears one: it is then surely listening. */
async function untilListening(server: TestServer, sessionId: string, heard: () => number): Promise<void> {
  for (let probes = 0; heard() === 0; probes += 1) {
    if (probes > 1000) throw new Error('the dashboard never opened');
    await switchModel(server, sessionId, probes % 2 ? 'gpt' : 'local');
  }
}

describe('a sessionsChanged subscriber that stops reading', () => {
  it.each(TRANSPORTS)('over %s is ended with a reason, and the server goes on', async (transport) => {
    // The defaults, as the server runs in production.
    const server = await startTestServer('sqlite');
    const attributes = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`key${index}`, `${index}`.padEnd(1000, 'x')]));
    const session = await createSession(server, { attributes });

    const slow = subscribe(server, transport, HeavySessionsChanged, {});
    await untilListening(server, session.id, () => slow.results.length);
    const listening = await slow.received((results) => results.length >= 1);
    expect(listening[0]?.errors).toBeUndefined();
    slow.pause();

    // Keep changing the session until the server gives up on the subscriber (bounded, never a sleep).
    // Before the bound, about 1,030 changes in, the process died of an uncaught RepeaterOverflowError.
    const streams = server.app.services.streams;
    let changes = 0;
    while (streams.openChangeFeeds !== 0) {
      await switchModel(server, session.id, changes % 2 ? 'gpt' : 'local');
      changes += 1;
      if (changes > 3000) throw new Error('the slow subscriber was never ended');
    }

    slow.resume();
    const arrived = await slow.received();
    expect(slow.hasEnded, 'the server ended the slow subscriber').toBe(true);
    const last = arrived.at(-1)!;
    expect(last.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/fell too far behind.*refetch the list and subscribe again/),
        extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
      }),
    ]);
    // What it did take arrived in order, each once, without errors.
    const delivered = arrived.slice(0, -1);
    expect(delivered.filter((result) => result.errors)).toEqual([]);
    const seqs = delivered.map((result) => result.data!.sessionsChanged.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    // The process is alive and serves other dashboards.
    const next = subscribe(server, transport, LightSessionsChanged, {});
    await untilListening(server, session.id, () => next.results.length);
    const heard = await next.received((results) => results.length >= 1);
    expect(heard[0]).toEqual({ data: { sessionsChanged: expect.objectContaining({ kind: 'UPDATED', sessionId: session.id }) } });
  });
});
