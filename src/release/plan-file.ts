import { createHash } from 'node:crypto';
import type { ReleasePlan } from './plan.js';

/** How old a saved plan may be when applied, unless --max-age says otherwise: CodePipeline's longest approval wait. */
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** A plan embeds its smoke events (up to 6 MB each): a bound, not a size any plan should near. */
export const MAX_PLAN_BYTES = 256 * 1024 * 1024;

export function configDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function serializePlan(plan: ReleasePlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/**
 * Why a saved plan may not be applied here and now, or null. Pure: the lci version, the
 * configuration it was made from, its age.
 */
export function planRefusal(
  plan: ReleasePlan,
  here: { lci: string; configDigest: string; now: number; maxAgeMs: number },
): string | null {
  if (plan.lci !== here.lci)
    return `the plan was made by lci ${plan.lci}, this is lci ${here.lci}: apply it with that version, or plan again`;
  if (plan.configDigest !== here.configDigest)
    return `the plan was made from another lambdas.yaml (digest ${plan.configDigest.slice(0, 12)}, this one ${here.configDigest.slice(0, 12)}): apply it in the checkout it was made in (commit ${plan.commit ?? 'unknown'}), or plan again`;
  const made = Date.parse(plan.createdAt);
  const age = here.now - made;
  if (!(age <= here.maxAgeMs))
    return `the plan is ${age < 0 ? 'from the future' : `${Math.floor(age / 3_600_000)} h old`} (made ${plan.createdAt}), older than the ${Math.round(here.maxAgeMs / 3_600_000)} h a plan may be applied within (--max-age): plan again`;
  return null;
}
