import { chown, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Architecture } from '../config/runtimes.js';
import type { ResolvedLayer, Workspace } from '../config/types.js';
import { BuildError } from '../errors.js';
import { buildFiles, type BuildSubject } from '../inputs/build-inputs.js';
import {
  dependencyFiles,
  dependencyInputs,
  type DependencyFile,
  type DependencyInputs,
  type ReadExclude,
} from '../inputs/dependency-inputs.js';
import { collectFiles } from '../inputs/files.js';
import { mkdirPrivate, writePrivateFile } from '../private-files.js';
import { fileSha256 } from '../package/file-hash.js';
import { listZip, unsafeZip } from '../package/zip-check.js';
import { zipArtifact, type ZipArtifact } from '../package/zip-artifact.js';
import { worktreeReader } from '../vcs/readers.js';
import { runBuildStep } from './build-container.js';
import { commandKey, dependencyKey } from './cache-key.js';
import { LABEL } from './docker.js';
import { checkLayerArchitecture, checkLocalWheels } from './layer-check.js';
import { removeLeftoverContainers, removeLeftoverDirs } from './leftovers.js';
import { buildScript, commandScript, descriptorProblem, imageFor, platformFor } from './recipes.js';

export interface DepsArtifact extends ZipArtifact {
  key: string;
  /** built now, taken from .lci/cache, or built now for another function with the same key */
  source: 'built' | 'cache' | 'shared';
}

export type Report = (message: string, detail?: boolean) => void;

export interface IdentifiedDependencies {
  inputs: DependencyInputs;
  key: string;
  /** A shared layer made by build.command: the files the command reads (instead of a descriptor's recipe). */
  command?: { files: DependencyFile[] };
}

/** What a layer is built for: a function's own dependencies, or a shared layer (which may list several architectures). */
export type LayerSubject = BuildSubject & { architectures?: Architecture[] };

/** Marks a complete build output in .lci/cache/build/<key>/ (written last). */
const COMPLETE = 'complete';

export interface BuilderOptions {
  /** Aborting removes running build containers and fails their builds. */
  signal?: AbortSignal;
}

/**
 * The uid:gid the build runs as when lci runs as root (CodeBuild's default): no account in the
 * image or on a usual host has it (65532 is distroless's "nonroot"). Otherwise the build runs as
 * the calling user, so what it writes to /out is the user's to read and delete.
 */
export const BUILD_UID = 65532;
export const BUILD_GID = 65532;

/**
 * Builds in Docker: dependency layers (a function's own, or a shared one) and build.command
 * outputs, each once per key per run, reusing `.lci/cache` across runs.
 */
export class DependencyBuilder {
  private readonly inflight = new Map<string, { owner: string; result: Promise<DepsArtifact> }>();
  private readonly outputs = new Map<string, Promise<string>>();
  private engine: Promise<Docker> | undefined;

  constructor(
    private readonly ws: Workspace,
    private readonly docker: () => Promise<Docker>,
    private readonly opts: BuilderOptions = {},
  ) {}

  /**
   * Before a run builds anything: removes the scratch directories, and when there were any, the
   * build containers, that runs whose process is gone (killed outright) left in this project.
   * The engine is asked only then, or at the first build: a run that builds nothing needs no Docker.
   */
  async removeLeftovers(): Promise<void> {
    if ((await removeLeftoverDirs(this.ws.stateDir)) > 0) await this.connect().catch(() => {}); // an engine problem is reported by a build that needs it
  }

  /** The engine, once per run; on first contact, this project's leftover containers on this host are removed. */
  private connect(): Promise<Docker> {
    this.engine ??= this.docker().then(async (docker) => {
      await removeLeftoverContainers(docker, this.ws.stateDir).catch(() => 0);
      return docker;
    });
    return this.engine;
  }

  /** The function's dependency inputs and their cache key (no Docker), or null without dependencies. */
  async identify(
    r: BuildSubject,
    extra: Record<string, string> = {},
    exclude?: ReadExclude,
  ): Promise<IdentifiedDependencies | null> {
    const inputs = await dependencyInputs(r, this.ws, exclude);
    if (!inputs) return null;
    const problem = descriptorProblem(r.family, inputs.descriptor);
    if (problem) throw new BuildError(`${problem}; set descriptor in lambdas.yaml`);
    if (r.family === 'python') checkLocalWheels(r.architecture, inputs.localDeps);
    return { inputs, key: await dependencyKey(r, inputs, this.ws, extra) };
  }

