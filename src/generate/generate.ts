import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { toPosix, type LoadedProject } from '../config/load.js';
import type { Project, ResolvedFunction } from '../config/types.js';
import { UsageError } from '../errors.js';
import { readNamedFile } from '../named-file.js';
import { DEFAULT_HANDLER } from '../config/runtimes.js';
import { inputRules } from '../inputs/function-inputs.js';
import { globRule } from '../inputs/rules.js';
import { writeZip } from '../package/zip.js';
import { worktreeReader } from '../vcs/readers.js';
import {
  environmentPipelineName,
  HEADER_PREFIX,
  header,
  PLACEHOLDER_ZIP,
  pipelineName,
  renderInfra,
  type EnvironmentSpec,
  type FunctionSpec,
  type GeneratedFile,
  type Layout,
  type PipelineSpec,
} from './render.js';
import { codebuildTimeoutMinutes, MAX_CODEBUILD_MINUTES } from './codebuild-timeout.js';
import { artifactPrefixProblem, environmentGrants, planArtifactName, sourceArtifactName } from './grants.js';
import { triggerFilters, triggerPaths } from './trigger-paths.js';
import { awsProviderConstraint } from './provider-version.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/**
 * Generated files that cannot start with the header (the placeholder zip) are listed in this
 * manifest, which does: lci owns a file when it carries the header or the manifest lists it.
 */
export const MANIFEST = '.lci-generated';

export interface GenerateOptions {
  envs: string[];
  functions: string[];
  withFunctions: boolean;
  /** function: a pipeline per function × environment; environment: a pipeline per environment, deploying in `shards`. */
  layout: Layout;
  shards: number;
}

export interface Generated {
  files: GeneratedFile[];
  warnings: string[];
}

/** A pipeline generate writes: a function in an environment it deploys to. */
export interface PipelineTarget {
  name: string;
  r: ResolvedFunction;
  branch: string | null;
  tag: string | null;
}

/**
 * Every function × environment (narrowed by envs and functions) that gets a pipeline, with the
 * pipeline's AWS name: generate writes them, `lci pipelines` reads them. Skipped environments
 * (`environments: { <env>: false }`) get none.
 */
export function pipelineTargets(project: Project, envs: string[], functions: string[]): PipelineTarget[] {
  const out: PipelineTarget[] = [];
  for (const fn of Object.values(project.functions)) {
    if (functions.length > 0 && !functions.includes(fn.name)) continue;
    for (const env of Object.values(project.environments)) {
      if (envs.length > 0 && !envs.includes(env.name)) continue;
      const r = fn.envs[env.name];
      if (r)
        out.push({ name: pipelineName(project.ci.namePrefix, fn.name, env.name), r, branch: env.branch, tag: env.tag });
    }
  }
  return out;
}

