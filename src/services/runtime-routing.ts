/**
 * Which instance carries out an operation that needs a session's runtime. Any instance accepts every
 * operation on any session; one that needs the runtime (a model or agent switch, a turn, stopping or
 * deleting a running session) runs where the runtime is: here when this instance holds it or nobody
 * does (the operation then answers as it would, SessionNotRunning…), otherwise on the holder the store
 * names, asked through the forwarder, whose answer, typed errors included, is the caller's answer.
 *
 * The holder can change between the lookup and the request's arrival (stopped, lost, started
 * elsewhere): an instance asked for a session it no longer holds answers RuntimeLostError, and the
 * operation is routed again from a fresh lookup, a few times at most.
 */
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import { RunningElsewhereError, RuntimeLostError, RuntimeUnreachableError } from './errors.js';
import type { RuntimeHolder } from './session-writer.js';

export interface ForwardedRequest {
  operation: string;
  sessionId: string;
  args: unknown;
}

/** Asks another instance to carry out a request, and serves the requests others send here. */
export interface RuntimeForwarder {
  serve(handler: (request: ForwardedRequest) => Promise<unknown>): void;
  call(instanceId: string, request: ForwardedRequest): Promise<unknown>;
}

/** How many times an operation is routed again after finding its session's holder changed. */
const MAX_REROUTES = 3;

export class RuntimeRouting {
  readonly #handlers = new Map<string, (args: { sessionId: string }) => Promise<unknown>>();
  readonly #log: Logger;
  #refusing: (() => Error) | undefined;

  constructor(
    private readonly options: {
      prisma: Store;
      holder: RuntimeHolder;
      /** Absent without Redis: a session held elsewhere then answers RuntimeUnreachable. */
      forwarder?: RuntimeForwarder;
      /** Resolves once the session's changes under way here are done (a stop being committed, say). */
      settledChanges: (sessionId: string) => Promise<void>;
      log: Logger;
    },
  ) {
    this.#log = options.log.child({ component: 'routing' });
    options.forwarder?.serve((request) => this.#serve(request));
  }

  /**
   * Registers `here`, the operation as this instance carries it out on a runtime it holds, and returns
   * the operation as callers use it: routed to the session's holder.
   */
  operation<A extends { sessionId: string }, R>(name: string, here: (args: A) => Promise<R>): (args: A) => Promise<R> {
    this.#handlers.set(name, here as (args: { sessionId: string }) => Promise<unknown>);
    return (args) => this.#route(name, args, here);
  }

  /** From now on, requests forwarded here are refused with `error()` (the server stops). */
  refuseForwarded(error: () => Error): void {
    this.#refusing = error;
  }

  async #route<A extends { sessionId: string }, R>(name: string, args: A, here: (args: A) => Promise<R>): Promise<R> {
    const { holder, forwarder, prisma } = this.options;
    const { sessionId } = args;
    let holderId: string | null = holder.instanceId;
    for (let attempt = 0; ; attempt += 1) {
      const last = attempt === MAX_REROUTES;
      try {
        holderId = holder.instanceId;
        if (holder.holds(sessionId)) return await here(args);
        const session = await prisma.session.findUnique({ where: { id: sessionId }, select: { runtimeInstanceId: true } });
        holderId = session?.runtimeInstanceId ?? null;
        if (holderId === null || holderId === holder.instanceId) return await here(args);
        if (!forwarder) {
          throw new RuntimeUnreachableError(sessionId, holderId, false, 'cannot be asked: instances reach each other through Redis, and REDIS_URL is not set');
        }
        this.#log.debug('operation forwarded to the holder of the session', { operation: name, sessionId, instanceId: holderId });
        return (await forwarder.call(holderId, { operation: name, sessionId, args })) as R;
      } catch (error) {
        // The holder changed under the operation: look it up again.
        const moved = error instanceof RuntimeLostError || error instanceof RunningElsewhereError;
        if (!moved) throw error;
        if (last) {
          const instanceId = error instanceof RunningElsewhereError ? error.instanceId : (holderId ?? holder.instanceId);
          throw new RuntimeUnreachableError(sessionId, instanceId, false, 'kept changing while the operation looked for it');
        }
        this.#log.debug('session holder changed; routing again', { operation: name, sessionId, attempt });
      }
    }
  }

  /** A request another instance sent: carried out only on a runtime this instance holds. */
  async #serve(request: ForwardedRequest): Promise<unknown> {
    const handler = this.#handlers.get(request.operation);
    if (!handler) throw new Error(`no operation "${request.operation}" is routed`);
    if (this.#refusing) throw this.#refusing();
    const args = request.args as { sessionId: string };
    // The session in the request must be the one the operation acts on.
    if (args.sessionId !== request.sessionId) throw new Error('a forwarded request names two sessions');
    if (!this.options.holder.holds(request.sessionId)) {
      // A change under way here (a stop being committed) has let go of the runtime, and the store may
      // name this instance until it commits: answer once it has, so the caller's new lookup is right.
      await this.options.settledChanges(request.sessionId);
      if (!this.options.holder.holds(request.sessionId)) throw new RuntimeLostError(request.sessionId);
    }
    return handler(args);
  }
}
