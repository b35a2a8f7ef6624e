import { posix } from 'node:path';
import { isNormalPath } from '../vcs/paths.js';
import { repoPath } from './globs.js';
import { durationMs } from './duration.js';
import type { PathSegment } from './source.js';
import { isRecord } from './source.js';
import {
  DEFAULT_ARCHITECTURE,
  DEFAULT_DESCRIPTOR,
  DEFAULT_RUNTIME,
  runtimeFamily,
  RUNTIMES,
  type Architecture,
  type Runtime,
} from './runtimes.js';
import { canonical } from './canonical.js';
import type {
  Artifacts,
  BuildSettings,
  CiSettings,
  Environment,
  FunctionDecl,
  LayerDecl,
  PruneConfig,
  ResolvedFunction,
  ResolvedLayer,
  SmokeCheck,
} from './types.js';

/**
 * Pure resolution of schema-valid config data: defaults, then the defaults' environment override,
 * then the function, then the function's environment override (more specific wins).
 * Lists (watch, exclude, include, alarms, smoke) accumulate across those levels (alarms and smoke start from the environment's); scalars replace; build.env merges by key;
 * build.image, build.memory, build.pids, build.network and the other build fields (build.inputs too) replace.
 */

export const DEFAULT_PREFIX = 'lambda-ci';
export const DEFAULT_CI: CiSettings = { namePrefix: 'lci', install: null, command: null };

/** The build container's limits unless build.memory, build.pids, build.network or build.timeout say otherwise. */
export const BUILD_LIMITS: Pick<BuildSettings, 'memory' | 'pids' | 'network' | 'timeout'> = {
  memory: '2g',
  pids: 1024,
  network: 'default',
  timeout: '15m',
};

/** build.timeout in milliseconds (`90s`, `15m`, `2h`); validation admitted only durations. */
export function parseTimeout(timeout: string): number {
  const ms = durationMs(timeout);
  if (ms === null) throw new Error(`not a timeout: ${timeout}`);
  return ms;
}

/** build.memory in bytes (`512m`, `2g`: MiB and GiB, as Docker counts them); the schema admits only these forms. */
export function parseMemory(memory: string): number {
  const m = /^(\d+)([mg])$/i.exec(memory);
  if (!m) throw new Error(`not a memory size: ${memory}`);
  return Number(m[1]) * (m[2]!.toLowerCase() === 'g' ? 1024 ** 3 : 1024 ** 2);
}

/** The config path that set each resolved field, so errors point at the line a user wrote. */
export type Origins = Partial<
  Record<keyof ResolvedFunction | 'buildCommand' | 'buildWorkdir' | 'buildInputs', PathSegment[]>
>;

export interface ResolvedConfig {
  artifacts: Artifacts;
  shared: string[];
  notify: { slackWebhookEnv: string };
  ci: CiSettings;
  environments: Record<string, Environment>;
  functions: Record<string, FunctionDecl>;
  layers: Record<string, LayerDecl>;
  /** origins[function][env][field] */
  origins: Record<string, Record<string, Origins>>;
}

const SCALARS = ['runtime', 'handler', 'descriptor', 'architecture', 'functionName', 'layerName', 'layers'] as const;
type Scalar = (typeof SCALARS)[number];
const LIST_FIELDS = ['watch', 'exclude', 'include', 'alarms'] as const;
type ListField = (typeof LIST_FIELDS)[number];

/**
 * A level of the resolution (defaults, their environment override, the function, its override)
 * and what it sets, read once: the defaults' levels serve every function, a function's own level
 * each of its environments. The paths of its fields are made once too, and shared (never changed)
 * by every origin naming them.
 */
interface Level {
  at: PathSegment[];
  /** The scalars it sets, in SCALARS order. */
  scalars: [Scalar, unknown][];
  build: unknown;
  smoke: unknown[] | undefined;
  /** The lists it sets, each value as a string. */
  lists: [ListField, string[]][];
  fields: Map<string, PathSegment[]>;
}

