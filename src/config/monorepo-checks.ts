import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { Diagnostic } from '../errors.js';
import { isNormalPath } from '../vcs/paths.js';
import { globProblem, pathProblem, repoPath } from './globs.js';
import { layerBuildOrigin, templateVariables, type ResolvedConfig } from './resolve.js';
import { RUNTIMES, runtimeFamily, runtimeProblem, type Runtime } from './runtimes.js';
import { dotted } from './schema.js';
import { isRecord, located, writtenPath, type ConfigSource, type PathSegment, type Unlocated } from './source.js';
import { didYouMean } from './suggest.js';
import type { ResolvedFunction } from './types.js';

/** Lambda's limit on layers per function (AWS Lambda quotas). */
export const MAX_LAYERS = 5;
const LAMBDA_LAYER_NAME = /^[a-zA-Z0-9_-]{1,140}$/;

/**
 * The checks of what real monorepos need: runtimes against AWS's deprecation schedule (a
 * deprecated one warns with the date AWS blocks updates, a blocked one is an error), shared layers
 * (declared, compatible with the functions that use them, at most five per function, one AWS name
 * per environment), build steps (a command with an output; provided runtimes need one), and a path
 * for every function. Pure: `data` is the configuration with function families expanded; a
 * member's problems are shown at, and named by, the family's lines, once per family.
 */