/** The files for a project: pipelines for every (selected) function × environment it deploys to. */
export async function generate(loaded: LoadedProject, opts: GenerateOptions): Promise<Generated> {
  const { project } = loaded;
  const configInRepo = toPosix(relative(loaded.root, project.configFile));
  const read = worktreeReader(loaded.root);
  const isDir = (p: string) => existsSync(join(loaded.root, p)) && statSync(join(loaded.root, p)).isDirectory();
  const shared = project.shared.map((g) => globRule('shared', loaded.configDirInRepo, g));
  const warnings: string[] = [];
  const pipelines: PipelineSpec[] = [];
  const functions = new Map<string, FunctionSpec>();

  const selected = pipelineTargets(project, opts.envs, opts.functions);
  if (opts.withFunctions) for (const { r } of selected) addFunction(functions, r);
  // Every pipeline of the layout, selected or not: no two may store artifacts under one prefix.
  const allPipelines =
    opts.layout === 'environment'
      ? Object.keys(project.environments).map((e) => environmentPipelineName(project.ci.namePrefix, e))
      : pipelineTargets(project, [], []).map((t) => t.name);
  const collision = artifactPrefixProblem(allPipelines, project.artifacts.prefix);
  if (collision) throw new UsageError(collision);
  const environments = opts.layout === 'environment' ? environmentSpecs(project, opts.envs, warnings) : [];
  // The same inputs `lci plan` matches, for every pipeline a branch push starts.
  const perFunction = opts.layout === 'function' ? selected : [];
  const rules = await inputRules(
    new Map(perFunction.filter((s) => s.branch !== null).map((s) => [s.name, [s.r]])),
    loaded.configDirInRepo,
    read,
  );
  for (const { r, name, branch, tag } of perFunction) {
    let filters = [{ includes: [] as string[], excludes: [] as string[] }];
    if (branch !== null) {
      const own = rules.get(name)!;
      const paths = triggerPaths([...own, ...shared], configInRepo, isDir);
      const spread = triggerFilters(r, [...own, ...shared], configInRepo, isDir);
      if ('filters' in spread) filters = spread.filters;
      else if (paths.length > 1 || paths[0] !== '**') {
        warnings.push(
          `${name}: ${spread.everyPush}; the pipeline starts on every push to ${branch} (lci deploy still leaves unchanged functions alone)`,
        );
      }
    }
    const timeout = codebuildTimeoutMinutes(r);
    if (timeout.capped)
      warnings.push(
        `${name}: build.timeout is longer than CodeBuild lets a build run (${MAX_CODEBUILD_MINUTES} minutes); CodeBuild may stop the deploy first`,
      );
    pipelines.push({
      name,
      functionKey: r.name,
      environment: r.env,
      functionName: r.functionName,
      layerName: r.layerName,
      architecture: r.architecture,
      strategy: project.environments[r.env]!.strategy ?? 'all-at-once',
      triggerKind: branch !== null ? 'branch' : 'tag',
      triggerPattern: (branch ?? tag)!,
      // the run on creation and manual starts fetch this branch: a branch environment's own, when it names one
      sourceBranch: branch !== null && !picomatch.scan(branch).isGlob ? branch : null,
      pushFilters: filters,
      sourceArtifact: sourceArtifactName(name),
      planArtifact: planArtifactName(name),
      alarmNames: r.alarms,
      sharedLayers: r.layers.map((l) => ({ name: l.name, layerName: l.layerName })),
      prune: project.environments[r.env]!.prune !== null,
      smoke: r.smoke.length > 0,
      confirm: project.environments[r.env]!.confirm,
      buildTimeoutMinutes: timeout.minutes,
    });
  }
  const templates: Record<string, string> = {};
  for (const path of templateFiles()) templates[path] = readFileSync(join(TEMPLATES_DIR, path), 'utf8');
  const files = renderInfra({
    configInRepo,
    configDirInRepo: loaded.configDirInRepo,
    bucket: project.artifacts.bucket,
    prefix: project.artifacts.prefix,
    region: project.artifacts.region,
    ci: project.ci,
    slackWebhookEnv: project.notify.slackWebhookEnv,
    layout: opts.layout,
    pipelines,
    environments,
    shards: opts.shards,
    functions: opts.withFunctions
      ? [...functions.values()].sort((a, b) => (a.functionName < b.functionName ? -1 : 1))
      : null,
    // Every environment's, selected or not: one bucket, one policy.
    referenceEnvironments: Object.values(project.environments)
      .filter((e) => e.codeStorage === 'reference')
      .map((e) => e.name),
    templates,
  });
  if (opts.withFunctions) {
    const { constraint, raisedBy } = awsProviderConstraint([...functions.values()].map((f) => f.runtime));
    if (raisedBy.length > 0)
      warnings.push(
        `--with-functions: ${raisedBy.join(' and ')} need the hashicorp/aws provider ${constraint} (5.x refuses them at plan); versions.tf asks for it`,
      );
    files.push({ path: PLACEHOLDER_ZIP, content: await placeholderZip() });
    files.push({ path: MANIFEST, content: manifest(configInRepo, [PLACEHOLDER_ZIP]) });
  }
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : 1)), warnings };
}

/**
 * --layout environment: each (selected) environment's pipeline, named after it, releasing all its
 * functions; a pattern its role is granted is named in a warning (environmentGrants refuses one
 * that reaches another environment).
 */
function environmentSpecs(project: Project, envs: string[], warnings: string[]): EnvironmentSpec[] {
  return Object.values(project.environments)
    .filter((e) => envs.length === 0 || envs.includes(e.name))
    .flatMap((e): EnvironmentSpec[] => {
      const fns = Object.values(project.functions).flatMap((f) => (f.envs[e.name] ? [f.envs[e.name]!] : []));
      if (fns.length === 0) return [];
      const name = environmentPipelineName(project.ci.namePrefix, e.name);
      const grants = environmentGrants(project, e.name);
      if ('problem' in grants) throw new UsageError(grants.problem);
      if (grants.patterns.length > 0)
        warnings.push(
          `${name}: its build role names ${fns.length} functions and their layers by ${grants.patterns.length === 1 ? 'the pattern' : 'the patterns'} ${grants.patterns.join(', ')} (IAM holds about 10 names per role): none matches a function, layer or S3 key of another environment of lambdas.yaml, but any other function or layer of the account and region whose name matches is covered too`,
        );
      return [
        {
          name,
          environment: e.name,
          strategy: e.strategy ?? 'all-at-once',
          triggerKind: e.branch !== null ? 'branch' : 'tag',
          triggerPattern: (e.branch ?? e.tag)!,
          sourceBranch: e.branch !== null && !picomatch.scan(e.branch).isGlob ? e.branch : null,
          sourceArtifact: sourceArtifactName(name),
          planArtifact: planArtifactName(name),
          functionPatterns: grants.functions,
          // The functions' own dependency layers and the shared layers they use.
          layerPatterns: grants.layers,
          sharedLayers: [...new Set(fns.flatMap((r) => r.layers.map((l) => l.name)))].sort(),
          buildTimeoutMinutes: Math.max(...fns.map((r) => codebuildTimeoutMinutes(r).minutes)),
          alarmNames: [...new Set(fns.flatMap((r) => r.alarms))].sort(),
          prune: e.prune !== null,
          smoke: fns.some((r) => r.smoke.length > 0),
          confirm: e.confirm,
        },
      ];
    });
}

