import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildProcess } from 'node:child_process';
import { AwsWorld } from './harness/aws-world.js';
import { lci, lciAsync, REPO_ROOT } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions } from './harness/deploy-fixture.js';
import { GitRepo } from './harness/git-repo.js';
import { SERVERLESS_SERVICE } from './harness/init-fixtures.js';
import { monorepo } from './harness/monorepo-fixture.js';
import {
  assertMatchesSchema,
  OUTPUT_SCHEMA_DIR,
  outputSchemaFile,
  outputSchemas,
  schemaErrors,
} from './harness/output-schema.js';

// Every --json document lci prints has a JSON Schema in schema/output. test/harness/cli.ts checks
// every document any test makes the real CLI print (deploy, status, prune, logs, pipelines, invoke…
// in their own tests, against the AWS stand-ins); this file checks the schemas themselves, that
// every command has one, that a wrong document is caught, and the documents cheap to make here.

/** Commands that print no document of their own: their --json errors are error.schema.json's. */
const NO_DOCUMENT = ['help', 'completion'];
/** Documents that are not a command's: printed by any command. */
const SHARED = ['error', 'problems'];

const schemaFiles = () => readdirSync(OUTPUT_SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));

function commandsOfHelp(): string[] {
  const help = lci(['--help'], { cwd: REPO_ROOT }).stdout;
  const block = help.split('Commands:\n')[1]!.split('\n\n')[0]!;
  return block.split('\n').map((l) => l.trim().split(/\s+/)[0]!);
}

