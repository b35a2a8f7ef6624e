import type { RollbackResult } from '../deploy/rollback.js';
import { jsonDocument } from './json.js';

export function rollbackText(r: RollbackResult): string {
  const shifting = Object.entries(r.from.weights);
  const from =
    shifting.length > 0 ? `${r.from.version} (shifting ${shifting.map(([v, w]) => `${Math.round(w * 1000) / 10}% to ${v}`).join(', ')})` : r.from.version;
  return `${r.awsName}: alias ${r.alias} moved from ${from} to ${r.to}`;
}

export function rollbackJson(r: RollbackResult): string {
  return jsonDocument('rollback', { name: r.name, awsName: r.awsName, env: r.env, alias: r.alias, status: 'ROLLED_BACK', from: r.from, to: r.to });
}
