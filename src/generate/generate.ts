import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toPosix, type LoadedProject } from '../config/load.js';
import type { ResolvedFunction } from '../config/types.js';
import { UsageError } from '../errors.js';
import { inputRules } from '../inputs/function-inputs.js';
import { globRule } from '../inputs/rules.js';
import { worktreeReader } from '../vcs/readers.js';
import { HEADER_PREFIX, pipelineName, renderInfra, type FunctionSpec, type GeneratedFile, type PipelineSpec } from './render.js';
import { MAX_TRIGGER_PATHS, triggerPaths } from './trigger-paths.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export interface GenerateOptions {
  envs: string[];
  functions: string[];
  withFunctions: boolean;
  lciVersion: string;
}

export interface Generated {
  files: GeneratedFile[];
  warnings: string[];
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

  const selected: { r: ResolvedFunction; name: string; branch: string | null; tag: string | null }[] = [];
  for (const fn of Object.values(project.functions)) {
    if (opts.functions.length > 0 && !opts.functions.includes(fn.name)) continue;
    for (const env of Object.values(project.environments)) {
      if (opts.envs.length > 0 && !opts.envs.includes(env.name)) continue;
      const r = fn.envs[env.name];
      if (r) selected.push({ r, name: pipelineName(fn.name, env.name), branch: env.branch, tag: env.tag }); // none for environments: { <env>: false }
    }
  }
  // The same inputs `lci plan` matches, for every pipeline a branch push starts.
  const rules = await inputRules(new Map(selected.filter((s) => s.branch !== null).map((s) => [s.name, [s.r]])), loaded.configDirInRepo, read);
  for (const { r, name, branch, tag } of selected) {
    let filePaths: string[] = [];
    if (branch !== null) {
      filePaths = triggerPaths([...rules.get(name)!, ...shared], configInRepo, isDir);
      if (filePaths.length > MAX_TRIGGER_PATHS) {
        warnings.push(
          `${name}: ${filePaths.length} trigger paths exceed CodePipeline's limit of ${MAX_TRIGGER_PATHS}; the pipeline starts on every push to ${branch} (lci deploy still leaves unchanged functions alone)`,
        );
      }
      if (filePaths.length > MAX_TRIGGER_PATHS || filePaths.includes('**')) filePaths = [];
    }
    pipelines.push({
      name,
      functionKey: r.name,
      environment: r.env,
      functionName: r.functionName,
      layerName: r.layerName,
      triggerKind: branch !== null ? 'branch' : 'tag',
      triggerPattern: (branch ?? tag)!,
      filePaths,
      alarmNames: r.alarms,
      smoke: r.smoke.length > 0,
    });
    if (opts.withFunctions) addFunction(functions, r);
  }
  const templates: Record<string, string> = {};
  for (const path of templateFiles()) templates[path] = readFileSync(join(TEMPLATES_DIR, path), 'utf8');
  const files = renderInfra({
    configInRepo,
    configDirInRepo: loaded.configDirInRepo,
    bucket: project.artifacts.bucket,
    prefix: project.artifacts.prefix,
    lciVersion: opts.lciVersion,
    pipelines,
    functions: opts.withFunctions ? [...functions.values()].sort((a, b) => (a.functionName < b.functionName ? -1 : 1)) : null,
    templates,
  });
  return { files, warnings };
}

function addFunction(functions: Map<string, FunctionSpec>, r: ResolvedFunction): void {
  const handler = r.handler ?? (r.family === 'python' ? 'app.handler' : 'index.handler');
  const existing = functions.get(r.functionName);
  if (!existing) {
    functions.set(r.functionName, { functionName: r.functionName, runtime: r.runtime, handler, architecture: r.architecture, aliases: [r.alias] });
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
  const current = new Map<string, string>();
  for (const f of files) {
    const full = join(outDir, f.path);
    const old = existsSync(full) ? await readFile(full, 'utf8') : null;
    if (old !== null && !old.startsWith(HEADER_PREFIX)) foreign.push(f.path);
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
    if (current.get(f.path) === f.content) {
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

/** Files under dir that carry lci's header. */
function oursUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    if (!existsSync(abs)) return;
    for (const d of readdirSync(abs, { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (!d.name.startsWith('.')) walk(p);
      } else if (/\.(tf|yml)$/.test(d.name) && readFileSync(join(dir, p), 'utf8').startsWith(HEADER_PREFIX)) out.push(p);
    }
  };
  walk('');
  return out.sort();
}
