import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type Docker from 'dockerode';
import { BuildError, describeExit } from '../errors.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { dependencyInputs, type DependencyInputs } from '../inputs/dependency-inputs.js';
import { collectFiles } from '../inputs/files.js';
import { zipArtifact, type ZipArtifact } from '../package/zip-artifact.js';
import { dependencyKey } from './cache-key.js';
import { ensureImage, LABEL, runContainer, type Bind } from './docker.js';
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

/** Builds dependency layers, once per cache key per run, reusing `.lci/cache` across runs. */
export class DependencyBuilder {
  private readonly inflight = new Map<string, { owner: string; result: Promise<DepsArtifact> }>();

  constructor(
    private readonly ws: Workspace,
    private readonly docker: () => Promise<Docker>,
    private readonly opts: BuilderOptions = {},
  ) {}

  /** The function's dependency inputs and their cache key (no Docker), or null without dependencies. */
  async identify(r: ResolvedFunction): Promise<IdentifiedDependencies | null> {
    const inputs = await dependencyInputs(r, this.ws.root);
    if (!inputs) return null;
    const problem = descriptorProblem(r.family, inputs.descriptor);
    if (problem) throw new BuildError(`${problem}; set descriptor in lambdas.yaml`);
    return { inputs, key: await dependencyKey(r, inputs, this.ws.root) };
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
      report(`dependencies: cached (${key.slice(0, 12)})`);
      return { ...cached, path: cache.zip, key, source: 'cache' };
    }
    await mkdir(cache.dir, { recursive: true });
    const out = join(this.ws.stateDir, 'tmp', `${key}-${process.pid}`);
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    try {
      await this.runBuild(r, inputs, key, out, report);
      const artifact = await zipArtifact(await collectFiles({ root: out, boundary: out, label: 'layer' }), cache.zip);
      const { path: _path, ...meta } = artifact;
      await writeFile(cache.meta, JSON.stringify(meta, null, 2) + '\n');
      return { ...artifact, key, source: 'built' };
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }

  private async runBuild(r: ResolvedFunction, inputs: DependencyInputs, key: string, out: string, report: Report): Promise<void> {
    const docker = await this.docker();
    const image = imageFor(r);
    const platform = platformFor(r.architecture);
    await ensureImage(docker, image, platform, report);
    const binds = await inputBinds(this.ws.root, [inputs.descriptor, ...inputs.lockfiles, ...inputs.localDeps]);
    binds.push({ host: out, container: '/out', readOnly: false });
    const logDir = join(this.ws.stateDir, 'logs');
    await mkdir(logDir, { recursive: true });
    const logPath = join(logDir, `${r.name}-${key.slice(0, 12)}.log`);
    const log = createWriteStream(logPath);
    const tail = new LineTail(LOG_TAIL_LINES);
    report(`dependencies: building in ${image}`);
    let status: number;
    try {
      status = await runContainer(
        docker,
        {
          image,
          platform,
          script: buildScript(
            r.family,
            inputs.descriptor,
            inputs.lockfiles.some((l) => /(package-lock|npm-shrinkwrap)\.json$/.test(l)),
          ),
          env: { ...BUILD_ENV, ...r.build.env },
          binds,
          user: userSpec(),
          labels: { [LABEL]: 'true', [`${LABEL}.function`]: r.name, [`${LABEL}.key`]: key, [`${LABEL}.project`]: this.ws.stateDir },
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
    if (status !== 0) {
      throw new BuildError(
        [
          `dependency build failed in ${image}: ${describeExit(status)}`,
          `last ${LOG_TAIL_LINES} lines of the build log:`,
          ...tail.lines().map((l) => `  | ${l}`),
          `full log: ${logPath}`,
        ].join('\n'),
      );
    }
  }
}

/** Read-only binds for the build inputs at their repository paths under /src; inputs inside a bound directory are covered by it. */
async function inputBinds(root: string, paths: string[]): Promise<Bind[]> {
  const unique = [...new Set(paths)].sort((a, b) => a.length - b.length);
  const dirs: string[] = [];
  const binds: Bind[] = [];
  for (const p of unique) {
    if (dirs.some((d) => d === '' || p.startsWith(`${d}/`))) continue;
    const s = await stat(join(root, p)).catch(() => null);
    if (!s) throw new BuildError(`dependency input ${p} does not exist; fix the path in its descriptor`);
    if (s.isDirectory()) dirs.push(p);
    binds.push({ host: join(root, p), container: posix.join('/src', p), readOnly: true });
  }
  return binds;
}

/** The container runs as the calling user, so what it writes is ours to read and delete. */
function userSpec(): string {
  return process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : '1000:1000';
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