export function monorepoDiagnostics(
  source: ConfigSource,
  data: Record<string, unknown>,
  resolved: ResolvedConfig,
  configDirInRepo: string,
  today: string,
): { errors: Diagnostic[]; warnings: Unlocated[] } {
  const errors: Diagnostic[] = [];
  const warnings: Unlocated[] = [];
  const seen = new Set<string>();
  const report = (
    path: PathSegment[],
    message: string,
    anchor: 'key' | 'value' = 'value',
    severity: 'error' | 'warning' = 'error',
  ) => {
    // The message names the written path, so a family's members repeat one problem once.
    const problem = { path, anchor, message: `${dotted(writtenPath(source, path))}: ${message}` };
    const key = `${anchor}\0${problem.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (severity === 'warning') warnings.push(problem);
    else errors.push(located(source, problem));
  };
  const functions = isRecord(data.functions) ? data.functions : {};
  const layers = isRecord(data.layers) ? data.layers : {};
  const layerNames = Object.keys(layers);

  for (const [name, fn] of Object.entries(functions))
    if (isRecord(fn) && fn.path === undefined) report(['functions', name], "missing required key 'path'", 'key');

  // Runtimes, where each is written (a family's once).
  for (const [section, at] of sections(data)) {
    if (typeof section.runtime === 'string' && (RUNTIMES as readonly string[]).includes(section.runtime))
      checkRuntime(section.runtime as Runtime, [...at, 'runtime']);
    if (Array.isArray(section.layers))
      section.layers.forEach((l, i) => {
        if (typeof l === 'string' && !layerNames.includes(l))
          report(
            [...at, 'layers', i],
            `no shared layer named '${l}'${didYouMean(l, layerNames)}; declared: ${layerNames.join(', ') || 'none (add it under layers:)'}`,
          );
      });
    checkBuild(section.build, [...at, 'build'], false);
  }
  for (const [name, raw] of Object.entries(layers)) {
    if (!isRecord(raw)) continue;
    const at = ['layers', name];
    const runtimes = (Array.isArray(raw.runtimes) ? raw.runtimes : []).filter((r): r is Runtime =>
      (RUNTIMES as readonly string[]).includes(r as string),
    );
    runtimes.forEach((r, i) => {
      checkRuntime(r, [...at, 'runtimes', i]);
      if (runtimeFamily(r) !== runtimeFamily(runtimes[0]!))
        report(
          [...at, 'runtimes', i],
          `${r} is not a ${runtimeFamily(runtimes[0]!)} runtime like ${runtimes[0]}: a layer holds dependencies for one family`,
        );
    });
    if (typeof raw.path === 'string') {
      const problem =
        pathProblem(raw.path) ??
        (repoPath(configDirInRepo, raw.path) === null ? `'${raw.path}' leaves the repository` : undefined);
      if (problem) report([...at, 'path'], problem);
    }
    if (typeof raw.descriptor === 'string') {
      const problem =
        pathProblem(raw.descriptor) ??
        descriptorLeaves(Object.values(resolved.layers[name]?.envs ?? {})[0], configDirInRepo);
      if (problem) report([...at, 'descriptor'], problem);
    }
    checkBuild(raw.build, [...at, 'build'], true);
    if (Array.isArray(raw.exclude))
      raw.exclude.forEach((g, i) => {
        const problem = typeof g === 'string' && g !== '' ? relativeGlobProblem(g, "layer's", 'exclude') : undefined;
        if (problem) report([...at, 'exclude', i], problem);
      });
    const family = runtimes[0] ? runtimeFamily(runtimes[0]) : null;
    if (family === 'provided' && !(isRecord(raw.build) && typeof raw.build.command === 'string'))
      report(
        [...at, 'runtimes'],
        `${runtimes[0]} has no dependency recipe: give the layer a build.command that writes its content to build.output`,
      );
    if (typeof raw.layerName === 'string')
      for (const v of templateVariables(raw.layerName))
        if (v !== 'name' && v !== 'env')
          report(
            [...at, 'layerName'],
            `unknown variable '\${${v}}'${didYouMean(v, ['name', 'env'])}; available: \${name}, \${env}`,
          );
  }
  // A descriptor outside the repository is nothing the build could read: it would build no dependencies.
  const descriptorsAt = new Set<string>();
  for (const fn of Object.values(resolved.functions))
    for (const r of Object.values(fn.envs)) {
      const problem = descriptorLeaves(r, configDirInRepo);
      const at = resolved.origins[fn.name]![r.env]!.descriptor;
      // Once per place it is written: defaults and a family reach many functions.
      if (!problem || !at || descriptorsAt.has(dotted(writtenPath(source, at)))) continue;
      descriptorsAt.add(dotted(writtenPath(source, at)));
      report(at, problem);
    }
  if (errors.length > 0) return { errors, warnings };

  // Shared layers' AWS names: valid, one per environment, one layer's alone (in every environment), none also a function's own layer.
  const ownLayers = new Map<string, { fn: string; env: string }>();
  for (const fn of Object.values(resolved.functions))
    for (const r of Object.values(fn.envs))
      if (r.descriptorPath !== null && !ownLayers.has(r.layerName))
        ownLayers.set(r.layerName, { fn: fn.name, env: r.env });
  const sharedNames = new Map<string, { layer: string; env: string }>();
  for (const decl of Object.values(resolved.layers)) {
    const at: PathSegment[] = [
      'layers',
      decl.name,
      ...(isRecord(layers[decl.name]) && 'layerName' in (layers[decl.name] as object) ? ['layerName'] : []),
    ];
    const anchor = at.at(-1) === 'layerName' ? 'value' : 'key';
    const byName = new Map<string, string>();
    const clashes = new Set<string>();
    for (const l of Object.values(decl.envs)) {
      if (!LAMBDA_LAYER_NAME.test(l.layerName))
        report(
          at,
          `resolves to '${l.layerName}' in environment '${l.env}', which is not a valid Lambda layer name (letters, digits, '-' and '_', at most 140 characters)`,
          anchor,
        );
      const other = byName.get(l.layerName);
      if (other)
        report(
          at,
          `resolves to '${l.layerName}' in environments '${other}' and '${l.env}': a deploy to one would publish the layer the other attaches; put \${env} in it`,
          anchor,
        );
      byName.set(l.layerName, l.env);
      const owner = sharedNames.get(l.layerName);
      // Once per pair of layers: the first environment where they meet says enough.
      if (owner && owner.layer !== decl.name && !clashes.has(owner.layer)) {
        clashes.add(owner.layer);
        report(
          at,
          `resolves to '${l.layerName}' in environment '${l.env}', as layers.${owner.layer} does in environment '${owner.env}': every deploy would publish one over the other; give each layer its own layerName`,
          anchor,
        );
      } else if (!owner) sharedNames.set(l.layerName, { layer: decl.name, env: l.env });
      const fn = ownLayers.get(l.layerName);
      if (fn)
        report(
          at,
          `resolves to '${l.layerName}' in environment '${l.env}', the layer function '${fn.fn}' publishes its own dependencies to${fn.env === l.env ? '' : ` in environment '${fn.env}'`}; rename one`,
          anchor,
        );
    }
  }

  // Each function against the layers it uses, and its build step.
  for (const fn of Object.values(resolved.functions)) {
    for (const r of Object.values(fn.envs)) {
      const origin = resolved.origins[fn.name]![r.env]!;
      const layersAt = origin.layers ?? ['functions', fn.name];
      r.layers.forEach((l, i) => {
        const at = origin.layers ? [...layersAt, i] : layersAt;
        if (!l.runtimes.includes(r.runtime))
          report(
            at,
            `layer '${l.name}' is built for ${l.runtimes.join(', ')}, not for ${r.runtime}: add ${r.runtime} to layers.${l.name}.runtimes or use another layer`,
          );
        if (!l.architectures.includes(r.architecture))
          report(
            at,
            `layer '${l.name}' is built for ${l.architectures.join(', ')}, not for ${r.architecture}: add ${r.architecture} to layers.${l.name}.architectures`,
          );
      });
      // Its own dependency layer counts where its descriptor is read (dependency-checks.ts).
      if (r.layers.length > MAX_LAYERS)
        report(
          layersAt,
          `${r.layers.length} shared layers are more than the ${MAX_LAYERS} layers Lambda allows a function`,
          'key',
        );
      checkResolvedBuild(r, origin, ['functions', fn.name]);
      if (r.family === 'provided') {
        if (r.build.command === null)
          report(
            origin.runtime ?? ['functions', fn.name],
            `${r.runtime} needs build.command, which writes an executable bootstrap to build.output`,
          );
        if (r.descriptorExplicit && r.descriptorPath !== null)
          report(
            origin.descriptor ?? ['functions', fn.name],
            `${r.runtime} has no dependency recipe: put what the function needs into build.output, and set descriptor: false`,
          );
      }
    }
  }
  for (const decl of Object.values(resolved.layers)) {
    const l = Object.values(decl.envs)[0];
    if (!l) continue;
    checkResolvedBuild(
      l,
      {
        buildWorkdir: layerBuildOrigin(data, decl.name, 'workdir'),
        buildInputs: layerBuildOrigin(data, decl.name, 'inputs'),
      },
      ['layers', decl.name],
    );
  }
  return { errors, warnings };

  /** build.workdir and build.inputs as they resolve for a function or a layer: where they may be, and what they need. */
  function checkResolvedBuild(
    r: Pick<ResolvedFunction, 'path' | 'family' | 'build' | 'descriptorPath'>,
    origin: { buildWorkdir?: PathSegment[]; buildInputs?: PathSegment[] },
    owner: PathSegment[],
  ): void {
    const { workdir, inputs, command } = r.build;
    if (workdir !== null && origin.buildWorkdir) {
      if (r.family !== 'python')
        report(
          origin.buildWorkdir,
          `build.workdir is pip's working directory, and ${r.family === 'nodejs' ? 'npm resolves file: dependencies against the package.json that names them, so it has no meaning for nodejs' : `${r.family} has no dependency install`}; remove it`,
        );
      else if (
        repoPath(configDirInRepo, r.path) !== null &&
        repoPath(configDirInRepo, posix.join(r.path, workdir)) === null
      )
        report(
          origin.buildWorkdir,
          `'${workdir}' leaves the repository (build.workdir is relative to the path '${r.path}'), and the dependency build sees only the repository`,
        );
    }
    if (inputs !== null && command === null)
      report(
        origin.buildInputs ?? [...owner, 'build'],
        'build.inputs are the files build.command reads: set build.command too, or remove build.inputs',
        'key',
      );
  }

  function checkRuntime(runtime: Runtime, at: PathSegment[]): void {
    const problem = runtimeProblem(runtime, today);
    if (problem) report(at, problem.message, 'value', problem.severity);
  }

  function checkBuild(raw: unknown, at: PathSegment[], isLayer: boolean): void {
    if (!isRecord(raw)) return;
    if (typeof raw.output === 'string') {
      const problem =
        pathProblem(raw.output) ??
        (raw.output === '..' || raw.output.startsWith('../')
          ? `'${raw.output}' leaves the ${isLayer ? "layer's" : "function's"} path`
          : undefined);
      if (problem) report([...at, 'output'], problem);
      if (typeof raw.command !== 'string')
        report([...at, 'output'], 'build.output is what build.command writes: set build.command too', 'key');
    }
    if (typeof raw.workdir === 'string') {
      const problem = pathProblem(raw.workdir)?.replace(
        'the directory of the config file',
        isLayer ? "the layer's path" : "the function's path",
      );
      if (problem) report([...at, 'workdir'], problem);
    }
    if (Array.isArray(raw.inputs))
      raw.inputs.forEach((g, i) => {
        const problem =
          typeof g === 'string' && g !== ''
            ? relativeGlobProblem(g, isLayer ? "layer's" : "function's", 'build.inputs')
            : undefined;
        if (problem) report([...at, 'inputs', i], problem);
      });
    if (typeof raw.command === 'string' && typeof raw.output !== 'string')
      report(
        [...at, 'command'],
        `set build.output too: the directory, relative to path, that the command writes and lci packages${isLayer ? " (the layer's root: python/…, nodejs/node_modules/…)" : ''}`,
        'key',
      );
  }
}

