import type { Diagnostic } from '../errors.js';
import { jsonDocument } from './json.js';
import { plural } from './table.js';

export interface ValidateSummary {
  config: string;
  functions: number;
  layers: number;
  environments: number;
  /** Problems that do not stop anything (a deprecated runtime): shown on stderr, and in the JSON. */
  warnings: Diagnostic[];
}

export function validateText(v: ValidateSummary): string {
  const layers = v.layers > 0 ? `, ${plural(v.layers, 'shared layer')}` : '';
  const warned = v.warnings.length > 0 ? `, ${plural(v.warnings.length, 'warning')}` : '';
  return `${v.config}: ok (${plural(v.functions, 'function')}${layers}, ${plural(v.environments, 'environment')}${warned})`;
}

export function validateJson(v: ValidateSummary): string {
  return jsonDocument('validate', {
    status: 'VALID',
    config: v.config,
    functions: v.functions,
    layers: v.layers,
    environments: v.environments,
    problems: [],
    warnings: v.warnings,
  });
}

export function problemsJson(command: string, problems: Diagnostic[]): string {
  return jsonDocument(command, { status: 'INVALID', problems });
}
