/**
 * One grammar for every duration lci reads, in flags and in lambdas.yaml alike: a number (whole
 * or with decimals) and a unit, s, m, h or d: 90s, 1.5m, 12h, 30d. Each use has its own range.
 */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The JSON Schema pattern of a duration (lambda-ci.schema.json uses it too). */
export const DURATION_PATTERN = '^[0-9]{1,9}(\\.[0-9]{1,6})?[smhd]$';
const DURATION = new RegExp(DURATION_PATTERN);

export const DURATION_HINT = 'a number and a unit, s, m, h or d, such as 90s, 1.5m, 12h or 30d';

/** Milliseconds, or null when the text is no duration. */
export function durationMs(text: string): number | null {
  if (!DURATION.test(text)) return null;
  return Math.round(Number(text.slice(0, -1)) * UNIT_MS[text.at(-1)!]!);
}

export interface DurationRange {
  /** The longest allowed, in milliseconds, and in words with its reason ("36h (CodeBuild's longest build)"). */
  maxMs: number;
  max: string;
}

/** Why the text is not a duration in the range (always more than 0), or null. */
export function durationProblem(text: string, range: DurationRange): string | null {
  const ms = durationMs(text);
  if (ms === null) return `'${text}' is not a duration: give ${DURATION_HINT}`;
  if (ms <= 0) return `'${text}' is no time at all: give more than 0`;
  if (ms > range.maxMs) return `'${text}' is longer than ${range.max}`;
  return null;
}

/** The ranges each duration has, by where it is given. */
export const DURATION_RANGES = {
  buildTimeout: { maxMs: 36 * UNIT_MS.h!, max: "36h (CodeBuild's longest build)" },
  /** Flags and ages: a year, longer than any log retention lci reads back, any wait, any plan. */
  year: { maxMs: 366 * UNIT_MS.d!, max: '366d' },
} as const satisfies Record<string, DurationRange>;
