/**
 * Forwarding between instances over a real Redis: several Forwarders in this process, each with an
 * instance id of its own, so tests (and files running at the same time) never hear each other.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../src/log.js';
import * as errors from '../src/services/errors.js';
import { DomainError, RuntimeUnreachableError } from '../src/services/errors.js';
import { Forwarder, replyChannel, requestChannel, type ForwardedRequest, type ForwarderOptions } from '../src/services/forwarding.js';
import { onCleanup } from './support/dispose.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Longer than any test may run: a call that settles at all did not wait for it. */
const FOREVER_MS = 10 * 60_000;

const silent = createLogger({ level: 'silent', format: 'json' });

type LogRecord = Record<string, unknown> & { level: string; message: string };

/** A logger that keeps its records, and tells a test when one it waits for comes. */
function recordingLog(): { log: Logger; records: LogRecord[]; next(matches: (record: LogRecord) => boolean): Promise<LogRecord> } {
  const records: LogRecord[] = [];
  const waiters: { matches: (record: LogRecord) => boolean; resolve: (record: LogRecord) => void }[] = [];
  const log = createLogger({
    level: 'debug',
    format: 'json',
    write: (line) => {
      const record = JSON.parse(line) as LogRecord;
      records.push(record);
      for (const waiter of [...waiters]) {
        if (!waiter.matches(record)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(record);
      }
    },
  });
  return {
    log,
    records,
    next: (matches) => {
      const seen = records.find(matches);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ matches, resolve }));
    },
  };
}

interface TestInstance {
  id: string;
  forwarder: Forwarder;
}

function instance(options: Partial<ForwarderOptions> = {}): TestInstance {
  const id = options.instanceId ?? `test-${randomUUID()}`;
  const forwarder = new Forwarder({ redisUrl: REDIS_URL, log: silent, timeoutMs: FOREVER_MS, ...options, instanceId: id });
  onCleanup(() => forwarder.close());
  return { id, forwarder };
}

async function ready(...instances: TestInstance[]): Promise<void> {
  await Promise.all(instances.map(({ forwarder }) => forwarder.waitUntilReady()));
}

function request(operation: string, args: unknown = null): ForwardedRequest {
  return { operation, sessionId: `session-${operation}`, args };
}

/** A promise the test resolves when it wants. */
function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * One or more instances of each DomainError class errors.ts exports, made the way the services make
 * them. A class exported without an entry here fails the round-trip test: add one.
 */
const EXAMPLES: Record<string, () => DomainError[]> = {
  SessionNotFoundError: () => [new errors.SessionNotFoundError('s-1')],
  SessionNotRunningError: () => [new errors.SessionNotRunningError('s-1')],
  ModelSwitchingNotSupportedError: () => [new errors.ModelSwitchingNotSupportedError('s-1', 'fixed-team')],
  TeamNotFoundError: () => [new errors.TeamNotFoundError('nope', ['demo', 'coding']), new errors.TeamNotFoundError('nope', [])],
  InvalidInputError: () => [new errors.InvalidInputError('title', 'the title is longer than 200 characters')],
  PersistenceFailedError: () => [
    new errors.PersistenceFailedError('switchModel', true, randomUUID()),
    new errors.PersistenceFailedError('deleteSession', false, randomUUID(), 'the store timed out on'),
  ],
  CommitOutcomeUnknownError: () => [new errors.CommitOutcomeUnknownError('startSession', 's-1', randomUUID())],
  SessionBusyError: () => [new errors.SessionBusyError('s-1')],
  AgentNotFoundError: () => [new errors.AgentNotFoundError('ghost', ['root', 'helper'])],
  MessageNotFoundError: () => [new errors.MessageNotFoundError('m-1')],
  SubscriberTooSlowError: () => [new errors.SubscriberTooSlowError(42)],
  TurnNotRunningError: () => [new errors.TurnNotRunningError('s-1')],
  TurnNotAwaitingError: () => [new errors.TurnNotAwaitingError('s-1', 'a decision')],
  SessionListTooSlowError: () => [new errors.SessionListTooSlowError('change-41')],
  ServerShuttingDownError: () => [new errors.ServerShuttingDownError(), new errors.ServerShuttingDownError(7)],
  TokenRevokedError: () => [new errors.TokenRevokedError()],
  RuntimeLostError: () => [new errors.RuntimeLostError('s-1')],
  RunningElsewhereError: () => [new errors.RunningElsewhereError('s-1', 'instance-b')],
  RuntimeUnreachableError: () => [new errors.RuntimeUnreachableError('s-1', 'instance-c', true, 'did not answer within 5000 ms')],
  AdminOnlyError: () => [new errors.AdminOnlyError('instances')],
  InvalidModelRefError: () => [new errors.InvalidModelRefError('nope/', '"nope/" names no model after "/"')],
};

