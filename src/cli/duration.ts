import { DURATION_RANGES, durationMs, durationProblem, type DurationRange } from '../config/duration.js';
import { UsageError } from '../errors.js';

export const MAX_DURATION_MS = DURATION_RANGES.year.maxMs;

/** A duration flag (`--logs 2m`, `--older-than 30d`, `--max-age 12h`) in milliseconds; anything else is a usage error naming the flag. */
export function parseDuration(flag: string, text: string, range: DurationRange = DURATION_RANGES.year): number {
  const problem = durationProblem(text, range);
  if (problem) throw new UsageError(`${flag} ${problem}`);
  return durationMs(text)!;
}
