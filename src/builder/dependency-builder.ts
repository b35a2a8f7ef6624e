import { createWriteStream } from 'node:fs';
import { chmod, chown, copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { parseMemory } from '../config/resolve.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { BuildError, BuildOutOfMemoryError, describeExit } from '../errors.js';
import { dependencyFiles, dependencyInputs, type DependencyFile, type DependencyInputs } from '../inputs/dependency-inputs.js';
import { collectFiles } from '../inputs/files.js';
import { mkdirPrivate, PRIVATE_FILE_MODE, writePrivateFile } from '../package/private.js';
import { fileSha256 } from '../package/file-hash.js';
import { listZip, unsafeZip } from '../package/zip-check.js';
import { zipArtifact, type ZipArtifact } from '../package/zip-artifact.js';
import { dependencyKey } from './cache-key.js';
import { ensureImage, LABEL, runContainer, type Bind, type ContainerExit } from './docker.js';
import { checkLayerArchitecture, checkLocalWheels } from './layer-check.js';
import { ownerLabels, removeLeftoverContainers, removeLeftoverDirs } from './leftovers.js';
import { LineTail } from './line-tail.js';
import { BUILD_ENV, buildScript, descriptorProblem, imageFor, platformFor } from './recipes.js';

export interface DepsArtifact extends ZipArtifact {
  key: string;
  /** built now, taken from .lci/cache, or built now for another function with the same key */
  source: 'built' | 'cache' | 'shared';
}

export type Report = (message: string, detail?: boolean) => void;

export interface IdentifiedDependencies {
  inputs: DependencyInputs;
  key: string;
}

export interface BuilderOptions {
  /** Aborting removes running build containers and fails their builds. */
  signal?: AbortSignal;
}

const LOG_TAIL_LINES = 30;

/**
 * The uid:gid the build runs as when lci runs as root (CodeBuild's default): no account in the
 * image or on a usual host has it (65532 is distroless's "nonroot"). Otherwise the build runs as
 * the calling user, so what it writes to /out is the user's to read and delete.
 */
export const BUILD_UID = 65532;
export const BUILD_GID = 65532;

/** Builds dependency layers, once per cache key per run, reusing `.lci/cache` across runs. */
export class DependencyBuilder {
  private readonly inflight = new Map<string, { owner: string; result: Promise<DepsArtifact> }>();
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
  async identify(r: ResolvedFunction): Promise<IdentifiedDependencies | null> {
    const inputs = await dependencyInputs(r, this.ws);
    if (!inputs) return null;
    const problem = descriptorProblem(r.family, inputs.descriptor);
    if (problem) throw new BuildError(`${problem}; set descriptor in lambdas.yaml`);
    if (r.family === 'python') checkLocalWheels(r.architecture, inputs.localDeps);
    return { inputs, key: await dependencyKey(r, inputs, this.ws) };
  }

  /** The layer zip, from this run, .lci/cache or a build; `known` saves identifying the inputs again. */
  async layer(r: ResolvedFunction, report: Report, known?: IdentifiedDependencies | null): Promise<DepsArtifact | null> {
    const identified = known === undefined ? await this.identify(r) : known;
    if (!identified) return null;
    const { inputs, key } = identified;
    const running = this.inflight.get(key);
    if (running) {
      report(`dependencies: same inputs as ${running.owner}, built once`);
      const shared = await running.result;
      return { ...shared, source: shared.source === 'built' ? 'shared' : shared.source };
    }
    const result = this.fromCacheOrBuild(r, inputs, key, report);
    this.inflight.set(key, { owner: r.name, result });
    return result;
  }

  private cachePaths(key: string) {
    const dir = join(this.ws.stateDir, 'cache', 'deps');
    return { dir, zip: join(dir, `${key}.zip`), meta: join(dir, `${key}.json`) };
  }

  private async fromCacheOrBuild(r: ResolvedFunction, inputs: DependencyInputs, key: string, report: Report): Promise<DepsArtifact> {
    const cache = this.cachePaths(key);
    const cached = await readMeta(cache.meta);
    if (cached && (await exists(cache.zip))) {
      // A cache entry is reused only when it is still the zip recorded and holds nothing that could land outside /opt.
      const problem =
        (await fileSha256(cache.zip)) !== cached.sha256 ? 'its bytes no longer match the digest recorded when it was built' : unsafeZip(listZip(cache.zip));
      if (!problem) {
        report(`dependencies: cached (${key.slice(0, 12)})`);
        return { ...cached, path: cache.zip, key, source: 'cache' };
      }
      report(`dependencies: the cached layer ${cache.zip} is not usable (${problem}); building it again`);
    }
    await mkdirPrivate(cache.dir);
    await mkdirPrivate(join(this.ws.stateDir, 'tmp'));
    const out = join(this.ws.stateDir, 'tmp', `${key}-${process.pid}`);
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { mode: 0o755 }); // inside the 0700 tmp/: only the build user and we reach it
    if (runsAsRoot()) await chown(out, BUILD_UID, BUILD_GID);
    try {
      await this.runBuild(r, inputs, key, out, report);
      const entries = await collectFiles({ root: out, boundary: out, label: 'layer' });
      checkLayerArchitecture(r.architecture, entries);
      const artifact = await zipArtifact(entries, cache.zip);
      const unsafe = unsafeZip(listZip(cache.zip));
      if (unsafe) throw new BuildError(`the layer built for ${r.name} is unsafe: ${unsafe}`);
      const { path: _path, ...meta } = artifact;
      await writePrivateFile(cache.meta, JSON.stringify(meta, null, 2) + '\n');
      return { ...artifact, key, source: 'built' };
    } finally {
      await rm(out, { recursive: true, force: true });
      await rm(stagedSources(this.ws, key), { recursive: true, force: true });
    }
  }

  private async runBuild(r: ResolvedFunction, inputs: DependencyInputs, key: string, out: string, report: Report): Promise<void> {
    const docker = await this.connect();
    const image = imageFor(r);
    const platform = platformFor(r.architecture);
    await ensureImage(docker, image, platform, report);
    // The container sees a copy of exactly the committed input files (no untracked file, nothing a symlink reaches outside).
    const src = await stageInputs(await dependencyFiles(inputs, this.ws), stagedSources(this.ws, key));
    const binds: Bind[] = [
      { host: src, container: '/src', readOnly: true },
      { host: out, container: '/out', readOnly: false },
    ];
    const logDir = join(this.ws.stateDir, 'logs');
    await mkdirPrivate(logDir);
    const logPath = join(logDir, `${r.name}-${key.slice(0, 12)}.log`);
    await rm(logPath, { force: true }); // created anew, so with the mode below
    const log = createWriteStream(logPath, { mode: PRIVATE_FILE_MODE });
    const tail = new LineTail(LOG_TAIL_LINES);
    report(`dependencies: building in ${image}`);
    let exit: ContainerExit;
    try {
      exit = await runContainer(
        docker,
        {
          image,
          platform,
          script: buildScript(
            r.family,
            inputs.descriptor,
            inputs.lockfiles.some((l) => /(package-lock|npm-shrinkwrap)\.json$/.test(l)),
            r.architecture,
          ),
          // Only these: nothing of lci's own environment (AWS credentials, tokens) enters the container.
          env: { ...BUILD_ENV, ...r.build.env },
          binds,
          user: userSpec(),
          labels: { ...ownerLabels(this.ws.stateDir), [`${LABEL}.function`]: r.name, [`${LABEL}.key`]: key },
          limits: { memoryBytes: parseMemory(r.build.memory), pids: r.build.pids, network: r.build.network },
        },
        (chunk) => {
          log.write(chunk);
          tail.push(chunk);
          const last = tail.lastLine();
          if (last) report(`dependencies: ${last.slice(0, 120)}`, true);
        },
        this.opts.signal,
      );
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
    if (exit.status === 0) return;
    if (exit.oomKilled) {
      throw new BuildOutOfMemoryError(
        `dependency build in ${image} ran out of memory: the kernel killed it at build.memory ${r.build.memory} (exit status ${exit.status}); raise build.memory in lambdas.yaml (full log: ${logPath})`,
      );
    }
    const status =
      exit.status === 137
        ? 'exit status 137 (killed by SIGKILL, not for memory: docker kill, docker rm -f or the engine stopping?)'
        : describeExit(exit.status);
    throw new BuildError(
      [
        `dependency build failed in ${image}: ${status}`,
        `last ${LOG_TAIL_LINES} lines of the build log:`,
        ...tail.lines().map((l) => `  | ${l}`),
        `full log: ${logPath}`,
      ].join('\n'),
    );
  }
}

/** `.lci/tmp/<key>-src-<pid>`: named like the output directory, so the leftover sweep finds it too. */
function stagedSources(ws: Workspace, key: string): string {
  return join(ws.stateDir, 'tmp', `${key}-src-${process.pid}`);
}

/** Copies the input files to `dir` at their repository paths, readable by the build user (0644/0755). */
async function stageInputs(files: DependencyFile[], dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o755 });
  for (const f of files) {
    const target = join(dir, f.repoPath);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await copyFile(f.abs, target);
    await chmod(target, f.executable ? 0o755 : 0o644);
  }
  return dir;
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
