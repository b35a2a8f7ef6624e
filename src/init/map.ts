import { posix } from 'node:path';
import {
  DEFAULT_DESCRIPTOR,
  isLockfile,
  RUNTIME_TABLE,
  RUNTIMES,
  type Runtime,
  type RuntimeFamily,
  runtimeFamily,
  runtimeStatus,
} from '../config/runtimes.js';
import { ENV } from './intrinsics.js';
import type { DeclaredFunction, DeclaredLayer, DeclaredSource, Note, Origin, Unmapped } from './model.js';

/**
 * The pure half of lci init: what the sources declare, plus what the repository holds, in;
 * lambdas.yaml as plain data out, with every function it could not map and every value a person
 * should check. No I/O: the readers and the writer are at the edges.
 */

export interface EnvChoice {
  /** Deployed from pushes to a branch (qa on main by default). */
  branch: { name: string; branch: string };
  /** Deployed from tags (prod on v* by default); null for one environment only. */
  tag: { name: string; tag: string } | null;
}

/** What the mapper may ask of the repository: tracked files only, repository-relative. */
export interface RepoFacts {
  filesIn(dir: string): string[];
  subdirs(dir: string): string[];
  isTracked(path: string): boolean;
}

export interface MapInput {
  sources: DeclaredSource[];
  /** The config file's directory, repository-relative ('' at the root). */
  configDir: string;
  facts: RepoFacts;
  envs: EnvChoice;
  bucket: string | null;
  region: string | null;
  /** The repository directory's name, for a placeholder bucket. */
  repoName: string;
  /** ISO date the runtime schedule is read on. */
  today: string;
}

export interface MappedFunction {
  name: string;
  origin: Origin;
  path: string;
  handler: string | null;
  runtime: Runtime;
  /** The descriptor and lockfiles lci will read, as shown in the report ('requirements.txt', 'package.json + package-lock.json'), or null. */
  descriptor: string | null;
  layers: string[];
  /** The family (its key) it became a member of, or null. */
  family: string | null;
}

export interface MappedLayer {
  name: string;
  origin: Origin;
  path: string;
  runtimes: Runtime[];
  usedBy: string[];
}

/** A remark for the person: where in lambdas.yaml (dotted path) when it is about a value written there. */
export interface PlanNote {
  origin: Origin | null;
  at: string[] | null;
  message: string;
}

