import type { FunctionPlan, PlanResult, Reason } from '../plan/types.js';
import { jsonDocument } from './json.js';
import { plural, table } from './table.js';

/** The plan as people read it: one line per affected or removed function, its first reason, a count of the rest. */
export function planTable(result: PlanResult): string {
  const shown = result.functions.filter((f) => f.affected || f.removed);
  const total = result.functions.filter((f) => !f.removed).length;
  const affected = shown.filter((f) => f.affected).length;
  const lines = [header(result, affected, total)];
  if (shown.length === 0) return lines.join('\n');
  const withAws = result.env !== null;
  const rows = shown.map((f) => [f.name, ...(withAws ? [f.awsName ?? '-'] : []), describeFirst(f)]);
  lines.push('', ...table(['FUNCTION', ...(withAws ? ['AWS NAME'] : []), 'REASON'], rows));
  const layers = (result.layers ?? []).filter((l) => l.affected);
  if (layers.length > 0) {
    const layerRows = layers.map((l) => [l.name, ...(withAws ? [l.awsName ?? '-'] : []), describeFirst(l)]);
    lines.push('', ...table(['SHARED LAYER', ...(withAws ? ['AWS NAME'] : []), 'REASON'], layerRows));
  }
  return lines.join('\n');
}

function header(result: PlanResult, affected: number, total: number): string {
  const parts = [`${affected} of ${plural(total, 'function')} affected`];
  if (result.base === 'deployed') parts.push('base: the source version each alias serves');
  else if (result.base) parts.push(`base ${short(result.base)}${result.baseFrom ? ` (${result.baseFrom})` : ''}`);
  if (result.mergeBase && result.mergeBase !== result.base) parts.push(`merge-base ${short(result.mergeBase)}`);
  if (result.head) parts.push(`head ${short(result.head)}`);
  if (result.head && result.base) parts.push(`${plural(result.changedPaths, 'changed path')}`);
  if (result.env) parts.push(`environment ${result.env}`);
  return parts.join(', ');
}

function describeFirst(f: Pick<FunctionPlan, 'reasons' | 'reasonCount'>): string {
  const first = f.reasons[0];
  if (!first) return '';
  const more = f.reasonCount - 1;
  return more > 0 ? `${describe(first)} (+${more} more)` : describe(first);
}

export function describe(r: Reason): string {
  switch (r.rule) {
    case 'path':
      return `${r.path} is under its path ${r.pattern}`;
    case 'descriptor':
      return `${r.path} is its dependency descriptor`;
    case 'lockfile':
      return `${r.path} pins its dependencies (beside ${r.pattern})`;
    case 'watch':
      return `${r.path} matches watch ${r.pattern}`;
    case 'shared':
      return `${r.path} matches shared ${r.pattern}`;
    case 'local-dependency':
      return `${r.path} is in local dependency ${r.pattern} (named in ${r.via})`;
    case 'layer':
      return `${r.path} is an input of shared layer ${r.layer} (${r.pattern})`;
    case 'config':
      return r.detail ?? `its configuration changed in ${r.path}`;
    case 'new':
      return `added to ${r.path}`;
    case 'removed':
      return `removed from ${r.path}`;
    case 'base-unavailable':
      return `every function: ${r.detail}`;
    case 'all':
      return 'every function (--all)';
    case 'never-deployed':
      return `never deployed: ${r.detail}`;
    case 'dirty-deployed':
      return r.detail ?? 'deployed from uncommitted changes';
  }
}

function short(sha: string): string {
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha.slice(0, 7) : sha;
}

/** The --json document: stable field order, documented in the README. */
export function planJson(result: PlanResult): string {
  return jsonDocument('plan', {
    base: result.base,
    head: result.head,
    mergeBase: result.mergeBase,
    env: result.env,
    changedPaths: result.changedPaths,
    functions: result.functions.map((f) => ({
      name: f.name,
      ...(f.awsName !== undefined ? { awsName: f.awsName } : {}),
      affected: f.affected,
      ...(f.removed ? { removed: true } : {}),
      ...(f.base ? { base: f.base } : {}),
      reasons: f.reasons,
      reasonCount: f.reasonCount,
    })),
    ...(result.layers.length > 0 ? { layers: result.layers } : {}),
  });
}
