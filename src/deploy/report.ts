import type { FunctionDeployResult } from './deploy-function.js';

const LAYER_WORDS: Record<string, string> = {
  none: 'none',
  intact: 'intact',
  attach: 'attached',
  publish: 'published',
  detach: 'detached',
};

/** The deploy summary people read: one row per function, then where things went. */
export function deploySummary(results: FunctionDeployResult[], header: string): string {
  const rows = results.map((r) => [
    r.name,
    r.functionName,
    r.status,
    r.version === null ? '-' : r.previousVersion && r.previousVersion !== r.version ? `${r.version} (was ${r.previousVersion})` : r.version,
    r.layer.action === null ? '-' : `${LAYER_WORDS[r.layer.action]}${r.layer.version !== null && r.layer.action !== 'none' && r.layer.action !== 'detach' ? ` v${r.layer.version}` : ''}`,
    r.code.action === null ? '-' : r.code.action === 'update' ? 'updated' : 'intact',
  ]);
  const titles = ['FUNCTION', 'AWS NAME', 'LAMBDA', 'VERSION', 'LAYER', 'CODE'];
  const widths = titles.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const lines = [header, '', fmt(titles), ...rows.map(fmt)];
  for (const r of results) {
    if (r.status === 'PLANNED') lines.push('', `${r.name} would:`, ...r.calls.map((c) => `  ${c}`));
    if (r.status === 'PUBLISHED' || (r.status === 'FAILED' && r.s3.length > 0)) {
      lines.push('', `${r.name}:`, ...r.s3.map((k) => `  ${k}`), `  ${r.console}`);
    }
  }
  return lines.join('\n');
}

export function deployJson(results: FunctionDeployResult[], meta: { env: string; sourceVersion: string; dryRun: boolean; strategy: string }) {
  return {
    env: meta.env,
    sourceVersion: meta.sourceVersion,
    dryRun: meta.dryRun,
    strategy: meta.strategy,
    functions: results.map((r) => ({
      name: r.name,
      functionName: r.functionName,
      alias: r.alias,
      status: r.status,
      version: r.version,
      previousVersion: r.previousVersion,
      layer: r.layer,
      code: r.code,
      s3: r.s3,
      calls: r.calls,
      console: r.console,
      ...(r.error ? { error: r.error } : {}),
    })),
  };
}
