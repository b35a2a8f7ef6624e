import type { Storage } from '../aws/lambda.js';
import type { FunctionStatus } from '../deploy/status.js';
import { jsonDocument } from './json.js';
import { storageLine } from './prune.js';
import { table } from './table.js';

function percent(w: number): string {
  return `${Math.round(w * 1000) / 10}%`;
}

export function statusText(rows: FunctionStatus[], storage: Storage): string {
  const cells = rows.map((s) => [
    s.name,
    s.env,
    s.awsName,
    s.status === 'DEPLOYED' ? `${s.alias} → ${s.version}` : s.status === 'NO_ALIAS' ? `no alias ${s.alias}` : 'function not found',
    s.sourceVersion ? s.sourceVersion.slice(0, 12) : '-',
    s.layerVersion === null ? '-' : `v${s.layerVersion}`,
    s.codeSha256 ? s.codeSha256.slice(0, 10) : '-',
    s.lastModified ?? '-',
    Object.entries(s.weights)
      .map(([v, w]) => `${v}: ${percent(w)}`)
      .join(', ') || '-',
  ]);
  return [...table(['FUNCTION', 'ENV', 'AWS NAME', 'ALIAS', 'SOURCE', 'LAYER', 'CODE', 'LAST MODIFIED', 'SHIFTING'], cells), '', storageLine(storage)].join(
    '\n',
  );
}

export function statusJson(rows: FunctionStatus[], storage: Storage): string {
  return jsonDocument('status', { functions: rows, storage });
}
