import { type Diagnostic, formatDiagnostic } from '../errors.js';
import type { InitResult } from '../init/init.js';
import { describeOrigin } from '../init/model.js';
import { jsonDocument } from './json.js';
import { plural, table } from './table.js';

/**
 * What lci init wrote and from what: the functions and layers, a table each; what it could not
 * map and why; the values to check; what lci validate says of the file. Every value from the
 * sources is shown with control characters escaped: a template is not allowed to drive the terminal.
 */
export function initText(r: InitResult): string {
  const lines: string[] = [];
  lines.push(`lci init: read ${r.sources.map((s) => `${s.files.map(clean).join(', ')} (${s.kind})`).join('; ')}`);
  const { plan } = r;
  if (plan.functions.length === 0) {
    lines.push('no function to write: none of the declared functions has code lci can deploy');
  } else {
    const fams = plan.families.map((f) => `${f.key}: ${plural(f.members.length, 'function')} from ${f.pathPattern}`);
    const envs = Object.entries(plan.config.environments as Record<string, Record<string, string>>).map(
      ([name, e]) => `${name}: ${e.branch !== undefined ? `branch ${e.branch}` : `tag ${e.tag}`}`,
    );
    const verb = r.written ? 'wrote' : 'would write';
    lines.push(
      `${verb} ${r.shownAs}: ${plural(plan.functions.length, 'function')}${fams.length > 0 ? ` (family ${fams.join('; ')})` : ''}, ${plural(plan.layers.length, 'shared layer')}, ${plural(envs.length, 'environment')} (${envs.join(', ')})`,
    );
    lines.push(
      '',
      ...table(
        ['FUNCTION', 'PATH', 'RUNTIME', 'HANDLER', 'DEPENDENCIES', 'FROM'],
        plan.functions.map((f) => [
          f.name,
          clean(f.path),
          f.runtime,
          clean(f.handler ?? '-'),
          clean(f.descriptor ?? '-'),
          clean(describeOrigin(f.origin)),
        ]),
      ),
    );
    if (plan.layers.length > 0)
      lines.push(
        '',
        ...table(
          ['SHARED LAYER', 'PATH', 'RUNTIMES', 'USED BY'],
          plan.layers.map((l) => [l.name, clean(l.path), l.runtimes.join(', '), l.usedBy.join(', ') || '-']),
        ),
      );
  }
  if (plan.unmapped.length > 0) {
    lines.push('', `not mapped (${plan.unmapped.length}):`);
    for (const u of plan.unmapped) lines.push(`  ${clean(describeOrigin(u.origin))}: ${clean(u.reason)}`);
  }
  if (plan.notes.length > 0) {
    lines.push('', `to check (${plan.notes.length}):`);
    for (const n of plan.notes) {
      const where = n.at ? `${r.shownAs} ${n.at.join('.')}` : n.origin ? describeOrigin(n.origin) : '';
      lines.push(`  ${where ? `${clean(where)}: ` : ''}${clean(n.message)}`);
    }
  }
  if (r.aws)
    lines.push(
      '',
      `AWS: ${plural(r.aws.listed, 'function')} listed, tags of ${r.aws.tagsRead} read, ${plural(r.aws.found, 'declared function')} found`,
    );
  if (plan.functions.length === 0) return lines.join('\n');
  lines.push('');
  if (r.problems.length > 0) {
    for (const d of r.problems) lines.push(clean(formatDiagnostic(d)));
    lines.push(
      `${r.shownAs}: ${plural(r.problems.length, 'problem')}${r.written ? ' in the file written' : ''}; fix ${r.problems.length === 1 ? 'it' : 'them'}, then run lci validate`,
    );
  } else {
    for (const w of r.warnings) lines.push(clean(`warning: ${formatDiagnostic(w)}`));
    const v = r.validated!;
    const layers = v.layers > 0 ? `, ${plural(v.layers, 'shared layer')}` : '';
    lines.push(
      `${r.shownAs}: ok (${plural(v.functions, 'function')}${layers}, ${plural(v.environments, 'environment')})`,
    );
    lines.push(
      r.written
        ? 'next: lci plan --all, lci build, then lci generate (README: Quick start)'
        : 'run without --dry-run to write it',
    );
  }
  return lines.join('\n');
}

export function initJson(r: InitResult): string {
  const { plan } = r;
  return jsonDocument('init', {
    status:
      plan.functions.length === 0
        ? 'NOTHING_MAPPED'
        : r.problems.length > 0
          ? 'INVALID'
          : r.written
            ? 'WRITTEN'
            : 'DRY_RUN',
    config: r.shownAs,
    written: r.written,
    sources: r.sources,
    functions: plan.functions.map((f) => ({
      name: f.name,
      path: f.path,
      runtime: f.runtime,
      handler: f.handler,
      descriptor: f.descriptor,
      layers: f.layers,
      family: f.family,
      from: f.origin,
    })),
    layers: plan.layers.map((l) => ({
      name: l.name,
      path: l.path,
      runtimes: l.runtimes,
      usedBy: l.usedBy,
      from: l.origin,
    })),
    families: plan.families,
    unmapped: plan.unmapped.map((u) => ({ from: u.origin, reason: u.reason })),
    notes: plan.notes.map((n) => ({ at: n.at?.join('.') ?? null, from: n.origin, message: n.message })),
    problems: r.problems,
    warnings: r.warnings,
    aws: r.aws,
    ...(r.dryRun ? { yaml: r.text } : {}),
  });
}

/** Control characters as escapes (`\n`, `\u001b`), so a value prints on its line and sends the terminal nothing. */
function clean(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters escaped
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export type { Diagnostic };
