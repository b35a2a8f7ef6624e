import type { LoadedProject } from '../config/load.js';
import { parseSourceVersion } from './dirty.js';
import { headInputs, requireRepository } from './plan.js';
import { changedSince } from './revisions.js';
import type { FunctionPlan, PlanResult } from './types.js';

/**
 * plan --since deployed: each function's base is the source version its alias serves, so a
 * function is compared with what is live. Functions never deployed through lci (no base) are
 * affected. The project's inputs are computed once; git compares once per distinct base.
 */
export async function planSinceDeployed(
  loaded: LoadedProject,
  env: string,
  deployed: Map<string, { awsName: string; alias: string; sourceVersion: string | null }>,
): Promise<PlanResult> {
  requireRepository(loaded);
  const head = (await loaded.workspace.head())!;
  const at = await headInputs(loaded, head, head, env);
  const byBase = new Map<string, string[]>();
  const found = new Map<string, FunctionPlan>();
  for (const [name, d] of deployed) {
    const parsed = d.sourceVersion ? parseSourceVersion(d.sourceVersion) : null;
    if (parsed?.dirty) {
      // What is live is no commit: nothing in git can say it equals head.
      const detail = `${d.awsName}:${d.alias} serves ${d.sourceVersion}, deployed from uncommitted changes on top of ${parsed.commit!.slice(0, 7)}`;
      found.set(name, {
        name,
        awsName: d.awsName,
        affected: true,
        reasons: [{ path: null, rule: 'dirty-deployed', detail }],
        reasonCount: 1,
      });
    } else if (parsed?.commit) byBase.set(parsed.commit, [...(byBase.get(parsed.commit) ?? []), name]);
  }

  let changedPaths = 0;
  for (const [base, names] of byBase) {
    const since = await changedSince(loaded.root, base, head);
    const plans: FunctionPlan[] =
      'problem' in since
        ? names.map((name) => ({
            name,
            affected: true,
            reasons: [{ path: null, rule: 'base-unavailable', detail: since.problem }],
            reasonCount: 1,
          }))
        : await at.compare(base, since.changed);
    if ('changed' in since) changedPaths = Math.max(changedPaths, since.changed.length);
    for (const f of plans)
      if (names.includes(f.name)) found.set(f.name, { ...f, awsName: deployed.get(f.name)!.awsName, base });
  }
  const functions = [...at.selected.keys()].map((name): FunctionPlan => {
    const d = deployed.get(name)!;
    return (
      found.get(name) ?? {
        name,
        awsName: d.awsName,
        affected: true,
        reasons: [
          { path: null, rule: 'never-deployed', detail: `${d.awsName}:${d.alias} serves no version deployed by lci` },
        ],
        reasonCount: 1,
      }
    );
  });
  return {
    base: 'deployed',
    baseFrom: '--since deployed',
    head,
    mergeBase: null,
    env,
    changedPaths,
    functions,
    layers: [],
  };
}
