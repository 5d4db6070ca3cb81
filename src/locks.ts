/**
 * First-in-first-out locks: holders are served in the order they asked, so a steady stream of new work
 * can never starve work that has been waiting longer.
 */

/** One lock; `acquire` resolves with the function that releases it. */
export class FifoLock {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  /** Whether the lock is held or anyone waits for it. */
  get busy(): boolean {
    return this.#held || this.#waiting.length > 0;
  }

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => resolve(this.#releaseOnce());
      if (this.#held) {
        this.#waiting.push(grant);
      } else {
        this.#held = true;
        grant();
      }
    });
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** A release that only counts once, so a holder that releases twice cannot free somebody else's hold. */
  #releaseOnce(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Handing the lock straight to the next waiter keeps it held, so no newcomer can slip in between.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#held = false;
    };
  }
}

/**
 * One FIFO lock per key: work on one key runs one at a time, work on different keys never waits. A
 * key's lock is dropped as soon as nothing holds or waits for it, so the map only holds busy keys.
 */
export class KeyedLock {
  readonly #locks = new Map<string, FifoLock>();

  /** Whether work on `key` is running or queued. */
  isHeld(key: string): boolean {
    return this.#locks.has(key);
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(key);
    if (!lock) {
      lock = new FifoLock();
      this.#locks.set(key, lock);
    }
    const release = await lock.acquire();
    try {
      return await work();
    } finally {
      release();
      if (!lock.busy) this.#locks.delete(key);
    }
  }
}
