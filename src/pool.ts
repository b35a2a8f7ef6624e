/**
 * Runs `work` over `items`, at most `concurrency` at once, results in input order. With
 * `stopWhen`, an item whose result matches stops new items from starting; those never started
 * get `notStarted(item)`.
 */
export async function runPool<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
  opts: { stopWhen?: (result: R) => boolean; notStarted?: (item: T) => R } = {},
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      if (stopped && opts.notStarted) {
        results[i] = opts.notStarted(items[i]!);
        continue;
      }
      results[i] = await work(items[i]!);
      if (opts.stopWhen?.(results[i]!)) stopped = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/** At most `size` runs of `run` at once, in the order they asked; the others wait. */
export class Slots {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((r) => this.queue.push(r));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
