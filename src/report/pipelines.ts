import type { PipelinesResult, StartResult } from '../pipelines/pipelines.js';
import { jsonDocument } from './json.js';
import { PLAIN, statusCell, type Style } from './style.js';
import { table } from './table.js';

/** CodePipeline's InProgress → IN_PROGRESS; MISSING when there is no pipeline, NO_RUNS before its first run. */
function status(row: PipelinesResult['pipelines'][number]): string {
  if (!row.exists) return 'MISSING';
  if (!row.latest) return 'NO_RUNS';
  return row.latest.status.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '-');
const when = (d: Date | null) => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : '-');
const affectedWord = (a: boolean | null) => (a === null ? '-' : a ? 'yes' : 'no');

export function pipelinesText(r: PipelinesResult, style: Style = PLAIN): string {
  const rows = r.pipelines.map((p) => [
    p.pipeline,
    p.name,
    p.env,
    statusCell(status(p)),
    short(p.latest?.revision ?? null),
    p.latest?.trigger ?? '-',
    when(p.latest?.startTime ?? null),
    affectedWord(p.affected),
  ]);
  const lines = table(
    ['PIPELINE', 'FUNCTION', 'ENV', 'STATUS', 'REVISION', 'TRIGGER', 'STARTED', 'AFFECTED'],
    rows,
    style,
  );
  const missing = r.pipelines.filter((p) => !p.exists).length;
  const affected = r.pipelines.filter((p) => p.affected).map((p) => p.pipeline);
  if (affected.length > 0)
    lines.push(
      '',
      `affected since their last successful run: ${affected.join(', ')} (lci pipelines start FUNCTION... --env ENV)`,
    );
  if (missing > 0) lines.push('', `${missing} pipeline(s) missing: apply the Terraform lci generate wrote`);
  const links = r.pipelines.filter((p) => p.latest).map((p) => `${p.pipeline}: ${p.latest!.url}`);
  if (links.length > 0) lines.push('', ...links);
  return lines.join('\n');
}

export function pipelinesJson(r: PipelinesResult): string {
  return jsonDocument('pipelines', {
    region: r.region,
    pipelines: r.pipelines.map((p) => ({
      name: p.name,
      env: p.env,
      pipeline: p.pipeline,
      exists: p.exists,
      status: status(p),
      latest: p.latest
        ? {
            executionId: p.latest.id,
            status: p.latest.status,
            sourceRevision: p.latest.revision,
            trigger: p.latest.trigger,
            startTime: p.latest.startTime?.toISOString() ?? null,
            url: p.latest.url,
          }
        : null,
      lastSucceededRevision: p.lastSucceeded,
      affected: p.affected,
      reasons: p.reasons,
    })),
  });
}

export function startText(r: StartResult, style: Style = PLAIN): string {
  if (r.pipelines === null) return `nothing to start: no function is affected in ${r.env}`;
  const started = r.pipelines.filter((p) => p.status === 'STARTED').length;
  const lines = [
    `${r.env}, commit ${short(r.commit)}: ${started} started, ${r.pipelines.length - started} failed`,
    '',
    ...table(
      ['PIPELINE', 'FUNCTION', 'STATUS', 'EXECUTION'],
      r.pipelines.map((p) => [p.pipeline, p.name, statusCell(p.status), p.executionId ?? '-']),
      style,
    ),
  ];
  const links = r.pipelines.filter((p) => p.url).map((p) => `${p.pipeline}: ${p.url}`);
  if (links.length > 0) lines.push('', ...links);
  return lines.join('\n');
}

export function startJson(r: StartResult): string {
  return jsonDocument('pipelines start', {
    env: r.env,
    commit: r.commit,
    pipelines: (r.pipelines ?? []).map((p) => ({
      name: p.name,
      env: p.env,
      pipeline: p.pipeline,
      status: p.status,
      executionId: p.executionId,
      url: p.url,
      error: p.error,
    })),
  });
}
