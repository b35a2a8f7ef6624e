import type { Storage } from '../aws/lambda.js';
import type { PruneResult } from '../prune/prune.js';
import type { FunctionPruneResult } from '../prune/prune-function.js';
import { humanBytes } from '../package/limits.js';
import { budgetLine } from './budget.js';
import { jsonDocument } from './json.js';
import { PLAIN, statusCell, type Style } from './style.js';
import { plural, table } from './table.js';

/** Above this share of the region's code storage, status and prune warn. */
export const STORAGE_WARNING = 0.8;

const REASONS: Record<string, string> = {
  alias: 'served',
  routing: 'routed',
  rollback: 'rollback',
  'not-lci': 'not lci',
  young: 'young',
  unreleased: 'unreleased',
  'referenced-now': 'referenced',
};

function list(versions: string[]): string {
  if (versions.length === 0) return '-';
  return versions.length <= 6
    ? versions.join(', ')
    : `${versions.slice(0, 5).join(', ')}, +${versions.length - 5} more`;
}

function kept(f: FunctionPruneResult): string {
  const counts = new Map<string, number>();
  for (const v of f.versions)
    if (v.action === 'KEEP') counts.set(REASONS[v.reason!]!, (counts.get(REASONS[v.reason!]!) ?? 0) + 1);
  return [...counts].map(([why, n]) => `${n} ${why}`).join(', ') || '-';
}

/** Storage sizes run to tens of GB (75 GB by default). */
function size(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : humanBytes(bytes);
}

export function storageLine(s: Storage, after: Storage | null = null): string {
  if ('unknown' in s) return `code storage in the region: unknown (${s.unknown})`;
  const share = (x: { used: number; limit: number }) =>
    x.limit > 0 ? ` (${((x.used / x.limit) * 100).toFixed(1)}%)` : '';
  const now = `${size(s.used)} of ${size(s.limit)}${share(s)}`;
  if (!after) return `code storage in the region: ${now}`;
  if ('unknown' in after) return `code storage in the region: ${now} before, unknown after (${after.unknown})`;
  return `code storage in the region: ${now} before, ${size(after.used)}${share(after)} after`;
}

export function storageFull(s: Storage): boolean {
  return !('unknown' in s) && s.limit > 0 && s.used / s.limit > STORAGE_WARNING;
}

export function pruneText(r: PruneResult, style: Style = PLAIN): string {
  const rows = r.functions.map((f) => {
    const doomed = f.versions.filter((v) => v.action === 'DELETE' || v.action === 'DELETED').map((v) => v.version);
    return [
      f.names.join(', '),
      f.awsName,
      statusCell(f.status),
      list(doomed),
      kept(f),
      list(f.layerVersions.map((l) => `${l.layer}:${l.version}`)),
      f.s3.length > 0 ? plural(f.s3.length, 'object') : '-',
      f.bytes > 0 ? humanBytes(f.bytes) : '-',
    ];
  });
  const versions = r.functions.reduce((n, f) => n + f.versions.filter((v) => v.action !== 'KEEP').length, 0);
  const layers = r.functions.reduce((n, f) => n + f.layerVersions.length, 0);
  const head = r.dryRun
    ? `dry run: ${plural(versions, 'version')} and ${plural(layers, 'layer version')} would be deleted; nothing was (pass --yes to delete)`
    : `deleted ${plural(versions, 'version')} and ${plural(layers, 'layer version')}`;
  const lines = [
    head,
    '',
    ...table(
      ['FUNCTION', 'AWS NAME', 'PRUNE', 'VERSIONS TO DELETE', 'KEPT', 'LAYER VERSIONS', 'S3', 'CODE'],
      rows,
      style,
    ),
  ];
  lines.push('', storageLine(r.storage.before, r.storage.after), budgetLine(r.budget));
  return lines.join('\n');
}

export function pruneJson(r: PruneResult): string {
  return jsonDocument('prune', {
    dryRun: r.dryRun,
    functions: r.functions.map((f) => ({
      names: f.names,
      awsName: f.awsName,
      envs: f.envs,
      status: f.status,
      versions: f.versions,
      layerVersions: f.layerVersions,
      s3: f.s3,
      ...(f.s3Kept.length > 0 ? { s3Kept: f.s3Kept } : {}),
      bytes: f.bytes,
      ...(f.error ? { error: f.error } : {}),
    })),
    storage: r.storage,
    budget: r.budget,
  });
}
