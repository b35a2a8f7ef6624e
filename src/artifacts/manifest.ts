import { readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Workspace } from '../config/types.js';
import { mkdirPrivate, writePrivateFile } from '../private-files.js';

/**
 * `.lci/dist/<function>/` (0700; files 0600): app.zip, deps.zip and manifest.json, written by `lci build` and by a
 * deploy that had to zip. The manifest records the code fingerprint each zip was made from, so
 * whichever command runs next reuses a zip instead of writing it again.
 */

export interface ZipRecord {
  file: string;
  sha256: string;
  bytes: number;
  unzippedBytes: number;
  entries: number;
}

export interface Manifest {
  function: string;
  env: string;
  runtime: string;
  architecture: string;
  code: (ZipRecord & { fingerprint: string }) | null;
  deps: (ZipRecord & { key: string }) | null;
  /** The shared layers the function was built with, in order. */
  layers?: { name: string; key: string; sha256: string }[];
}

export function distDir(ws: Workspace, name: string): string {
  return join(ws.stateDir, 'dist', name);
}

export function manifestPath(ws: Workspace, name: string): string {
  return join(distDir(ws, name), 'manifest.json');
}

export async function readManifest(ws: Workspace, name: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await readFile(manifestPath(ws, name), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/** Written beside and renamed: a reader never sees half a manifest. */
export async function writeManifest(ws: Workspace, m: Manifest): Promise<string> {
  const path = manifestPath(ws, m.function);
  await mkdirPrivate(dirname(path));
  await writePrivateFile(`${path}.${process.pid}.tmp`, JSON.stringify(m, null, 2) + '\n');
  await rename(`${path}.${process.pid}.tmp`, path);
  return path;
}
