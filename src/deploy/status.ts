import type { LambdaClient } from '@aws-sdk/client-lambda';
import { explain, FunctionMissingError, readState } from '../aws/lambda.js';
import type { ResolvedFunction } from '../config/types.js';
import { isLayer } from './decide.js';
import { parseVersionDescription } from '../package/fingerprint.js';

export interface FunctionStatus {
  name: string;
  env: string;
  functionName: string;
  alias: string;
  state: 'deployed' | 'no-alias' | 'no-function';
  version: string | null;
  /** The deployed source version (the version's Description). */
  sourceVersion: string | null;
  layerVersion: number | null;
  codeSha256: string | null;
  lastModified: string | null;
  /** Extra version → weight while traffic shifts. */
  weights: Record<string, number>;
}

/** What one function's alias serves: the same two reads, side by side, that a deploy starts with. */
export async function functionStatus(lambda: LambdaClient, r: ResolvedFunction): Promise<FunctionStatus> {
  const base: FunctionStatus = { name: r.name, env: r.env, functionName: r.functionName, alias: r.alias, state: 'no-function', version: null, sourceVersion: null, layerVersion: null, codeSha256: null, lastModified: null, weights: {} };
  let state;
  try {
    state = await readState(lambda, r.functionName, r.alias, null);
  } catch (e) {
    if (e instanceof FunctionMissingError) return base;
    throw explain(e, `reading ${r.functionName}`);
  }
  const { alias, serving: config } = state;
  const layer = (config.Layers ?? []).map((l) => l.Arn ?? '').find((arn) => isLayer(arn, r.layerName));
  return {
    ...base,
    state: alias ? 'deployed' : 'no-alias',
    version: config.Version ?? null,
    sourceVersion: alias ? parseVersionDescription(config.Description).sourceVersion : null,
    layerVersion: layer ? Number(layer.split(':').at(-1)) : null,
    codeSha256: config.CodeSha256 ?? null,
    lastModified: config.LastModified ?? null,
    weights: alias?.weights ?? {},
  };
}

export function statusTable(rows: FunctionStatus[]): string {
  const cells = rows.map((s) => [
    s.name,
    s.env,
    s.functionName,
    s.state === 'deployed' ? `${s.alias} → ${s.version}` : s.state === 'no-alias' ? `no alias ${s.alias}` : 'function not found',
    s.sourceVersion ? s.sourceVersion.slice(0, 12) : '-',
    s.layerVersion === null ? '-' : `v${s.layerVersion}`,
    s.codeSha256 ? s.codeSha256.slice(0, 10) : '-',
    s.lastModified ?? '-',
    Object.entries(s.weights).map(([v, w]) => `${v}: ${Math.round(w * 1000) / 10}%`).join(', ') || '-',
  ]);
  const titles = ['FUNCTION', 'ENV', 'AWS NAME', 'ALIAS', 'SOURCE', 'LAYER', 'CODE', 'LAST MODIFIED', 'SHIFTING'];
  const widths = titles.map((t, i) => Math.max(t.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(titles), ...cells.map(fmt)].join('\n');
}
