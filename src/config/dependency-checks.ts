import { realpathSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { readNowOnce, type ReadNow } from '../vcs/readers.js';
import type { Tracked } from '../vcs/tracked.js';
import {
  packageJsonDeclaresDependencies,
  pythonProjectDependencies,
  requirementsDeclareDependencies,
} from './descriptors.js';
import { localDependenciesNow, type OutsideReference } from './local-deps.js';
import { inside } from '../vcs/paths.js';
import { RealPaths } from './real-paths.js';
import { layerBuildOrigin, type ResolvedConfig } from './resolve.js';
import { dotted } from './schema.js';
import { markerProblems, type MarkerSubject } from './marker-checks.js';
import { MAX_LAYERS } from './monorepo-checks.js';
import { located, writtenPath, type ConfigSource, type PathSegment } from './source.js';
import type { ResolvedFunction } from './types.js';

export interface CheckContext {
  source: ConfigSource;
  /** Absolute repository root: nothing a function is built from may resolve outside it. */
  root: string;
  /** Working directory, for showing paths the way compilers do. */
  cwd: string;
  /** What git tracks, asked once about the files the checks need (none: not asked); null outside a repository. */
  tracked?: (files: string[]) => Promise<Tracked | null>;
  /** The work tree's files by repository path (default: read as asked); a run's plan reuses what the checks read. */
  read?: ReadNow;
  /** Where paths really are (default: a fresh lookup); shared with the path checks of the same run. */
  paths?: RealPaths;
}

/**
 * What the descriptors say, checked against the work tree: each function's path and descriptor
 * resolve (symlinks included) inside the repository; a named descriptor is tracked by git (the
 * build reads only what the commit holds); a python function without a requirements file does
 * not silently skip dependencies its pyproject.toml or Pipfile declares; every local path a
 * descriptor names exists and stays in the repository; environment markers do not leave out every
 * requirement (markers that starve another runtime of a shared layer warn); five shared layers
 * leave no room for a function's own. Problems inside a descriptor point at its own line
 * (`services/orders/requirements.txt:3:1`).
 */
export async function dependencyDiagnostics(
  resolved: ResolvedConfig,
  ctx: CheckContext,
): Promise<{ errors: Diagnostic[]; warnings: Diagnostic[] }> {
  const out: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  /** Per descriptor: whether it is a file git tracks in the repository (checked once). */
  const readable = new Map<string, boolean>();
  const markersChecked = new Set<string>();
  const tooMany = new Set<string>();
  const rootReal = realpathSync(ctx.root);
  const paths = ctx.paths ?? new RealPaths();
  const read = ctx.read ?? readNowOnce((files) => new Map(files.map((f) => [f, paths.text(inside(ctx.root, f))]))).now;
  const textOf = (file: string) => read([file]).get(file) ?? null;
  // What git tracks is asked once, before the checks, about the files they ask about: named descriptors, five shared layers.
  const asked = trackedQuestions(resolved);
  const tracked = asked.length > 0 ? ((await ctx.tracked?.(asked)) ?? null) : null;
  const inConfig = (path: PathSegment[], message: string, anchor: 'key' | 'value' = 'value') =>
    out.push(located(ctx.source, { path, anchor, message: `${dotted(path)}: ${message}` }));
  const inFile = (repoPath: string, line: number, col: number, message: string) =>
    out.push({ file: shown(ctx, repoPath), line, col, message });

  const checkDescriptor = (r: DescriptorSubject, at: PathSegment[], inPath: PathSegment[]) => {
    if (r.descriptorPath === null) return false;
    const key = `${r.family}\0${r.descriptorPath}\0${r.installDir}`;
    const known = readable.get(key);
    if (known !== undefined) return known;
    const ok = checkOnce(r, at, inPath);
    readable.set(key, ok);
    return ok;
  };
  const checkOnce = (r: DescriptorSubject, at: PathSegment[], inPath: PathSegment[]): boolean => {
    if (r.descriptorPath === null) return false;
    const anchor = at.at(-1) === 'descriptor' ? 'value' : 'key';
    const abs = inside(ctx.root, r.descriptorPath);
    paths.probe(abs, rootReal);
    const leaves = escapes(rootReal, paths, abs);
    if (leaves) {
      inConfig(
        at,
        `descriptor ${r.descriptorPath} resolves to ${leaves}, outside the repository (a symlink?); point it at a file in the repository`,
        anchor,
      );
      return false;
    }
    if (paths.of(abs)?.kind !== 'file') {
      if (!r.descriptorExplicit && r.family === 'python')
        checkPythonProject(r, textOf, (m) => inConfig(inPath, m, 'key'));
      return false;
    }
    // The build reads the descriptor from what git tracks: an untracked one would build no dependencies.
    if (r.descriptorExplicit && tracked && !tracked.has(r.descriptorPath)) {
      const real = relative(rootReal, paths.of(abs)!.real).split(sep).join('/');
      inConfig(
        at,
        real !== r.descriptorPath && tracked.has(real)
          ? `descriptor ${r.descriptorPath} is reached through a symlinked directory, and git tracks the file as ${real}; name that path, as lci builds what the commit holds`
          : `descriptor ${r.descriptorPath} is not tracked by git, and lci builds what the commit holds (without it: no dependencies); commit it, or set descriptor: false`,
        anchor,
      );
      return false;
    }
    checkLocalPaths(r, ctx, read, rootReal, paths, inFile);
    return true;
  };
  const checkMarkers = (
    descriptorPath: string,
    subject: () => MarkerSubject,
    runtime: string,
    architecture: string,
  ) => {
    const key = `${descriptorPath}\0${runtime}\0${architecture}`;
    if (markersChecked.has(key)) return;
    markersChecked.add(key);
    const text = textOf(descriptorPath);
    if (text == null) return;
    for (const p of markerProblems(text, subject()))
      (p.severity === 'error' ? out : warnings).push({
        file: shown(ctx, descriptorPath),
        line: p.line,
        col: p.col,
        message: p.message,
      });
  };

  const workdirsChecked = new Set<string>();
  /** build.workdir must be a directory of the repository (symlinks followed): pip runs there. */
  const checkWorkdir = (r: DescriptorSubject & { build: { workdir: string | null } }, at: PathSegment[]) => {
    if (r.build.workdir === null || r.installDir === null || r.family !== 'python') return;
    const key = `${r.installDir}\0${at.join('.')}`;
    if (workdirsChecked.has(key)) return;
    workdirsChecked.add(key);
    const abs = inside(ctx.root, r.installDir);
    const leaves = escapes(rootReal, paths, abs);
    if (leaves)
      inConfig(
        at,
        `'${r.build.workdir}' resolves to ${leaves}, outside the repository (a symlink?); the dependency build sees only the repository`,
      );
    else if (paths.of(abs)?.kind !== 'dir')
      inConfig(
        at,
        `'${r.build.workdir}' (${r.installDir || '.'}) is not a directory of the repository; build.workdir is relative to the path and names where pip runs`,
      );
  };

  for (const fn of Object.values(resolved.functions)) {
    const first = Object.values(fn.envs)[0];
    if (!first) continue;
    const outside = escapes(rootReal, paths, inside(ctx.root, first.root));
    if (outside)
      inConfig(
        ['functions', fn.name, 'path'],
        `'${first.path}' resolves to ${outside}, outside the repository (a symlink?); lci packages only what the repository holds`,
      );
    for (const r of Object.values(fn.envs)) {
      const origin = resolved.origins[fn.name]![r.env]!;
      if (origin.buildWorkdir) checkWorkdir(r, writtenPath(ctx.source, origin.buildWorkdir));
      if (checkDescriptor(r, origin.descriptor ?? ['functions', fn.name], ['functions', fn.name]))
        checkMarkers(
          r.descriptorPath!,
          () => ({ what: `function '${fn.name}'`, runtime: r.runtime, architecture: r.architecture, alsoFor: [] }),
          r.runtime,
          r.architecture,
        );
      // Five shared layers leave no room for the function's own, which its descriptor makes when it declares something.
      if (r.layers.length === MAX_LAYERS && makesLayer(r, textOf, tracked)) {
        const at = writtenPath(ctx.source, origin.layers ?? ['functions', fn.name]);
        const message = `${dotted(at)}: ${MAX_LAYERS} shared layers and the dependency layer function '${fn.name}' builds from ${r.descriptorPath} are more than the ${MAX_LAYERS} layers Lambda allows a function; list fewer shared layers, or move its dependencies into one of them and set descriptor: false`;
        if (!tooMany.has(message)) {
          tooMany.add(message);
          out.push(located(ctx.source, { path: at, anchor: 'key', message }));
        }
      }
    }
  }
  for (const layer of Object.values(resolved.layers)) {
    const l = Object.values(layer.envs)[0];
    if (!l) continue;
    checkWorkdir(l, layerBuildOrigin(ctx.source.data, layer.name, 'workdir'));
    const outside = escapes(rootReal, paths, inside(ctx.root, l.root));
    if (outside)
      inConfig(
        ['layers', layer.name, 'path'],
        `'${l.path}' resolves to ${outside}, outside the repository (a symlink?); lci builds only what the repository holds`,
      );
    else if (
      checkDescriptor(l, l.descriptorExplicit ? ['layers', layer.name, 'descriptor'] : ['layers', layer.name], [
        'layers',
        layer.name,
      ]) &&
      l.build.command === null
    )
      checkMarkers(
        l.descriptorPath!,
        () => ({
          what: `shared layer '${layer.name}'`,
          runtime: l.runtime,
          architecture: l.architecture,
          alsoFor: l.runtimes.slice(1),
        }),
        l.runtime,
        l.architecture,
      );
  }
  return { errors: out, warnings };
}

/** The files whose being tracked a check asks about: descriptors named explicitly, and those of functions with five shared layers. */
function trackedQuestions(resolved: ResolvedConfig): string[] {
  const files = new Set<string>();
  for (const fn of Object.values(resolved.functions))
    for (const r of Object.values(fn.envs))
      if (r.descriptorPath !== null && (r.descriptorExplicit || r.layers.length === MAX_LAYERS))
        files.add(r.descriptorPath);
  for (const layer of Object.values(resolved.layers))
    for (const l of Object.values(layer.envs))
      if (l.descriptorExplicit && l.descriptorPath !== null) files.add(l.descriptorPath);
  return [...files];
}

/** What the descriptor checks read of a function or a shared layer. */
type DescriptorSubject = Pick<ResolvedFunction, 'family' | 'descriptorPath' | 'descriptorExplicit' | 'installDir'>;

/** A defaulted requirements.txt that does not exist means "no dependencies" only when nothing else declares some. */
function checkPythonProject(
  r: DescriptorSubject,
  textOf: (file: string) => string | null,
  report: (message: string) => void,
): void {
  const dir = posix.dirname(r.descriptorPath!);
  for (const file of ['pyproject.toml', 'Pipfile']) {
    const path = posix.join(dir, file);
    const text = textOf(path);
    if (text == null) continue;
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

function checkLocalPaths(
  r: DescriptorSubject,
  ctx: CheckContext,
  read: ReadNow,
  rootReal: string,
  paths: RealPaths,
  report: (repoPath: string, line: number, col: number, message: string) => void,
): void {
  const outside: OutsideReference[] = [];
  const deps = localDependenciesNow(r.family, r.descriptorPath!, read, {
    outside,
    cwd: r.installDir,
  });
  for (const o of outside)
    report(
      o.via,
      o.line,
      o.col,
      `'${o.written}' is outside the repository; the dependency build sees only the repository: move it in, or depend on a published package`,
    );
  const pipCwd = r.installDir ?? posix.dirname(r.descriptorPath!);
  const workdirSet = pipCwd !== posix.dirname(r.descriptorPath!).replace(/^\.$/, '');
  for (const d of deps) {
    const abs = inside(ctx.root, d.path);
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
        ? `resolved against ${pipCwd || '.'}, the directory lci runs pip in${workdirSet ? ' (build.workdir)' : '; if the repository runs pip elsewhere, set build.workdir'}`
        : d.kind === 'package'
          ? `resolved against ${posix.dirname(d.via) || '.'}, where its package.json is`
          : `resolved against ${posix.dirname(d.via) || '.'}, the directory of the file that names it`;
    report(d.via, line, col, `${d.path} does not exist (${against}); fix the path or commit the dependency`);
  }
}

/**
 * Whether a descriptor makes a dependency layer: it is there, git tracks it (in a repository), and
 * it declares something to install. Validate and the build decide it alike.
 */
export function descriptorMakesLayer(
  family: ResolvedFunction['family'],
  descriptorPath: string,
  text: string | null,
  tracked: Tracked | null,
): boolean {
  if (tracked && !tracked.has(descriptorPath)) return false;
  return text != null && declaresDependencies(family, text);
}

function makesLayer(r: DescriptorSubject, textOf: (file: string) => string | null, tracked: Tracked | null): boolean {
  if (r.descriptorPath === null) return false;
  return descriptorMakesLayer(r.family, r.descriptorPath, textOf(r.descriptorPath), tracked);
}

/** True when a descriptor declares something to install; an empty or comment-only file (or a package.json without dependencies) means no layer. */
export function declaresDependencies(family: ResolvedFunction['family'], text: string): boolean {
  return family === 'python' ? requirementsDeclareDependencies(text) : packageJsonDeclaresDependencies(text);
}

/** Where a path really is when that is outside the repository (through symlinks), else null. Missing paths are not outside. */
function escapes(rootReal: string, paths: RealPaths, abs: string): string | null {
  const real = paths.of(abs)?.real;
  if (real === undefined) return null;
  if (real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) return null;
  const rel = relative(rootReal, real);
  return rel === '..' || rel.startsWith(`..${sep}`) || rel === real ? real : null;
}

function shown(ctx: CheckContext, repoPath: string): string {
  const rel = relative(ctx.cwd, join(ctx.root, repoPath));
  return rel.split(sep).join('/');
}
