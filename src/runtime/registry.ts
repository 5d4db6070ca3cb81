/** The runtimes of the sessions that are running in this process, by session id. */
import type { AgentRuntime } from './agent-runtime.js';

export class RuntimeRegistry {
  readonly #runtimes = new Map<string, AgentRuntime>();

  get(sessionId: string): AgentRuntime | undefined {
    return this.#runtimes.get(sessionId);
  }

  isRunning(sessionId: string): boolean {
    return this.#runtimes.has(sessionId);
  }

  attach(runtime: AgentRuntime): void {
    this.#runtimes.set(runtime.sessionId, runtime);
  }

  detach(sessionId: string): boolean {
    return this.#runtimes.delete(sessionId);
  }

  /** Ids of the running sessions. */
  ids(): string[] {
    return [...this.#runtimes.keys()];
  }

  get size(): number {
    return this.#runtimes.size;
  }
}
