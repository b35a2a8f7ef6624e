import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `1d` in milliseconds; anything else is a usage error naming the flag. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  if (!(ms > 0)) throw new UsageError(`${flag} ${text}: give a duration such as 30s, 10m, 2h or 1d`);
  return ms;
}
