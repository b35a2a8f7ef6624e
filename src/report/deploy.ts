import type { DeployResult } from '../deploy/deploy.js';
import type { FunctionDeployResult } from '../release/result.js';
import { budgetLine } from './budget.js';
import { jsonDocument } from './json.js';
import { percent } from '../release/strategy.js';
import { PLAIN, statusCell, type Style } from './style.js';
import { table } from './table.js';
import { planSummary, type PruneForecast } from '../release/plan.js';

const LAYER_WORDS: Record<string, string> = {
  none: 'none',
  intact: 'intact',
  attach: 'attached',
  publish: 'published',
  detach: 'detached',
};

function count(results: FunctionDeployResult[], status: string): number {
  return results.filter((r) => r.status === status).length;
}

export function deployHeader(
  d: Pick<DeployResult, 'mode' | 'dryRun' | 'env' | 'shard' | 'sourceVersion' | 'strategy'>,
  results: FunctionDeployResult[],
): string {
  const failed = count(results, 'FAILED');
  const back = count(results, 'ROLLED_BACK');
  const applied = count(results, 'APPLIED');
  return `${d.mode === 'plan-out' ? 'plan: ' : d.dryRun ? 'dry run: ' : ''}${d.env}${d.shard ? ` (shard ${d.shard.index}/${d.shard.count})` : ''}, source ${d.sourceVersion}, ${d.strategy}: ${count(results, 'PUBLISHED')} published, ${count(results, 'INTACT')} intact${back > 0 ? `, ${back} rolled back` : ''}${applied > 0 ? `, ${applied} applied already` : ''}${d.mode === 'dry-run' || d.mode === 'plan-out' ? `, ${count(results, 'PLANNED')} to change` : ''}, ${failed} failed`;
}

/**
 * The deploy summary people read: the header, one row per function, shared layers, what a dry run
 * would do. Where things went (S3 keys, console links) only with `verbose`: the JSON has them always.
 */
export function deployText(d: DeployResult, opts: { verbose?: boolean; style?: Style } = {}): string {
  const style = opts.style ?? PLAIN;
  if (d.nothingToRelease !== null) return `nothing to release: ${d.nothingToRelease}`;
  if (d.functions === null)
    return d.shard
      ? `nothing to deploy: no function of shard ${d.shard.index}/${d.shard.count} is affected in ${d.env}`
      : `nothing to deploy: no function is affected in ${d.env}`;
  const results = d.functions;
  const rows = results.map((r) => [
    r.name,
    r.awsName,
    statusCell(r.status),
    r.version === null
      ? '-'
      : r.previousVersion && r.previousVersion !== r.version
        ? `${r.version} (was ${r.previousVersion})`
        : r.version,
    r.layer.action === null
      ? '-'
      : `${LAYER_WORDS[r.layer.action]}${r.layer.version !== null && r.layer.action !== 'none' && r.layer.action !== 'detach' ? ` v${r.layer.version}` : ''}`,
    r.code.action === null ? '-' : r.code.action === 'update' ? 'updated' : 'intact',
  ]);
  const lines = [
    deployHeader(d, results),
    '',
    ...table(['FUNCTION', 'AWS NAME', 'LAMBDA', 'VERSION', 'LAYER', 'CODE'], rows, style),
  ];
  if (d.plan && d.mode !== 'deploy') lines.splice(1, 0, planSummary(d.plan));
  if (d.layers.length > 0) {
    const word: Record<string, string> = {
      INTACT: 'found',
      PUBLISHED: 'published',
      PLANNED: 'to publish',
      FAILED: 'FAILED',
    };
    lines.push(
      '',
      'shared layers (published once, before the functions that use them):',
      ...d.layers.map(
        (l) =>
          `  ${l.name}: ${l.awsName}${l.version !== null ? ` v${l.version}` : ''} ${word[l.status]}, for ${l.functions.join(', ')}${l.error ? `: ${l.error}` : ''}`,
      ),
    );
  }
  for (const r of results) {
    if (r.unfinished) lines.push('', unfinishedLine(r, d.strategy, d.mode !== 'deploy'));
    if (r.status === 'PLANNED') {
      const forecast = d.plan?.functions.find((f) => f.name === r.name)?.prune;
      lines.push('', `${r.name} would:`, ...r.reasons.map((c) => `  because ${c}`), ...r.calls.map((c) => `  ${c}`));
      if (forecast) lines.push(`  ${forecastLine(forecast)}`);
    }
    if (r.status === 'PUBLISHED' || (r.status === 'FAILED' && r.s3.length > 0)) {
      const detail = [
        ...(r.smoke ? [`smoke: ${r.smoke.passed} event(s) passed on version ${r.version} before the alias moved`] : []),
        ...(opts.verbose ? [...r.s3, r.console] : []),
        ...(r.pruned ? [prunedLine(r.pruned)] : []),
      ];
      if (detail.length > 0) lines.push('', `${r.name}:`, ...detail.map((l) => `  ${l}`));
    }
  }
  if (d.budget) lines.push('', budgetLine(d.budget));
  return lines.join('\n');
}

