import { UsageError } from '../errors.js';
import { canonical } from '../plan/config-diff.js';
import { didYouMean } from '../config/suggest.js';
import type { Project, ResolvedFunction } from '../config/types.js';

/** The fields that decide what gets built; environments that differ in none of them share artifacts. */
const BUILD_FIELDS = ['path', 'runtime', 'descriptor', 'exclude', 'include', 'architecture', 'build'] as const;

/**
 * The functions to build, each resolved for `env` (or, without one, for the configuration its
 * environments share). Names must exist; a named function that skips `env` is an error.
 */
export function buildTargets(project: Project, names: string[], env: string | undefined): ResolvedFunction[] {
  const all = Object.keys(project.functions);
  for (const n of names) {
    if (!project.functions[n]) throw new UsageError(`no function named '${n}'${didYouMean(n, all)}; functions: ${all.join(', ')}`);
  }
  if (env !== undefined && !project.environments[env]) {
    const envs = Object.keys(project.environments);
    throw new UsageError(`--env ${env}: no such environment${didYouMean(env, envs)}; declared: ${envs.join(', ')}`);
  }
  const out: ResolvedFunction[] = [];
  for (const name of names.length > 0 ? names : all) {
    const fn = project.functions[name]!;
    if (env !== undefined) {
      const r = fn.envs[env];
      if (r) out.push(r);
      else if (names.length > 0) throw new UsageError(`function ${name} is not deployed to environment ${env} (environments.${env}: false)`);
      continue;
    }
    const envs = Object.values(fn.envs);
    if (envs.length === 0) continue;
    const differing = BUILD_FIELDS.filter((f) => new Set(envs.map((r) => canonical(r[f]))).size > 1);
    if (differing.length > 0) {
      const detail = differing.map((f) => `${f}: ${envs.map((r) => `${canonical(r[f])} in ${r.env}`).join(', ')}`).join('; ');
      throw new UsageError(`function ${name} builds differently per environment (${detail}); pass --env`);
    }
    out.push(envs[0]!);
  }
  return out;
}
