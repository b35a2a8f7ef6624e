import type { Diagnostic } from '../errors.js';
import { jsonDocument } from './json.js';
import { plural } from './table.js';

export interface ValidateSummary {
  config: string;
  functions: number;
  environments: number;
}

export function validateText(v: ValidateSummary): string {
  return `${v.config}: ok (${plural(v.functions, 'function')}, ${plural(v.environments, 'environment')})`;
}

export function validateJson(v: ValidateSummary): string {
  return jsonDocument('validate', { status: 'VALID', config: v.config, functions: v.functions, environments: v.environments, problems: [] });
}

export function problemsJson(command: string, problems: Diagnostic[]): string {
  return jsonDocument(command, { status: 'INVALID', problems });
}
