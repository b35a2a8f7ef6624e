import { PlanStaleError } from '../errors.js';
import { PLAN_KIND, type ReleasePlan } from './plan.js';
// The generated validator is large (~370 KB): only reading a saved plan loads it, never a deploy.
import { validate } from './plan-validator.generated.js';

/** A saved plan's text as a plan, or PlanStaleError saying why it is not one (schema: schema/release-plan.schema.json). */
export function parsePlan(text: string, shownAs: string): ReleasePlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PlanStaleError(
      `${shownAs} is not JSON (${(e as Error).message}); give a file lci deploy --plan-out wrote`,
    );
  }
  const kind = (data as { kind?: unknown } | null)?.kind;
  if (kind !== PLAN_KIND)
    throw new PlanStaleError(`${shownAs} is not an lci release plan; give a file lci deploy --plan-out wrote`);
  if (!validate(data)) {
    const e = (validate as unknown as { errors: { instancePath: string; message: string }[] }).errors[0]!;
    throw new PlanStaleError(
      `${shownAs} is not a release plan this lci can apply: ${e.instancePath || '/'} ${e.message}; plan again with this lci`,
    );
  }
  return data as ReleasePlan;
}
