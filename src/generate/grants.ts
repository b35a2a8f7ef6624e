import { createHash } from 'node:crypto';
import type { Project } from '../config/types.js';
import { DIGITS, iamLiteral, iamPattern, model, overlaps, SEGMENT, type Pattern } from './iam-patterns.js';
import { MAX_NAMED_RESOURCES } from './render.js';

/**
 * What a generated role may reach, decided before anything is written: the names an environment
 * pipeline's role grants (never a pattern that reaches another environment's function, layer or
 * S3 keys), and the key prefix under which CodePipeline stores each pipeline's artifacts (unique
 * per pipeline). Pure.
 */

/** The AWS names one environment deploys: its functions, their aliases, its layers (own and shared). */
interface EnvironmentNames {
  functions: Set<string>;
  aliases: Set<string>;
  layers: Set<string>;
}

function namesByEnvironment(project: Project): Map<string, EnvironmentNames> {
  const out = new Map<string, EnvironmentNames>();
  for (const env of Object.keys(project.environments))
    out.set(env, { functions: new Set(), aliases: new Set(), layers: new Set() });
  for (const fn of Object.values(project.functions))
    for (const r of Object.values(fn.envs)) {
      const e = out.get(r.env)!;
      e.functions.add(r.functionName);
      e.aliases.add(r.alias);
      e.layers.add(r.layerName);
      for (const l of r.layers) e.layers.add(l.layerName);
    }
  return out;
}

/** An environment's grants in --layout environment: names one by one, or patterns that reach nothing of another environment. */
export type EnvironmentGrants = { functions: string[]; layers: string[]; patterns: string[] } | { problem: string };

/**
 * The functions and layers an environment pipeline's role names. Up to MAX_NAMED_RESOURCES names
 * are named; more are covered by patterns (common beginning and end around `*`), split until none
 * can match a function, alias, layer or S3 key of another environment of lambdas.yaml (IAM's `*`
 * also matches `/` and `:`, so `<prefix>/*-qa/*` would reach `<prefix>/orders-prod/v1-qa/app.zip`).
 * When that takes more than MAX_NAMED_RESOURCES patterns, `problem` says why.
 */
export function environmentGrants(project: Project, env: string): EnvironmentGrants {
  const all = namesByEnvironment(project);
  const own = all.get(env)!;
  const foreign = { functions: new Set<string>(), aliases: new Set<string>(), layers: new Set<string>() };
  for (const [name, e] of all) {
    if (name === env) continue;
    for (const f of e.functions) if (!own.functions.has(f)) foreign.functions.add(f);
    for (const l of e.layers) if (!own.layers.has(l)) foreign.layers.add(l);
  }
  for (const e of all.values()) for (const a of e.aliases) foreign.aliases.add(a);
  const prefix = project.artifacts.prefix;
  const functionFences = [...foreign.functions].flatMap((m) => [
    model(`function:${m}`),
    model(`function:${m}:`, ...DIGITS),
    model(`function:${m}:$LATEST`),
    ...[...foreign.aliases].map((a) => model(`function:${m}:${a}`)),
    model(`${prefix}/${m}/`, ...SEGMENT, '/', ...SEGMENT),
  ]);
  // lci's own keys of every pipeline: a function pattern never needs to reach them
  functionFences.push(model(`${prefix}/_lci/`, { run: 'any' }));
  const functionGrants = (p: string) => [
    iamPattern(`function:${p}`),
    iamPattern(`function:${p}:*`),
    iamPattern(`${iamLiteral(prefix)}/${p}/*`),
  ];
  const layerFences = [...foreign.layers].flatMap((m) => [model(`layer:${m}`), model(`layer:${m}:`, ...DIGITS)]);
  const layerGrants = (p: string) => [iamPattern(`layer:${p}`), iamPattern(`layer:${p}:*`)];
  const safe = (grants: Pattern[], fences: Pattern[]) => !grants.some((g) => fences.some((f) => overlaps(g, f)));

  const functions = cover([...own.functions], (p) => safe(functionGrants(p), functionFences));
  const layers = cover([...own.layers], (p) => safe(layerGrants(p), layerFences));
  const too = [
    ...(functions.length > MAX_NAMED_RESOURCES ? [`${own.functions.size} functions`] : []),
    ...(layers.length > MAX_NAMED_RESOURCES ? [`${own.layers.size} layers`] : []),
  ];
  if (too.length > 0) {
    return {
      problem: `--layout environment: the ${too.join(' and ')} of environment '${env}' cannot be named by ${MAX_NAMED_RESOURCES} patterns in its build role's policy (IAM holds about 10 KB per role) without one reaching a function, layer or S3 key of another environment; give each environment's functions names that begin alike and unlike other environments' (functionName: "\${env}-\${name}"), or use the default layout`,
    };
  }
  return { functions, layers, patterns: [...functions, ...layers].filter((p) => p.includes('*')) };
}