export interface InitPlan {
  config: Record<string, unknown>;
  functions: MappedFunction[];
  layers: MappedLayer[];
  families: { key: string; pathPattern: string; members: string[] }[];
  unmapped: Unmapped[];
  notes: PlanNote[];
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$/;
const NAME = /^[a-z][a-z0-9-]{0,63}$/;

interface Entry {
  name: string;
  df: DeclaredFunction;
  path: string;
  runtime: Runtime;
  fields: Record<string, unknown>;
  envs: Record<string, Record<string, unknown>>;
  descriptorShown: string | null;
  layerNames: string[];
}

export function mapToConfig(input: MapInput): InitPlan {
  const unmapped: Unmapped[] = input.sources.flatMap((s) => s.unmapped);
  const notes: PlanNote[] = input.sources.flatMap((s) => s.notes.map((n: Note) => ({ ...n, at: null })));
  const envNames = [input.envs.branch.name, ...(input.envs.tag ? [input.envs.tag.name] : [])];
  const functions = dedupe(
    input.sources.flatMap((s) => s.functions),
    notes,
  );
  const declaredLayers = new Map(input.sources.flatMap((s) => s.layers).map((l) => [l.key, l] as const));

  // Functions first: a layer without declared runtimes takes those of the functions that use it.
  const entries: Entry[] = [];
  const taken = new Set<string>();
  for (const df of functions) {
    const runtime = runtimeOf(df, input, notes);
    if ('problem' in runtime) {
      unmapped.push({ origin: df.origin, reason: runtime.problem });
      continue;
    }
    const entry = functionEntry(df, runtime.runtime, input, envNames, notes);
    if ('problem' in entry) {
      unmapped.push({ origin: df.origin, reason: entry.problem });
      continue;
    }
    entry.name = uniqueName(df, taken);
    entries.push(entry);
  }

  const layers = mapLayers(declaredLayers, entries, input, envNames, unmapped, notes);
  for (const e of entries) {
    for (const key of e.df.layers) {
      const l = layers.byKey.get(key);
      if (l) e.layerNames.push(l.name);
      else {
        const declared = declaredLayers.get(key);
        notes.push({
          origin: e.df.origin,
          at: null,
          message: `uses layer ${declared?.id ?? key}, which lci init could not map (see above): add it to lambdas.yaml by hand`,
        });
      }
    }
    if (e.layerNames.length > 0) e.fields.layers = [...e.layerNames];
    for (const arn of e.df.foreignLayers)
      notes.push({
        origin: e.df.origin,
        at: null,
        message: `also uses the layer ${arn}: lci leaves layers it does not build where they are`,
      });
  }

  const families = findFamilies(entries, input);
  for (const e of entries) nameNotes(e, envNames, notes);
  const functionsConfig: Record<string, unknown> = {};
  const mapped: MappedFunction[] = [];
  const familyOf = new Map<Entry, string>();
  for (const f of families) for (const m of f.members) familyOf.set(m, f.key);
  const written = new Set<string>();
  for (const e of entries) {
    const family = familyOf.get(e);
    mapped.push({
      name: e.name,
      origin: e.df.origin,
      path: e.path,
      handler: (e.fields.handler as string | undefined) ?? null,
      runtime: e.runtime,
      descriptor: e.descriptorShown,
      layers: e.layerNames,
      family: family ?? null,
    });
    if (family) {
      if (!written.has(family)) {
        written.add(family);
        functionsConfig[family] = families.find((f) => f.key === family)!.config;
      }
      continue;
    }
    functionsConfig[e.name] = entryConfig(e);
  }

  const defaults = hoistDefaults(functionsConfig);
  const config: Record<string, unknown> = {
    version: 1,
    artifacts: artifacts(input, notes),
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    environments: environments(input.envs),
    ...(layers.config && Object.keys(layers.config).length > 0 ? { layers: layers.config } : {}),
    functions: functionsConfig,
  };
  // A note written for a family member points at the family.
  for (const n of notes) {
    if (n.at?.[0] !== 'functions') continue;
    const member = entries.find((e) => e.name === n.at![1]);
    const family = member && familyOf.get(member);
    if (family) n.at = ['functions', family, ...n.at.slice(2)];
  }
  return {
    config,
    functions: mapped,
    layers: layers.mapped,
    families: families.map((f) => ({ key: f.key, pathPattern: f.pathPattern, members: f.members.map((m) => m.name) })),
    unmapped,
    notes: dedupeNotes(notes),
  };
}

// --- functions

/** One declaration of the same code from two sources (a SAM template and the Terraform beside it) maps once. */
function dedupe(functions: DeclaredFunction[], notes: PlanNote[]): DeclaredFunction[] {
  const seen = new Map<string, DeclaredFunction>();
  const out: DeclaredFunction[] = [];
  for (const f of functions) {
    const key = JSON.stringify([f.codeDir, f.handler, f.runtime]);
    const first = seen.get(key);
    if (first && first.origin.kind !== f.origin.kind) {
      notes.push({
        origin: f.origin,
        at: null,
        message: `the same code as ${first.origin.file} ${first.origin.at}: mapped once`,
      });
      continue;
    }
    seen.set(key, f);
    out.push(f);
  }
  return out;
}

function runtimeOf(
  df: DeclaredFunction,
  input: MapInput,
  notes: PlanNote[],
): { runtime: Runtime } | { problem: string } {
  if (df.runtime !== null) {
    if (!(RUNTIMES as readonly string[]).includes(df.runtime))
      return {
        problem: `runtime ${df.runtime}: lci builds ${RUNTIMES.filter((r) => !r.startsWith('provided')).length} python and nodejs runtimes and provided.al2023/al2 with a build command`,
      };
    const runtime = df.runtime as Runtime;
    if (runtimeFamily(runtime) === 'provided' && !df.build)
      return {
        problem: `runtime ${runtime} needs a build.command that writes bootstrap (Go, Rust, a binary), which lci init cannot infer: write it in lambdas.yaml (README: Build steps)`,
      };
    return { runtime };
  }
  const family = inferFamily(df, input.facts);
  if (!family) return { problem: 'no runtime declared, and none lci init can tell from the files' };
  const runtime = newestSupported(family.family, input.today);
  notes.push({
    origin: df.origin,
    at: null,
    message: `no runtime declared: ${runtime} assumed from ${family.from}`,
  });
  return { runtime };
}

function inferFamily(df: DeclaredFunction, facts: RepoFacts): { family: RuntimeFamily; from: string } | null {
  const files = facts.filesIn(df.codeDir);
  if (df.handler?.includes('.')) {
    const module = df.handler.slice(0, df.handler.lastIndexOf('.'));
    for (const [ext, family] of [
      ['.py', 'python'],
      ['.js', 'nodejs'],
      ['.mjs', 'nodejs'],
      ['.cjs', 'nodejs'],
      ['.ts', 'nodejs'],
    ] as const)
      if (facts.isTracked(posix.join(df.codeDir || '.', `${module}${ext}`).replace(/^\.\//, '')))
        return { family, from: `${module}${ext}` };
  }
  if (files.includes('requirements.txt')) return { family: 'python', from: 'requirements.txt' };
  if (files.includes('package.json')) return { family: 'nodejs', from: 'package.json' };
  return null;
}

/** The family's newest runtime not deprecated on `today` (the table lists the newest first). */
function newestSupported(family: RuntimeFamily, today: string): Runtime {
  const ofFamily = RUNTIME_TABLE.filter((r) => r.family === family);
  return (ofFamily.find((r) => runtimeStatus(r.id, today).state === 'supported') ?? ofFamily[0]!).id;
}

function functionEntry(
  df: DeclaredFunction,
  runtime: Runtime,
  input: MapInput,
  envNames: string[],
  notes: PlanNote[],
): Entry | { problem: string } {
  const path = configPath(input.configDir, df.codeDir);
  const fields: Record<string, unknown> = { path, runtime };
  if (df.architecture !== null) {
    if (df.architecture !== 'x86_64' && df.architecture !== 'arm64')
      return { problem: `architecture ${df.architecture}: Lambda runs x86_64 and arm64` };
    fields.architecture = df.architecture;
  }
  if (df.handler !== null) fields.handler = df.handler;
  let descriptorShown: string | null = null;
  const family = runtimeFamily(runtime);
  if (df.build) {
    const build = esbuildCommand(df, input.facts);
    if ('problem' in build) return build;
    fields.descriptor = false;
    fields.build = build;
    descriptorShown = 'package.json (devDependencies, in the build)';
  } else if (df.descriptor) {
    const rel = posix.relative(df.codeDir || '.', df.descriptor);
    if (rel !== DEFAULT_DESCRIPTOR[family]) fields.descriptor = rel;
    descriptorShown = withLockfiles(df.descriptor, family, input.facts);
  } else {
    const d = DEFAULT_DESCRIPTOR[family];
    const at = d ? posix.join(df.codeDir || '.', d).replace(/^\.\//, '') : null;
    if (at && input.facts.isTracked(at)) descriptorShown = withLockfiles(at, family, input.facts);
  }
  if (df.exclude.length > 0) fields.exclude = [...df.exclude];
  if (df.include.length > 0) fields.include = [...df.include];
  const envs: Record<string, Record<string, unknown>> = {};
  const fn = df.functionName;
  if (fn.kind === 'fixed') {
    fields.functionName = fn.value;
  } else if (fn.kind === 'generated') {
    fields.functionName = `${fn.hint}-${ENV}`;
  } else {
    const missing = envNames.filter((e) => !(e in fn.values));
    if (missing.length > 0) fields.functionName = `${df.id}-${ENV}`;
    for (const e of envNames) if (fn.values[e]) envs[e] = { functionName: fn.values[e] };
  }
  const entry: Entry = { name: '', df, path, runtime, fields, envs, descriptorShown, layerNames: [] };
  const status = runtimeStatus(runtime, input.today);
  if (status.state !== 'supported')
    notes.push({
      origin: df.origin,
      at: null,
      message: `runtime ${runtime} is ${status.state === 'blocked' ? 'blocked by AWS' : 'deprecated'}: move to ${status.successor}`,
    });
  return entry;
}

/** The notes about a function's AWS name, once it has its lci name. */
function nameNotes(e: Entry, envNames: string[], notes: PlanNote[]): void {
  const at = ['functions', e.name, 'functionName'];
  const fn = e.df.functionName;
  if (fn.kind === 'generated' && e.df.origin.kind === 'sam')
    notes.push({
      origin: e.df.origin,
      at,
      message: `a guess: CloudFormation names this function <stack>-${fn.hint}-<suffix>; lci init --aws reads the real names, or set them here`,
    });
  else if (fn.kind === 'generated')
    notes.push({
      origin: e.df.origin,
      at,
      message: `a guess: the source does not fix this function's AWS name; set it here`,
    });
  else if (fn.kind === 'fixed' && !fn.value.includes(ENV) && envNames.length > 1)
    notes.push({
      origin: e.df.origin,
      at,
      message: `one AWS function for every environment (each environment moves its own alias on it)`,
    });
  else if (fn.kind === 'per-env') {
    const missing = envNames.filter((n) => !(n in fn.values));
    if (missing.length > 0)
      notes.push({
        origin: e.df.origin,
        at,
        message: `no function found in the account for ${missing.join(', ')}: a guess for ${missing.length === 1 ? 'it' : 'them'}`,
      });
  }
}

function withLockfiles(descriptor: string, family: RuntimeFamily, facts: RepoFacts): string {
  const dir = posix.dirname(descriptor) === '.' ? '' : posix.dirname(descriptor);
  const base = posix.basename(descriptor);
  const locks = facts.filesIn(dir).filter((f) => f !== base && isLockfile(family, f));
  return [base, ...locks].join(' + ');
}

/** SAM's and serverless-esbuild's bundling, as one build.command run in lci's build container. */
function esbuildCommand(
  df: DeclaredFunction,
  facts: RepoFacts,
): { command: string; output: string } | { problem: string } {
  const b = df.build!;
  if (b.entryPoints.length === 0)
    return { problem: 'built with esbuild, but no entry point lci init can read (BuildProperties.EntryPoints)' };
  const here = (f: string) => posix.join(df.codeDir || '.', f).replace(/^\.\//, '');
  if (!facts.isTracked(here('package.json')))
    return { problem: 'built with esbuild, but there is no package.json beside the code to install esbuild from' };
  const values = [...b.entryPoints, ...b.external, b.target ?? ''];
  if (values.some((v) => /[\r\n\0]/.test(v))) return { problem: 'an esbuild setting holds a line break' };
  const output = facts.subdirs(df.codeDir).includes('dist') ? '.lci-dist' : 'dist';
  const install = facts.isTracked(here('package-lock.json'))
    ? 'npm ci --no-audit --no-fund'
    : 'npm install --no-audit --no-fund';
  const args = [
    ...b.entryPoints.map(shellWord),
    '--bundle',
    '--platform=node',
    `--outdir=${output}`,
    ...(b.keepPaths ? ['--outbase=.'] : []),
    ...(b.target ? [`--target=${shellWord(b.target)}`] : []),
    ...(b.minify ? ['--minify'] : []),
    ...(b.sourcemap ? ['--sourcemap'] : []),
    ...b.external.map((x) => `--external:${shellWord(x)}`),
  ];
  return { command: `${install} && npx --no-install esbuild ${args.join(' ')}`, output };
}

/** One word for sh: as it is when plain, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function configPath(configDir: string, repoPath: string): string {
  return posix.relative(configDir || '.', repoPath || '.') || '.';
}

/** A valid, unused function name from the source's own: `OrdersFunction` → `orders`, `createOrder` → `create-order`. */
function uniqueName(df: DeclaredFunction, taken: Set<string>): string {
  const base = kebab(df.id, 'fn');
  const candidates = [base, ...(df.scope ? [kebab(`${lastSegment(df.scope)}-${df.id}`, 'fn')] : [])];
  for (const c of candidates)
    if (!taken.has(c)) {
      taken.add(c);
      return c;
    }
  for (let i = 2; ; i++) {
    const c = `${base.slice(0, 60)}-${i}`;
    if (!taken.has(c)) {
      taken.add(c);
      return c;
    }
  }
}

function lastSegment(scope: string): string {
  return scope.split(/[/:#]/).filter(Boolean).at(-1) ?? scope;
}

export function kebab(id: string, prefix: string): string {
  let s = id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const stripped = s.replace(/-(function|fn|lambda|handler|layer|layer-version)$/, '');
  if (stripped) s = stripped;
  if (!/^[a-z]/.test(s)) s = `${prefix}-${s}`.replace(/-+$/, '');
  s = s.slice(0, 64).replace(/-+$/, '');
  return NAME.test(s) ? s : prefix;
}

function entryConfig(e: Entry): Record<string, unknown> {
  const order = [
    'path',
    'runtime',
    'architecture',
    'handler',
    'descriptor',
    'exclude',
    'include',
    'layers',
    'functionName',
    'build',
  ];
  const out: Record<string, unknown> = {};
  for (const k of order) if (k in e.fields) out[k] = e.fields[k];
  if (Object.keys(e.envs).length > 0) out.environments = e.envs;
  return out;
}

// --- layers

function mapLayers(
  declared: Map<string, DeclaredLayer>,
  entries: Entry[],
  input: MapInput,
  envNames: string[],
  unmapped: Unmapped[],
  notes: PlanNote[],
): { byKey: Map<string, MappedLayer>; mapped: MappedLayer[]; config: Record<string, unknown> | null } {
  const byKey = new Map<string, MappedLayer>();
  const mapped: MappedLayer[] = [];
  const config: Record<string, unknown> = {};
  const taken = new Set<string>();
  for (const layer of declared.values()) {
    const users = entries.filter((e) => e.df.layers.includes(layer.key));
    const lciRuntimes = layer.runtimes.filter((r): r is Runtime => (RUNTIMES as readonly string[]).includes(r));
    let runtimes: Runtime[] = lciRuntimes.length > 0 ? lciRuntimes : [...new Set(users.map((u) => u.runtime))];
    if (runtimes.length === 0) {
      unmapped.push({
        origin: layer.origin,
        reason:
          layer.runtimes.length > 0
            ? `compatible runtimes ${layer.runtimes.join(', ')}: none of them is one lci builds`
            : 'no compatible runtimes declared, and no function lci init mapped uses it',
      });
      continue;
    }
    const family = runtimeFamily(runtimes[0]!);
    runtimes = runtimes.filter((r) => runtimeFamily(r) === family);
    for (const u of users)
      if (!runtimes.includes(u.runtime) && runtimeFamily(u.runtime) === family) runtimes.push(u.runtime);
    const content = layerContent(layer.contentDir, family, input.facts);
    if ('problem' in content) {
      unmapped.push({ origin: layer.origin, reason: content.problem });
      continue;
    }
    const name = uniqueLayerName(layer.id, taken);
    const entry: Record<string, unknown> = { path: configPath(input.configDir, layer.contentDir), runtimes };
    const archs = layer.architectures.filter((a) => a === 'x86_64' || a === 'arm64');
    const userArchs = [...new Set(users.map((u) => (u.fields.architecture as string | undefined) ?? 'x86_64'))];
    const architectures = archs.length > 0 ? [...archs] : userArchs;
    for (const a of userArchs) if (!architectures.includes(a)) architectures.push(a);
    if (!(architectures.length === 1 && architectures[0] === 'x86_64') && architectures.length > 0)
      entry.architectures = architectures;
    if (content.build) {
      entry.descriptor = false;
      entry.build = content.build;
      notes.push({
        origin: layer.origin,
        at: ['layers', name, 'build'],
        message: `the layer's ${content.build.output === '.lci-layer' ? 'files are' : 'content is'} copied as committed (no descriptor to install from)`,
      });
    }
    if (layer.layerName.kind === 'fixed') {
      const v = layer.layerName.value;
      entry.layerName = v.includes(ENV) || envNames.length === 1 ? v : `${v}-${ENV}`;
      if (entry.layerName !== v)
        notes.push({
          origin: layer.origin,
          at: ['layers', name, 'layerName'],
          message: `'${v}' with -\${env}: a shared layer's name differs between environments`,
        });
    }
    config[name] = entry;
    const m: MappedLayer = {
      name,
      origin: layer.origin,
      path: entry.path as string,
      runtimes,
      usedBy: users.map((u) => u.name),
    };
    mapped.push(m);
    byKey.set(layer.key, m);
  }
  return { byKey, mapped, config: mapped.length > 0 ? config : null };
}

function layerContent(
  dir: string,
  family: RuntimeFamily,
  facts: RepoFacts,
): { build: { command: string; output: string } | null } | { problem: string } {
  const descriptor = DEFAULT_DESCRIPTOR[family];
  if (descriptor && facts.filesIn(dir).includes(descriptor)) return { build: null };
  const top = family === 'python' ? 'python' : family === 'nodejs' ? 'nodejs' : null;
  if (top && facts.subdirs(dir).includes(top))
    return { build: { command: `mkdir -p .lci-layer && cp -R ${top} .lci-layer/`, output: '.lci-layer' } };
  return {
    problem: `its directory has no ${descriptor ?? 'descriptor'} to build from and no ${top ?? 'layer'}/ directory of files to ship: write the layer's build.command in lambdas.yaml by hand`,
  };
}

function uniqueLayerName(id: string, taken: Set<string>): string {
  const base = kebab(id, 'layer');
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
  taken.add(name);
  return name;
}

// --- families

interface Family {
  key: string;
  pathPattern: string;
  members: Entry[];
  config: Record<string, unknown>;
}

/**
 * Sibling directories of the same shape become one family (README: Function families) when every
 * tracked directory beside them is one of them: then `pathPattern` says exactly what the entries
 * said, and a new directory there is a new function, as the family means.
 */
function findFamilies(entries: Entry[], input: MapInput): Family[] {
  const byParent = new Map<string, Entry[]>();
  for (const e of entries) {
    if (e.path === '.' || e.path.startsWith('..')) continue;
    const parent = posix.dirname(e.path);
    byParent.set(parent, [...(byParent.get(parent) ?? []), e]);
  }
  const families: Family[] = [];
  const names = new Set(entries.map((e) => e.name));
  for (const [parent, members] of byParent) {
    if (members.length < 2) continue;
    const dirs = members.map((m) => posix.basename(m.path));
    if (new Set(dirs).size !== dirs.length || !dirs.every((d) => /^[a-z][a-z0-9-]*$/.test(d))) continue;
    const repoParent = posix.join(input.configDir || '.', parent).replace(/^\.\/?/, '');
    const present = input.facts.subdirs(repoParent).filter((d) => !d.startsWith('.'));
    if (present.length !== dirs.length || !present.every((d) => dirs.includes(d))) continue;
    const shapes = members.map((m, i) => templatize(entryConfig(m), dirs[i]!));
    const shape = JSON.stringify(shapes[0]);
    if (
      !shapes.every((s) => JSON.stringify(s) === shape) ||
      !/\$\{dir\}/.test(JSON.stringify(shapes[0]?.functionName ?? ''))
    )
      continue;
    const key = familyKey(members, dirs, names);
    if (!key) continue;
    const { path: _path, ...rest } = shapes[0]!;
    const pathPattern = parent === '.' ? '*' : `${parent}/*`;
    families.push({ key, pathPattern, members, config: { pathPattern, ...rest } });
    for (const [i, m] of members.entries()) {
      names.delete(m.name);
      m.name = key.replace('*', dirs[i]!);
      names.add(m.name);
    }
  }
  return families;
}

/** `${dir}` where the directory's name stands in the entry's names, as whole words. */
function templatize(entry: Record<string, unknown>, dir: string): Record<string, unknown> {
  const word = new RegExp(`(?<![A-Za-z0-9])${dir.replace(/[-]/g, '\\-')}(?![A-Za-z0-9])`, 'g');
  const sub = (v: unknown, key: string): unknown => {
    if (typeof v === 'string' && (key === 'functionName' || key === 'layerName')) return v.replace(word, '${dir}');
    if (key === 'path') return '';
    if (Array.isArray(v)) return v.map((x) => sub(x, ''));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x, k)]));
    return v;
  };
  return sub(entry, '') as Record<string, unknown>;
}

/** The family's key: the members' own names with the directory as `*` when they agree on it, else the bare `*`. */
function familyKey(members: Entry[], dirs: string[], names: Set<string>): string | null {
  const affixes = members.map((m, i) => {
    const at = m.name.indexOf(dirs[i]!);
    return at < 0 ? null : `${m.name.slice(0, at)}*${m.name.slice(at + dirs[i]!.length)}`;
  });
  const own = affixes[0] && affixes.every((a) => a === affixes[0]) ? affixes[0] : '*';
  const others = new Set([...names].filter((n) => !members.some((m) => m.name === n)));
  const made = dirs.map((d) => own.replace('*', d));
  if (made.some((n) => others.has(n) || !NAME.test(n))) return null;
  return own;
}

// --- top level

function hoistDefaults(functions: Record<string, unknown>): Record<string, unknown> {
  const entries = Object.values(functions) as Record<string, unknown>[];
  const defaults: Record<string, unknown> = {};
  if (entries.length < 2) return defaults;
  for (const key of ['runtime', 'architecture', 'handler', 'layers']) {
    const first = JSON.stringify(entries[0]![key]);
    if (entries[0]![key] === undefined || !entries.every((e) => JSON.stringify(e[key]) === first)) continue;
    defaults[key] = entries[0]![key];
    for (const e of entries) delete e[key];
  }
  return defaults;
}

function artifacts(input: MapInput, notes: PlanNote[]): Record<string, unknown> {
  const fromSources = input.sources.map((s) => s.bucket).find((b): b is string => !!b);
  let bucket = input.bucket ?? (fromSources && BUCKET.test(fromSources) ? fromSources : null);
  if (!bucket) {
    bucket = placeholderBucket(input.repoName);
    notes.push({
      origin: null,
      at: ['artifacts', 'bucket'],
      message: `a placeholder: ${fromSources ? `the sources' bucket '${fromSources}' is not a name lci can use` : 'no source names a bucket'}; set the S3 bucket lci uploads code to (lci init --bucket NAME)`,
    });
  }
  const region = input.region ?? input.sources.map((s) => s.region).find((r): r is string => !!r && REGION.test(r));
  return { bucket, ...(region ? { region } : {}) };
}

export function placeholderBucket(repoName: string): string {
  const base = repoName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${base || 'lambda'}-lci-artifacts`.replace(/^-/, '');
}

function environments(envs: EnvChoice): Record<string, unknown> {
  return {
    [envs.branch.name]: { branch: envs.branch.branch },
    ...(envs.tag ? { [envs.tag.name]: { tag: envs.tag.tag } } : {}),
  };
}

function dedupeNotes(notes: PlanNote[]): PlanNote[] {
  const seen = new Set<string>();
  return notes.filter((n) => {
    const k = JSON.stringify([n.origin, n.at, n.message]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