/** Every DomainError class errors.ts exports, read from the module so a new one cannot be missed. */
const EXPORTED_DOMAIN_ERRORS = (Object.entries(errors) as [string, unknown][]).filter(
  (entry): entry is [string, DomainErrorClass] =>
    typeof entry[1] === 'function' && (entry[1] as { prototype?: unknown }).prototype instanceof DomainError,
);

describe('forwarding between instances', () => {
  it('answers each call with its own value, many at once, answered in another order', async () => {
    const holder = instance();
    const caller = instance();
    const calls = 50;
    const arrived: { request: ForwardedRequest; answer: (value: unknown) => void }[] = [];
    const allArrived = gate();
    // Should the test fail half way, the holder's handlers still end, and the holder closes.
    onCleanup(() => arrived.forEach(({ answer }) => answer(null)));
    holder.forwarder.serve((forwarded) => {
      const answer = gate<unknown>();
      arrived.push({ request: forwarded, answer: answer.open });
      if (arrived.length === calls) allArrived.open();
      return answer.promise;
    });
    await ready(holder, caller);
    await expect(holder.forwarder.check()).resolves.toBeUndefined();

    const sent = Array.from({ length: calls }, (_, index) =>
      request(`op-${index}`, { index, nested: { list: [index, 'ü', null, true] }, text: `call ${index}` }),
    );
    const answers = sent.map((each) => caller.forwarder.call(holder.id, each));
    await allArrived.promise;
    // Every call waits until all have arrived, then they are answered in an order unlike the sending one.
    const order = arrived.map((_, index) => (index * 37) % calls);
    for (const index of order) {
      const { request: received, answer } = arrived[index]!;
      answer({ echoed: received.args, operation: received.operation, sessionId: received.sessionId });
    }
    const values = await Promise.all(answers);
    values.forEach((value, index) => {
      expect(value).toEqual({ echoed: sent[index]!.args, operation: sent[index]!.operation, sessionId: sent[index]!.sessionId });
    });
  });

  it('rebuilds every DomainError class errors.ts exports as that class, with its code, message and extensions', async () => {
    expect(EXPORTED_DOMAIN_ERRORS.length).toBeGreaterThan(10);
    const unhandled = EXPORTED_DOMAIN_ERRORS.map(([name]) => name).filter((name) => !(name in EXAMPLES));
    expect(unhandled, 'exported DomainError classes with no example in EXAMPLES').toEqual([]);

    const holder = instance();
    const caller = instance();
    const thrown = new Map<string, DomainError>();
    holder.forwarder.serve(async ({ operation }) => {
      throw thrown.get(operation);
    });
    await ready(holder, caller);

    for (const [name, errorClass] of EXPORTED_DOMAIN_ERRORS) {
      for (const [index, original] of EXAMPLES[name]!().entries()) {
        // The example must be of the class itself, not of one it extends (RuntimeLostError of SessionNotRunningError).
        expect(Object.getPrototypeOf(original), `EXAMPLES.${name} makes another class`).toBe(errorClass.prototype);
        const operation = `${name}-${index}`;
        thrown.set(operation, original);
        const received = await rejection(caller.forwarder.call(holder.id, request(operation)));
        expect(received).toBeInstanceOf(errorClass);
        expect(Object.getPrototypeOf(received)).toBe(errorClass.prototype);
        const rebuilt = received as DomainError;
        expect(rebuilt.code).toBe(original.code);
        expect(rebuilt.name).toBe(original.name);
        expect(rebuilt.message).toBe(original.message);
        expect(rebuilt.extensions()).toEqual(original.extensions());
        expect({ ...rebuilt }).toEqual({ ...original });
        expect(String(rebuilt)).toBe(String(original));
        // The stack leads to the forwarded call in this file, not into the Redis client.
        expect(rebuilt.stack).toContain(`${original.name}: ${original.message}`);
        expect(rebuilt.stack).toContain('forwarding.test.ts');
      }
    }
  });

  it('masks an unexpected failure of the holder, with an incident id that finds its log line', async () => {
    const holderLog = recordingLog();
    const holder = instance({ log: holderLog.log });
    const caller = instance();
    holder.forwarder.serve(async ({ operation }) => {
      if (operation === 'throws') throw new Error('connection string postgres://admin:hunter2@db is wrong');
      if (operation === 'throws-a-string') throw 'hunter2';
      return { tooBig: 10n }; // not JSON
    });
    await ready(holder, caller);

    for (const operation of ['throws', 'throws-a-string', 'answers-no-json']) {
      const received = await rejection(caller.forwarder.call(holder.id, request(operation)));
      expect(received).toBeInstanceOf(Error);
      expect(received).not.toBeInstanceOf(DomainError);
      const message = (received as Error).message;
      expect(message).not.toContain('hunter2');
      const incidentId = /^the instance holding the session failed: internal error \(incident ([0-9a-f-]{36})\)$/.exec(message)?.[1];
      expect(incidentId, message).toBeDefined();
      const logged = holderLog.records.find((record) => record.incidentId === incidentId);
      expect(logged).toMatchObject({ level: 'error', operation, sessionId: `session-${operation}` });
    }
    expect(holderLog.records.find((record) => record.operation === 'throws')?.error).toContain('hunter2');
  });

  it('tells at once that nothing was delivered when no instance listens under the target id', async () => {
    const caller = instance();
    await ready(caller);
    const target = `test-gone-${randomUUID()}`;
    // With a ten-minute timeout, only the answer "nobody listens" settles this within the test's time.
    const received = await rejection(caller.forwarder.call(target, request('switchModel')));
    expect(received).toBeInstanceOf(RuntimeUnreachableError);
    const unreachable = received as RuntimeUnreachableError;
    expect(unreachable).toMatchObject({ delivered: false, instanceId: target, sessionId: 'session-switchModel' });
    expect(unreachable.message).toContain('does not listen');
    expect(unreachable.extensions()).toEqual({ instanceId: target, delivered: false, retryable: true });
  });

  it('tells that the request was delivered when the holder listens but does not answer in time', async () => {
    const holder = instance();
    const caller = instance({ timeoutMs: 200 });
    holder.forwarder.serve(() => new Promise(() => {}));
    await ready(holder, caller);
    const received = await rejection(caller.forwarder.call(holder.id, request('startSession')));
    expect(received).toBeInstanceOf(RuntimeUnreachableError);
    expect(received).toMatchObject({ delivered: true, instanceId: holder.id });
    expect((received as Error).message).toContain('did not answer within 200 ms');
  });

  it('drops an answer that comes after its call gave up, and goes on answering', async () => {
    const holder = instance();
    const callerLog = recordingLog();
    const caller = instance({ timeoutMs: 200, log: callerLog.log });
    const slow = gate();
    onCleanup(() => slow.open());
    holder.forwarder.serve(async ({ operation }) => {
      if (operation === 'slow') await slow.promise;
      return operation;
    });
    await ready(holder, caller);
    const timedOut = await rejection(caller.forwarder.call(holder.id, request('slow')));
    expect(timedOut).toMatchObject({ delivered: true });
    slow.open();
    await callerLog.next((record) => record.message === 'forwarding answer dropped: its call has given up');
    await expect(caller.forwarder.call(holder.id, request('next'))).resolves.toBe('next');
  });

  it('tells at once that nothing was delivered while Redis is unreachable', async () => {
    const port = await freePort();
    const { forwarder } = instance({ redisUrl: `redis://127.0.0.1:${port}` });
    // With a ten-minute timeout, only the answer "Redis is unreachable" settles this within the test's time.
    const received = await rejection(forwarder.call(`test-${randomUUID()}`, request('sendMessage')));
    expect(received).toBeInstanceOf(RuntimeUnreachableError);
    expect(received).toMatchObject({ delivered: false });
    expect((received as Error).message).toContain('cannot be reached: Redis is unreachable');
    await expect(forwarder.check()).rejects.toThrow(/the forwarding publish connection is \w+/);
  });

  it('does not run a request whose caller gave up while it waited for a handler slot', { timeout: 15_000 }, async () => {
    const holderLog = recordingLog();
    const holder = instance({ log: holderLog.log, maxConcurrentHandlers: 1 });
    const patient = instance();
    const hasty = instance({ timeoutMs: 200 });
    const started: string[] = [];
    const blocker = gate();
    const blocking = gate();
    onCleanup(() => blocker.open());
    holder.forwarder.serve(async ({ operation }) => {
      started.push(operation);
      if (operation === 'blocks') {
        blocking.open();
        await blocker.promise;
      }
      return operation;
    });
    await ready(holder, patient, hasty);

    // The only slot is taken until the test lets go.
    const first = patient.forwarder.call(holder.id, request('blocks'));
    await blocking.promise;
    // This one arrives, waits for the slot, and its caller gives up meanwhile.
    const gaveUp = await rejection(hasty.forwarder.call(holder.id, request('late')));
    expect(gaveUp).toMatchObject({ delivered: true });
    // The holder reckons the deadline from when it received the request: wait until it has passed there too.
    await holderLog.next((record) => record.message === 'forwarded request skipped: its caller has given up' && record.operation === 'late');
    blocker.open();
    await expect(first).resolves.toBe('blocks');
    // Requests start in arrival order: once this one ran, "late" would have run before it.
    await expect(patient.forwarder.call(holder.id, request('after'))).resolves.toBe('after');
    expect(started).toEqual(['blocks', 'after']);
  });

  it('logs and drops messages that are not requests or answers, and goes on', async () => {
    const holderLog = recordingLog();
    const callerLog = recordingLog();
    const holder = instance({ log: holderLog.log });
    const caller = instance({ log: callerLog.log });
    holder.forwarder.serve(async ({ operation }) => operation);
    await ready(holder, caller);
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    onCleanup(() => redis.disconnect());

    await redis.publish(requestChannel(holder.id), 'not json');
    await redis.publish(requestChannel(holder.id), JSON.stringify({ id: 'x', from: caller.id, operation: 'op' }));
    await redis.publish(replyChannel(caller.id), JSON.stringify({ id: 'x', outcome: 'maybe' }));
    const droppedRequests = () => holderLog.records.filter((record) => record.message === 'forwarded request dropped: not valid');
    await holderLog.next(() => droppedRequests().length === 2);
    expect(droppedRequests().map((record) => record.problem)).toEqual([expect.stringContaining('not JSON'), '"sessionId" is not a string']);
    await expect(callerLog.next((record) => record.message === 'forwarding answer dropped: not valid')).resolves.toMatchObject({
      level: 'warn',
      problem: expect.stringContaining('outcome'),
    });
    await expect(caller.forwarder.call(holder.id, request('still-works'))).resolves.toBe('still-works');
  });

  it('on close, stops listening, lets running handlers answer; calls still waiting reject as delivered', async () => {
    const holderLog = recordingLog();
    const holder = instance({ log: holderLog.log });
    const caller = instance();
    const started = gate();
    const release = gate();
    onCleanup(() => release.open());
    holder.forwarder.serve(async ({ operation }) => {
      started.open();
      await release.promise;
      return operation;
    });
    await ready(holder, caller);
    const answered = caller.forwarder.call(holder.id, request('work'));
    await started.promise;
    const holderClosed = holder.forwarder.close();
    await holderLog.next((record) => record.message === 'forwarded requests no longer taken; waiting for the running ones');
    const afterClose = await rejection(caller.forwarder.call(holder.id, request('too-late')));
    expect(afterClose).toMatchObject({ delivered: false, message: expect.stringContaining('does not listen') });
    // Redis no longer hands it requests, but the one it runs still gets its answer out.
    release.open();
    await expect(answered).resolves.toBe('work');
    await holderClosed;

    const other = instance();
    const otherStarted = gate();
    const otherRelease = gate();
    onCleanup(() => otherRelease.open());
    other.forwarder.serve(async () => {
      otherStarted.open();
      await otherRelease.promise;
    });
    await ready(other);
    const waiting = caller.forwarder.call(other.id, request('waits'));
    await otherStarted.promise;
    // Watched before closing: the call rejects while close() runs.
    const abandonedCall = rejection(waiting);
    await caller.forwarder.close();
    const abandoned = await abandonedCall;
    expect(abandoned).toBeInstanceOf(RuntimeUnreachableError);
    expect(abandoned).toMatchObject({ delivered: true, message: expect.stringContaining('had not answered when this instance shut down') });
    await expect(caller.forwarder.check()).rejects.toThrow('closed');
  });

  it('serves with one handler per instance', () => {
    const { forwarder } = instance();
    forwarder.serve(async () => null);
    expect(() => forwarder.serve(async () => null)).toThrow(/once/);
  });
});
