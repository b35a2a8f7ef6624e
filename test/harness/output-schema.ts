import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';

/** schema/output: one JSON Schema per command's --json document (and the shared error and problems documents). */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OUTPUT_SCHEMA_DIR = `${REPO_ROOT}schema/output`;

/** The file a command's documents are checked against: `pipelines start` → pipelines-start.schema.json. */
export function outputSchemaFile(command: string): string {
  return `${command.replace(/ /g, '-')}.schema.json`;
}

/** Every output schema (and the release plan schema deploy's `plan` refers to) in one strict ajv. */
function compileAll(): { ajv: Ajv; byFile: Map<string, ValidateFunction> } {
  // strict: unknown keywords, ignored keywords and ambiguous types are errors, as in scripts/build-schema-validator.mjs.
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  ajv.addSchema(JSON.parse(readFileSync(`${REPO_ROOT}schema/release-plan.schema.json`, 'utf8')));
  const files = readdirSync(OUTPUT_SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
  for (const f of files) ajv.addSchema(JSON.parse(readFileSync(`${OUTPUT_SCHEMA_DIR}/${f}`, 'utf8')));
  const byFile = new Map<string, ValidateFunction>();
  for (const f of files) {
    const id = (JSON.parse(readFileSync(`${OUTPUT_SCHEMA_DIR}/${f}`, 'utf8')) as { $id: string }).$id;
    byFile.set(f, ajv.getSchema(id)!);
  }
  return { ajv, byFile };
}

let compiled: ReturnType<typeof compileAll> | undefined;

export function outputSchemas(): ReturnType<typeof compileAll> {
  compiled ??= compileAll();
  return compiled;
}

/** The errors ajv finds in `doc` against the schema of `command` (empty: it matches). */
export function schemaErrors(command: string, doc: unknown): string[] {
  const validate = outputSchemas().byFile.get(outputSchemaFile(command));
  if (!validate) throw new Error(`no output schema ${outputSchemaFile(command)} for command '${command}'`);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} (${e.schemaPath})`);
}

/** The schema a printed document is checked against: its command's; the shared error schema for `lci` and commands with no document of their own. */
function schemaCommand(doc: unknown): string {
  const command = (doc as { command?: unknown } | null)?.command;
  if (typeof command !== 'string') return 'error';
  return outputSchemas().byFile.has(outputSchemaFile(command)) ? command : 'error';
}

/**
 * What a run with --json printed, checked against schema/output: one document, or (logs --follow)
 * one per line. Output that is not JSON at all is left to the test (a --help, a crash it asserts on).
 */
export function assertJsonOutputMatches(stdout: string): void {
  const text = stdout.trim();
  if (!text.startsWith('{')) return;
  let docs: unknown[];
  try {
    docs = [JSON.parse(text)];
  } catch {
    try {
      docs = text.split('\n').map((line) => JSON.parse(line));
    } catch {
      return;
    }
  }
  for (const doc of docs) assertMatchesSchema(schemaCommand(doc), doc);
}

/** Fails unless `doc` (a parsed --json document, or its text) matches the schema of `command`. */
export function assertMatchesSchema(command: string, doc: unknown): void {
  const value = typeof doc === 'string' ? JSON.parse(doc) : doc;
  const errors = schemaErrors(command, value);
  assert.ok(
    errors.length === 0,
    `lci ${command} --json does not match schema/output/${outputSchemaFile(command)}:\n${errors.slice(0, 12).join('\n')}\n${JSON.stringify(value, null, 2).slice(0, 3000)}`,
  );
}
