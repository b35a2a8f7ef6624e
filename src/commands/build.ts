import { buildFunction, type FunctionArtifacts } from '../artifacts/build-function.js';
import { DependencyBuilder } from '../builder/dependency-builder.js';
import { dockerClient } from '../builder/docker.js';
import type { LoadedProject } from '../config/load.js';
import { selectTargets } from '../config/select.js';
import { humanBytes } from '../package/limits.js';
import { runPool } from '../pool.js';
import type { ProgressSink } from '../progress.js';
import { selectAffected, type AffectedSelection } from './select-affected.js';

export interface BuildOptions {
  names: string[];
  affected: AffectedSelection | null;
  env: string | undefined;
  concurrency: number;
  signal?: AbortSignal;
}

export type FunctionBuildResult =
  | { name: string; status: 'BUILT'; artifacts: FunctionArtifacts }
  | { name: string; status: 'FAILED'; error: string; cause: unknown };

export interface BuildResult {
  /** Null when --affected found nothing to build. */
  functions: FunctionBuildResult[] | null;
  distDir: string;
}

/** lci build: code zips and dependency layers into .lci/dist, without touching AWS. */
export async function build(loaded: LoadedProject, opts: BuildOptions, progress: ProgressSink): Promise<BuildResult> {
  const distDir = `${loaded.workspace.stateDir}/dist`;
  const names = await selectAffected(loaded, opts.names, opts.affected, opts.env);
  if (names === null) return { functions: null, distDir };
  const targets = selectTargets(loaded.project, names, opts.env);
  const deps = new DependencyBuilder(loaded.workspace, dockerClient, { signal: opts.signal });
  await deps.removeLeftovers();
  const functions = await runPool(targets, opts.concurrency, async (r): Promise<FunctionBuildResult> => {
    const task = progress.start(r.name);
    try {
      const artifacts = await buildFunction(r, loaded.workspace, deps, (m, detail) => task.report(m, detail));
      progress.finish(r.name, 'done', describe(artifacts));
      return { name: r.name, status: 'BUILT', artifacts };
    } catch (e) {
      progress.finish(r.name, 'failed', 'FAILED');
      return { name: r.name, status: 'FAILED', error: (e as Error)?.message ?? String(e), cause: e };
    }
  });
  return { functions, distDir };
}

function describe(a: FunctionArtifacts): string {
  const code = `code ${a.code.sha256.slice(0, 10)} ${humanBytes(a.code.bytes)}${a.code.reused ? ' (reused)' : ''}`;
  const deps = a.deps ? `deps ${a.deps.source} ${a.deps.key.slice(0, 10)} ${humanBytes(a.deps.bytes)}` : 'no dependencies';
  return `${code}, ${deps}`;
}