/**
 * Names covered by as few patterns as `safe` allows: all of them under their common beginning
 * and end around `*` when that is safe, else each group of names that share one more leading
 * character, and so on down to single names (always safe: they are the environment's own). Up to
 * MAX_NAMED_RESOURCES names are listed as they are. Sorted, without duplicates.
 */
export function cover(names: string[], safe: (pattern: string) => boolean): string[] {
  const unique = [...new Set(names)].sort();
  if (unique.length <= MAX_NAMED_RESOURCES) return unique;
  const split = (group: string[]): string[] => {
    if (group.length === 1) return group;
    const pattern = commonPattern(group);
    if (safe(pattern)) return [pattern];
    const lcp = commonPrefix(group);
    const byNext = new Map<string, string[]>();
    for (const n of group) {
      const key = n.slice(lcp.length, lcp.length + 1);
      byNext.set(key, [...(byNext.get(key) ?? []), n]);
    }
    return [...byNext.values()].flatMap(split);
  };
  return [...new Set(split(unique))].sort();
}

function commonPrefix(names: string[]): string {
  let prefix = names[0]!;
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** Their longest common prefix and suffix around a `*` (`*` alone when they share neither); never overlapping. */
export function commonPattern(names: string[]): string {
  const prefix = commonPrefix(names);
  const rests = names.map((n) => n.slice(prefix.length));
  let suffix = rests[0]!;
  for (const r of rests) while (!r.endsWith(suffix)) suffix = suffix.slice(1);
  return `${prefix}*${suffix}`;
}

/** CodePipeline names an artifact's S3 folder after the first 20 characters of the pipeline's name. */
export const PIPELINE_FOLDER_LENGTH = 20;

/** The 9 hex digits that name a pipeline's artifacts: CodePipeline keeps a 10-character artifact name whole in its keys. */
function artifactHash(pipeline: string): string {
  return createHash('sha256').update(pipeline).digest('hex').slice(0, 9);
}

/**
 * The name of a pipeline's source artifact: `s` and 9 hex digits of its pipeline name's hash, 10
 * characters, which CodePipeline keeps whole in the key it writes,
 * `<first 20 characters of the pipeline name>/<first 10 of the artifact name>/<object>`. Two
 * pipelines whose names begin alike (QA and prod of one long function name) thus write under
 * different prefixes, and each role may write only its own.
 */
export function sourceArtifactName(pipeline: string): string {
  return `s${artifactHash(pipeline)}`;
}

/** The name of the release plan a pipeline's Plan build hands its Apply build: `p` and the same 9 hex digits. */
export function planArtifactName(pipeline: string): string {
  return `p${artifactHash(pipeline)}`;
}

/** Where a pipeline's artifact is stored in the bucket: `<first 20 of the pipeline name>/<artifact>`. */
export function artifactPrefix(pipeline: string, artifact: string): string {
  return `${pipeline.slice(0, PIPELINE_FOLDER_LENGTH)}/${artifact}`;
}

/** Where a pipeline's role may write its source artifact. */
export function pipelineArtifactPrefix(pipeline: string): string {
  return artifactPrefix(pipeline, sourceArtifactName(pipeline));
}

/**
 * Why the pipelines' artifact prefixes (the source's and the plan's) are not each their own, or
 * null: no two may be equal and none may reach lci's keys (`<prefix>/…`, when the artifacts prefix
 * begins with a pipeline's 20 characters).
 */
export function artifactPrefixProblem(pipelines: string[], artifactsPrefix: string): string | null {
  const seen = new Map<string, string>();
  for (const p of pipelines)
    for (const prefix of [sourceArtifactName(p), planArtifactName(p)].map((a) => artifactPrefix(p, a))) {
      const other = seen.get(prefix);
      if (other !== undefined)
        return `pipelines ${other} and ${p} would store their artifacts under the same prefix ${prefix}/; rename one function or environment`;
      seen.set(prefix, p);
      if (overlaps(iamPattern(`${prefix}/*`), model(`${artifactsPrefix}/`, { run: 'any' })))
        return `artifacts.prefix '${artifactsPrefix}' begins with ${prefix}/, where CodePipeline stores pipeline ${p}'s artifacts; choose another prefix`;
    }
  return null;
}
