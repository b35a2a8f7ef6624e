import { posix } from 'node:path';
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
 * build.image, build.memory, build.pids and build.network replace.
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
export type Origins = Partial<Record<keyof ResolvedFunction | 'buildCommand', PathSegment[]>>;

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

type Level = { values: Record<string, unknown>; at: PathSegment[] };

const SCALARS = ['runtime', 'handler', 'descriptor', 'architecture', 'functionName', 'layerName', 'layers'] as const;
const LIST_FIELDS = ['watch', 'exclude', 'include', 'alarms'] as const;
type ListField = (typeof LIST_FIELDS)[number];

/** `configDirInRepo` places every path in the repository once, for every stage to read. */
export function resolveConfig(data: Record<string, unknown>, configDirInRepo = ''): ResolvedConfig {
  const artifactsRaw = asRecord(data.artifacts);
  const artifacts: Artifacts = {
    bucket: String(artifactsRaw.bucket ?? ''),
    prefix: typeof artifactsRaw.prefix === 'string' ? artifactsRaw.prefix : DEFAULT_PREFIX,
    region: typeof artifactsRaw.region === 'string' ? artifactsRaw.region : null,
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
  for (const [name, raw] of Object.entries(asRecord(data.functions))) {
    const fn = asRecord(raw);
    const decl: FunctionDecl = { name, envs: {} };
    origins[name] = {};
    for (const env of Object.values(environments)) {
      const fnOverride = asRecord(fn.environments)[env.name];
      const defaultsOverride = asRecord(defaults.environments)[env.name];
      if (fnOverride === false || defaultsOverride === false) continue;
      const levels: Level[] = [
        { values: defaults, at: ['defaults'] },
        { values: asRecord(defaultsOverride), at: ['defaults', 'environments', env.name] },
        { values: fn, at: ['functions', name] },
        { values: asRecord(fnOverride), at: ['functions', name, 'environments', env.name] },
      ];
      const { resolved, origin } = resolveOne(name, env, stringOr(fn.path, '.'), levels, configDirInRepo, layers);
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
  return typeof b.image === 'string';
}

function defaultBuild(): BuildSettings {
  return { image: null, env: {}, ...BUILD_LIMITS, command: null, output: null };
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
        descriptorPath: descriptor === null ? null : (repoPath(configDirInRepo, posix.join(path, descriptor)) ?? ''),
        descriptorExplicit: descriptorRaw !== undefined,
        layerName: expand(stringOr(l.layerName, '${name}-${env}'), { name, env }),
        build: { ...build, env: { ...build.env } },
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
  path: string,
  levels: Level[],
  configDirInRepo: string,
  sharedLayers: Record<string, LayerDecl>,
) {
  const origin: Origins = { path: ['functions', name, 'path'] };
  const scalar: Record<string, unknown> = {};
  const lists: Record<ListField, string[]> = { watch: [], exclude: [], include: [], alarms: [...env.alarms] };
  const smoke = [...env.smoke];
  const build = defaultBuild();
  for (const layer of levels) {
    for (const key of SCALARS) {
      if (layer.values[key] !== undefined) {
        scalar[key] = layer.values[key];
        origin[key] = [...layer.at, key];
      }
    }
    if (mergeBuild(build, layer.values.build)) origin.build = [...layer.at, 'build', 'image'];
    const command = asRecord(layer.values.build).command;
    if (typeof command === 'string') origin.buildCommand = [...layer.at, 'build', 'command'];
    for (const check of smokeChecks(layer.values.smoke, configDirInRepo))
      if (!smoke.some((c) => canonical(c) === canonical(check))) smoke.push(check);
    if (Array.isArray(layer.values.smoke)) origin.smoke ??= [...layer.at, 'smoke'];
    for (const key of LIST_FIELDS) {
      const v = layer.values[key];
      if (Array.isArray(v)) {
        for (const g of v) if (!lists[key].includes(String(g))) lists[key].push(String(g));
        origin[key] ??= [...layer.at, key];
      }
    }
  }
  // Values of the wrong type were reported by the schema; resolution falls back to defaults for them.
  const runtime = RUNTIMES.find((r) => r === scalar.runtime) ?? DEFAULT_RUNTIME;
  const family = runtimeFamily(runtime);
  const descriptorRaw =
    typeof scalar.descriptor === 'string' || scalar.descriptor === false ? scalar.descriptor : undefined;
  const codePath = normalisePath(path);
  const defaultDescriptor = DEFAULT_DESCRIPTOR[family];
  const descriptor =
    descriptorRaw === false
      ? null
      : descriptorRaw !== undefined
        ? normalisePath(descriptorRaw)
        : defaultDescriptor === null
          ? null
          : normalisePath(defaultDescriptor);
  const functionName = expand(stringOr(scalar.functionName, '${name}'), { name, env: env.name });
  const layerName = expand(stringOr(scalar.layerName, '${functionName}-deps'), { name, env: env.name, functionName });
  origin.functionName ??= ['functions', name];
  origin.layerName ??= ['functions', name];
  const resolved: ResolvedFunction = {
    name,
    env: env.name,
    path: codePath,
    // A path that leaves the repository is reported by the checks; '' keeps resolution total.
    root: repoPath(configDirInRepo, codePath) ?? '',
    runtime,
    family,
    handler: typeof scalar.handler === 'string' ? scalar.handler : null,
    descriptor,
    descriptorPath: descriptor === null ? null : (repoPath(configDirInRepo, posix.join(codePath, descriptor)) ?? ''),
    descriptorExplicit: descriptorRaw !== undefined,
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
  return template.replace(/\$\{([^}]*)\}/g, (whole, key: string) => vars[key] ?? whole);
}

export function templateVariables(template: string): string[] {
  return [...template.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!);
}

/** 'services/orders/' → 'services/orders', './x' → 'x', '' → '.' */
export function normalisePath(p: string): string {
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