function level(values: Record<string, unknown>, at: PathSegment[]): Level {
  const scalars: [Scalar, unknown][] = [];
  for (const key of SCALARS) if (values[key] !== undefined) scalars.push([key, values[key]]);
  const lists: [ListField, string[]][] = [];
  for (const key of LIST_FIELDS) {
    const v = values[key];
    if (Array.isArray(v)) lists.push([key, v.map(String)]);
  }
  return {
    at,
    scalars,
    build: values.build,
    smoke: Array.isArray(values.smoke) ? values.smoke : undefined,
    lists,
    fields: new Map(),
  };
}

/** A function without an override for an environment: a level that sets nothing. */
const NO_OVERRIDE: Level = level({}, []);

function fieldPath(l: Level, ...field: string[]): PathSegment[] {
  const key = field.join('.');
  let path = l.fields.get(key);
  if (!path) {
    path = [...l.at, ...field];
    l.fields.set(key, path);
  }
  return path;
}

/** `configDirInRepo` places every path in the repository once, for every stage to read. */
export function resolveConfig(data: Record<string, unknown>, configDirInRepo = ''): ResolvedConfig {
  const artifactsRaw = asRecord(data.artifacts);
  const artifacts: Artifacts = {
    bucket: String(artifactsRaw.bucket ?? ''),
    prefix: typeof artifactsRaw.prefix === 'string' ? artifactsRaw.prefix : DEFAULT_PREFIX,
    region: typeof artifactsRaw.region === 'string' ? artifactsRaw.region : null,
    codeStorage: artifactsRaw.codeStorage === 'reference' ? 'reference' : 'copy',
  };
  const environments: Record<string, Environment> = {};
  for (const [name, raw] of Object.entries(asRecord(data.environments))) {
    const env = asRecord(raw);
    environments[name] = {
      name,
      branch: typeof env.branch === 'string' ? env.branch : null,
      tag: typeof env.tag === 'string' ? env.tag : null,
      alias: typeof env.alias === 'string' ? env.alias : name,
      alarms: Array.isArray(env.alarms) ? env.alarms.map(String) : [],
      strategy: typeof env.strategy === 'string' ? env.strategy : null,
      prune: resolvePrune(env.prune),
      confirm: env.confirm === true,
      smoke: smokeChecks(env.smoke, configDirInRepo),
      codeStorage:
        env.codeStorage === 'reference' || env.codeStorage === 'copy' ? env.codeStorage : artifacts.codeStorage,
    };
  }
  const defaults = asRecord(data.defaults);
  const layers = resolveLayers(
    asRecord(data.layers),
    asRecord(defaults.build),
    Object.keys(environments),
    configDirInRepo,
  );
  const functions: Record<string, FunctionDecl> = {};
  const origins: ResolvedConfig['origins'] = {};
  // The defaults' levels are every function's: made once per environment.
  const envLevels = Object.values(environments).map((env) => {
    const defaultsOverride = asRecord(defaults.environments)[env.name];
    return {
      env,
      skipped: defaultsOverride === false,
      defaults: [
        level(defaults, ['defaults']),
        level(asRecord(defaultsOverride), ['defaults', 'environments', env.name]),
      ],
    };
  });
  for (const [name, raw] of Object.entries(asRecord(data.functions))) {
    const fn = asRecord(raw);
    const decl: FunctionDecl = { name, envs: {} };
    origins[name] = {};
    const own = level(fn, ['functions', name]);
    const codePath = normalisePath(stringOr(fn.path, '.'));
    // A path that leaves the repository is reported by the checks; '' keeps resolution total.
    const where = { path: codePath, root: repoPath(configDirInRepo, codePath) ?? '' };
    const overrides = asRecord(fn.environments);
    for (const { env, skipped, defaults: shared } of envLevels) {
      const fnOverride = overrides[env.name];
      if (fnOverride === false || skipped) continue;
      const levels: Level[] = [
        ...shared,
        own,
        fnOverride === undefined
          ? NO_OVERRIDE
          : level(asRecord(fnOverride), ['functions', name, 'environments', env.name]),
      ];
      const { resolved, origin } = resolveOne(name, env, where, levels, configDirInRepo, layers);
      decl.envs[env.name] = resolved;
      origins[name]![env.name] = origin;
    }
    functions[name] = decl;
  }
  const shared = Array.isArray(data.shared) ? data.shared.map(String) : [];
  const slack = asRecord(asRecord(data.notify).slack);
  const notify = { slackWebhookEnv: stringOr(slack.webhookEnv, 'SLACK_WEBHOOK_URL') };
  const ciRaw = asRecord(data.ci);
  const ci: CiSettings = {
    namePrefix: stringOr(ciRaw.namePrefix, DEFAULT_CI.namePrefix),
    install: Array.isArray(ciRaw.install) && ciRaw.install.length > 0 ? ciRaw.install.map(String) : null,
    command: typeof ciRaw.command === 'string' ? ciRaw.command : null,
  };
  return { artifacts, shared, notify, ci, environments, functions, layers, origins };
}

