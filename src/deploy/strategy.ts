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
    throw new UsageError(`--strategy ${text}: use all-at-once, canary:PCT:MIN or linear:PCT:MIN with 0 < PCT < 100 (e.g. canary:10:5)`);
  }
  const holdMs = Number(m[3]) * 60_000;
  if (m[1] === 'canary') return { name: text, steps: [{ weight: pct / 100, holdMs }] };
  const steps = [];
  for (let w = pct; w < 100 - 1e-9; w += pct) steps.push({ weight: Math.round(w * 100) / 10_000, holdMs });
  return { name: text, steps };
}
