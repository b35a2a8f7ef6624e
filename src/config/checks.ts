import picomatch from 'picomatch';
import type { Diagnostic } from '../errors.js';
import { DURATION_RANGES, durationMs, durationProblem, type DurationRange } from './duration.js';
import { costProblem, globProblem, pathProblem, repoPath } from './globs.js';
import { TEMPLATE_VARIABLES, templateVariables, type ResolvedConfig } from './resolve.js';
import { isRecord, located, type ConfigSource, type PathSegment } from './source.js';
import { dotted } from './schema.js';
import { canonical } from './canonical.js';
import { didYouMean } from './suggest.js';
import type { ResolvedFunction } from './types.js';

const LAMBDA_FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const LAMBDA_LAYER_NAME = /^[a-zA-Z0-9_-]{1,140}$/;

/**
 * Checks the schema cannot express: environment triggers, references between sections,
 * globs, paths that leave the repository, template variables, resolved AWS names.
 * Pure: the file system is checked separately (fs-checks.ts).
 */
export function semanticDiagnostics(
  source: ConfigSource,
  data: Record<string, unknown>,
  resolved: ResolvedConfig,
  configDirInRepo: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: PathSegment[], message: string, anchor: 'key' | 'value' = 'value') =>
    out.push(located(source, { path, anchor, message: `${dotted(path)}: ${message}` }));

  const envNames = Object.keys(resolved.environments);
  for (const [name, raw] of Object.entries(isRecord(data.environments) ? data.environments : {})) {
    const env = isRecord(raw) ? raw : {};
    const has = (k: string) => typeof env[k] === 'string';
    if (!has('branch') && !has('tag'))
      report(['environments', name], "needs a trigger: set 'branch: <glob>' or 'tag: <glob>'", 'key');
    if (has('branch') && has('tag'))
      report(
        ['environments', name, 'tag'],
        "set either 'branch' or 'tag', not both; declare two environments to deploy from both",
        'key',
      );
    for (const k of ['branch', 'tag']) {
      if (!has(k)) continue;
      const problem = refGlobProblem(String(env[k]));
      if (problem) report(['environments', name, k], problem);
    }
    const prune = isRecord(env.prune) ? env.prune : {};
    checkDuration(prune.olderThan, ['environments', name, 'prune', 'olderThan'], DURATION_RANGES.year, report);
  }
  for (const [lname, layer] of Object.entries(isRecord(data.layers) ? data.layers : {}))
    if (isRecord(layer) && isRecord(layer.build))
      checkDuration(layer.build.timeout, ['layers', lname, 'build', 'timeout'], DURATION_RANGES.buildTimeout, report);

  const prefix = isRecord(data.artifacts) ? data.artifacts.prefix : undefined;
  if (typeof prefix === 'string') {
    const problem = prefixProblem(prefix);
    if (problem) report(['artifacts', 'prefix'], problem);
  }
  checkGlobList(data.shared, ['shared'], configDirInRepo, report);
  const sections: [Record<string, unknown>, PathSegment[]][] = [];
  if (isRecord(data.defaults)) sections.push([data.defaults, ['defaults']]);
  for (const [fname, fn] of Object.entries(isRecord(data.functions) ? data.functions : {})) {
    if (!isRecord(fn)) continue;
    sections.push([fn, ['functions', fname]]);
    if (typeof fn.path === 'string') {
      const problem = pathProblem(fn.path);
      if (problem) report(['functions', fname, 'path'], problem);
      else if (repoPath(configDirInRepo, fn.path) === null)
        report(['functions', fname, 'path'], `'${fn.path}' leaves the repository`);
    }
  }
  for (const [section, at] of [...sections]) {
    const overrides = isRecord(section.environments) ? section.environments : {};
    for (const [env, ov] of Object.entries(overrides)) {
      if (!envNames.includes(env)) {
        report(
          [...at, 'environments', env],
          `unknown environment '${env}'${didYouMean(env, envNames)}; declared: ${envNames.join(', ') || 'none'}`,
          'key',
        );
      }
      if (isRecord(ov)) sections.push([ov, [...at, 'environments', env]]);
    }
  }
  for (const [list, at] of smokeLists(data)) checkSmokeList(list, at, configDirInRepo, report);
  for (const [section, at] of sections) {
    checkGlobList(section.watch, [...at, 'watch'], configDirInRepo, report);
    checkGlobList(section.exclude, [...at, 'exclude'], null, report);
    checkGlobList(section.include, [...at, 'include'], null, report);
    if (isRecord(section.build))
      checkDuration(section.build.timeout, [...at, 'build', 'timeout'], DURATION_RANGES.buildTimeout, report);
    if (typeof section.descriptor === 'string') {
      const problem = pathProblem(section.descriptor);
      if (problem) report([...at, 'descriptor'], problem);
    }
    for (const field of ['functionName', 'layerName'] as const) {
      const template = section[field];
      if (typeof template !== 'string') continue;
      const allowed: readonly string[] = TEMPLATE_VARIABLES[field];
      for (const v of templateVariables(template)) {
        if (!allowed.includes(v)) {
          report(
            [...at, field],
            `unknown variable '\${${v}}'${didYouMean(v, allowed)}; available: ${allowed.map((a) => `\${${a}}`).join(', ')}`,
          );
        }
      }
    }
  }
  if (out.length > 0) return out; // resolved names are meaningless while templates are broken

  const reserved = new Set<string>(); // one problem per line, whichever environments it resolves in
  for (const env of envNames) {
    const owners = new Map<string, string>();
    for (const fn of Object.values(resolved.functions)) {
      const r = fn.envs[env];
      if (!r) continue;
      const origin = resolved.origins[fn.name]![env]!;
      const anchor = anchorFor(origin.functionName!, 'functionName');
      if (!LAMBDA_FUNCTION_NAME.test(r.functionName)) {
        report(
          origin.functionName!,
          `resolves to '${r.functionName}' in environment '${env}', which is not a valid Lambda function name (letters, digits, '-' and '_', at most 64 characters)`,
          anchor,
        );
      } else if (r.functionName.startsWith('_')) {
        const at = `${dotted(origin.functionName!)}\0${r.functionName}`;
        if (!reserved.has(at))
          report(
            origin.functionName!,
            `resolves to '${r.functionName}' in environment '${env}', which starts with '_': names starting with '_' are reserved for lci's own S3 keys (${S3_RESERVED}/…, every pipeline's layer caches), so this function's pipeline could write them; rename it`,
            anchor,
          );
        reserved.add(at);
      } else if (owners.has(r.functionName)) {
        const other = owners.get(r.functionName)!;
        report(
          origin.functionName!,
          `function '${fn.name}' and function '${other}' both deploy to Lambda function '${r.functionName}' in environment '${env}'; give one of them its own functionName`,
          anchor,
        );
      } else {
        owners.set(r.functionName, fn.name);
      }
      if (LAMBDA_FUNCTION_NAME.test(r.functionName) && !LAMBDA_LAYER_NAME.test(r.layerName)) {
        const at = origin.layerName!;
        report(
          at,
          `resolves to '${r.layerName}' in environment '${env}', which is not a valid Lambda layer name (letters, digits, '-' and '_', at most 140 characters)`,
          anchorFor(at, 'layerName'),
        );
      }
    }
  }
  if (out.length > 0) return out;
  collisionDiagnostics(resolved, report);
  return out;
}

