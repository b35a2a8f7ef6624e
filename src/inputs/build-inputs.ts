import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { globTest } from './glob-test.js';
import { localDependencies, type LocalDependency } from '../config/local-deps.js';
import { isLockfile } from '../config/runtimes.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import type { ReadMany } from '../vcs/readers.js';
import { dependencyFiles, type DependencyFile } from './dependency-inputs.js';
import { collectFiles } from './files.js';

/** What a build command reads: a function's or a shared layer's fields (they share the names). */
export type BuildSubject = Pick<
  ResolvedFunction,
  'name' | 'root' | 'family' | 'runtime' | 'architecture' | 'build' | 'descriptorPath' | 'installDir'
>;

/** What a build never reads from the committed tree: installed packages, caches, git's own files. */
export const BUILD_JUNK = globTest(
  ['**/.git/**', '**/node_modules/**', '**/__pycache__/**', '**/*.pyc', '**/.DS_Store'],
  { dot: true },
);

/**
 * The local packages a build command installs: those its descriptor names, devDependencies
 * included (a compiler from the repository). With the committed files under the path, they are
 * what the build container sees at /src, and what the build's key and the function's fingerprint
 * hash. Pure apart from `read`.
 */
export async function buildLocalDependencies(s: BuildSubject, read: ReadMany): Promise<LocalDependency[]> {
  if (s.build.command === null || s.descriptorPath === null) return [];
  const present = (await read([s.descriptorPath])).get(s.descriptorPath);
  if (present == null) return [];
  return localDependencies(s.family, s.descriptorPath, read, { dev: true, cwd: s.installDir });
}

/**
 * Whether a path relative to a built subject's root is one of its build.inputs (a plain path: the
 * file, or everything under the directory), or its descriptor or a lockfile beside it, which
 * always count (plan has rules of their own for them). Null inputs: every path.
 */
export function inputsFilter(
  s: Pick<BuildSubject, 'root' | 'build' | 'descriptorPath' | 'family'>,
): (rel: string) => boolean {
  const inputs = s.build.inputs;
  if (inputs === null) return () => true;
  const globs = inputs.map((g) => g.replace(/^(\.\/)+/, ''));
  const plain = globs.filter((g) => !picomatch.scan(g).isGlob).map((g) => posix.normalize(g).replace(/\/+$/, ''));
  const patterns = globs.filter((g) => picomatch.scan(g).isGlob);
  const matches = patterns.length > 0 ? globTest(patterns, { dot: true }) : () => false;
  const descriptor = s.descriptorPath;
  const descriptorDir = descriptor === null ? null : posix.dirname(descriptor);
  return (rel) => {
    if (matches(rel) || plain.some((p) => p === '.' || rel === p || rel.startsWith(`${p}/`))) return true;
    if (descriptor === null) return false;
    const repoPath = s.root ? `${s.root}/${rel}` : rel;
    if (repoPath === descriptor) return true;
    const dir = posix.dirname(repoPath);
    return dir === descriptorDir && isLockfile(s.family, posix.basename(repoPath));
  };
}

/**
 * Every file a build command reads, as the commit has them: the tracked files under its path (no
 * junk, nothing a shared layer's `exclude` names; with build.inputs, only those and the descriptor
 * with its lockfiles), its descriptor, lockfiles and local packages.
 */
export async function buildFiles(
  s: BuildSubject,
  ws: Workspace,
  read: ReadMany,
  exclude: string[] = [],
): Promise<DependencyFile[]> {
  const tracked = await ws.tracked();
  const excluded = exclude.length > 0 ? globTest(exclude, { dot: true }) : () => false;
  const input = inputsFilter(s);
  const out = new Map<string, DependencyFile>();
  const entries = await collectFiles({
    root: join(ws.root, s.root),
    boundary: ws.root,
    label: s.root || '.',
    packaged: (rel) => !BUILD_JUNK(rel) && !excluded(rel) && input(rel),
    prunable: (rel) => BUILD_JUNK(`${rel}/x`),
    ...(tracked
      ? { tracked: { index: tracked, rootInRepo: s.root, included: () => false, mayInclude: () => false } }
      : {}),
  });
  for (const e of entries)
    out.set(posix.join(s.root, e.name), {
      repoPath: posix.join(s.root, e.name),
      abs: (e.source as { path: string }).path,
      executable: e.executable,
    });
  const localDeps = (await buildLocalDependencies(s, read)).map((d) => d.path);
  if (s.descriptorPath !== null && localDeps.length > 0) {
    const readExclude = { root: s.root, globs: exclude };
    for (const f of await dependencyFiles(
      {
        descriptor: s.descriptorPath,
        lockfiles: [],
        localDeps,
        ...(exclude.length > 0 ? { exclude: readExclude } : {}),
      },
      ws,
    ))
      out.set(f.repoPath, f);
  }
  return [...out.values()].sort((a, b) => (a.repoPath < b.repoPath ? -1 : a.repoPath > b.repoPath ? 1 : 0));
}