function prunedLine(p: NonNullable<FunctionDeployResult['pruned']>): string {
  if (p.versions.length + p.layerVersions.length === 0) return 'pruned: nothing';
  const parts = [
    p.versions.length > 0 ? `versions ${p.versions.join(', ')}` : '',
    p.layerVersions.length > 0 ? `layer versions ${p.layerVersions.join(', ')}` : '',
  ];
  return `pruned: ${parts.filter(Boolean).join('; ')}${p.s3.length > 0 ? ` (and ${p.s3.length} S3 objects)` : ''}`;
}

/** `prune after release: 12 versions, 3 layer versions, 4 S3 objects` */
function forecastLine(p: PruneForecast): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  if (p.versions.length + p.layerVersions.length === 0) return 'prune after release: nothing';
  return `prune after release: ${n(p.versions.length, 'version')}, ${n(p.layerVersions.length, 'layer version')}, ${n(p.s3, 'S3 object')}`;
}

/** What became of an alias a killed deploy left mid-shift: never left unsaid. */
function unfinishedLine(r: FunctionDeployResult, strategy: string, dryRun: boolean): string {
  const u = r.unfinished!;
  const left = `${r.name}: alias ${r.alias} was left with ${percent(u.weight)} of traffic on version ${u.version} (from ${u.from})`;
  const what = {
    resumed: `${dryRun ? 'would resume' : 'resumed'} the shift with ${strategy}, alarms read before traffic moved further`,
    aborted: `${dryRun ? 'would put' : 'put'} all traffic back on ${u.from} (--abort); not deployed`,
    'rolled-back': `${dryRun ? 'would put' : 'put'} all traffic back on ${u.from}: this source is what ${u.from} serves`,
  }[u.action];
  return `${left}: ${what}`;
}

export function deployJson(d: DeployResult): string {
  return jsonDocument('deploy', {
    env: d.env,
    sourceVersion: d.sourceVersion,
    dryRun: d.dryRun,
    mode: d.mode,
    summary: d.plan ? planSummary(d.plan) : null,
    strategy: d.strategy,
    shard: d.shard,
    nothingToRelease: d.nothingToRelease,
    layers: d.layers,
    functions: (d.functions ?? []).map((r) => ({
      name: r.name,
      awsName: r.awsName,
      env: r.env,
      alias: r.alias,
      status: r.status,
      reasons: r.reasons,
      version: r.version,
      previousVersion: r.previousVersion,
      smoke: r.smoke,
      unfinishedShift: r.unfinished
        ? { ...r.unfinished, action: r.unfinished.action.toUpperCase().replace('-', '_') }
        : null,
      layer: r.layer,
      layers: r.layers,
      code: r.code,
      s3: r.s3,
      calls: r.calls,
      console: r.console,
      ...(r.pruned ? { pruned: r.pruned } : {}),
      ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
      ...(r.error ? { error: r.error } : {}),
    })),
    budget: d.budget,
    ...(d.plan && d.mode !== 'deploy' ? { plan: d.plan } : {}),
  });
}
