import type { Storage } from '../aws/lambda.js';
import type { FunctionStatus } from '../status/status.js';
import { percent } from '../release/strategy.js';
import { jsonDocument } from './json.js';
import { storageLine } from './prune.js';
import { arrow, PLAIN, statusColor, type Style } from './style.js';
import { table } from './table.js';

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
    Object.entries(s.weights)
      .map(([v, w]) => `${v}: ${percent(w)}`)
      .join(', ') || '-',
  ]);
  const lines = table(
    ['FUNCTION', 'ENV', 'AWS NAME', 'ALIAS', 'SOURCE', 'LAYER', 'CODE', 'LAST MODIFIED', 'SHIFTING'],
    cells,
    style,
  );
  if (rows.some((s) => s.status === 'SHIFTING')) {
    lines.push(
      '',
      'SHIFTING: traffic is on two versions: a deploy is holding it now, or one was stopped before it finished. If none is running, `lci deploy` resumes the shift with its strategy and alarms, `lci deploy --abort` or `lci rollback` puts it back.',
    );
  }
  lines.push('', storageLine(storage));
  return lines.join('\n');
}

export function statusJson(rows: FunctionStatus[], storage: Storage): string {
  return jsonDocument('status', { functions: rows, storage });
}
