import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Project } from '../config/types.js';
import { functionStatus } from '../deploy/status.js';
import { plan, type PlanOptions } from './plan.js';
import type { FunctionPlan, PlanResult } from './types.js';

const SHA = /^[0-9a-f]{7,64}$/;
const READS_AT_ONCE = 16;

/**
 * plan --since deployed: each function's base is the source version its alias serves (the
 * version's Description), so a function is compared with what is actually live. Functions never
 * deployed through lci are affected. One git comparison per distinct base.
 */
export async function planSinceDeployed(opts: PlanOptions & { env: string }, project: Project, lambda: LambdaClient): Promise<PlanResult> {
  const targets = Object.values(project.functions).flatMap((f) => (f.envs[opts.env] ? [f.envs[opts.env]!] : []));
  const deployed = new Map<string, string | null>();
  for (let i = 0; i < targets.length; i += READS_AT_ONCE) {
    const batch = targets.slice(i, i + READS_AT_ONCE);
    const statuses = await Promise.all(batch.map((r) => functionStatus(lambda, r)));
    for (const s of statuses) deployed.set(s.name, s.state === 'deployed' && s.sourceVersion && SHA.test(s.sourceVersion) ? s.sourceVersion : null);
  }
  const byBase = new Map<string, string[]>();
  for (const [name, base] of deployed) if (base) byBase.set(base, [...(byBase.get(base) ?? []), name]);

  const found = new Map<string, FunctionPlan>();
  let head: string | null = null;
  let changedPaths = 0;
  for (const [base, names] of byBase) {
    const r = await plan({ ...opts, base });
    head = r.head;
    changedPaths = Math.max(changedPaths, r.changedPaths);
    for (const f of r.functions) if (names.includes(f.name)) found.set(f.name, { ...f, base });
  }
  const functions = targets.map(
    (r): FunctionPlan =>
      found.get(r.name) ?? {
        name: r.name,
        awsName: r.functionName,
        affected: true,
        reasons: [{ path: null, rule: 'never-deployed', detail: `${r.functionName}:${r.alias} serves no version deployed by lci` }],
        reasonCount: 1,
      },
  );
  return { base: 'deployed', baseFrom: '--since deployed', head, env: opts.env, changedPaths, functions };
}
