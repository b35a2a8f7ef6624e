import { readFileSync, realpathSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { worktreeReader } from '../vcs/readers.js';
import {
  packageJsonDeclaresDependencies,
  pythonProjectDependencies,
  requirementsDeclareDependencies,
} from './descriptors.js';
import { localDependencies, type OutsideReference } from './local-deps.js';
import { RealPaths } from './real-paths.js';
import type { ResolvedConfig } from './resolve.js';
import { dotted } from './schema.js';
import { located, type ConfigSource, type PathSegment } from './source.js';
import type { ResolvedFunction } from './types.js';

export interface CheckContext {
  source: ConfigSource;
  /** Absolute repository root: nothing a function is built from may resolve outside it. */
  root: string;
  /** Working directory, for showing paths the way compilers do. */
  cwd: string;
}

/**
 * What the descriptors say, checked against the work tree: each function's path and descriptor
 * resolve (symlinks included) inside the repository; a python function without a requirements
 * file does not silently skip dependencies its pyproject.toml or Pipfile declares; every local
 * path a descriptor names exists and stays in the repository. Problems inside a descriptor point
 * at its own line (`services/orders/requirements.txt:3:1`).
 */
export async function dependencyDiagnostics(resolved: ResolvedConfig, ctx: CheckContext): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const rootReal = realpathSync(ctx.root);
  const paths = new RealPaths();
  const inConfig = (path: PathSegment[], message: string, anchor: 'key' | 'value' = 'value') =>
    out.push(located(ctx.source, { path, anchor, message: `${dotted(path)}: ${message}` }));
  const inFile = (repoPath: string, line: number, col: number, message: string) =>
    out.push({ file: shown(ctx, repoPath), line, col, message });

  const checkDescriptor = async (r: DescriptorSubject, at: PathSegment[], inPath: PathSegment[]) => {
    if (r.descriptorPath === null) return;
    const key = `${r.family}\0${r.descriptorPath}`;
    if (seen.has(key)) return;
    seen.add(key);
    const anchor = at.at(-1) === 'descriptor' ? 'value' : 'key';
    const abs = join(ctx.root, r.descriptorPath);
    const leaves = escapes(rootReal, paths, abs);
    if (leaves) {
      inConfig(
        at,
        `descriptor ${r.descriptorPath} resolves to ${leaves}, outside the repository (a symlink?); point it at a file in the repository`,
        anchor,
      );
      return;
    }
    if (paths.of(abs)?.kind !== 'file') {
      if (!r.descriptorExplicit && r.family === 'python') checkPythonProject(r, ctx, (m) => inConfig(inPath, m, 'key'));
      return;
    }
    await checkLocalPaths(r, ctx, rootReal, paths, inFile);
  };

  for (const fn of Object.values(resolved.functions)) {
    const first = Object.values(fn.envs)[0];
    if (!first) continue;
    const outside = escapes(rootReal, paths, join(ctx.root, first.root));
    if (outside)
      inConfig(
        ['functions', fn.name, 'path'],
        `'${first.path}' resolves to ${outside}, outside the repository (a symlink?); lci packages only what the repository holds`,
      );
    for (const r of Object.values(fn.envs))
      await checkDescriptor(r, resolved.origins[fn.name]![r.env]!.descriptor ?? ['functions', fn.name], [
        'functions',
        fn.name,
      ]);
  }
  for (const layer of Object.values(resolved.layers)) {
    const l = Object.values(layer.envs)[0];
    if (!l) continue;
    const outside = escapes(rootReal, paths, join(ctx.root, l.root));
    if (outside)
      inConfig(
        ['layers', layer.name, 'path'],
        `'${l.path}' resolves to ${outside}, outside the repository (a symlink?); lci builds only what the repository holds`,
      );
    else
      await checkDescriptor(l, l.descriptorExplicit ? ['layers', layer.name, 'descriptor'] : ['layers', layer.name], [
        'layers',
        layer.name,
      ]);
  }
  return out;
}

/** What the descriptor checks read of a function or a shared layer. */
type DescriptorSubject = Pick<ResolvedFunction, 'family' | 'descriptorPath' | 'descriptorExplicit'>;

/** A defaulted requirements.txt that does not exist means "no dependencies" only when nothing else declares some. */
function checkPythonProject(r: DescriptorSubject, ctx: CheckContext, report: (message: string) => void): void {
  const dir = posix.dirname(r.descriptorPath!);
  for (const file of ['pyproject.toml', 'Pipfile']) {
    const path = posix.join(dir, file);
    let text: string;
    try {
      text = readFileSync(join(ctx.root, path), 'utf8');
    } catch {
      continue;
    }
    const what = pythonProjectDependencies(file, text);
    if (!what) continue;
    const exportHint =
      file === 'Pipfile'
        ? 'pipenv requirements > requirements.txt'
        : 'poetry export -f requirements.txt -o requirements.txt, or uv export --format requirements-txt -o requirements.txt';
    report(
      `${path} declares dependencies (${what}) but ${r.descriptorPath} does not exist, and lci builds python layers from a requirements file: export one (${exportHint}) and commit it, set descriptor: to another requirements file, or descriptor: false if the function needs none`,
    );
    return;
  }
}

async function checkLocalPaths(
  r: DescriptorSubject,
  ctx: CheckContext,
  rootReal: string,
  paths: RealPaths,
  report: (repoPath: string, line: number, col: number, message: string) => void,
): Promise<void> {
  const outside: OutsideReference[] = [];
  const deps = await localDependencies(r.family, r.descriptorPath!, worktreeReader(ctx.root), outside);
  for (const o of outside)
    report(
      o.via,
      o.line,
      o.col,
      `'${o.written}' is outside the repository; the dependency build sees only the repository: move it in, or depend on a published package`,
    );
  const pipCwd = posix.dirname(r.descriptorPath!);
  for (const d of deps) {
    const abs = join(ctx.root, d.path);
    const leaves = escapes(rootReal, paths, abs);
    const line = d.line ?? 1;
    const col = d.col ?? 1;
    if (leaves) {
      report(
        d.via,
        line,
        col,
        `'${relative(join(ctx.root, posix.dirname(d.via)), abs) || d.path}' resolves to ${leaves}, outside the repository (a symlink?); the dependency build sees only the repository`,
      );
      continue;
    }
    if (paths.of(abs) !== null) continue;
    const against =
      d.kind === 'path'
        ? `resolved against ${pipCwd || '.'}, the directory lci runs pip in`
        : d.kind === 'package'
          ? `resolved against ${posix.dirname(d.via) || '.'}, where its package.json is`
          : `resolved against ${posix.dirname(d.via) || '.'}, the directory of the file that names it`;
    report(d.via, line, col, `${d.path} does not exist (${against}); fix the path or commit the dependency`);
  }
}

/** True when a descriptor declares something to install; an empty or comment-only file (or a package.json without dependencies) means no layer. */
export function declaresDependencies(family: ResolvedFunction['family'], text: string): boolean {
  return family === 'python' ? requirementsDeclareDependencies(text) : packageJsonDeclaresDependencies(text);
}

/** Where a path really is when that is outside the repository (through symlinks), else null. Missing paths are not outside. */
function escapes(rootReal: string, paths: RealPaths, abs: string): string | null {
  const real = paths.of(abs)?.real;
  if (real === undefined) return null;
  const rel = relative(rootReal, real);
  return rel === '..' || rel.startsWith(`..${sep}`) || rel === real ? real : null;
}

function shown(ctx: CheckContext, repoPath: string): string {
  const rel = relative(ctx.cwd, join(ctx.root, repoPath));
  return rel.split(sep).join('/');
}