  /**
   * A shared layer's inputs and key: from its descriptor (as a function's), or, with build.command,
   * the files the command reads. Its compatible runtimes and architectures are part of the key.
   */
  async identifyShared(l: ResolvedLayer): Promise<IdentifiedDependencies | null> {
    const extra = { runtimes: l.runtimes.join(','), architectures: l.architectures.join(',') };
    if (l.build.command === null) return this.identify(l, extra, { root: l.root, globs: l.exclude });
    const files = await buildFiles(l, this.ws, worktreeReader(this.ws.root), l.exclude);
    const key = await commandKey(l, files);
    return { inputs: { descriptor: l.descriptorPath ?? '', lockfiles: [], localDeps: [] }, key, command: { files } };
  }

  /** The layer zip, from this run, .lci/cache or a build; `known` saves identifying the inputs again. */
  async layer(r: LayerSubject, report: Report, known?: IdentifiedDependencies | null): Promise<DepsArtifact | null> {
    const identified = known === undefined ? await this.identify(r) : known;
    if (!identified) return null;
    const { key } = identified;
    const running = this.inflight.get(key);
    if (running) {
      report(`dependencies: same inputs as ${running.owner}, built once`);
      const shared = await running.result;
      return { ...shared, source: shared.source === 'built' ? 'shared' : shared.source };
    }
    const result = this.fromCacheOrBuild(r, identified, report);
    this.inflight.set(key, { owner: r.name, result });
    return result;
  }

  /**
   * What a function's build.command writes to build.output, built in a container once per key
   * (per run, and across runs through .lci/cache/build/<key>/): the directory to package.
   */
  output(r: BuildSubject, files: DependencyFile[], key: string, report: Report): Promise<string> {
    let running = this.outputs.get(key);
    if (!running) {
      running = this.outputOnce(r, files, key, report);
      this.outputs.set(key, running);
    }
    return running;
  }

  private async outputOnce(r: BuildSubject, files: DependencyFile[], key: string, report: Report): Promise<string> {
    const dir = join(this.ws.stateDir, 'cache', 'build');
    const done = join(dir, key);
    if (await exists(join(done, COMPLETE))) {
      report(`build: cached output (${key.slice(0, 12)})`);
      return join(done, 'out');
    }
    await mkdirPrivate(dir);
    const out = await this.scratch(key);
    try {
      await this.run(
        r,
        key,
        out,
        files,
        commandScript(r.root, r.build.command!, r.build.output!, r.architecture),
        'build.command',
        report,
      );
      await rm(done, { recursive: true, force: true });
      await mkdirPrivate(done);
      await rename(out, join(done, 'out'));
      await writePrivateFile(join(done, COMPLETE), `${key}\n`);
      return join(done, 'out');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }

  private cachePaths(key: string) {
    const dir = join(this.ws.stateDir, 'cache', 'deps');
    return { dir, zip: join(dir, `${key}.zip`), meta: join(dir, `${key}.json`) };
  }

  /** `.lci/tmp/<key>-<pid>`, empty and writable by the build user: a container's /out. */
  private async scratch(key: string): Promise<string> {
    await mkdirPrivate(join(this.ws.stateDir, 'tmp'));
    const out = join(this.ws.stateDir, 'tmp', `${key}-${process.pid}`);
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { mode: 0o755 }); // inside the 0700 tmp/: only the build user and we reach it
    if (runsAsRoot()) await chown(out, BUILD_UID, BUILD_GID);
    return out;
  }