/** build: settings merged over the levels (each replaces; env merges by key). */
function mergeBuild(build: BuildSettings, raw: unknown): boolean {
  const b = asRecord(raw);
  if (typeof b.image === 'string') build.image = b.image;
  for (const [k, v] of Object.entries(asRecord(b.env))) if (typeof v === 'string') build.env[k] = v;
  if (typeof b.memory === 'string') build.memory = b.memory.toLowerCase();
  if (typeof b.pids === 'number') build.pids = b.pids;
  if (b.network === 'none' || b.network === 'default') build.network = b.network;
  if (typeof b.command === 'string') build.command = b.command;
  if (typeof b.output === 'string') build.output = normalisePath(b.output);
  if (typeof b.timeout === 'string') build.timeout = b.timeout;
  if (typeof b.workdir === 'string') build.workdir = normalisePath(b.workdir);
  if (Array.isArray(b.inputs)) build.inputs = b.inputs.map(String);
  return typeof b.image === 'string';
}

function defaultBuild(): BuildSettings {
  return { image: null, env: {}, ...BUILD_LIMITS, command: null, output: null, workdir: null, inputs: null };
}

/**
 * Where the dependency install runs, in the repository: build.workdir (relative to path) when
 * set, else the descriptor's directory; null without a descriptor. A workdir that leaves the
 * repository is reported by the checks; '' keeps resolution total.
 */
function installDir(
  configDirInRepo: string,
  path: string,
  descriptorPath: string | null,
  workdir: string | null,
): string | null {
  if (descriptorPath === null) return null;
  if (workdir !== null) return repoPath(configDirInRepo, posix.join(path, workdir)) ?? '';
  const dir = posix.dirname(descriptorPath);
  return dir === '.' ? '' : dir;
}

