import { chmod, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFunction, type FunctionArtifacts } from './build-function.js';
import { mkdirPrivate, PRIVATE_FILE_MODE } from '../private-files.js';
import type { ZipArtifact } from '../package/zip-artifact.js';
import { DependencyBuilder } from '../builder/dependency-builder.js';
import { dockerClient } from '../builder/docker.js';
import type { LoadedProject } from '../config/load.js';
import { narrowToInputs } from '../plan/dirty.js';
import { selectTargets } from '../config/select.js';
import { SharedLayerError } from '../errors.js';
import { humanBytes } from '../package/limits.js';
import { runPool } from '../pool.js';
import type { ProgressSink } from '../progress.js';
import { selectAffected, type AffectedSelection } from '../plan/select-affected.js';

export interface BuildOptions {
  names: string[];
  affected: AffectedSelection | null;
  env: string | undefined;
  concurrency: number;
  signal?: AbortSignal;
}

export type FunctionBuildResult =
  | { name: string; status: 'BUILT'; artifacts: FunctionArtifacts }
  /** `layer`: the shared layer whose failure stopped it (reported once, with the layer). */
  | { name: string; status: 'FAILED'; error: string; cause: unknown; layer?: string };

/** A shared layer as this build made it: built once (or taken from .lci/cache) and copied to .lci/dist/_layers/<name>/layer.zip. */
export type LayerBuildResult =
  | (ZipArtifact & {
      name: string;
      status: 'BUILT';
      key: string;
      source: 'built' | 'cache';
      /** The functions built with it. */
      functions: string[];
    })
  | { name: string; status: 'FAILED'; error: string; functions: string[] };

export interface BuildResult {
  /** Null when --affected found nothing to build. */
  functions: FunctionBuildResult[] | null;
  layers: LayerBuildResult[];
  distDir: string;
}

/** lci build: code zips and dependency layers into .lci/dist, without touching AWS. */
export async function build(loaded: LoadedProject, opts: BuildOptions, progress: ProgressSink): Promise<BuildResult> {
  const distDir = `${loaded.workspace.stateDir}/dist`;
  const names = await selectAffected(loaded, opts.names, opts.affected, opts.env);
  if (names === null) return { functions: null, layers: [], distDir };
  const targets = selectTargets(loaded.project, names, opts.env);
  // Packaging lists what git tracks only where these functions' inputs lie, as deploy does.
  await narrowToInputs(loaded, targets);
  progress.status(
    `building ${targets.length} function${targets.length === 1 ? '' : 's'}${opts.env ? ` for ${opts.env}` : ''}`,
  );
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
      if (e instanceof SharedLayerError)
        return {
          name: r.name,
          status: 'FAILED',
          error: `not built: shared layer ${e.layer} failed`,
          cause: e,
          layer: e.layer,
        };
      return { name: r.name, status: 'FAILED', error: (e as Error)?.message ?? String(e), cause: e };
    }
  });
  return { functions, layers: await distLayers(loaded, functions), distDir };
}

/** Each shared layer the built functions use, once, into .lci/dist/_layers/<name>/layer.zip (`_` starts no function name). */
async function distLayers(loaded: LoadedProject, functions: FunctionBuildResult[]): Promise<LayerBuildResult[]> {
  const out = new Map<string, LayerBuildResult>();
  for (const f of functions) {
    if (f.status === 'FAILED') {
      if (f.layer === undefined) continue;
      const failed = out.get(f.layer);
      if (failed) failed.functions.push(f.name);
      else
        out.set(f.layer, {
          name: f.layer,
          status: 'FAILED',
          error: (f.cause as SharedLayerError).reason,
          functions: [f.name],
        });
      continue;
    }
    for (const l of f.artifacts.layers) {
      const seen = out.get(l.name);
      if (seen) {
        seen.functions.push(f.name);
        if (seen.status === 'BUILT' && l.source === 'built') seen.source = 'built';
        continue;
      }
      const dir = join(loaded.workspace.stateDir, 'dist', '_layers', l.name);
      await mkdirPrivate(dir);
      const path = join(dir, 'layer.zip');
      await copyFile(l.path, path);
      await chmod(path, PRIVATE_FILE_MODE);
      out.set(l.name, {
        ...l,
        path,
        status: 'BUILT',
        source: l.source === 'built' ? 'built' : 'cache',
        functions: [f.name],
      });
    }
  }
  return [...out.values()];
}

function describe(a: FunctionArtifacts): string {
  const code = `code ${a.code.sha256.slice(0, 10)} ${humanBytes(a.code.bytes)}${a.code.reused ? ' (reused)' : a.code.sameAs ? ` (same as ${a.code.sameAs})` : ''}`;
  const deps = a.deps
    ? `deps ${a.deps.source} ${a.deps.key.slice(0, 10)} ${humanBytes(a.deps.bytes)}`
    : 'no dependencies';
  return `${code}, ${deps}`;
}
