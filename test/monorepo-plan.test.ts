import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RUNTIME_TABLE, runtimeStatus, today } from '../src/config/runtimes.js';
import { lci } from './harness/cli.js';
import { writeWheel } from './harness/wheel.js';
import { JOBS, monorepo } from './harness/monorepo-fixture.js';

// The monorepo of issue 13 (test/harness/monorepo-fixture.ts) through lci validate and lci plan
// over a history of commits: shared layers, one source with three handlers, a family of five,
// a compiled TypeScript function, a provided.al2023 function. No Docker, no AWS.

interface PlanJson {
  functions: {
    name: string;
    awsName?: string;
    affected: boolean;
    reasons: { path: string | null; rule: string; pattern?: string; layer?: string; via?: string }[];
  }[];
  layers?: {
    name: string;
    awsName?: string;
    affected: boolean;
    reasons: { path: string | null; rule: string; pattern?: string }[];
  }[];
}

const FAMILY = JOBS.map((j) => `sync-${j}`);

function plan(dir: string, base: string): PlanJson {
  const r = lci(['plan', '--base', base, '--env', 'qa', '--json'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PlanJson;
}

const affected = (p: PlanJson) => p.functions.filter((f) => f.affected).map((f) => f.name);
const first = (p: PlanJson, name: string) => p.functions.find((f) => f.name === name)!.reasons[0];

const config = suite('monorepo: lambdas.yaml expresses it');

config('validate: ten functions (five of them one family), one shared layer, two environments', () => {
  return monorepo().then((repo) => {
    const r = lci(['validate', '--json'], { cwd: repo.dir });
    assert.is(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout) as { functions: number; layers: number; environments: number; warnings: unknown[] };
    assert.equal([v.functions, v.layers, v.environments, v.warnings], [10, 1, 2, []]);
    const text = lci(['validate'], { cwd: repo.dir });
    assert.is(text.stdout.trim(), 'lambdas.yaml: ok (10 functions, 1 shared layer, 2 environments)');
  });
});

config('a family member is checked like a written function; its problems point at the family, once', async () => {
  const repo = await monorepo();
  const yaml = readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8');
  const changed = yaml.replace('    handler: app.handler\n', '    handler: app.handler\n    runtime: nodejs22.x\n');
  writeFileSync(join(repo.dir, 'lambdas.yaml'), changed);
  const r = lci(['validate'], { cwd: repo.dir });
  assert.is(r.code, 2, r.stdout);
  const lines = changed.split('\n');
  const line = lines.findIndex((l, i) => i > lines.indexOf('  "sync-*":') && l.includes('layers: [common-py]')) + 1;
  const problems = r.stderr.trim().split('\n');
  assert.equal(problems, [
    `lambdas.yaml:${line}:14: functions.sync-*.layers[0]: layer 'common-py' is built for python3.12, python3.13, not for nodejs22.x: add nodejs22.x to layers.common-py.runtimes or use another layer`,
    '1 problem in the configuration',
  ]);
});

config(
  'a new directory is a new function of the family; a directory that makes no valid name is an error at the family',
  async () => {
    const repo = await monorepo();
    repo.commit({ 'jobs/foxtrot/app.py': 'def handler(e, c):\n    return 1\n' });
    const ok = lci(['validate', '--json'], { cwd: repo.dir });
    assert.is((JSON.parse(ok.stdout) as { functions: number }).functions, 11);
    repo.commit({ 'jobs/Golf_Job/app.py': 'x = 1\n' });
    const bad = lci(['validate'], { cwd: repo.dir });
    assert.is(bad.code, 2);
    assert.match(
      bad.stderr,
      /^lambdas\.yaml:\d+:3: functions\.sync-\*: directory 'jobs\/Golf_Job' would make the function 'sync-Golf_Job', which is not a valid name/m,
    );
  },
);

config(
  "a deprecated runtime validates with a warning naming the date AWS blocks updates; a blocked one is an error (today's date)",
  async () => {
    const repo = await monorepo();
    const yaml = readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8');
    // A runtime that is deprecated but not yet blocked today, and one blocked for good, from the table itself.
    const deprecated = RUNTIME_TABLE.find(
      (r) => r.family === 'python' && runtimeStatus(r.id, today()).state === 'deprecated',
    )!;
    assert.ok(
      deprecated,
      'the table has a python runtime that is deprecated and not blocked today (python3.8 until 2027-03-03)',
    );
    writeFileSync(
      join(repo.dir, 'lambdas.yaml'),
      yaml
        .replace('  runtime: python3.12\n', `  runtime: ${deprecated.id}\n`)
        .replace('runtimes: [python3.12, python3.13]', `runtimes: [${deprecated.id}]`),
    );
    const warned = lci(['validate'], { cwd: repo.dir });
    assert.is(warned.code, 0, warned.stderr);
    assert.match(
      warned.stderr,
      new RegExp(
        `lci: warning: lambdas\\.yaml:4:12: defaults\\.runtime: ${deprecated.id.replace('.', '\\.')} is deprecated since ${deprecated.deprecated}: AWS blocks updates of ${deprecated.id.replace('.', '\\.')} functions from ${deprecated.blockUpdate}`,
      ),
    );
    assert.match(warned.stderr, /layers\.common-py\.runtimes\[0\]: .* is deprecated/);
    assert.match(warned.stdout, /ok \(10 functions, 1 shared layer, 2 environments, 2 warnings\)/);
    writeFileSync(
      join(repo.dir, 'lambdas.yaml'),
      yaml.replace('    runtime: nodejs22.x\n', '    runtime: nodejs12.x\n'),
    );
    const blocked = lci(['validate'], { cwd: repo.dir });
    assert.is(blocked.code, 2);
    assert.match(
      blocked.stderr,
      /functions\.web\.runtime: nodejs12\.x can no longer be deployed: AWS blocks updates of nodejs12\.x functions since 2023-04-30; move to nodejs24\.x/,
    );
  },
);

config.run();

const history = suite('monorepo: plan over a history of commits');

history(
  'a change to the shared layer’s descriptor or to its local wheel affects the layer and every function using it, the reason naming the layer',
  async () => {
    const repo = await monorepo();
    const start = repo.head();
    repo.commit({
      'layers/common-py/requirements.txt':
        '# the monorepo library, as a wheel (pinned)\n../../libs/dist/acme_common-1.0.0-py3-none-any.whl\n',
    });
    const p = plan(repo.dir, start);
    assert.equal(affected(p), ['users', 'orders', ...FAMILY]);
    assert.equal(first(p, 'sync-charlie'), {
      path: 'layers/common-py/requirements.txt',
      rule: 'layer',
      pattern: 'layers/common-py/requirements.txt',
      layer: 'common-py',
    });
    assert.equal(
      p.layers!.map((l) => [l.name, l.awsName, l.affected]),
      [['common-py', 'common-py-qa', true]],
    );
    const text = lci(['plan', '--base', start, '--env', 'qa'], { cwd: repo.dir });
    assert.match(
      text.stdout,
      /sync-echo\s+sync-echo-qa\s+layers\/common-py\/requirements\.txt is an input of shared layer common-py/,
    );
    assert.match(
      text.stdout,
      /SHARED LAYER\s+AWS NAME\s+REASON\n\s*common-py\s+common-py-qa\s+layers\/common-py\/requirements\.txt/,
    );

    const before = repo.head();
    await writeWheel(join(repo.dir, 'libs/dist/acme_common-1.0.0-py3-none-any.whl'), 'acme_common', '1.0.0', {
      'acme_common/money.py': 'CENTS = 1000\n',
    });
    repo.commit({}, 'a new build of the wheel');
    const wheel = plan(repo.dir, before);
    assert.equal(affected(wheel), ['users', 'orders', ...FAMILY]);
    assert.equal(first(wheel, 'users'), {
      path: 'libs/dist/acme_common-1.0.0-py3-none-any.whl',
      rule: 'layer',
      pattern: 'libs/dist/acme_common-1.0.0-py3-none-any.whl',
      via: 'layers/common-py/requirements.txt',
      layer: 'common-py',
    });
  },
);

history(
  'one source, three handlers: a file all three package affects all three; one that health leaves out affects the other two',
  async () => {
    const repo = await monorepo();
    const a = repo.head();
    repo.commit({ 'services/api/health.py': 'def handler(event, context):\n    return "still ok"\n' });
    assert.equal(affected(plan(repo.dir, a)), ['users', 'orders', 'health']);
    const b = repo.head();
    repo.commit({
      'services/api/users.py': 'from acme_common import money\ndef handler(event, context):\n    return "users 2"\n',
    });
    assert.equal(affected(plan(repo.dir, b)), ['users', 'orders']);
  },
);

history(
  'a family: a change in one directory affects one member; a new directory is a function, planned like a written one',
  async () => {
    const repo = await monorepo();
    const a = repo.head();
    repo.commit({ 'jobs/delta/app.py': 'def handler(e, c):\n    return "delta 2"\n' });
    assert.equal(affected(plan(repo.dir, a)), ['sync-delta']);
    const b = repo.head();
    repo.commit({ 'jobs/foxtrot/app.py': 'def handler(e, c):\n    return "foxtrot"\n' });
    const p = plan(repo.dir, b);
    assert.equal(affected(p), ['sync-foxtrot']);
    assert.equal(p.functions.find((f) => f.name === 'sync-foxtrot')!.awsName, 'sync-foxtrot-qa');
  },
);

history(
  "a build command's inputs are the function's: its sources, and the compiler its devDependencies name",
  async () => {
    const repo = await monorepo();
    const a = repo.head();
    repo.commit({
      'tools/strip-types/cli.js': `${readFileSync(join(repo.dir, 'tools/strip-types/cli.js'), 'utf8')}// faster\n`,
    });
    const compiler = plan(repo.dir, a);
    assert.equal(affected(compiler), ['web']);
    assert.equal(first(compiler, 'web'), {
      path: 'tools/strip-types/cli.js',
      rule: 'local-dependency',
      pattern: 'tools/strip-types',
      via: 'services/web/package.json',
    });
    const b = repo.head();
    repo.commit({ 'services/native/VERSION': '2\n' });
    assert.equal(
      affected(plan(repo.dir, b)),
      ['native'],
      'a file the build reads, though the package holds only bootstrap',
    );
  },
);

history("a change to the layer's configuration affects the layer and its functions (rule config)", async () => {
  const repo = await monorepo();
  const a = repo.head();
  const yaml = readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8');
  repo.commit({
    'lambdas.yaml': yaml.replace(
      'runtimes: [python3.12, python3.13]',
      'runtimes: [python3.12, python3.13, python3.14]',
    ),
  });
  const p = plan(repo.dir, a);
  assert.equal(affected(p), ['users', 'orders', ...FAMILY]);
  assert.equal(first(p, 'users'), { path: 'lambdas.yaml', rule: 'config' });
  assert.equal(p.layers!.find((l) => l.name === 'common-py')!.reasons[0], { path: 'lambdas.yaml', rule: 'config' });
});

history.run();