/**
 * Two functions that publish one layer name must build the same layer, or each deploy would
 * republish the other's (forever); and no two environments may move the same alias of the same
 * AWS function, or a QA deploy would move what prod serves.
 */
function collisionDiagnostics(
  resolved: ResolvedConfig,
  report: (path: PathSegment[], message: string, anchor?: 'key' | 'value') => void,
): void {
  const aliases = new Map<string, { fn: string; env: string }>();
  for (const env of Object.keys(resolved.environments)) {
    // Each function's own layer name is usually its own: what it builds is compared only when another publishes the name too.
    const layers = new Map<string, { fn: string; r: ResolvedFunction }>();
    for (const fn of Object.values(resolved.functions)) {
      const r = fn.envs[env];
      if (!r) continue;
      const origin = resolved.origins[fn.name]![env]!;
      const target = `${r.functionName}:${r.alias}`;
      const owner = aliases.get(target);
      if (owner && (owner.fn !== fn.name || owner.env !== env)) {
        const who =
          owner.fn === fn.name
            ? `environments '${owner.env}' and '${env}'`
            : `function '${owner.fn}' (${owner.env}) and function '${fn.name}' (${env})`;
        report(
          origin.functionName!,
          `${who} both release to alias '${r.alias}' of Lambda function '${r.functionName}': a deploy to one would move what the other serves; give them different aliases (environments.<env>.alias) or functionNames`,
          anchorFor(origin.functionName!, 'functionName'),
        );
      } else aliases.set(target, { fn: fn.name, env });
      if (r.descriptorPath === null) continue;
      const first = layers.get(r.layerName);
      if (!first) layers.set(r.layerName, { fn: fn.name, r });
      else if (layerInputs(first.r) !== layerInputs(r)) {
        const differ =
          first.r.descriptorPath !== r.descriptorPath
            ? `descriptors ${first.r.descriptorPath} and ${r.descriptorPath}`
            : 'runtime, architecture or build settings';
        report(
          origin.layerName!,
          `functions '${first.fn}' and '${fn.name}' both publish layer '${r.layerName}' in environment '${env}' but build different dependencies (${differ}): each deploy would replace the other's layer; give one its own layerName`,
          anchorFor(origin.layerName!, 'layerName'),
        );
      }
    }
  }
}

/** What a function's own dependency layer is built from: two functions that publish one layer name must agree on it. */
function layerInputs(r: ResolvedFunction): string {
  return canonical({ descriptor: r.descriptorPath, runtime: r.runtime, architecture: r.architecture, build: r.build });
}

