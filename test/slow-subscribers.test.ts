/**
 * Every subscription is bounded: a client that stops reading is ended with a reason once it has too
 * much unread, and the server goes on. sessionEvents' bound is covered in transport.test.ts; this is
 * sessionsChanged's, which had none of its own (the pubsub's Repeater buffer overflowed after 1,024
 * unread changes, an uncaught exception that ended the process). The subscriber ended resumes from the
 * cursor it is given, without a hole.
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
  cursor: string;
}

/** Each change carries a large selection: 20 copies of the session's attributes (50 × 1,000 characters). */
const HeavySessionsChanged = parse(`
  subscription HeavySessionsChanged {
    sessionsChanged {
      kind
      sessionId
      seq
      cursor
      session { ${Array.from({ length: 20 }, (_, index) => `a${index}: attributes`).join(' ')} }
    }
  }
`) as TypedDocumentNode<{ sessionsChanged: Change }, Record<string, never>>;

const LightSessionsChanged = parse(
  `subscription LightSessionsChanged($after: String) { sessionsChanged(after: $after) { kind sessionId seq cursor } }`,
) as TypedDocumentNode<{ sessionsChanged: Change }, { after?: string }>;

/** Changes the session until the dashboard hears one: it is then surely listening. */
async function untilListening(server: TestServer, sessionId: string, heard: () => number): Promise<void> {
  for (let probes = 0; heard() === 0; probes += 1) {
    if (probes > 1000) throw new Error('the dashboard never opened');
    await switchModel(server, sessionId, probes % 2 ? 'gpt' : 'local');
  }
}

describe('a sessionsChanged subscriber that stops reading', () => {
  it.each(TRANSPORTS)('over %s is ended with a reason and where to resume, and the server goes on', async (transport) => {
    // The defaults, as the server runs in production, but for keep-alive: a paused client answers no ping,
    // and on a busy machine the bound takes longer to reach than two ping intervals.
    const server = await startTestServer('sqlite', { env: { KEEPALIVE_MS: '600000' } });
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
    let newest = 0;
    while (streams.openChangeFeeds !== 0) {
      newest = (await switchModel(server, session.id, changes % 2 ? 'gpt' : 'local')).seq;
      changes += 1;
      if (changes > 3000) throw new Error('the slow subscriber was never ended');
    }

    slow.resume();
    const arrived = await slow.received();
    expect(slow.hasEnded, 'the server ended the slow subscriber').toBe(true);
    // What it did take arrived in order, each once, without errors; the error names the last one as where to resume.
    const delivered = arrived.slice(0, -1);
    expect(delivered.filter((result) => result.errors)).toEqual([]);
    const seqs = delivered.map((result) => result.data!.sessionsChanged.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const resumeAfter = delivered.at(-1)!.data!.sessionsChanged.cursor;
    expect(arrived.at(-1)!.errors).toEqual([
      expect.objectContaining({
        message: `this subscriber fell too far behind and was ended; subscribe again with after: ${JSON.stringify(resumeAfter)} to resume`,
        extensions: { code: 'SUBSCRIBER_TOO_SLOW', resumeAfter },
      }),
    ]);

    // Resumed from there, it gets every change it missed (one event each: the seqs follow on), then live ones.
    const resumed = subscribe(server, transport, LightSessionsChanged, { after: resumeAfter });
    const missed = await resumed.received((results) => results.some((result) => result.data?.sessionsChanged.seq === newest));
    expect(missed.filter((result) => result.errors)).toEqual([]);
    const firstMissed = seqs.at(-1)! + 1;
    expect(missed.map((result) => result.data!.sessionsChanged.seq)).toEqual(
      Array.from({ length: newest - firstMissed + 1 }, (_, index) => firstMissed + index),
    );
    const live = await switchModel(server, session.id, 'local');
    const more = await resumed.received((results) => results.length > missed.length);
    expect(more.slice(missed.length).map((result) => result.data!.sessionsChanged.seq)).toEqual([live.seq]);
    expect(live.seq).toBe(newest + 1);
    await resumed.close();

    // The process is alive and serves other dashboards.
    const next = subscribe(server, transport, LightSessionsChanged, {});
    await untilListening(server, session.id, () => next.results.length);
    const heard = await next.received((results) => results.length >= 1);
    expect(heard[0]).toEqual({ data: { sessionsChanged: expect.objectContaining({ kind: 'UPDATED', sessionId: session.id }) } });
  });
});