function json(args: string[], cwd: string, code = 0): Record<string, unknown> {
  const r = lci([...args, '--json'], { cwd });
  assert.is(r.code, code, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('each schema compiles on its own in strict mode and says what it is', () => {
  for (const f of schemaFiles()) {
    const schema = JSON.parse(readFileSync(`${OUTPUT_SCHEMA_DIR}/${f}`, 'utf8')) as Record<string, string>;
    assert.is(schema.$schema, 'http://json-schema.org/draft-07/schema#', f);
    assert.ok(schema.$id?.endsWith(`/schema/output/${f}`), `${f}: $id ${schema.$id}`);
    assert.ok(schema.title && schema.description, `${f}: title and description`);
    // Alone (its references loaded beside it), strictly: an unknown keyword or a loose type is an error.
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    ajv.addSchema(JSON.parse(readFileSync(`${REPO_ROOT}schema/release-plan.schema.json`, 'utf8')));
    for (const other of schemaFiles().filter((o) => o !== f))
      ajv.addSchema(JSON.parse(readFileSync(`${OUTPUT_SCHEMA_DIR}/${other}`, 'utf8')));
    assert.type(ajv.compile(schema), 'function', f);
  }
});

test('every command lci lists has a schema (a new command without one fails here), and no schema is left over', () => {
  const commands = commandsOfHelp();
  assert.ok(commands.includes('deploy') && commands.includes('pipelines'), commands.join(' '));
  const expected = [
    ...commands.filter((c) => !NO_DOCUMENT.includes(c)).map(outputSchemaFile),
    outputSchemaFile('pipelines start'),
    ...SHARED.map(outputSchemaFile),
  ].sort();
  assert.equal(schemaFiles().sort(), expected);
  for (const c of NO_DOCUMENT) assert.ok(commands.includes(c), `${c} is still a command`);
  assert.is(outputSchemas().byFile.size, expected.length);
});

test('the package ships the schemas', () => {
  const pkg = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('schema'), pkg.files.join(', '));
});

test('validate: VALID, INVALID and an error are each their schema, and a wrong field is caught', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
environments:
  qa: { branch: main }
functions:
  orders: { path: src/orders, runtime: python3.12, handler: app.handler }
`,
    'src/orders/app.py': 'def handler(event, context):\n    return 1\n',
  });
  const valid = json(['validate'], repo.dir);
  assert.is(valid.status, 'VALID');
  assertMatchesSchema('validate', valid);

  // Each of these must be caught: a status the code does not print, an unknown field, a missing one, a wrong type.
  const wrong: [string, Record<string, unknown>][] = [
    ['status', { ...valid, status: 'OK' }],
    ['extra field', { ...valid, surprise: true }],
    ['missing field', Object.fromEntries(Object.entries(valid).filter(([k]) => k !== 'environments'))],
    ['type', { ...valid, functions: '1' }],
    ['schemaVersion', { ...valid, schemaVersion: 2 }],
    ['warning shape', { ...valid, warnings: [{ file: 'lambdas.yaml', line: 1, message: 'no col' }] }],
  ];
  for (const [what, doc] of wrong) assert.ok(schemaErrors('validate', doc).length > 0, `${what} not caught`);

  const bad = GitRepo.create({
    'lambdas.yaml':
      'version: 1\nartifacts: { bucket: acme-artifacts, region: eu-west-1 }\nfunctions:\n  orders: { path: nowhere }\n',
  });
  const invalid = json(['validate'], bad.dir, 2);
  assert.is(invalid.status, 'INVALID');
  assertMatchesSchema('validate', invalid);
  assertMatchesSchema('problems', invalid);
  assert.ok(schemaErrors('validate', { ...invalid, problems: [{ line: 1 }] }).length > 0);

  const error = json(['plan', '--env', 'staging'], repo.dir, 2);
  assert.is(error.status, 'ERROR');
  assertMatchesSchema('plan', error);
  assertMatchesSchema('error', error);
  assert.ok(schemaErrors('plan', { ...error, error: { message: 'x' } }).length > 0, 'exitCode is required');
  assertMatchesSchema('error', json(['nope'], repo.dir, 2));
});

test('plan with shared layers, generate, version: the documents match, and a wrong reason rule is caught', async () => {
  const repo = await monorepo();
  const base = repo.head();
  repo.commit({ 'layers/common-py/requirements.txt': '../../libs/dist/acme_common-1.0.0-py3-none-any.whl\n' }, 'layer');
  const plan = json(['plan', '--base', base, '--env', 'qa'], repo.dir);
  assert.ok(Array.isArray(plan.layers) && plan.layers.length > 0, 'plan shows the shared layers');
  assertMatchesSchema('plan', plan);
  const functions = plan.functions as { reasons: { rule: string }[] }[];
  const mutated = structuredClone(plan) as typeof plan & { functions: typeof functions };
  mutated.functions[0]!.reasons[0]!.rule = 'because';
  assert.ok(schemaErrors('plan', mutated).length > 0, 'an unknown reason rule is caught');

  const generated = json(['generate', '--out', 'ci'], repo.dir);
  assert.is(generated.status, 'WRITTEN');
  assertMatchesSchema('generate', generated);
  const check = json(['generate', '--out', 'ci', '--check'], repo.dir);
  assert.is(check.status, 'UP_TO_DATE');
  assertMatchesSchema('generate', check);

  assertMatchesSchema('version', json(['version'], repo.dir));
  assert.ok(schemaErrors('version', { ...json(['version'], repo.dir), command: 'versions' }).length > 0);
});

test('init --dry-run: the document matches', () => {
  const repo = GitRepo.create(SERVERLESS_SERVICE.tree);
  const init = json(['init', '--dry-run', '--from', 'serverless'], repo.dir);
  assert.is(init.status, 'DRY_RUN');
  assertMatchesSchema('init', init);
  assert.ok(schemaErrors('init', { ...init, status: 'DRYRUN' }).length > 0);
});

test('logs --json, and logs --follow --json: each line is a document of its own', async () => {
  await AwsWorld.with(async (w) => {
    await seedFunctions(w, QA_FUNCTIONS);
    const repo = await deployRepo();
    const group = '/aws/lambda/alpha-qa';
    const stream = `2026/01/01/[1]${'0'.repeat(32)}`;
    w.logs.putEvents(group, stream, [{ timestamp: Date.now() - 5_000, message: 'first\n' }]);
    const all = await lciAsync(['logs', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
    assert.is(all.code, 0, all.stderr);
    assertMatchesSchema('logs', all.stdout);

    let child!: ChildProcess;
    let out = '';
    const done = lciAsync(['logs', 'alpha', '--env', 'qa', '--follow', '--json'], {
      cwd: repo.dir,
      env: w.env(),
      started: (c) => {
        child = c;
        c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      },
    });
    while (!out.includes('first')) await new Promise((r) => setTimeout(r, 50));
    w.logs.putEvents(group, stream, [{ timestamp: Date.now(), message: 'second\n' }]);
    while (!out.includes('second')) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const r = await done;
    const lines = r.stdout.trim().split('\n');
    assert.is(lines.length, 2, r.stdout);
    for (const line of lines) assertMatchesSchema('logs', line);
    const event = JSON.parse(lines[1]!) as { event: Record<string, unknown> };
    assert.ok(
      schemaErrors('logs', { ...event, event: { ...event.event, version: 1 } }).length > 0,
      'version is a string',
    );
  });
});

test.run();
