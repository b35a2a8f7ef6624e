import { existsSync, lstatSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { AwsOptions } from '../aws/clients.js';
import { MAX_CONFIG_BYTES, SEARCH_PLACES } from '../config/find.js';
import { readNamedFile } from '../named-file.js';
import { displayPath, loadProject, toPosix } from '../config/load.js';
import { today as todayIso } from '../config/runtimes.js';
import { ConfigError, type Diagnostic, UsageError } from '../errors.js';
import { repoRoot } from '../vcs/git.js';
import type { AccountFunction } from './aws-names.js';
import { type EnvChoice, type InitPlan, mapToConfig } from './map.js';
import { type DeclaredSource, SOURCE_KINDS, type SourceKind } from './model.js';
import { RepoView } from './repo.js';
import { readSam } from './sam.js';
import { readServerless } from './serverless.js';
import { readTerraform } from './terraform.js';
import { renderConfig } from './write.js';

/** lci init: read what the repository declares, write lambdas.yaml (unless --dry-run), check it with lci validate's loader. */

export interface InitOptions {
  cwd: string;
  /** Where to write, relative to cwd (default lambdas.yaml there). */
  config?: string;
  from: 'auto' | SourceKind;
  force: boolean;
  dryRun: boolean;
  envs: EnvChoice;
  bucket: string | null;
  region: string | null;
  /** --aws: read the account's function names (its listing and CloudFormation tags). */
  aws: AwsOptions | null;
  today?: string;
}

export interface InitResult {
  configFile: string;
  shownAs: string;
  written: boolean;
  dryRun: boolean;
  text: string;
  plan: InitPlan;
  sources: { kind: SourceKind; files: string[] }[];
  /** What lci validate says of the result: its problems (none when it validates) and warnings. */
  problems: Diagnostic[];
  warnings: Diagnostic[];
  validated: { functions: number; layers: number; environments: number } | null;
  aws: { listed: number; tagsRead: number; found: number } | null;
}

const READERS: Record<SourceKind, (repo: RepoView, base: string) => DeclaredSource> = {
  sam: readSam,
  serverless: readServerless,
  terraform: readTerraform,
};

const SOURCE_WORDS: Record<SourceKind, string> = {
  sam: 'SAM or CloudFormation template (template.yaml, *.template.json)',
  serverless: 'serverless.yml',
  terraform: 'Terraform file (*.tf)',
};

export async function init(opts: InitOptions): Promise<InitResult> {
  const root = await repoRoot(opts.cwd);
  if (!root)
    throw new UsageError(
      'lci init reads the files git tracks: run it inside a git repository (git init && git add -A, or a clone)',
    );
  const configFile = resolve(opts.cwd, opts.config ?? 'lambdas.yaml');
  const configDirAbs = dirname(configFile);
  const inRepo = relative(root, configDirAbs);
  if (inRepo.startsWith('..') || isAbsolute(inRepo))
    throw new UsageError(`${opts.config}: lci init writes the config inside the repository (${root})`);
  const shownAs = displayPath(opts.cwd, configFile);
  if (!opts.dryRun && !opts.force) refuseExisting(configFile, shownAs);
  const configDir = toPosix(inRepo);

  const repo = await RepoView.open(root);
  const kinds = opts.from === 'auto' ? SOURCE_KINDS : [opts.from];
  // Sources are looked for under the working directory: the whole repository from its root.
  const base = toPosix(relative(root, opts.cwd));
  let sources = kinds.map((k) => READERS[k](repo, base)).filter((s) => s.files.length > 0 || s.notes.length > 0);
  if (sources.every((s) => s.files.length === 0)) {
    const where = base || 'the repository';
    const what = kinds.map((k) => SOURCE_WORDS[k]).join(', ');
    const skipped = sources.flatMap((s) => s.notes.map((n) => n.message));
    throw new UsageError(
      `no ${what} lci init can read under ${where}${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}; write lambdas.yaml by hand (docs/configuration.md) or run lci init where they are`,
    );
  }
  const envNames = [opts.envs.branch.name, ...(opts.envs.tag ? [opts.envs.tag.name] : [])];
  let aws: InitResult['aws'] = null;
  if (opts.aws) {
    const read = await readAccount(
      opts.aws,
      opts.region ?? sources.map((s) => s.region).find((r) => r) ?? null,
      sources,
      envNames,
    );
    sources = read.sources;
    aws = read.summary;
  }
  const plan = mapToConfig({
    sources,
    configDir,
    facts: repo,
    envs: opts.envs,
    bucket: opts.bucket,
    region: opts.region,
    repoName: basename(root),
    today: opts.today ?? todayIso(),
  });
  const used = sources.filter((s) => s.files.length > 0);
  const text = renderConfig(plan, header(used));
  const result: InitResult = {
    configFile,
    shownAs,
    written: false,
    dryRun: opts.dryRun,
    text,
    plan,
    sources: used.map((s) => ({ kind: s.kind, files: s.files })),
    problems: [],
    warnings: [],
    validated: null,
    aws,
  };
  if (plan.functions.length === 0) return result;
  if (!opts.dryRun) {
    writeAtomically(configFile, text, root);
    result.written = true;
  }
  try {
    const loaded = await loadProject({
      cwd: opts.cwd,
      config: configFile,
      ...(opts.dryRun ? { text } : {}),
    });
    result.warnings = loaded.warnings();
    result.validated = {
      functions: Object.keys(loaded.project.functions).length,
      layers: Object.keys(loaded.project.layers).length,
      environments: Object.keys(loaded.project.environments).length,
    };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    result.problems = e.diagnostics;
  }
  return result;
}

/** An existing config, here or where lci would find it first in this directory, is never replaced without --force. */
function refuseExisting(configFile: string, shownAs: string): void {
  const dir = dirname(configFile);
  const present = [configFile, ...SEARCH_PLACES.map((n) => join(dir, n))].find((f) => {
    try {
      lstatSync(f);
    } catch {
      return false;
    }
    if (basename(f) !== 'package.json' || f === configFile) return true;
    const read = readNamedFile(f, MAX_CONFIG_BYTES);
    if (!read.ok) return false;
    try {
      const data = JSON.parse(read.data.toString('utf8')) as unknown;
      return typeof data === 'object' && data !== null && 'lci' in data;
    } catch {
      return false;
    }
  });
  if (!present) return;
  const what = present === configFile ? shownAs : `${basename(present)} (lci's config in this directory)`;
  throw new UsageError(
    `${what} exists; lci init does not overwrite it: pass --force to replace it, or --dry-run to print what it would write`,
  );
}

/**
 * Written beside the target and renamed over it: a reader never sees half a file, and a symlink
 * there is replaced, not followed. The directory is made when missing, and only inside the
 * repository (symlinks followed).
 */
function writeAtomically(file: string, text: string, root: string): void {
  let existing = dirname(file);
  while (!existsSync(existing)) existing = dirname(existing);
  const inside = relative(realpathSync.native(root), realpathSync.native(existing));
  if (inside.startsWith('..') || isAbsolute(inside))
    throw new UsageError(`${file}: its directory resolves outside the repository; lci init writes only inside it`);
  const tmp = `${file}.lci-init-${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, text, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function header(sources: DeclaredSource[]): string[] {
  const files = sources.flatMap((s) => s.files);
  const shown = files.length > 4 ? `${files.slice(0, 4).join(', ')} and ${files.length - 4} more` : files.join(', ');
  return [
    `Written by lci init from ${shown}.`,
    `Lines marked "lci init:" are guesses to check; then run lci validate and lci plan.`,
  ];
}

/** ListFunctions, then ListTags of the functions whose names could be CloudFormation's, four at a time. */
async function readAccount(
  opts: AwsOptions,
  region: string | null,
  sources: DeclaredSource[],
  envNames: string[],
): Promise<{ sources: DeclaredSource[]; summary: NonNullable<InitResult['aws']> }> {
  const { connect } = await import('../aws/clients.js');
  const { listFunctions, functionTags, explain } = await import('../aws/lambda.js');
  const { applyAccount, needsTags } = await import('./aws-names.js');
  const { runPool } = await import('../pool.js');
  const aws = await connect(opts, region);
  const listed: AccountFunction[] = await listFunctions(aws.lambda).catch((e: unknown) => {
    throw explain(e, 'listing the functions of the account (ListFunctions)');
  });
  const declared = sources.flatMap((s) => s.functions);
  const tagged = needsTags(declared, listed);
  await runPool(tagged, 4, async (f) => {
    f.tags = await functionTags(aws.lambda, f.arn).catch((e: unknown) => {
      throw explain(e, `reading the tags of ${f.name} (ListTags)`);
    });
  });
  let found = 0;
  const out = sources.map((s) => {
    const r = applyAccount(s.functions, listed, envNames);
    found += r.found;
    return { ...s, functions: r.functions, notes: [...s.notes, ...r.notes] };
  });
  return { sources: out, summary: { listed: listed.length, tagsRead: tagged.length, found } };
}
