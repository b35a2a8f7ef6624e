import { UsageError } from '../errors.js';
import { canonical } from './canonical.js';
import { didYouMean } from './suggest.js';
import type { Project, ResolvedFunction } from './types.js';

/** What every command selects: an environment that exists, function names that exist, their resolved configurations. */

export function requireEnvironment(project: Project, env: string): void {
  if (project.environments[env]) return;
  const names = Object.keys(project.environments);
  throw new UsageError(`--env ${env}: no such environment${didYouMean(env, names)}; declared: ${names.join(', ')}`);
}

export function requireFunctions(project: Project, names: string[]): void {
  const all = Object.keys(project.functions);
  for (const n of names) {
    if (!project.functions[n])
      throw new UsageError(`no function named '${n}'${didYouMean(n, all)}; functions: ${all.join(', ')}`);
  }
}

/** Every function the environment deploys, resolved for it (functions that skip it are left out). */
export function functionsOf(project: Project, env: string): ResolvedFunction[] {
  requireEnvironment(project, env);
  return Object.values(project.functions).flatMap((f) => (f.envs[env] ? [f.envs[env]!] : []));
}

/** Each function's resolved configurations: in every environment, or only in `env`. Functions deployed nowhere are left out. */
export function configurationsByFunction(project: Project, env: string | undefined): Map<string, ResolvedFunction[]> {
  if (env !== undefined) requireEnvironment(project, env);
  const out = new Map<string, ResolvedFunction[]>();
  for (const fn of Object.values(project.functions)) {
    const envs = env === undefined ? Object.values(fn.envs) : fn.envs[env] ? [fn.envs[env]!] : [];
    if (envs.length > 0) out.set(fn.name, envs);
  }
  return out;
}

/** The fields that decide what gets built; environments that differ in none of them share artifacts. */
const BUILD_FIELDS = ['path', 'runtime', 'descriptor', 'exclude', 'include', 'architecture', 'build'] as const;

/**
 * The functions to act on (named, or all), each resolved for `env` or, without one, for the
 * configuration its environments share. A named function that skips `env` is an error.
 */
export function selectTargets(project: Project, names: string[], env: string | undefined): ResolvedFunction[] {
  requireFunctions(project, names);
  if (env !== undefined) requireEnvironment(project, env);
  const out: ResolvedFunction[] = [];
  for (const name of names.length > 0 ? names : Object.keys(project.functions)) {
    const fn = project.functions[name]!;
    if (env !== undefined) {
      const r = fn.envs[env];
      if (r) out.push(r);
      else if (names.length > 0)
        throw new UsageError(`function ${name} is not deployed to environment ${env} (environments.${env}: false)`);
      continue;
    }
    const envs = Object.values(fn.envs);
    if (envs.length === 0) continue;
    const differing = BUILD_FIELDS.filter((f) => new Set(envs.map((r) => canonical(r[f]))).size > 1);
    if (differing.length > 0) {
      const detail = differing
        .map((f) => `${f}: ${envs.map((r) => `${canonical(r[f])} in ${r.env}`).join(', ')}`)
        .join('; ');
      throw new UsageError(`function ${name} builds differently per environment (${detail}); pass --env`);
    }
    out.push(envs[0]!);
  }
  return out;
}

/** The named functions in each environment (all functions of those environments without names), for reading state. */
export function targetsInEnvironments(project: Project, names: string[], envs: string[]): ResolvedFunction[] {
  return envs.flatMap((env) => (names.length > 0 ? selectTargets(project, names, env) : functionsOf(project, env)));
}