/** Each shared layer per environment: its AWS name expands ${name} and ${env}; its build inherits defaults.build. */
function resolveLayers(
  raw: Record<string, unknown>,
  defaultsBuild: unknown,
  envs: string[],
  configDirInRepo: string,
): Record<string, LayerDecl> {
  const out: Record<string, LayerDecl> = {};
  for (const [name, value] of Object.entries(raw)) {
    const l = asRecord(value);
    const runtimes = (Array.isArray(l.runtimes) ? l.runtimes : []).flatMap((r) =>
      RUNTIMES.filter((known) => known === r),
    );
    if (runtimes.length === 0) runtimes.push(DEFAULT_RUNTIME);
    const architectures = (Array.isArray(l.architectures) ? l.architectures : []).filter(
      (a): a is Architecture => a === 'x86_64' || a === 'arm64',
    );
    if (architectures.length === 0) architectures.push(DEFAULT_ARCHITECTURE);
    const family = runtimeFamily(runtimes[0]!);
    const path = normalisePath(stringOr(l.path, '.'));
    const descriptorRaw = typeof l.descriptor === 'string' || l.descriptor === false ? l.descriptor : undefined;
    const defaultDescriptor = DEFAULT_DESCRIPTOR[family];
    const descriptor =
      descriptorRaw === false ? null : descriptorRaw !== undefined ? normalisePath(descriptorRaw) : defaultDescriptor;
    const build = defaultBuild();
    mergeBuild(build, defaultsBuild);
    mergeBuild(build, l.build);
    const descriptorPath = descriptor === null ? null : (repoPath(configDirInRepo, posix.join(path, descriptor)) ?? '');
    const exclude = Array.isArray(l.exclude) ? [...new Set(l.exclude.map(String))] : [];
    const decl: LayerDecl = { name, envs: {} };
    for (const env of envs) {
      const resolved: ResolvedLayer = {
        name,
        env,
        path,
        root: repoPath(configDirInRepo, path) ?? '',
        runtimes: [...runtimes] as Runtime[],
        runtime: runtimes[0]!,
        family,
        architectures: [...architectures],
        architecture: architectures[0]!,
        descriptor,
        descriptorPath,
        descriptorExplicit: descriptorRaw !== undefined,
        installDir: installDir(configDirInRepo, path, descriptorPath, build.workdir),
        exclude: [...exclude],
        layerName: expand(stringOr(l.layerName, '${name}-${env}'), { name, env }),
        build: { ...build, env: { ...build.env }, inputs: build.inputs && [...build.inputs] },
      };
      decl.envs[env] = resolved;
    }
    out[name] = decl;
  }
  return out;
}

function resolveOne(
  name: string,
  env: Environment,
  where: { path: string; root: string },
  levels: Level[],
  configDirInRepo: string,
  sharedLayers: Record<string, LayerDecl>,
) {
  const origin: Origins = { path: fieldPath(levels[2]!, 'path') };
  const scalar: Record<string, unknown> = {};
  const lists: Record<ListField, string[]> = { watch: [], exclude: [], include: [], alarms: [...env.alarms] };
  const smoke = [...env.smoke];
  const build = defaultBuild();
  for (const layer of levels) {
    for (const [key, value] of layer.scalars) {
      scalar[key] = value;
      origin[key] = fieldPath(layer, key);
    }
    if (layer.build !== undefined) {
      if (mergeBuild(build, layer.build)) origin.build = fieldPath(layer, 'build', 'image');
      const written = asRecord(layer.build);
      if (typeof written.command === 'string') origin.buildCommand = fieldPath(layer, 'build', 'command');
      if (typeof written.workdir === 'string') origin.buildWorkdir = fieldPath(layer, 'build', 'workdir');
      if (Array.isArray(written.inputs)) origin.buildInputs = fieldPath(layer, 'build', 'inputs');
    }
    if (layer.smoke) {
      for (const check of smokeChecks(layer.smoke, configDirInRepo))
        if (!smoke.some((c) => canonical(c) === canonical(check))) smoke.push(check);
      origin.smoke ??= fieldPath(layer, 'smoke');
    }
    for (const [key, values] of layer.lists) {
      const list = lists[key];
      for (const g of values) if (!list.includes(g)) list.push(g);
      origin[key] ??= fieldPath(layer, key);
    }
  }
  // Values of the wrong type were reported by the schema; resolution falls back to defaults for them.
  const runtime = RUNTIMES.find((r) => r === scalar.runtime) ?? DEFAULT_RUNTIME;
  const family = runtimeFamily(runtime);
  const descriptorRaw =
    typeof scalar.descriptor === 'string' || scalar.descriptor === false ? scalar.descriptor : undefined;
  const codePath = where.path;
  const defaultDescriptor = DEFAULT_DESCRIPTOR[family];
  const descriptor =
    descriptorRaw === false
      ? null
      : descriptorRaw !== undefined
        ? normalisePath(descriptorRaw)
        : defaultDescriptor === null
          ? null
          : normalisePath(defaultDescriptor);
  const functionName =
    typeof scalar.functionName === 'string' ? expand(scalar.functionName, { name, env: env.name }) : name;
  const layerName =
    typeof scalar.layerName === 'string'
      ? expand(scalar.layerName, { name, env: env.name, functionName })
      : `${functionName}-deps`;
  origin.functionName ??= levels[2]!.at;
  origin.layerName ??= levels[2]!.at;
  const descriptorPath = descriptor === null ? null : (repoPath(configDirInRepo, joined(codePath, descriptor)) ?? '');
  const resolved: ResolvedFunction = {
    name,
    env: env.name,
    path: codePath,
    root: where.root,
    runtime,
    family,
    handler: typeof scalar.handler === 'string' ? scalar.handler : null,
    descriptor,
    descriptorPath,
    descriptorExplicit: descriptorRaw !== undefined,
    installDir: installDir(configDirInRepo, codePath, descriptorPath, build.workdir),
    watch: lists.watch,
    exclude: lists.exclude,
    include: lists.include,
    architecture: scalar.architecture === 'arm64' ? 'arm64' : DEFAULT_ARCHITECTURE,
    functionName,
    layerName,
    layers: (Array.isArray(scalar.layers) ? scalar.layers : []).flatMap((l) => {
      const decl = typeof l === 'string' ? sharedLayers[l] : undefined;
      return decl?.envs[env.name] ? [decl.envs[env.name]!] : [];
    }),
    alias: env.alias,
    build,
    alarms: lists.alarms,
    smoke,
  };
  return { resolved, origin };
}

