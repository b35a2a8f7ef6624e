import { UsageError } from '../errors.js';
import { decimal } from './numbers.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** The longest duration a flag takes: a year, longer than any log retention lci reads back or any wait. */
export const MAX_DURATION_MS = 366 * UNIT_MS.d!;

/** `30s`, `10m`, `2h`, `1d` in milliseconds, up to 366d; anything else is a usage error naming the flag. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(.*?)([smhd])$/.exec(text);
  const n = m ? decimal(m[1]!) : null;
  const ms = n === null ? NaN : n * UNIT_MS[m![2]!]!;
  if (!(ms > 0)) throw new UsageError(`${flag} ${text}: give a duration such as 30s, 10m, 2h or 1d`);
  if (ms > MAX_DURATION_MS) throw new UsageError(`${flag} ${text}: at most 366d`);
  return ms;
}