  private async fromCacheOrBuild(
    r: LayerSubject,
    identified: IdentifiedDependencies,
    report: Report,
  ): Promise<DepsArtifact> {
    const { inputs, key } = identified;
    const cache = this.cachePaths(key);
    const cached = await readMeta(cache.meta);
    if (cached && (await exists(cache.zip))) {
      // A cache entry is reused only when it is still the zip recorded and holds nothing that could land outside /opt.
      const problem =
        cached.entries === 0
          ? 'it is empty'
          : (await fileSha256(cache.zip)) !== cached.sha256
            ? 'its bytes no longer match the digest recorded when it was built'
            : unsafeZip(listZip(cache.zip));
      if (!problem) {
        report(`dependencies: cached (${key.slice(0, 12)})`);
        return { ...cached, path: cache.zip, key, source: 'cache' };
      }
      report(`dependencies: the cached layer ${cache.zip} is not usable (${problem}); building it again`);
    }
    await mkdirPrivate(cache.dir);
    const out = await this.scratch(key);
    try {
      let log: string;
      if (identified.command)
        log = await this.run(
          r,
          key,
          out,
          identified.command.files,
          commandScript(r.root, r.build.command!, r.build.output!, r.architecture),
          'build.command',
          report,
        );
      else {
        const hasLock = inputs.lockfiles.some((l) => /(package-lock|npm-shrinkwrap)\.json$/.test(l));
        const script = buildScript(r.family, inputs.descriptor, hasLock, r.architecture, inputs.workdir);
        log = await this.run(r, key, out, await dependencyFiles(inputs, this.ws), script, 'dependency build', report);
      }
      const entries = await collectFiles({ root: out, boundary: out, label: 'layer' });
      if (entries.length === 0) throw await emptyLayer(r, identified, log);
      for (const architecture of r.architectures ?? [r.architecture]) checkLayerArchitecture(architecture, entries);
      const artifact = await zipArtifact(entries, cache.zip);
      const unsafe = unsafeZip(listZip(cache.zip));
      if (unsafe) throw new BuildError(`the layer built for ${r.name} is unsafe: ${unsafe}`);
      const { path: _path, ...meta } = artifact;
      await writePrivateFile(cache.meta, JSON.stringify(meta, null, 2) + '\n');
      return { ...artifact, key, source: 'built' };
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }

  private async run(
    r: BuildSubject,
    key: string,
    out: string,
    files: DependencyFile[],
    script: string,
    what: string,
    report: Report,
  ): Promise<string> {
    const docker = await this.connect();
    return runBuildStep(
      docker,
      this.ws,
      {
        what,
        name: r.name,
        key,
        image: imageFor(r),
        platform: platformFor(r.architecture),
        script,
        build: r.build,
        files,
        out,
        user: userSpec(),
        labels: { [`${LABEL}.function`]: r.name },
      },
      report,
      this.opts.signal,
    );
  }
}

/**
 * A layer with nothing in it is never published: a build that installed nothing failed. pip says
 * which requirements environment markers left out ("Ignoring …: markers … don't match your
 * environment"); those are evaluated by the build image's python, which may not be the runtime's.
 */
async function emptyLayer(r: LayerSubject, identified: IdentifiedDependencies, logPath: string): Promise<BuildError> {
  if (identified.command)
    return new BuildError(
      `build.command wrote nothing to ${r.build.output}/, so the layer would be empty; make it write the layer's content there (full log: ${logPath})`,
    );
  const log = await readFile(logPath, 'utf8').catch(() => '');
  const ignored = [...log.matchAll(/^Ignoring ([^:\n]+): markers '([^\n]*)' don't match your environment$/gm)];
  const why =
    ignored.length > 0
      ? `: pip left out ${ignored.map((m) => m[1]).join(', ')}, whose environment markers (${ignored[0]![2]}${ignored.length > 1 ? ', …' : ''}) do not match the python of ${imageFor(r)}; fix the markers, or build in an image of the runtime they are for`
      : '; declare dependencies it installs';
  return new BuildError(
    `the dependency build installed nothing from ${identified.inputs.descriptor}, so the layer would be empty${why} (full log: ${logPath})`,
  );
}

export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Never root: the calling user, or BUILD_UID:BUILD_GID when that is root. */
export function userSpec(): string {
  if (!process.getuid || !process.getgid || runsAsRoot()) return `${BUILD_UID}:${BUILD_GID}`;
  return `${process.getuid()}:${process.getgid()}`;
}

async function readMeta(path: string): Promise<Omit<ZipArtifact, 'path'> | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Omit<ZipArtifact, 'path'>;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
