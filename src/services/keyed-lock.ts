/**
 * One FIFO lock per key: work on one session runs one at a time, work on different sessions never
 * waits. Idle keys are dropped, so the map holds only sessions with work queued.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Whether work on `key` is running or queued. */
  isHeld(key: string): boolean {
    return this.#tails.has(key);
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
