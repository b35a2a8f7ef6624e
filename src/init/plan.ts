import { posix } from 'node:path';
import type { Runtime } from '../config/runtimes.js';
import type { DeclaredFunction, DeclaredSource, Origin, Unmapped } from './model.js';

/** The shapes lci init's mapping passes between its parts, and the small helpers they share. */

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

/** A function on its way into lambdas.yaml: its declaration, its name and the fields written so far. */
export interface Entry {
  name: string;
  df: DeclaredFunction;
  path: string;
  runtime: Runtime;
  fields: Record<string, unknown>;
  envs: Record<string, Record<string, unknown>>;
  descriptorShown: string | null;
  layerNames: string[];
}

/** A function or layer name lci accepts. */
export const NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** A repository path as lambdas.yaml writes it: relative to the config file's directory. */
export function configPath(configDir: string, repoPath: string): string {
  return posix.relative(configDir || '.', repoPath || '.') || '.';
}

/** A valid lci name from a source's own (`OrdersFunction` → `orders`, `createOrder` → `create-order`), else `prefix`. */
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

/** A function's entry in lambdas.yaml, its keys in the README's order. */
export function entryConfig(e: Entry): Record<string, unknown> {
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
