import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { Architecture } from '../config/runtimes.js';
import { ArchitectureMismatchError } from '../errors.js';
import type { ZipEntry } from '../package/zip.js';
import {
  describeMismatches,
  ELF_HEADER_BYTES,
  layerMismatches,
  localWheelMismatch,
  type LayerFile,
} from './architecture.js';

/**
 * Reads what the architecture check needs from a built layer (the first bytes of every file, the
 * WHEEL metadata) and fails the build on a mismatch, before the layer is cached, zipped or uploaded.
 * Synchronous reads: one small read per file, for up to tens of thousands of files.
 */
export function checkLayerArchitecture(arch: Architecture, entries: ZipEntry[]): void {
  const files: LayerFile[] = [];
  const wheels: { path: string; text: string }[] = [];
  for (const e of entries) {
    if (!('path' in e.source) || e.size < ELF_HEADER_BYTES) continue;
    files.push({ path: e.name, head: readHead(e.source.path) });
    if (e.name.endsWith('.dist-info/WHEEL')) wheels.push({ path: e.name, text: readFileSync(e.source.path, 'utf8') });
  }
  const problems = layerMismatches(arch, files, wheels);
  if (problems.length > 0) throw new ArchitectureMismatchError(describeMismatches(arch, problems));
}

/** Local wheels a requirements file names (repository paths) whose file names say they are for another platform: fails before any build. */
export function checkLocalWheels(arch: Architecture, localDeps: string[]): void {
  const problems = localDeps.flatMap((d) => localWheelMismatch(arch, d) ?? []);
  if (problems.length > 0) throw new ArchitectureMismatchError(describeMismatches(arch, problems));
}

function readHead(path: string): Buffer {
  const head = Buffer.alloc(ELF_HEADER_BYTES);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, ELF_HEADER_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}
