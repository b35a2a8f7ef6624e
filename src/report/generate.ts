import { relative } from 'node:path';
import type { GenerateResult } from '../generate/write.js';
import { jsonDocument } from './json.js';

export function generateText(g: GenerateResult, cwd: string): string {
  const shown = relative(cwd, g.outDir) || '.';
  const changes = [
    ...g.written.map((f) => `${g.check ? 'would write' : 'wrote'} ${shown}/${f}`),
    ...g.removed.map((f) => `${g.check ? 'would remove' : 'removed'} ${shown}/${f}`),
  ];
  if (g.check) {
    if (changes.length === 0) return `${shown}: up to date (${g.files} files)`;
    return [`${shown}: ${changes.length} file(s) out of date; run lci generate`, ...changes].join('\n');
  }
  return [
    ...changes,
    `${shown}: ${g.written.length} written, ${g.unchanged.length} unchanged, ${g.removed.length} removed`,
  ].join('\n');
}

export function generateJson(g: GenerateResult, cwd: string): string {
  const upToDate = g.written.length === 0 && g.removed.length === 0;
  return jsonDocument('generate', {
    outDir: relative(cwd, g.outDir) || '.',
    check: g.check,
    status: g.check ? (upToDate ? 'UP_TO_DATE' : 'OUT_OF_DATE') : 'WRITTEN',
    written: g.written,
    unchanged: g.unchanged,
    removed: g.removed,
    warnings: g.warnings,
  });
}
