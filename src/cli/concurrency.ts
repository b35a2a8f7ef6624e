import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';

/**
 * Functions a deploy works on at once by default: a deploy mostly waits (on Lambda's request
 * budget, on updates to finish, on S3), so this is not the number of cores; dependency builds,
 * which are CPU-bound, run at most one per core whatever this is.
 */
export const DEPLOY_CONCURRENCY = 32;

export function parseConcurrency(v: string | undefined, fallback = availableParallelism()): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency ${v}: give a whole number of at least 1`);
  return n;
}