/** lci's own keys under the prefix: the layer caches and CodeBuild caches of every pipeline. */
export const S3_RESERVED = '_lci';

/**
 * Why an artifacts prefix cannot hold lci's keys, or undefined. Every segment is a plain name:
 * an empty, '.' or '..' segment is read differently by different S3 tools, and a segment starting
 * with '_' (as '_lci' does) could place this project's keys inside another project's caches.
 */
export function prefixProblem(prefix: string): string | undefined {
  for (const segment of prefix.split('/')) {
    if (segment === '' || segment === '.' || segment === '..')
      return `'${prefix}' has an empty, '.' or '..' segment; write the prefix as plain names joined by '/'`;
    if (segment.startsWith('_'))
      return `'${prefix}' has a segment starting with '_' ('${segment}'): those are reserved for lci's own keys (${S3_RESERVED}/…); rename it`;
  }
  return undefined;
}

/** A defaulted name has no line of its own: point at the function's key instead. */
function anchorFor(origin: PathSegment[], field: string): 'key' | 'value' {
  return origin.at(-1) === field ? 'value' : 'key';
}

/** Every `smoke:` list of the config, where it is written: environments, defaults, functions and their overrides. */
export function smokeLists(data: Record<string, unknown>): [unknown[], PathSegment[]][] {
  const out: [unknown[], PathSegment[]][] = [];
  const take = (section: unknown, at: PathSegment[]) => {
    if (isRecord(section) && Array.isArray(section.smoke)) out.push([section.smoke, [...at, 'smoke']]);
  };
  const overrides = (section: unknown, at: PathSegment[]) => {
    take(section, at);
    const envs = isRecord(section) && isRecord(section.environments) ? section.environments : {};
    for (const [env, ov] of Object.entries(envs)) take(ov, [...at, 'environments', env]);
  };
  for (const [name, env] of Object.entries(isRecord(data.environments) ? data.environments : {}))
    take(env, ['environments', name]);
  overrides(data.defaults, ['defaults']);
  for (const [name, fn] of Object.entries(isRecord(data.functions) ? data.functions : {}))
    overrides(fn, ['functions', name]);
  return out;
}

/** Each smoke item has its event inline or in a file, not both; a file stays in the repository. */
function checkSmokeList(
  list: unknown[],
  at: PathSegment[],
  configDirInRepo: string,
  report: (path: PathSegment[], message: string, anchor?: 'key' | 'value') => void,
): void {
  list.forEach((item, i) => {
    if (!isRecord(item)) return; // the schema said so
    const hasEvent = 'event' in item;
    if (!hasEvent && item.file === undefined)
      report(
        [...at, i],
        "give the event inline ('event: {...}') or in a JSON file ('file: path/to/event.json')",
        'key',
      );
    if (hasEvent && item.file !== undefined)
      report([...at, i, 'file'], "set either 'event' or 'file', not both", 'key');
    if (typeof item.file !== 'string') return;
    const problem = pathProblem(item.file);
    if (problem) report([...at, i, 'file'], problem);
    else if (repoPath(configDirInRepo, item.file) === null)
      report([...at, i, 'file'], `'${item.file}' leaves the repository`);
  });
}

/** A duration the schema let through as a string: in the grammar and range of its use. */
function checkDuration(
  value: unknown,
  at: PathSegment[],
  range: DurationRange,
  report: (path: PathSegment[], message: string) => void,
): void {
  if (typeof value !== 'string' || durationMs(value) === null) return; // the schema says what a duration is
  const problem = durationProblem(value, range);
  if (problem) report(at, problem);
}

function checkGlobList(
  list: unknown,
  at: PathSegment[],
  configDirInRepo: string | null,
  report: (path: PathSegment[], message: string) => void,
): void {
  if (!Array.isArray(list)) return;
  list.forEach((g, i) => {
    if (typeof g !== 'string' || g === '') return;
    const problem = globProblem(g);
    if (problem) report([...at, i], problem);
    else if (configDirInRepo === null && (g === '..' || g.startsWith('../')))
      report([...at, i], `'${g}' leaves the function's path; exclude globs are relative to it`);
    else if (configDirInRepo !== null && leavesRepository(configDirInRepo, g))
      report([...at, i], `'${g}' leaves the repository`);
  });
}

const leaving = new Map<string, boolean>();

/** Memoised: big configs repeat the same few globs thousands of times. */
function leavesRepository(configDirInRepo: string, glob: string): boolean {
  const key = `${configDirInRepo}\0${glob}`;
  let v = leaving.get(key);
  if (v === undefined) {
    v = repoPath(configDirInRepo, picomatch.scan(glob).base || '.') === null;
    leaving.set(key, v);
  }
  return v;
}

function refGlobProblem(glob: string): string | undefined {
  const cost = costProblem(glob);
  if (cost) return cost;
  try {
    picomatch.makeRe(glob, { strictBrackets: true });
    return undefined;
  } catch (e) {
    return `invalid glob: ${(e as Error).message}`;
  }
}
