import type { Tracked } from '../vcs/tracked.js';
import type { Architecture, Runtime, RuntimeFamily } from './runtimes.js';

/** One function as it is deployed to one environment, every default and override applied. */
export interface ResolvedFunction {
  name: string;
  env: string;
  /** Code root, relative to the config directory, normalised ('.' for the config directory itself). */
  path: string;
  /** Code root relative to the repository root, POSIX ('' at the root). Computed once, read by every stage. */
  root: string;
  runtime: Runtime;
  family: RuntimeFamily;
  handler: string | null;
  /** Dependency descriptor relative to `path`, or null for none. */
  descriptor: string | null;
  /** The descriptor relative to the repository root, or null for none. */
  descriptorPath: string | null;
  /** False when the descriptor is the runtime's default name: then a missing file means "no dependencies". */
  descriptorExplicit: boolean;
  /**
   * Where the dependency install runs (pip's working directory, against which a requirements
   * file's path lines resolve), relative to the repository root: build.workdir when set, else the
   * descriptor's directory ('' at the root); null without a descriptor.
   */
  installDir: string | null;
  watch: string[];
  exclude: string[];
  /** Globs packaged even when excluded. */
  include: string[];
  architecture: Architecture;
  functionName: string;
  layerName: string;
  /** The shared layers it uses, resolved for this environment, in the order Lambda stacks them (its own dependency layer comes after). */
  layers: ResolvedLayer[];
  alias: string;
  build: BuildSettings;
  /** CloudWatch alarms watched while traffic shifts: the environment's, then the function's. */
  alarms: string[];
  /** Smoke events the new version is invoked with before its alias moves: the environment's, then the function's. */
  smoke: SmokeCheck[];
}

/** One smoke invocation: an event (inline, or a JSON file in the repository) and, optionally, a JSON subset the response must contain. */
export interface SmokeCheck {
  /** The event inline; absent when it is read from `file`. */
  event?: unknown;
  /** The event's JSON file relative to the repository root (POSIX); absent when inline. */
  file?: string;
  /** Absent: no function error is all that is asked. */
  expect?: unknown;
}

/**
 * A shared layer (top-level `layers:`) as one environment publishes it: built once per content
 * key from its descriptor (or its build command), attached by exact version to every function
 * that lists it. Its fields that a dependency build reads have the names a function's have.
 */
export interface ResolvedLayer {
  name: string;
  env: string;
  /** The layer's directory relative to the config directory, normalised. */
  path: string;
  /** The layer's directory relative to the repository root, POSIX. */
  root: string;
  /** Compatible runtimes, one family; the first is the one it is built for. */
  runtimes: Runtime[];
  runtime: Runtime;
  family: RuntimeFamily;
  architectures: Architecture[];
  architecture: Architecture;
  descriptor: string | null;
  descriptorPath: string | null;
  descriptorExplicit: boolean;
  /** As a function's: build.workdir in the repository, else the descriptor's directory; null without a descriptor. */
  installDir: string | null;
  /** Globs relative to path that the layer's build never reads and plan never matches (a generated *.egg-info). */
  exclude: string[];
  /** AWS layer name in this environment. */
  layerName: string;
  build: BuildSettings;
}

/** A shared layer's resolved configuration per environment. */
export interface LayerDecl {
  name: string;
  envs: Record<string, ResolvedLayer>;
}

export interface BuildSettings {
  /** Docker image for the dependency build, or null for the runtime's default. */
  image: string | null;
  env: Record<string, string>;
  /** Memory limit of the build container as written (`2g`, `512m`); see parseMemory. */
  memory: string;
  /** Most processes and threads the build container may run at once. */
  pids: number;
  /** `default`: the engine's network (a package index is reachable); `none`: no network at all. */
  network: BuildNetwork;
  /** Shell command run in the build container in a writable copy of the committed files; null: none. */
  command: string | null;
  /** The directory, relative to path, that `command` writes and that is packaged instead of path; null: path itself. */
  output: string | null;
  /** Longest any build container may run, as written (`15m`, `90s`); see parseDuration. */
  timeout: string;
  /** pip's working directory relative to path, normalised (`..`, `.`); null: the descriptor's directory. */
  workdir: string | null;
  /** With command: the globs, relative to path, of the committed files the command reads; null: every file under path. */
  inputs: string[] | null;
}

export type BuildNetwork = 'default' | 'none';

export interface Environment {
  name: string;
  branch: string | null;
  tag: string | null;
  alias: string;
  alarms: string[];
  /** The traffic shift the generated pipeline passes to lci deploy, or null for lci deploy's default. */
  strategy: string | null;
  /** Prune after a deploy that published (lci prune's --keep and --older-than), or null for never. */
  prune: PruneConfig | null;
  /** Ask a person before a deploy or rollback moves this environment's alias (--yes skips; required without a terminal). */
  confirm: boolean;
  smoke: SmokeCheck[];
  /** Where Lambda keeps the code this environment releases (its own `codeStorage`, else `artifacts.codeStorage`). */
  codeStorage: CodeStorage;
}

/**
 * copy: Lambda stores a copy of each zip (counted against the region's code storage). reference:
 * Lambda runs the zip from the versioned bucket, pinned to the object version lci uploaded.
 */
export type CodeStorage = 'copy' | 'reference';

export interface PruneConfig {
  keep: number;
  /** Milliseconds; null: any age. */
  olderThanMs: number | null;
}

export interface FunctionDecl {
  name: string;
  /** Resolved configuration per environment; an environment the function skips is absent. */
  envs: Record<string, ResolvedFunction>;
}

export interface Artifacts {
  bucket: string;
  prefix: string;
  region: string | null;
  /** The default of every environment's `codeStorage`. */
  codeStorage: CodeStorage;
}

/** Where a project's files and lci's own state live. */
export interface Workspace {
  /** Repository root (nothing lci reads or packages may leave it), or the config directory outside a repository. */
  root: string;
  /** The config directory relative to `root`, POSIX, '' at the root. */
  configDirInRepo: string;
  /** `.lci` beside the config file: dist/, cache/, logs/. */
  stateDir: string;
  /** The files git tracks, read once per run; null outside a git repository (then every file counts). */
  tracked: () => Promise<Tracked | null>;
  /**
   * Lets `tracked` list only at or below these repository paths (it still answers for any path),
   * when it has not been asked yet: a run that packages a few functions of a large work tree.
   */
  trackOnly: (paths: string[]) => void;
  /** The commit HEAD named when the run started; null outside a git repository or before the first commit. */
  head: () => Promise<string | null>;
}

export interface Project {
  /** Absolute path of the config file. */
  configFile: string;
  /** Absolute directory every path and glob is relative to. */
  dir: string;
  artifacts: Artifacts;
  shared: string[];
  notify: { slackWebhookEnv: string };
  ci: CiSettings;
  environments: Record<string, Environment>;
  functions: Record<string, FunctionDecl>;
  layers: Record<string, LayerDecl>;
}

/** How the generated pipelines run lci (the `ci:` section). */
export interface CiSettings {
  /** Prefix of every AWS name the generated Terraform creates. */
  namePrefix: string;
  /** Shell commands that install lci in the build, from the repository root; null: lci's own install from the lockfile. */
  install: string[] | null;
  /** How the build runs lci once installed; null: `lci` after lci's own install, `npx --no-install lci` after ci.install. */
  command: string | null;
}
