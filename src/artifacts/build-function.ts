import { chmod, copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyBuilder, DepsArtifact, Report } from '../builder/dependency-builder.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { LciError, SharedLayerError } from '../errors.js';
import { PRIVATE_FILE_MODE } from '../private-files.js';
import { checkSizes, codeFiles, type CodeZip } from './code-package.js';
import { distDir, readManifest, writeManifest, type Manifest } from './manifest.js';

/** A shared layer a function uses, as built (or found in .lci/cache) in this run. */
export interface SharedLayerArtifact extends DepsArtifact {
  name: string;
}

export interface FunctionArtifacts {
  name: string;
  env: string;
  runtime: string;
  architecture: string;
  code: CodeZip & { fingerprint: string };
  deps: DepsArtifact | null;
  /** The shared layers it uses, in order; each is built once per run however many functions use it. */
  layers: SharedLayerArtifact[];
  manifest: string;
}

/** Builds one function: code zip, its dependency layer and the shared layers it uses, size check, manifest in .lci/dist/<name>/. */
export async function buildFunction(
  r: ResolvedFunction,
  ws: Workspace,
  deps: DependencyBuilder,
  report: Report,
): Promise<FunctionArtifacts> {
  report('collecting code');
  const [files, layer, layers] = await settled(
    codeFiles(r, ws, { builder: deps, report }),
    deps.layer(r, report),
    sharedLayers(r, deps, report),
  );
  checkSizes(await files.groups(), [
    ...(layer ? [{ label: 'deps', groups: layer.groups }] : []),
    ...layers.map((l) => ({ label: `layer ${l.name}`, groups: l.groups })),
  ]);
  report('packaging code');
  // The fingerprint comes with the zip, from the same read of each file, unless an earlier zip may be reused.
  const code = await files.zip();
  const dist = distDir(ws, r.name);
  let depsArtifact: DepsArtifact | null = null;
  const distDeps = join(dist, 'deps.zip');
  if (layer) {
    await copyFile(layer.path, distDeps);
    await chmod(distDeps, PRIVATE_FILE_MODE); // copyFile keeps the source's mode, and an older lci cached at 0644
    depsArtifact = { ...layer, path: distDeps };
  } else {
    await rm(distDeps, { force: true });
  }
  const written = (await readManifest(ws, r.name))!;
  const manifest: Manifest = {
    ...written,
    env: r.env,
    deps: depsArtifact
      ? {
          file: 'deps.zip',
          sha256: depsArtifact.sha256,
          bytes: depsArtifact.bytes,
          unzippedBytes: depsArtifact.unzippedBytes,
          entries: depsArtifact.entries,
          key: depsArtifact.key,
        }
      : null,
    layers: layers.map((l) => ({ name: l.name, key: l.key, sha256: l.sha256 })),
  };
  const path = await writeManifest(ws, manifest);
  return {
    name: r.name,
    env: r.env,
    runtime: r.runtime,
    architecture: r.architecture,
    code,
    deps: depsArtifact,
    layers,
    manifest: path,
  };
}

/**
 * The three parts of a function once all have finished: a failed shared layer first (it names the
 * layer, which every function using it reports), then the first other failure.
 */
async function settled<A, B, C>(a: Promise<A>, b: Promise<B>, shared: Promise<C>): Promise<[A, B, C]> {
  const [x, y, z] = await Promise.allSettled([a, b, shared]);
  for (const s of [z, x, y]) if (s.status === 'rejected') throw s.reason;
  return [
    (x as PromiseFulfilledResult<A>).value,
    (y as PromiseFulfilledResult<B>).value,
    (z as PromiseFulfilledResult<C>).value,
  ];
}

/** The shared layers a function uses, built once per content key however many functions ask (the builder keeps them). */
async function sharedLayers(
  r: ResolvedFunction,
  deps: DependencyBuilder,
  report: Report,
): Promise<SharedLayerArtifact[]> {
  return Promise.all(
    r.layers.map(async (l) => {
      let built: DepsArtifact | null;
      try {
        built = await deps.layer(
          l,
          (m, detail) => report(`layer ${l.name}: ${m}`, detail),
          await deps.identifyShared(l),
        );
      } catch (e) {
        const message = (e as Error)?.message ?? String(e);
        throw new SharedLayerError(l.name, e instanceof LciError ? message : `unexpected error: ${message}`);
      }
      if (!built)
        throw new SharedLayerError(
          l.name,
          `${l.descriptorPath ?? 'its descriptor'} declares no dependencies (or git does not track it), so the layer would be empty; declare them, or take the layer off the functions`,
        );
      return { ...built, name: l.name };
    }),
  );
}
