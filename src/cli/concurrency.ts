import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';

export function parseConcurrency(v: string | undefined): number {
  if (v === undefined) return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency ${v}: give a whole number of at least 1`);
  return n;
}
