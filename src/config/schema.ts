import type { ErrorObject, ValidateFunction } from 'ajv';
import { validate as generatedValidator } from './schema-validator.generated.js';
import type { Diagnostic } from '../errors.js';
import { locate, type ConfigSource, type PathSegment } from './source.js';
import { didYouMean } from './suggest.js';

// Compiled from lambda-ci.schema.json at build time (scripts/build-schema-validator.mjs).
const validate = generatedValidator as unknown as ValidateFunction;

/** Validates the lci section against lambda-ci.schema.json; one diagnostic per problem, located in the file. */
export function schemaDiagnostics(source: ConfigSource): Diagnostic[] {
  if (validate(source.data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const d = toDiagnostic(source, error);
    if (!d) continue;
    const key = `${d.line}:${d.col}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function toDiagnostic(source: ConfigSource, e: ErrorObject): Diagnostic | undefined {
  const path = pointerToPath(e.instancePath);
  const at = (p: PathSegment[], anchor: 'key' | 'value' = 'value') => ({
    file: source.displayPath,
    ...locate(source, p, anchor),
  });
  const where = dotted(path);
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  const description = (e.parentSchema as { description?: string } | undefined)?.description;

  if (e.keyword === 'propertyNames') return undefined; // wraps the error about the name itself
  if (propertyName !== undefined) {
    const keyPath = [...path, propertyName];
    if (e.keyword === 'enum' && propertyName === 'path') {
      return {
        ...at(keyPath, 'key'),
        message: `${dotted(keyPath)}: 'path' is set per function only, not in defaults or environment overrides`,
      };
    }
    if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: string[] }).allowedValues;
      return {
        ...at(keyPath, 'key'),
        message: `${dotted(keyPath)}: unknown key${didYouMean(propertyName, allowed)}; allowed here: ${allowed.join(', ')}`,
      };
    }
    if (e.keyword === 'pattern') {
      return {
        ...at(keyPath, 'key'),
        message: `${dotted(keyPath)}: invalid name '${propertyName}' (${description ?? 'see docs/configuration.md'})`,
      };
    }
    return undefined;
  }

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      return {
        ...at([...path, key], 'key'),
        message: `${dotted([...path, key])}: unknown key${didYouMean(key, allowed)}; allowed here: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { ...at(path, 'key'), message: `${where || 'top level'}: missing required key '${missing}'` };
    }
    case 'type': {
      const expected = String((e.params as { type: string | string[] }).type).replace(',', ' or ');
      return { ...at(path), message: `${where}: must be ${article(expected)}, not ${kindOf(e.data)}` };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return {
        ...at(path),
        message: `${where}: '${String(e.data)}' is not supported${didYouMean(String(e.data), allowed)}; use one of ${allowed.join(', ')}`,
      };
    }
    case 'const':
      return {
        ...at(path),
        message: `${where}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, not ${JSON.stringify(e.data)}`,
      };
    case 'not':
      return {
        ...at(path),
        message: `${where}: true is not allowed here; use false or ${path.at(-1) === 'descriptor' ? 'a file name' : 'a map of overrides'}`,
      };
    case 'pattern':
      return {
        ...at(path),
        message: `${where}: '${String(e.data)}' is invalid (${description ?? 'see docs/configuration.md'})`,
      };
    case 'minLength':
      return { ...at(path), message: `${where}: must not be empty` };
    case 'minProperties':
      return { ...at(path, 'key'), message: `${where}: declare at least one entry` };
    default:
      return { ...at(path), message: `${where || 'top level'}: ${e.message ?? 'is invalid'}` };
  }
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function dotted(path: PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function article(type: string): string {
  const words: Record<string, string> = {
    array: 'a list',
    object: 'a map',
    string: 'a string',
    boolean: 'a boolean',
    number: 'a number',
    integer: 'an integer',
  };
  return type
    .split(' or ')
    .map((t) => words[t] ?? t)
    .join(' or ');
}
