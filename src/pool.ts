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
