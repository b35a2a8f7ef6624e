import type { Storage } from '../aws/lambda.js';
import type { FunctionStatus } from '../status/status.js';
import { percent } from '../release/strategy.js';
import { jsonDocument } from './json.js';
import { storageLine } from './prune.js';
import { humanBytes } from '../package/limits.js';
import { arrow, PLAIN, statusColor, type Style } from './style.js';
import { plural, table } from './table.js';

export function statusText(rows: FunctionStatus[], storage: Storage, style: Style = PLAIN): string {
  const to = arrow(style);
  const cells = rows.map((s) => [
    s.name,
    s.env,
    s.awsName,
    {
      text:
        s.status === 'DEPLOYED'
          ? `${s.alias} ${to} ${s.version}`
          : s.status === 'SHIFTING'
            ? `${s.alias} ${to} ${s.version} SHIFTING`
            : s.status === 'NO_ALIAS'
              ? `no alias ${s.alias}`
              : 'function not found',
      color: statusColor(s.status),
    },
    s.sourceVersion ? s.sourceVersion.slice(0, 12) : '-',
    s.layerVersion === null ? '-' : `v${s.layerVersion}`,
    s.codeSha256 ? s.codeSha256.slice(0, 10) : '-',
    s.lastModified ?? '-',
    storageCell(s),
    Object.entries(s.weights)
      .map(([v, w]) => `${v}: ${percent(w)}`)
      .join(', ') || '-',
  ]);
  const lines = table(
    ['FUNCTION', 'ENV', 'AWS NAME', 'ALIAS', 'SOURCE', 'LAYER', 'CODE', 'LAST MODIFIED', 'STORAGE', 'SHIFTING'],
    cells,
    style,
  );
  if (rows.some((s) => s.status === 'SHIFTING')) {
    lines.push(
      '',
      'SHIFTING: traffic is on two versions: a deploy is holding it now, or one was stopped before it finished. If none is running, `lci deploy` resumes the shift with its strategy and alarms, `lci deploy --abort` or `lci rollback` puts it back.',
    );
  }
  if (rows.some((s) => s.storage && s.storage.mode !== s.storage.wanted))
    lines.push(
      '',
      "STORAGE → …: the served version keeps its code the other way than its environment's codeStorage says; the next lci deploy releases the same code kept as codeStorage says.",
    );
  lines.push('', servedStorageLine(rows), storageLine(storage));
  return lines.join('\n');
}

/** `copy 1.2 kB` (Lambda-managed storage) or `S3 1.2 kB` (referenced from the bucket), `→ reference` when the environment wants the other. */
function storageCell(s: FunctionStatus): string {
  if (!s.storage) return '-';
  const { mode, wanted, bytes } = s.storage;
  return `${mode === 'copy' ? 'copy' : 'S3'} ${humanBytes(bytes)}${mode === wanted ? '' : ` → ${wanted}`}`;
}

/** What the served versions listed take: Lambda-managed storage for copies, none for code referenced from S3. */
function servedStorageLine(rows: FunctionStatus[]): string {
  const of = (mode: 'copy' | 'reference') => rows.filter((s) => s.storage?.mode === mode);
  const sum = (xs: FunctionStatus[]) => humanBytes(xs.reduce((n, s) => n + s.storage!.bytes, 0));
  const copies = of('copy');
  const refs = of('reference');
  return `code the aliases serve: ${plural(copies.length, 'version')} in Lambda-managed storage (${sum(copies)}), ${plural(refs.length, 'version')} referenced from S3 (${sum(refs)}, not counted below)`;
}

export function statusJson(rows: FunctionStatus[], storage: Storage): string {
  return jsonDocument('status', { functions: rows, storage });
}