/**
 * Why a named descriptor cannot be built from: it resolves (against the function's or layer's path)
 * outside the repository. A path that leaves the repository itself is reported on its own.
 */
function descriptorLeaves(
  r: Pick<ResolvedFunction, 'path' | 'descriptor'> | undefined,
  configDirInRepo: string,
): string | undefined {
  if (!r || r.descriptor === null || pathProblem(r.descriptor) || repoPath(configDirInRepo, r.path) === null) return;
  if (isNormalPath(r.descriptor)) return; // plain segments below a path in the repository stay in it
  if (repoPath(configDirInRepo, posix.join(r.path, r.descriptor)) !== null) return;
  return `'${r.descriptor}' leaves the repository (a descriptor is relative to the path '${r.path}'), and the dependency build sees only the repository: move the file in, or set descriptor: false`;
}

/** A glob relative to a function's or layer's path: valid and bounded (globs.ts), and not climbing out of the path. */
function relativeGlobProblem(glob: string, whose: string, field: string): string | undefined {
  const problem = globProblem(glob);
  if (problem) return problem.replace('the directory of the config file', `the ${whose} path`);
  const base = posix.normalize(picomatch.scan(glob).base || '.');
  if (base === '..' || base.startsWith('../'))
    return `'${glob}' leaves the ${whose} path; ${field} globs are relative to it`;
  return undefined;
}

/** Every section of the written config that holds function fields: defaults, functions (a family once) and their environment overrides. */
function sections(data: Record<string, unknown>): [Record<string, unknown>, PathSegment[]][] {
  const out: [Record<string, unknown>, PathSegment[]][] = [];
  const add = (section: unknown, at: PathSegment[]) => {
    if (!isRecord(section)) return;
    out.push([section, at]);
    for (const [env, ov] of Object.entries(isRecord(section.environments) ? section.environments : {}))
      if (isRecord(ov)) out.push([ov, [...at, 'environments', env]]);
  };
  add(data.defaults, ['defaults']);
  for (const [name, fn] of Object.entries(isRecord(data.functions) ? data.functions : {})) add(fn, ['functions', name]);
  return out;
}
