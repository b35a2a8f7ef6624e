import { PackageError } from '../errors.js';

/** Lambda's limit on a function's code plus all its layers, unzipped (AWS Lambda quotas). */
export const UNZIPPED_LIMIT = 262_144_000;

export interface SizedPart {
  /** 'code' or 'deps' */
  label: string;
  /** Bytes per group (a top-level directory of the code, a package of the layer). */
  groups: Record<string, number>;
}

/** The entry's group: the package directory for layer paths, the first segment otherwise. */
export function sizeGroup(name: string): string {
  const parts = name.split('/');
  if (parts[0] === 'python' && parts.length > 2) return parts.slice(0, 2).join('/');
  if (parts[0] === 'nodejs' && parts[1] === 'node_modules' && parts.length > 3) {
    return parts.slice(0, parts[2]!.startsWith('@') ? 4 : 3).join('/');
  }
  return parts.length > 1 ? `${parts[0]}/` : parts[0]!;
}

export function groupSizes(entries: { name: string; size: number }[]): Record<string, number> {
  const groups: Record<string, number> = {};
  for (const e of entries) {
    const g = sizeGroup(e.name);
    groups[g] = (groups[g] ?? 0) + e.size;
  }
  return groups;
}

/** Fails before anything leaves the machine when code and layers together exceed the unzipped limit. */
export function checkUnzippedSize(parts: SizedPart[], limit = UNZIPPED_LIMIT): void {
  const all = parts.flatMap((p) =>
    Object.entries(p.groups).map(([group, bytes]) => ({ what: `${p.label} ${group}`, bytes })),
  );
  const total = all.reduce((n, g) => n + g.bytes, 0);
  if (total <= limit) return;
  const biggest = all
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map((g) => `${g.what} ${mb(g.bytes)}`)
    .join(', ');
  throw new PackageError(
    `code and dependencies are ${mb(total)} unzipped, over Lambda's limit of ${limit.toLocaleString('en-US')} bytes (${mb(limit)}); ` +
      `biggest: ${biggest}. Leave out what the function does not need (exclude: in lambdas.yaml) or move data to S3`,
  );
}

export function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** 512 B, 3.4 kB, 12.3 MB */
export function humanBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return mb(bytes);
}
