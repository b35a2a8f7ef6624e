import { UsageError } from '../errors.js';

/** A traffic shift: the weights the new version gets, in order, each held for `holdMs`. */
export interface Strategy {
  name: string;
  steps: { weight: number; holdMs: number }[];
}

/**
 * all-at-once | canary:PCT:MIN (PCT percent for MIN minutes, then everything) |
 * linear:PCT:MIN (PCT more every MIN minutes). Minutes may be fractional (0.5 = 30 s).
 */
export function parseStrategy(text: string): Strategy {
  if (text === 'all-at-once') return { name: text, steps: [] };
  const m = /^(canary|linear):(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(text);
  const pct = m ? Number(m[2]) : NaN;
  if (!m || !(pct > 0 && pct < 100)) {
    throw new UsageError(
      `--strategy ${text}: use all-at-once, canary:PCT:MIN or linear:PCT:MIN with 0 < PCT < 100 (e.g. canary:10:5)`,
    );
  }
  const holdMs = Number(m[3]) * 60_000;
  if (m[1] === 'canary') return { name: text, steps: [{ weight: pct / 100, holdMs }] };
  const steps = [];
  for (let w = pct; w < 100 - 1e-9; w += pct) steps.push({ weight: Math.round(w * 100) / 10_000, holdMs });
  return { name: text, steps };
}

/** An alias left with traffic on two versions by a deploy that did not finish (killed, machine lost), or one holding right now. */
export interface UnfinishedShift {
  /** The version the alias serves as its primary: the one the shift came from. */
  from: string;
  /** The version with an additional weight, and that weight (0..1). */
  version: string;
  weight: number;
}

export function unfinishedShift(
  alias: { version: string; weights: Record<string, number> } | null,
): UnfinishedShift | null {
  const [entry] = Object.entries(alias?.weights ?? {});
  return alias && entry ? { from: alias.version, version: entry[0], weight: entry[1] } : null;
}

/**
 * The steps a release takes to `version`. Pure. Resuming a shift to the same version goes on from
 * the step it was in (that step's hold is served again in full: how long it held is not known);
 * a shift to another version starts from the first step (its first move takes the other weight off).
 */
export function remainingSteps(
  strategy: Strategy,
  unfinished: UnfinishedShift | null,
  version: string,
): Strategy['steps'] {
  if (!unfinished || unfinished.version !== version) return strategy.steps;
  return strategy.steps.filter((s) => s.weight >= unfinished.weight - 1e-9);
}

export function percent(weight: number): string {
  return `${Math.round(weight * 1000) / 10}%`;
}
