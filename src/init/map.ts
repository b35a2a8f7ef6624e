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
import { esbuildCommand } from './esbuild.js';
import { findFamilies } from './families.js';
import { ENV } from './intrinsics.js';
import { mapLayers } from './layers.js';
import { type DeclaredFunction, type Note, repoJoin, type Unmapped } from './model.js';
import {
  configPath,
  type EnvChoice,
  type Entry,
  entryConfig,
  type InitPlan,
  kebab,
  type MapInput,
  type MappedFunction,
  type PlanNote,
  type RepoFacts,
} from './plan.js';

export type { EnvChoice, InitPlan, MapInput, RepoFacts } from './plan.js';
export { kebab } from './plan.js';
export { shellWord } from './esbuild.js';

/**
 * The pure half of lci init: what the sources declare, plus what the repository holds, in;
 * lambdas.yaml as plain data out, with every function it could not map and every value a person
 * should check. No I/O: the readers and the writer are at the edges. Layers, families and the
 * esbuild command have files of their own.
 */

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$/;

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
        problem: `runtime ${runtime} needs a build.command that writes bootstrap (Go, Rust, a binary), which lci init cannot infer: write it in lambdas.yaml (docs/monorepos.md: Build steps)`,
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
      if (facts.isTracked(repoJoin(df.codeDir, `${module}${ext}`))) return { family, from: `${module}${ext}` };
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
    const at = d ? repoJoin(df.codeDir, d) : null;
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