/** The codeless functions' first code: lci's deterministic zip of one text file, the same bytes on every machine. */
async function placeholderZip(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'lci-placeholder-'));
  try {
    const data = Buffer.from('placeholder until the first lci deploy\n');
    const out = join(dir, 'placeholder.zip');
    await writeZip([{ name: 'README.txt', source: { data }, size: data.length, executable: false }], out);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function manifest(configInRepo: string, paths: string[]): string {
  return `${header(configInRepo)}# Files lci generate wrote that cannot carry this header; lci owns them.\n${paths.map((p) => `${p}\n`).join('')}`;
}

function addFunction(functions: Map<string, FunctionSpec>, r: ResolvedFunction): void {
  const handler = r.handler ?? DEFAULT_HANDLER[r.family];
  const existing = functions.get(r.functionName);
  if (!existing) {
    functions.set(r.functionName, {
      functionName: r.functionName,
      runtime: r.runtime,
      handler,
      architecture: r.architecture,
      aliases: [r.alias],
    });
    return;
  }
  if (existing.runtime !== r.runtime || existing.architecture !== r.architecture || existing.handler !== handler) {
    throw new UsageError(
      `--with-functions: environments that share the AWS function ${r.functionName} configure it differently (runtime, architecture or handler); give them their own functionName`,
    );
  }
  if (!existing.aliases.includes(r.alias)) existing.aliases.push(r.alias);
}

function templateFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(join(TEMPLATES_DIR, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${d.name}` : d.name;
      if (d.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out;
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Writes the files under `outDir`, touching only files lci wrote (they carry the header): a file at
 * one of our paths without it is an error, and files of ours that are no longer generated are
 * removed. With `check`, nothing is written: the result lists what would change.
 */
export async function writeGenerated(outDir: string, files: GeneratedFile[], check: boolean): Promise<WriteResult> {
  const result: WriteResult = { written: [], unchanged: [], removed: [] };
  const foreign: string[] = [];
  const current = new Map<string, Buffer>();
  const listed = manifestEntries(outDir);
  for (const f of files) {
    const full = join(outDir, f.path);
    const old = readExisting(full);
    if (old !== null && !isOurs(f.path, old, listed)) foreign.push(f.path);
    if (old !== null) current.set(f.path, old);
  }
  if (foreign.length > 0) {
    throw new UsageError(
      `${foreign.map((f) => join(outDir, f)).join(', ')} exist${foreign.length === 1 ? 's' : ''} and ${foreign.length === 1 ? 'was' : 'were'} not written by lci; move ${foreign.length === 1 ? 'it' : 'them'} away or choose another --out`,
    );
  }
  const wanted = new Set(files.map((f) => f.path));
  for (const stale of oursUnder(outDir).filter((p) => !wanted.has(p))) {
    result.removed.push(stale);
    if (!check) await rm(join(outDir, stale));
  }
  for (const f of files) {
    if (current.get(f.path)?.equals(Buffer.from(f.content)) === true) {
      result.unchanged.push(f.path);
      continue;
    }
    result.written.push(f.path);
    if (!check) {
      await mkdir(dirname(join(outDir, f.path)), { recursive: true });
      await writeFile(join(outDir, f.path), f.content);
    }
  }
  return result;
}

/** Generated files are a few MB at 20,000 functions; a file above this at one of our paths is not one lci wrote. */
const MAX_GENERATED_BYTES = 64 * 1024 * 1024;

/** A file under --out as it is now (null when absent): only a regular file is read, so a FIFO placed there cannot stall generate. */
function readExisting(full: string): Buffer | null {
  const file = readNamedFile(full, MAX_GENERATED_BYTES, 'lci writes no file that large');
  if (file.ok) return file.data;
  if (file.kind === 'missing') return null;
  throw new UsageError(`${full} ${file.problem}; move it away or choose another --out`);
}

function isOurs(path: string, content: Buffer, listed: Set<string>): boolean {
  return listed.has(path) || content.subarray(0, HEADER_PREFIX.length).toString('utf8') === HEADER_PREFIX;
}

/** The paths the existing manifest lists (only a manifest lci wrote counts). */
function manifestEntries(dir: string): Set<string> {
  const text = readExisting(join(dir, MANIFEST))?.toString('utf8') ?? '';
  if (!text.startsWith(HEADER_PREFIX)) return new Set();
  return new Set(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')));
}

/** Files under dir that lci wrote: they carry the header, or the manifest lists them. */
function oursUnder(dir: string): string[] {
  const listed = manifestEntries(dir);
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    if (!existsSync(abs)) return;
    for (const d of readdirSync(abs, { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (!d.name.startsWith('.')) walk(p);
      } else if (
        listed.has(p) ||
        (d.isFile() &&
          (/\.(tf|yml)$/.test(d.name) || d.name === MANIFEST) &&
          readExisting(join(dir, p))?.toString('utf8').startsWith(HEADER_PREFIX))
      )
        out.push(p);
    }
  };
  walk('');
  return out.sort();
}
