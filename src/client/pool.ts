/** Which waiting task a freed slot of a {@link ConcurrencyPool} goes to first. */
export type TaskPriority = "normal" | "background";

/**
 * A counting semaphore that bounds how many requests run at once across a whole run. A freed
 * slot goes to the longest-waiting `normal` task, and to a `background` task only when no
 * `normal` one waits: bulk lookups queued as background never hold up the requests that the
 * next step of a run depends on.
 *
 * @example
 * ```ts
 * const pool = new ConcurrencyPool(8);
 * const page = await pool.run(() => fetch("http://127.0.0.1:8000/api/status"));
 * ```
 */
export class ConcurrencyPool {
  #active = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #background: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`Concurrency must be a whole number of at least 1, got ${limit}`);
    }
  }

  /** Runs `task` once a slot is free and frees the slot when it settles. */
  async run<T>(task: () => Promise<T>, priority: TaskPriority = "normal"): Promise<T> {
    await this.#acquire(priority);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(priority: TaskPriority): Promise<void> {
    if (this.#active < this.limit) {
      this.#active++;
      return Promise.resolve();
    }
    const queue = priority === "background" ? this.#background : this.#waiting;
    return new Promise((resolve) => queue.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift() ?? this.#background.shift();
    if (next) next();
    else this.#active--;
  }
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order.
 * The first rejection rejects the whole map once the calls in flight have settled.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
