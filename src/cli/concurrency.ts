import { availableParallelism } from 'node:os';
import { parseWhole } from './numbers.js';

/**
 * Functions a deploy works on at once by default: a deploy mostly waits (on Lambda's request
 * budget, on updates to finish, on S3), so this is not the number of cores; dependency builds,
 * which are CPU-bound, run at most one per core whatever this is.
 */
export const DEPLOY_CONCURRENCY = 32;
/** More functions at once gain nothing: Lambda's shared 15 requests per second is the bound long before. */
export const MAX_CONCURRENCY = 256;

export function parseConcurrency(v: string | undefined, fallback = availableParallelism()): number {
  return v === undefined ? fallback : parseWhole('--concurrency', v, 1, MAX_CONCURRENCY);
}