/** Where a shared layer's build field is written: in its own build, else in defaults.build, which it inherits. */
export function layerBuildOrigin(data: unknown, layer: string, field: string): PathSegment[] {
  const own = asRecord(asRecord(asRecord(asRecord(data).layers)[layer]).build);
  return field in own ? ['layers', layer, 'build', field] : ['defaults', 'build', field];
}

/** The smoke list as written, each file placed in the repository (one that leaves it is reported by the checks; '' keeps resolution total). */
function smokeChecks(raw: unknown, configDirInRepo: string): SmokeCheck[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((item) => ({
    ...('event' in item ? { event: item.event } : {}),
    ...(typeof item.file === 'string' ? { file: repoPath(configDirInRepo, normalisePath(item.file)) ?? '' } : {}),
    ...('expect' in item ? { expect: item.expect } : {}),
  }));
}

export const TEMPLATE_VARIABLES = {
  functionName: ['name', 'env'],
  layerName: ['name', 'env', 'functionName'],
} as const;

/** Expands ${var}; an unknown variable is left as written (the checks report it). */
export function expand(template: string, vars: Record<string, string>): string {
  if (!template.includes('${')) return template;
  return template.replace(/\$\{([^}]*)\}/g, (whole, key: string) => vars[key] ?? whole);
}

export function templateVariables(template: string): string[] {
  return [...template.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!);
}

/** posix.join for a normalised directory (resolved paths are) and a path: plain ones are joined as they are. */
function joined(dir: string, p: string): string {
  if (!isNormalPath(p)) return posix.join(dir, p);
  return dir === '.' ? p : `${dir}/${p}`;
}

/** 'services/orders/' → 'services/orders', './x' → 'x', '' → '.' */
export function normalisePath(p: string): string {
  if (isNormalPath(p)) return p;
  const n = posix.normalize(p.replace(/\/+$/, ''));
  return n === '' ? '.' : n;
}

function stringOr(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}

function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** environments.<env>.prune, as the schema let it through. */
function resolvePrune(raw: unknown): PruneConfig | null {
  if (raw === undefined || raw === null || typeof raw !== 'object') return null;
  const p = raw as { keep?: unknown; olderThan?: unknown };
  return { keep: Number(p.keep), olderThanMs: typeof p.olderThan === 'string' ? durationMs(p.olderThan) : null };
}
