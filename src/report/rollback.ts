import type { RollbackResult } from '../rollback/rollback.js';
import { jsonDocument } from './json.js';

const WHY: Record<RollbackResult['reason'], string> = {
  given: '--to',
  shift: 'the version the stopped traffic shift came from',
  recorded: 'the version served before',
};

export function rollbackText(r: RollbackResult): string {
  const shifting = Object.entries(r.from.weights);
  const from =
    shifting.length > 0
      ? `${r.from.version} (shifting ${shifting.map(([v, w]) => `${Math.round(w * 1000) / 10}% to ${v}`).join(', ')})`
      : r.from.version;
  if (r.dryRun)
    return `${r.awsName}: alias ${r.alias} would move from ${from} to ${r.to} (${WHY[r.reason]}); dry run, nothing moved`;
  return `${r.awsName}: alias ${r.alias} moved from ${from} to ${r.to}`;
}

export function rollbackJson(r: RollbackResult): string {
  return jsonDocument('rollback', {
    name: r.name,
    awsName: r.awsName,
    env: r.env,
    alias: r.alias,
    status: r.dryRun ? 'PLANNED' : 'ROLLED_BACK',
    from: r.from,
    to: r.to,
    reason: r.reason.toUpperCase(),
  });
}
