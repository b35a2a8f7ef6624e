import { UsageError } from '../errors.js';

/** `--shard i/N`: this run is shard i (1-based) of N. */
export interface Shard {
  index: number;
  count: number;
}

export const MAX_SHARDS = 100;

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new UsageError(
      `--shard ${text}: give i/N with 1 ≤ i ≤ N ≤ ${MAX_SHARDS} (e.g. --shard 2/4 for the second of four shards)`,
    );
  }
  return { index, count };
}

/**
 * The names shard i of N deploys: sorted, then dealt out in turn, so every shard of a run sees the
 * same split (whatever order the names came in), shard sizes differ by at most one, and the N
 * shards together hold every name exactly once. Pure.
 */
export function shardOf(names: string[], shard: Shard): string[] {
  return [...new Set(names)].sort().filter((_, i) => i % shard.count === shard.index - 1);
}
