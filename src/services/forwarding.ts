/**
 * Forwarding: an instance that receives an operation needing a session's runtime held by another
 * instance asks that instance, over Redis pub/sub, to carry it out, and waits for its typed answer.
 *
 * Each instance listens on its own request channel and its own reply channel. A request names its
 * caller (whose reply channel gets the answer), carries a random id (to match the answer) and the time
 * its caller still waits. The caller never waits on Redis itself: while Redis cannot take the request at
 * once, or nobody listens on the holder's channel, it says so at once (`delivered: false`, nothing was
 * changed); once the request reached the holder, only an answer or the timeout ends the wait
 * (`delivered: true`, the change may have been made).
 *
 * Answers are JSON. A DomainError comes back as an instance of its own class, so the caller's schema
 * maps it exactly as it maps its own; any other failure is logged on the holder and reaches the caller
 * masked, with the incident id that finds the holder's log line.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { InvalidModelRefError } from '../runtime/model-ref.js';
import * as errors from './errors.js';
import { DomainError, isDomainError, RuntimeUnreachableError } from './errors.js';

export interface ForwardedRequest {
  operation: string;
  sessionId: string;
  args: unknown;
}

export interface ForwarderOptions {
  redisUrl: string;
  instanceId: string;
  log: Logger;
  /** How long `call` waits for an answer; the holder skips a request it could not start within it. */
  timeoutMs: number;
  /**
   * Requests this instance handles at once; more wait for a slot, in arrival order. A request holds its
   * slot until its handler settles or its caller gives up, so handlers that hang cannot stop the others.
   */
  maxConcurrentHandlers?: number;
}

export interface ServeContext {
  /** Aborted once the caller has given up waiting (whatever the handler does after that, nobody hears it). */
  signal: AbortSignal;
}

export type ForwardedRequestHandler = (request: ForwardedRequest, context: ServeContext) => Promise<unknown>;

const DEFAULT_MAX_CONCURRENT_HANDLERS = 64;
/** How long closing waits for Redis to acknowledge UNSUBSCRIBE or QUIT before dropping the connection. */
const REDIS_ACK_MS = 1000;

/** Where an instance hears the requests addressed to it. */
export const requestChannel = (instanceId: string) => `asg:rpc:${instanceId}`;
/** Where an instance hears the answers to its own requests. */
export const replyChannel = (instanceId: string) => `asg:rpc-reply:${instanceId}`;

/** What travels on a request channel. */
interface RequestMessage {
  id: string;
  /** The caller's instance id: its reply channel gets the answer. */
  from: string;
  /** How long the caller still waits, counted from when the holder receives it (clocks differ between hosts). */
  remainingMs: number;
  operation: string;
  sessionId: string;
  args?: unknown;
}

/** A DomainError as it travels: enough to rebuild it as its own class on the other side. */
interface SentDomainError {
  className: string;
  code: string;
  message: string;
  /** Its own enumerable properties: the constructor's arguments kept as fields, `code` and `name`. */
  fields: Record<string, unknown>;
}

/** What travels on a reply channel. */
type ReplyMessage =
  | { id: string; outcome: 'value'; value?: unknown }
  | { id: string; outcome: 'domainError'; error: SentDomainError }
  | { id: string; outcome: 'internalError'; incidentId: string };

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * Every DomainError class an answer may be rebuilt as, by class name: each one errors.ts exports (read
 * from the module itself, so a new one needs no entry here) and the model-ref validator's.
 */
const REBUILDABLE_ERRORS: ReadonlyMap<string, DomainErrorClass> = new Map(
  ([...Object.values(errors), InvalidModelRefError] as unknown[])
    .filter((value): value is DomainErrorClass => typeof value === 'function' && value.prototype instanceof DomainError)
    .map((errorClass) => [errorClass.name, errorClass]),
);

