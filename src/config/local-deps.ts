import { posix } from 'node:path';
import { packageJsonReferences, requirementsReferences, type Reference, type ReferenceKind } from './descriptors.js';
import type { RuntimeFamily } from './runtimes.js';
import { derivedFrom, type ReadMany, type ReadNow } from '../vcs/readers.js';

/**
 * Local path dependencies of a descriptor: the paths inside the repository whose contents end up
 * in the dependency layer. A change under any of them changes the function.
 *
 * Paths resolve as the tools resolve them. lci runs pip in the descriptor's directory (or in
 * build.workdir: `cwd`), so path lines and `-e` paths (in the descriptor and in every file it
 * includes) are relative to that directory; `-r`/`-c` includes and `-f` directories are relative
 * to the file that names them; npm resolves `file:` dependencies against the package.json that
 * names them.
 * Pure apart from `read`, which returns a repository file's text or null.
 */

export interface LocalDependency {
  /** Repository-relative path of the dependency (a directory, wheel or tarball) or of an included requirements file. */
  path: string;
  /** Repository-relative descriptor that names it. */
  via: string;
  kind?: ReferenceKind;
  /** Where in `via` it is named (1-based). */
  line?: number;
  col?: number;
}

/** A reference that leaves the repository or is absolute, which the build could not see. */
export interface OutsideReference {
  written: string;
  via: string;
  line: number;
  col: number;
}

export interface LocalDependencyOptions {
  /** Collects the references that leave the repository or are absolute. */
  outside?: OutsideReference[];
  /** Follow package.json devDependencies too, as a build command that runs npm ci installs them (the layer never does). */
  dev?: boolean;
  /** pip's working directory (repository-relative, '' at the root); default the descriptor's directory. */
  cwd?: string | null;
}

export async function localDependencies(
  family: RuntimeFamily,
  descriptor: string,
  read: ReadMany,
  opts: LocalDependencyOptions = {},
): Promise<LocalDependency[]> {
  const known = remembered(family, descriptor, read, opts);
  if (known) return known;
  const outside: OutsideReference[] = [];
  const walk = follow(family, descriptor, { ...opts, outside });
  let step = walk.next();
  while (!step.done) step = walk.next(await read(step.value));
  return remember(family, descriptor, read, opts, { found: step.value, outside });
}

/** localDependencies through a reader that needs no wait (the work tree), without a promise per descriptor. */
export function localDependenciesNow(
  family: RuntimeFamily,
  descriptor: string,
  read: ReadNow,
  opts: LocalDependencyOptions = {},
): LocalDependency[] {
  const known = remembered(family, descriptor, read, opts);
  if (known) return known;
  const outside: OutsideReference[] = [];
  const walk = follow(family, descriptor, { ...opts, outside });
  let step = walk.next();
  while (!step.done) step = walk.next(read(step.value));
  return remember(family, descriptor, read, opts, { found: step.value, outside });
}

interface Followed {
  found: LocalDependency[];
  outside: OutsideReference[];
}

function memoKey(family: RuntimeFamily, descriptor: string, opts: LocalDependencyOptions): string {
  return `local-deps\0${family}\0${opts.dev ?? false}\0${opts.cwd ?? posix.dirname(descriptor)}\0${descriptor}`;
}

/** From a reader whose files never change, each descriptor's dependencies are followed once (validation and plan both ask). */
export function remembered(
  family: RuntimeFamily,
  descriptor: string,
  read: ReadMany | ReadNow,
  opts: LocalDependencyOptions,
): LocalDependency[] | undefined {
  const known = derivedFrom(read)?.get(memoKey(family, descriptor, opts)) as Followed | undefined;
  if (!known) return undefined;
  opts.outside?.push(...known.outside);
  return [...known.found];
}

function remember(
  family: RuntimeFamily,
  descriptor: string,
  read: ReadMany | ReadNow,
  opts: LocalDependencyOptions,
  followed: Followed,
): LocalDependency[] {
  derivedFrom(read)?.set(memoKey(family, descriptor, opts), followed);
  opts.outside?.push(...followed.outside);
  return [...followed.found];
}

/** The walk over a descriptor and what it names: yields the files it needs read next, is given their texts. */
function* follow(
  family: RuntimeFamily,
  descriptor: string,
  opts: LocalDependencyOptions & { outside: OutsideReference[] },
): Generator<string[], LocalDependency[], Map<string, string | null>> {
  const outside = opts.outside;
  const dev = opts.dev ?? false;
  const found = new Map<string, LocalDependency>();
  const visited = new Set<string>([descriptor]);
  const pipCwd = opts.cwd ?? posix.dirname(descriptor);
  let frontier = [descriptor];
  while (frontier.length > 0) {
    const texts = yield frontier;
    const next: string[] = [];
    for (const file of frontier) {
      const text = texts.get(file);
      if (text == null) continue;
      const refs = referencesOf(family, text, dev && file === descriptor);
      for (const ref of refs) {
        const from = ref.kind === 'path' ? pipCwd : posix.dirname(file);
        const target = inRepo(from, ref.path);
        if (target === null) {
          outside.push({ written: ref.path, via: file, line: ref.line, col: ref.col });
          continue;
        }
        if (found.has(target)) continue;
        found.set(target, { path: target, via: file, kind: ref.kind, line: ref.line, col: ref.col });
        // Follow what the dependency itself names: included requirement files, a local package's package.json.
        const deeper =
          family === 'python' ? (ref.kind === 'include' ? target : null) : posix.join(target, 'package.json');
        if (deeper && !visited.has(deeper)) {
          visited.add(deeper);
          next.push(deeper);
        }
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

const parsed = new Map<string, readonly Reference[]>();

/**
 * The local references a descriptor's text names, parsed once per text: in a large monorepo
 * thousands of functions have descriptors with the same few contents. Read only, never changed.
 */
function referencesOf(family: RuntimeFamily, text: string, dev: boolean): readonly Reference[] {
  const key = `${family === 'python' ? 'p' : dev ? 'nd' : 'n'}\0${text}`;
  let refs = parsed.get(key);
  if (!refs) {
    refs = family === 'python' ? requirementsReferences(text) : packageJsonReferences(text, dev);
    parsed.set(key, refs);
  }
  return refs;
}

/** Resolves a reference against a repository directory; null when it is absolute or leaves the repository. */
function inRepo(dir: string, p: string): string | null {
  if (p.startsWith('/')) return null;
  const joined = posix.normalize(posix.join(dir, p)).replace(/\/+$/, '');
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined === '.' ? '' : joined;
}
