import { relative } from 'node:path';
import type { BuildResult } from '../artifacts/build.js';
import type { ZipArtifact } from '../package/zip-artifact.js';
import { jsonDocument } from './json.js';
import { plural } from './table.js';

export function buildText(b: BuildResult, cwd: string): string {
  if (b.functions === null) return 'nothing to build: no function is affected';
  const built = b.functions.filter((f) => f.status === 'BUILT').length;
  const failed = b.functions.length - built;
  const builtLayers = b.layers.filter((l) => l.status === 'BUILT').length;
  const failedLayers = b.layers.filter((l) => l.status === 'FAILED').map((l) => l.name);
  const layers = builtLayers > 0 ? ` and ${plural(builtLayers, 'shared layer')}` : '';
  const because = failedLayers.length > 0 ? ` (shared layer ${failedLayers.join(', ')} failed)` : '';
  return `built ${plural(built, 'function')}${layers} into ${relative(cwd, b.distDir) || '.'}${failed > 0 ? `, ${failed} failed${because}` : ''}`;
}

export function buildJson(b: BuildResult, cwd: string): string {
  const rel = (p: string) => relative(cwd, p);
  const zip = (z: ZipArtifact) => ({
    path: rel(z.path),
    sha256: z.sha256,
    bytes: z.bytes,
    unzippedBytes: z.unzippedBytes,
    entries: z.entries,
  });
  return jsonDocument('build', {
    functions: (b.functions ?? []).map((f) => {
      if (f.status === 'FAILED')
        return { name: f.name, status: f.status, error: f.error, ...(f.layer ? { layer: f.layer } : {}) };
      const a = f.artifacts;
      return {
        name: f.name,
        status: f.status,
        env: a.env,
        code: {
          ...zip(a.code),
          fingerprint: a.code.fingerprint,
          reused: a.code.reused,
          ...(a.code.sameAs ? { sameAs: a.code.sameAs } : {}),
        },
        deps: a.deps ? { ...zip(a.deps), key: a.deps.key, source: a.deps.source } : null,
        layers: a.layers.map((l) => l.name),
        manifest: rel(a.manifest),
      };
    }),
    layers: b.layers.map((l) =>
      l.status === 'FAILED'
        ? { name: l.name, status: l.status, error: l.error, functions: l.functions }
        : { name: l.name, status: l.status, ...zip(l), key: l.key, source: l.source, functions: l.functions },
    ),
  });
}
