import { chmod, copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyBuilder, DepsArtifact, Report } from '../builder/dependency-builder.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { PRIVATE_FILE_MODE } from '../package/private.js';
import { checkSizes, packageCode, type CodeZip } from './code-package.js';
import { distDir, readManifest, writeManifest, type Manifest } from './manifest.js';

export interface FunctionArtifacts {
  name: string;
  env: string;
  runtime: string;
  architecture: string;
  code: CodeZip & { fingerprint: string };
  deps: DepsArtifact | null;
  manifest: string;
}

/** Builds one function: code zip, dependency layer, size check, manifest in .lci/dist/<name>/. */
export async function buildFunction(r: ResolvedFunction, ws: Workspace, deps: DependencyBuilder, report: Report): Promise<FunctionArtifacts> {
  report('collecting code');
  const [pkg, layer] = await Promise.all([packageCode(r, ws), deps.layer(r, report)]);
  checkSizes(pkg.groups, layer?.groups ?? null);
  report('packaging code');
  const code = await pkg.zip();
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
  };
  const path = await writeManifest(ws, manifest);
  return {
    name: r.name,
    env: r.env,
    runtime: r.runtime,
    architecture: r.architecture,
    code: { ...code, fingerprint: pkg.fingerprint },
    deps: depsArtifact,
    manifest: path,
  };
}
