/** The runtimes of the sessions that are running in this process, by session id. */
import type { AgentRuntime } from './agent-runtime.js';
import type { RuntimeChange } from './runtime-change.js';

/**
 * Why a turn is aborted: a person cancelled it, the server is stopping under it, or this instance lost
 * its hold on the session (the store no longer names it as the runtime's holder: nothing more of the
 * turn can be recorded here).
 */
export type CancelCause = 'cancelled' | 'server-stopping' | 'holder-lost';

export class RuntimeRegistry {
  readonly #runtimes = new Map<string, AgentRuntime>();

  get(sessionId: string): AgentRuntime | undefined {
    return this.#runtimes.get(sessionId);
  }

  isRunning(sessionId: string): boolean {
    return this.#runtimes.has(sessionId);
  }

  /** Ids of the running sessions. */
  ids(): string[] {
    return [...this.#runtimes.keys()];
  }

  get size(): number {
    return this.#runtimes.size;
  }

  /**
   * Cancels the session's running turn, if any, and resolves once its end is recorded. The cause is
   * the abort's reason: the turn ends CANCELLED, or INTERRUPTED when the server is stopping.
   */
  async cancelTurn(sessionId: string, cause: CancelCause = 'cancelled'): Promise<void> {
    const turn = this.#runtimes.get(sessionId)?.turn;
    if (!turn) return;
    turn.controller.abort(cause);
    await turn.done;
  }

  /** Attaches `runtime`; nothing to change when its session already has one. */
  attachment(runtime: AgentRuntime): RuntimeChange {
    let attached = false;
    return {
      apply: () => {
        if (this.#runtimes.has(runtime.sessionId)) return [];
        this.#runtimes.set(runtime.sessionId, runtime);
        attached = true;
        return [{ kind: 'started', agentName: runtime.currentAgent }];
      },
      undo: () => {
        if (attached && this.#runtimes.get(runtime.sessionId) === runtime) this.#runtimes.delete(runtime.sessionId);
      },
    };
  }

  /**
   * Detaches the session's runtime, if it has one. `record: false` for a session being deleted: its
   * log goes with it, so there is no stop to record.
   */
  detachment(sessionId: string, { record, reason = 'STOPPED' }: { record: boolean; reason?: 'STOPPED' | 'SERVER_STOPPED' }): RuntimeChange {
    let detached: AgentRuntime | undefined;
    return {
      apply: () => {
        detached = this.#runtimes.get(sessionId);
        if (!detached) return [];
        this.#runtimes.delete(sessionId);
        return record ? [{ kind: 'stopped', agentName: detached.currentAgent, reason }] : [];
      },
      undo: () => {
        if (detached && !this.#runtimes.has(sessionId)) this.#runtimes.set(sessionId, detached);
      },
    };
  }

  /**
   * Drops the session's runtime here without recording anything: the store says this instance no longer
   * holds it. Its turn is aborted (what it would record is refused: the runtime is no longer attached).
   * Returns the runtime, for its toolsets to be closed.
   */
  forget(sessionId: string): AgentRuntime | undefined {
    const runtime = this.#runtimes.get(sessionId);
    if (!runtime) return undefined;
    this.#runtimes.delete(sessionId);
    runtime.turn?.controller.abort('holder-lost' satisfies CancelCause);
    return runtime;
  }

  /**
   * `change` applied to `runtime` only while it is still the session's runtime: a session stopped (or
   * restarted) while the change waited for the session's lock answers SessionNotRunning.
   */
  whileAttached(runtime: AgentRuntime, change: RuntimeChange, notRunning: () => Error): RuntimeChange {
    return {
      apply: () => {
        if (this.#runtimes.get(runtime.sessionId) !== runtime) throw notRunning();
        return change.apply();
      },
      undo: () => change.undo(),
    };
  }
}
