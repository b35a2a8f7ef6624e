import { statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import type { Diagnostic } from '../errors.js';
import type { ResolvedConfig } from './resolve.js';
import { isRecord, locate, type ConfigSource } from './source.js';
import { smokeLists } from './checks.js';
import { readSmokeFile } from './smoke-file.js';
import { dotted } from './schema.js';
import { pathProblem, repoPath } from './globs.js';
import { inside } from '../vcs/paths.js';

export type FileKind = 'file' | 'dir' | 'missing';

export function fileKind(absPath: string): FileKind {
  try {
    const s = statSync(absPath);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/** Each function's path must be a directory and an explicitly named descriptor a file. */
export function fileDiagnostics(
  source: ConfigSource,
  resolved: ResolvedConfig,
  configDir: string,
  configDirInRepo: string,
  kind = fileKind,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const fn of Object.values(resolved.functions)) {
    const pathAt = ['functions', fn.name, 'path'];
    const first = Object.values(fn.envs)[0];
    // A path that is absolute or leaves the repository was reported already.
    if (!first || pathProblem(first.path) || repoPath(configDirInRepo, first.path) === null) continue;
    const pathKind = kind(inside(configDir, first.path));
    if (pathKind !== 'dir') {
      const what = pathKind === 'missing' ? 'does not exist' : 'is a file, not a directory';
      out.push({
        file: source.displayPath,
        ...locate(source, pathAt),
        message: `${dotted(pathAt)}: '${first.path}' ${what} (relative to ${source.displayPath}'s directory); fix the path or create the directory`,
      });
      continue;
    }
    for (const r of Object.values(fn.envs)) {
      if (!r.descriptor || !r.descriptorExplicit) continue;
      const rel = posix.join(r.path, r.descriptor);
      if (repoPath(configDirInRepo, rel) === null) continue; // leaves the repository: reported by the monorepo checks
      const at = resolved.origins[fn.name]![r.env]!.descriptor!;
      const key = `${rel}@${at.join('.')}`;
      if (reported.has(key)) continue;
      const k = kind(inside(configDir, rel));
      if (k === 'file') continue;
      reported.add(key);
      const what = k === 'missing' ? 'does not exist' : 'is a directory';
      out.push({
        file: source.displayPath,
        ...locate(source, at),
        message: `${dotted(at)}: '${rel}' ${what} for function '${fn.name}' (descriptors are relative to the function's path); fix the name, or set 'descriptor: false' for no dependencies`,
      });
    }
  }
  for (const layer of Object.values(resolved.layers)) {
    const l = Object.values(layer.envs)[0];
    if (!l || pathProblem(l.path) || repoPath(configDirInRepo, l.path) === null) continue;
    const at = ['layers', layer.name, 'path'];
    const pathKind = kind(inside(configDir, l.path));
    if (pathKind !== 'dir') {
      const what = pathKind === 'missing' ? 'does not exist' : 'is a file, not a directory';
      out.push({
        file: source.displayPath,
        ...locate(source, at),
        message: `${dotted(at)}: '${l.path}' ${what} (relative to ${source.displayPath}'s directory)`,
      });
      continue;
    }
    if (!l.descriptor || !l.descriptorExplicit) continue;
    const rel = posix.join(l.path, l.descriptor);
    if (repoPath(configDirInRepo, rel) === null) continue;
    const k = kind(inside(configDir, rel));
    if (k === 'file') continue;
    const dAt = ['layers', layer.name, 'descriptor'];
    out.push({
      file: source.displayPath,
      ...locate(source, dAt),
      message: `${dotted(dAt)}: '${rel}' ${k === 'missing' ? 'does not exist' : 'is a directory'} (descriptors are relative to the layer's path)`,
    });
  }
  return out;
}

/** Each smoke event file is a JSON file in the repository (symlinks resolved), at most Lambda's payload size. */
export function smokeFileDiagnostics(
  source: ConfigSource,
  data: Record<string, unknown>,
  configDir: string,
  configDirInRepo: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const root = configDirInRepo === '' ? configDir : resolve(configDir, ...configDirInRepo.split('/').map(() => '..'));
  for (const [list, at] of smokeLists(data)) {
    list.forEach((item, i) => {
      const file = isRecord(item) ? item.file : undefined;
      if (typeof file !== 'string' || pathProblem(file)) return;
      const inRepo = repoPath(configDirInRepo, file);
      if (inRepo === null) return; // reported by the semantic checks
      const read = readSmokeFile(root, inRepo);
      if ('problem' in read) {
        const path = [...at, i, 'file'];
        out.push({
          file: source.displayPath,
          ...locate(source, path),
          message: `${dotted(path)}: '${file}' ${read.problem} (relative to ${source.displayPath}'s directory)`,
        });
      }
    });
  }
  return out;
}