/** A call waiting for its answer. */
interface PendingCall {
  target: string;
  request: ForwardedRequest;
  startedAt: number;
  /** Where `call` was made from: a rebuilt error's stack points there, not at the Redis message handler. */
  callSite: string;
  timer: NodeJS.Timeout;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** A request this instance received, from its arrival until its handler settles or its caller gives up. */
interface ReceivedRequest {
  message: RequestMessage;
  /** When its caller gives up, as this instance reckons it (performance.now() time). */
  deadline: number;
  /** Aborted at that deadline. */
  giveUp: AbortController;
  deadlineTimer: NodeJS.Timeout;
  state: 'queued' | 'running' | 'finished';
  /** Resolves once it no longer needs this instance's Redis connections: answered, or nobody waits any more. */
  released: Promise<void>;
  release: () => void;
}

export class Forwarder {
  readonly #instanceId: string;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #maxConcurrentHandlers: number;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #pending = new Map<string, PendingCall>();
  /** Channels whose SUBSCRIBE Redis confirmed on the subscribe connection as it is now. */
  readonly #listening = new Set<string>();
  /** Counts the subscribe connection's closes, so a confirmation from an older connection is not believed. */
  #subscriberEpoch = 0;
  readonly #readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #handler: ForwardedRequestHandler | undefined;
  readonly #queued: ReceivedRequest[] = [];
  readonly #running = new Set<ReceivedRequest>();
  /** Set as `close` is called: from then on nothing new is sent, taken or started. */
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: ForwarderOptions) {
    this.#instanceId = options.instanceId;
    this.#log = options.log.child({ component: 'forwarding' });
    this.#timeoutMs = options.timeoutMs;
    this.#maxConcurrentHandlers = options.maxConcurrentHandlers ?? DEFAULT_MAX_CONCURRENT_HANDLERS;
    this.#publisher = this.#connect(options.redisUrl, 'publish');
    this.#subscriber = this.#connect(options.redisUrl, 'subscribe');
    this.#publisher.on('ready', () => this.#stateChanged());
    // Subscriptions are made again on each new connection, here rather than by ioredis, to know when
    // Redis confirmed them: until then an answer published to us would be lost.
    this.#subscriber.on('ready', () => {
      this.#subscribe(replyChannel(this.#instanceId));
      if (this.#handler) this.#subscribe(requestChannel(this.#instanceId));
    });
    this.#subscriber.on('close', () => {
      this.#subscriberEpoch += 1;
      this.#listening.clear();
    });
    this.#subscriber.on('message', (channel: string, text: string) => {
      if (channel === replyChannel(this.#instanceId)) this.#onReply(text);
      else if (channel === requestChannel(this.#instanceId)) this.#onRequest(text);
    });
  }

  /** Handles requests addressed to this instance; `handler` returns a JSON-able value or throws. */
  serve(handler: ForwardedRequestHandler): void {
    if (this.#handler) throw new Error('serve is called once per Forwarder: one handler answers every request');
    if (this.#closed) throw new Error('the forwarder is closed');
    this.#handler = handler;
    if (this.#subscriber.status === 'ready') this.#subscribe(requestChannel(this.#instanceId));
  }

  /**
   * Sends a request to instance `instanceId` and resolves with its handler's value, or rejects with the
   * handler's DomainError rebuilt as the same class, with RuntimeUnreachableError, or with a masked Error
   * when the handler failed unexpectedly.
   */
  call(instanceId: string, request: ForwardedRequest): Promise<unknown> {
    const startedAt = performance.now();
    const cannotSend = this.#cannotSend();
    if (cannotSend) {
      return Promise.reject(this.#unreachable(instanceId, request, startedAt, false, `cannot be reached: ${cannotSend}`));
    }
    const callSite: { stack?: string } = {};
    Error.captureStackTrace(callSite, this.call);
    return new Promise((resolve, reject) => {
      const id = randomUUID();
      const message: RequestMessage = {
        id,
        from: this.#instanceId,
        // Nothing has elapsed yet: the whole timeout remains.
        remainingMs: this.#timeoutMs,
        operation: request.operation,
        sessionId: request.sessionId,
        args: request.args,
      };
      // Throws (and so rejects) on arguments that are not JSON: the caller's mistake, reported as it is.
      const text = JSON.stringify(message);
      const timer = setTimeout(
        () => this.#settle(id, this.#unreachable(instanceId, request, startedAt, true, `did not answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      this.#pending.set(id, { target: instanceId, request, startedAt, callSite: callSite.stack ?? '', timer, resolve, reject });
      this.#publisher.publish(requestChannel(instanceId), text).then(
        (receivers) => {
          if (receivers === 0) {
            this.#settle(id, this.#unreachable(instanceId, request, startedAt, false, 'does not listen (it may have stopped)'));
          } else if (receivers > 1) {
            this.#log.warn('several processes listen as one instance: each received the request', { target: instanceId, receivers });
          }
        },
        // With no offline queue and no resending, a rejected PUBLISH normally never left this process;
        // "normally" is not enough to promise that nothing was changed.
        (error: Error) =>
          this.#settle(
            id,
            this.#unreachable(instanceId, request, startedAt, true, `may have been sent the request before Redis failed (${error.message})`),
          ),
      );
    });
  }

  /** For readiness: resolves when both connections are ready, rejects saying which is not. */
  async check(): Promise<void> {
    const problem = this.#notReady();
    if (problem) throw new Error(problem);
    await this.#publisher.ping();
  }

  /** Resolves once both connections are ready and this instance listens (for answers, and for requests once serving). */
  waitUntilReady(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the forwarder is closed'));
    if (this.#notReady() === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  /**
   * Stops taking requests (callers then hear at once that this instance does not listen), lets the
   * handlers already running answer while their callers still wait, and closes both connections. Calls
   * still waiting for an answer reject (delivered: true).
   */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closed = true;
      this.#closing = this.#shutDown();
    }
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    for (const received of this.#queued.splice(0)) {
      this.#log.warn('forwarded request dropped: this instance shut down before it could start', describe(received.message));
      this.#finish(received);
    }
    for (const waiter of this.#readyWaiters.splice(0)) waiter.reject(new Error('the forwarder is closed'));
    for (const [id, pending] of [...this.#pending]) {
      this.#settle(
        id,
        this.#unreachable(pending.target, pending.request, pending.startedAt, true, 'had not answered when this instance shut down'),
      );
    }
    if (this.#handler && this.#subscriber.status === 'ready') {
      await withinAck(this.#subscriber.unsubscribe(requestChannel(this.#instanceId)));
    }
    if (this.#running.size > 0) this.#log.info('forwarded requests no longer taken; waiting for the running ones', { running: this.#running.size });
    await Promise.all([...this.#running].map((received) => received.released));
    await Promise.all([quit(this.#publisher), quit(this.#subscriber)]);
  }

  #connect(url: string, role: 'publish' | 'subscribe'): Redis {
    const client = new Redis(url, {
      maxRetriesPerRequest: null,
      // A command that cannot be written now fails now: a forwarded request must not leave after its
      // caller gave up, nor be sent twice, so nothing waits for a reconnection and nothing is resent.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
    });
    client.on('error', (error: Error) => this.#log.warn('redis connection error', { role, error: error.message }));
    client.on('ready', () => this.#log.info('redis connected', { role }));
    return client;
  }

  #subscribe(channel: string): void {
    const epoch = this.#subscriberEpoch;
    this.#subscriber.subscribe(channel).then(
      () => {
        if (epoch !== this.#subscriberEpoch || this.#closed) return;
        this.#listening.add(channel);
        this.#stateChanged();
      },
      (error: Error) => this.#log.warn('redis subscribe failed', { channel, error: error.message }),
    );
  }

  #stateChanged(): void {
    if (this.#notReady() !== undefined) return;
    for (const waiter of this.#readyWaiters.splice(0)) waiter.resolve();
  }

  /** Why this instance cannot both send a request and hear its answer now, or undefined when it can. */
  #cannotSend(): string | undefined {
    if (this.#closed) return 'this instance is shutting down';
    if (this.#publisher.status !== 'ready') return 'Redis is unreachable';
    if (this.#subscriber.status !== 'ready' || !this.#listening.has(replyChannel(this.#instanceId))) {
      return 'Redis is unreachable (this instance does not listen for answers yet)';
    }
    return undefined;
  }

  #notReady(): string | undefined {
    if (this.#closed) return 'the forwarder is closed';
    for (const [role, client] of [
      ['publish', this.#publisher],
      ['subscribe', this.#subscriber],
    ] as const) {
      if (client.status !== 'ready') return `the forwarding ${role} connection is ${client.status}`;
    }
    if (!this.#listening.has(replyChannel(this.#instanceId))) return 'the forwarding subscribe connection does not listen for answers yet';
    if (this.#handler && !this.#listening.has(requestChannel(this.#instanceId))) {
      return 'the forwarding subscribe connection does not listen for requests yet';
    }
    return undefined;
  }

  #unreachable(target: string, request: ForwardedRequest, startedAt: number, delivered: boolean, reason: string): RuntimeUnreachableError {
    this.#log.warn('forwarded call failed', { ...describeCall(target, request, startedAt), delivered, reason });
    return new RuntimeUnreachableError(request.sessionId, target, delivered, reason);
  }

  /** Ends a pending call once; whatever comes for it later (a late answer, PUBLISH's count) is dropped. */
  #settle(id: string, outcome: { value: unknown } | Error): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome.value);
  }

  #onReply(text: string): void {
    const reply = parseReply(text);
    if (typeof reply === 'string') {
      this.#log.warn('forwarding answer dropped: not valid', { problem: reply });
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) {
      // Its call has given up (timed out, or this instance is closing): nobody waits for it.
      this.#log.debug('forwarding answer dropped: its call has given up', { requestId: reply.id });
      return;
    }
    this.#log.debug('forwarded call answered', { ...describeCall(pending.target, pending.request, pending.startedAt), outcome: reply.outcome });
    if (reply.outcome === 'value') {
      this.#settle(reply.id, { value: reply.value });
      return;
    }
    if (reply.outcome === 'domainError') {
      const rebuilt = rebuildDomainError(reply.error, pending.target, pending.callSite);
      if (rebuilt) {
        this.#settle(reply.id, rebuilt);
        return;
      }
      // The holder runs a version that has an error class this one lacks: unexpected here, so masked.
      const incidentId = randomUUID();
      this.#log.error('forwarded error of an unknown class', { incidentId, target: pending.target, ...reply.error });
      this.#settle(reply.id, maskedFailure(incidentId, pending.target, pending.callSite));
      return;
    }
    this.#settle(reply.id, maskedFailure(reply.incidentId, pending.target, pending.callSite));
  }

  #onRequest(text: string): void {
    if (!this.#handler) return;
    const message = parseRequest(text);
    if (typeof message === 'string') {
      this.#log.warn('forwarded request dropped: not valid', { problem: message });
      return;
    }
    if (this.#closed) {
      // Sent before Redis took our UNSUBSCRIBE: its caller waits out its timeout (delivered: true, rightly).
      this.#log.warn('forwarded request dropped: this instance is shutting down', describe(message));
      return;
    }
    if (message.remainingMs <= 0) {
      this.#log.warn('forwarded request skipped: its caller has given up', describe(message));
      return;
    }
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const received: ReceivedRequest = {
      message,
      deadline: performance.now() + message.remainingMs,
      giveUp: new AbortController(),
      deadlineTimer: setTimeout(() => this.#callerGaveUp(received), message.remainingMs),
      state: 'queued',
      released,
      release,
    };
    this.#queued.push(received);
    this.#startQueued();
  }

  #startQueued(): void {
    while (!this.#closed && this.#running.size < this.#maxConcurrentHandlers && this.#queued.length > 0) {
      const next = this.#queued[0]!;
      // Its deadline timer may not have fired yet, late as timers can be.
      if (performance.now() >= next.deadline) this.#callerGaveUp(next);
      else this.#run(this.#queued.shift()!);
    }
  }

  #callerGaveUp(received: ReceivedRequest): void {
    received.giveUp.abort(new Error('the caller has given up waiting'));
    if (received.state === 'queued') {
      this.#queued.splice(this.#queued.indexOf(received), 1);
      this.#log.warn('forwarded request skipped: its caller has given up', describe(received.message));
      this.#finish(received);
    } else if (received.state === 'running') {
      // It keeps running, but no longer holds a slot: its answer has nobody to go to.
      this.#running.delete(received);
      received.release();
      this.#startQueued();
    }
  }

  #run(received: ReceivedRequest): void {
    const handler = this.#handler!;
    const { message } = received;
    received.state = 'running';
    this.#running.add(received);
    const startedAt = performance.now();
    const request: ForwardedRequest = { operation: message.operation, sessionId: message.sessionId, args: message.args };
    new Promise((resolve) => resolve(handler(request, { signal: received.giveUp.signal })))
      .then(
        (value) => this.#answer(message, { id: message.id, outcome: 'value', value }),
        (error: unknown) => this.#answer(message, this.#failureReply(message, error)),
      )
      .catch((error: unknown) => this.#log.error('forwarded request could not be answered', { ...describe(message), error: String(error) }))
      .finally(() => {
        this.#log.debug('forwarded request handled', { ...describe(message), ms: Math.round(performance.now() - startedAt) });
        const heldSlot = this.#running.delete(received);
        this.#finish(received);
        if (heldSlot) this.#startQueued();
      });
  }

  #finish(received: ReceivedRequest): void {
    received.state = 'finished';
    clearTimeout(received.deadlineTimer);
    received.release();
  }

  #failureReply(message: RequestMessage, error: unknown): ReplyMessage {
    if (isDomainError(error)) {
      const sent = describeDomainError(error);
      if (sent) return { id: message.id, outcome: 'domainError', error: sent };
    }
    return { id: message.id, outcome: 'internalError', incidentId: this.#logIncident(message, error) };
  }

  #logIncident(message: RequestMessage, error: unknown): string {
    const incidentId = randomUUID();
    this.#log.error('forwarded request failed unexpectedly', {
      ...describe(message),
      incidentId,
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
      ...(isDomainError(error) ? { problem: `${error.constructor.name} is not a DomainError forwarding can rebuild: export it from errors.ts` } : {}),
    });
    return incidentId;
  }

  /** Sends the answer; the caller drops it if it has given up meanwhile. */
  async #answer(message: RequestMessage, reply: ReplyMessage): Promise<void> {
    let text: string;
    try {
      text = JSON.stringify(reply);
    } catch (error) {
      text = JSON.stringify({ id: message.id, outcome: 'internalError', incidentId: this.#logIncident(message, error) });
    }
    if (this.#publisher.status !== 'ready') {
      this.#log.warn('forwarded request answered, but the answer is lost: the publish connection is down', {
        ...describe(message),
        connection: this.#publisher.status,
      });
      return;
    }
    try {
      const receivers = await this.#publisher.publish(replyChannel(message.from), text);
      if (receivers === 0) this.#log.debug('forwarded request answered, but its caller no longer listens', describe(message));
    } catch (error) {
      this.#log.warn('forwarded request answered, but the answer could not be sent', { ...describe(message), error: (error as Error).message });
    }
  }
}

function describe(message: RequestMessage) {
  return { operation: message.operation, sessionId: message.sessionId, from: message.from, requestId: message.id };
}

function describeCall(target: string, request: ForwardedRequest, startedAt: number) {
  return { operation: request.operation, sessionId: request.sessionId, target, ms: Math.round(performance.now() - startedAt) };
}

/** Undefined for a DomainError whose class the other side could not find in REBUILDABLE_ERRORS. */
function describeDomainError(error: DomainError): SentDomainError | undefined {
  const errorClass = error.constructor as DomainErrorClass;
  if (REBUILDABLE_ERRORS.get(errorClass.name) !== errorClass) return undefined;
  const fields = Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'message' && key !== 'stack'));
  return { className: errorClass.name, code: error.code, message: error.message, fields };
}

/**
 * The error as its own class, without running its constructor (which would build its message again,
 * from arguments this side does not have): its prototype, its fields, and its message as the holder made it.
 */
function rebuildDomainError(sent: SentDomainError, target: string, callSite: string): DomainError | undefined {
  const errorClass = REBUILDABLE_ERRORS.get(sent.className);
  if (!errorClass) return undefined;
  const error = Object.create(errorClass.prototype) as DomainError;
  // Defined rather than assigned: a field named "__proto__" in the JSON must stay a field.
  const define = (key: string, value: unknown, enumerable: boolean) =>
    Object.defineProperty(error, key, { value, enumerable, writable: true, configurable: true });
  for (const [key, value] of Object.entries(sent.fields)) define(key, value, true);
  if (!Object.hasOwn(error, 'code')) define('code', sent.code, true);
  if (!Object.hasOwn(error, 'name')) define('name', sent.className, true);
  define('message', sent.message, false);
  define('stack', stackFrom(error, target, callSite), false);
  return error;
}

function maskedFailure(incidentId: string, target: string, callSite: string): Error {
  const error = new Error(`the instance holding the session failed: internal error (incident ${incidentId})`);
  error.stack = stackFrom(error, target, callSite);
  return error;
}

/** The error's heading, where it was raised, then the frames of the `call` that forwarded it. */
function stackFrom(error: Error, target: string, callSite: string): string {
  const frames = callSite.slice(callSite.indexOf('\n') + 1);
  return `${error.name}: ${error.message}\n    at <instance ${target}, forwarded>\n${frames}`;
}

function parseJsonObject(text: string): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  return parsed as Record<string, unknown>;
}

/** The request, or what is wrong with it. `args` may be missing: JSON drops an undefined one. */
function parseRequest(text: string): RequestMessage | string {
  const parsed = parseJsonObject(text);
  if (typeof parsed === 'string') return parsed;
  for (const key of ['id', 'from', 'operation', 'sessionId'] as const) {
    if (typeof parsed[key] !== 'string') return `"${key}" is not a string`;
  }
  if (typeof parsed.remainingMs !== 'number' || Number.isNaN(parsed.remainingMs)) return '"remainingMs" is not a number';
  return parsed as unknown as RequestMessage;
}

function parseReply(text: string): ReplyMessage | string {
  const parsed = parseJsonObject(text);
  if (typeof parsed === 'string') return parsed;
  if (typeof parsed.id !== 'string') return '"id" is not a string';
  switch (parsed.outcome) {
    case 'value':
      return parsed as ReplyMessage;
    case 'internalError':
      return typeof parsed.incidentId === 'string' ? (parsed as ReplyMessage) : '"incidentId" is not a string';
    case 'domainError': {
      const error = parsed.error as Partial<SentDomainError> | null | undefined;
      if (typeof error !== 'object' || error === null) return '"error" is not an object';
      for (const key of ['className', 'code', 'message'] as const) {
        if (typeof error[key] !== 'string') return `"error.${key}" is not a string`;
      }
      if (typeof error.fields !== 'object' || error.fields === null || Array.isArray(error.fields)) return '"error.fields" is not an object';
      return parsed as ReplyMessage;
    }
    default:
      return '"outcome" is not one of value, domainError, internalError';
  }
}

/** Waits for Redis to acknowledge a command while closing, but not past REDIS_ACK_MS. */
async function withinAck(command: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([command.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, REDIS_ACK_MS)))]);
  clearTimeout(timer);
}

async function quit(client: Redis): Promise<void> {
  // QUIT on a connection that is not ready would fail at once (no offline queue) and leave it reconnecting.
  if (client.status === 'ready') await withinAck(client.quit());
  client.disconnect();
}
