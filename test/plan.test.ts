import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { runMain } from './harness/run-main.js';
import { tempDir } from './harness/tmp.js';

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts }
shared: [libs/common/**]
environments:
  qa: { branch: main }
  prod: { tag: "v*", alias: live }
functions:
  orders:
    path: services/orders
    exclude: [tests/**]
    watch: [libs/payments/**]
    functionName: "orders-\${env}"
  invoices:
    path: services/invoices
    descriptor: ../../requirements/invoices.txt
  web:
    path: services/web
    runtime: nodejs20.x
    environments: { prod: false }
  billing:
    path: services/billing
`;

const TREE = {
  'lambdas.yaml': CONFIG,
  'services/orders/app.py': 'def handler(e, c): pass\n',
  'services/orders/requirements.txt':
    '-r ../../requirements/base.txt\n../../libs/pylib[extra]  # local package\nrequests==2.32.0\n',
  'services/invoices/app.py': 'def handler(e, c): pass\n',
  'requirements/invoices.txt': 'boto3\n',
  'requirements/constraints.txt': 'boto3<2\n',
  'requirements/base.txt': 'attrs\n',
  'services/web/index.js': 'exports.handler = async () => ({})\n',
  'services/web/package.json': JSON.stringify({
    dependencies: { jslib: 'file:../../libs/jslib', leftpad: '^1.0.0' },
    devDependencies: { devlib: 'file:../../libs/devlib' },
  }),
  'services/web/package-lock.json': '{}\n',
  'libs/jslib/package.json': JSON.stringify({ dependencies: { jsdeep: 'file:../jsdeep' } }),
  'libs/jsdeep/package.json': '{}\n',
  'libs/devlib/package.json': '{}\n',
  'services/billing/app.py': 'def handler(e, c): pass\n',
  'libs/common/util.py': 'X = 1\n',
  'libs/payments/pay.py': 'Y = 1\n',
  'libs/pylib/pyproject.toml': '[project]\nname = "pylib"\n',
  'libs/unrelated/x.txt': 'x\n',
  'docs/README.md': '# docs\n',
};

interface JsonPlan {
  base: string | null;
  head: string | null;
  env: string | null;
  changedPaths: number;
  functions: {
    name: string;
    awsName?: string;
    affected: boolean;
    removed?: boolean;
    reasons: { path: string | null; rule: string; pattern?: string; via?: string; detail?: string }[];
    reasonCount: number;
  }[];
}

async function planJson(
  repo: GitRepo,
  args: string[],
  env: Record<string, string> = {},
  cwd = repo.dir,
): Promise<JsonPlan> {
  const r = await runMain(['plan', '--json', ...args], cwd, env);
  assert.is(r.code, 0, r.err.join('\n'));
  return JSON.parse(r.out.join('\n')) as JsonPlan;
}

function affected(plan: JsonPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of plan.functions)
    if (f.affected) out[f.name] = `${f.reasons[0]!.rule}:${f.reasons[0]!.pattern ?? f.reasons[0]!.detail ?? ''}`;
  return out;
}

/** Commits `change` on top of the fixture and returns the plan of that one commit. */
async function planOf(change: Record<string, string | null>, args: string[] = []): Promise<JsonPlan> {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  repo.commit(change);
  return planJson(repo, ['--base', base, ...args]);
}

const rules = suite('plan: which rule affects which function');

rules('a file under a function path affects only that function', async () => {
  const p = await planOf({ 'services/orders/app.py': 'def handler(e, c): return 1\n' });
  assert.equal(affected(p), { orders: 'path:services/orders/**' });
  assert.equal(p.functions.find((f) => f.name === 'orders')!.reasons[0]!.path, 'services/orders/app.py');
});

rules('files never packaged (exclude globs, caches, .env) do not affect the function', async () => {
  const p = await planOf({
    'services/orders/tests/test_app.py': 'def test(): pass\n',
    'services/orders/__pycache__/app.cpython-312.pyc': 'x',
    'services/billing/.env': 'SECRET=1\n',
  });
  assert.equal(affected(p), {});
});

rules('a watch glob', async () => {
  assert.equal(affected(await planOf({ 'libs/payments/pay.py': 'Y = 2\n' })), { orders: 'watch:libs/payments/**' });
});

rules('a shared glob affects every function', async () => {
  const p = await planOf({ 'libs/common/util.py': 'X = 2\n' });
  assert.equal(Object.keys(affected(p)).sort(), ['billing', 'invoices', 'orders', 'web']);
  assert.is(affected(p).web, 'shared:libs/common/**');
});

rules('a descriptor outside the function path, and the lockfile beside it', async () => {
  assert.equal(affected(await planOf({ 'requirements/invoices.txt': 'boto3==1.0\n' })), {
    invoices: 'descriptor:requirements/invoices.txt',
  });
  assert.equal(affected(await planOf({ 'requirements/constraints.txt': 'boto3<3\n' })), {
    invoices: 'lockfile:requirements/invoices.txt',
  });
});

rules('a lockfile inside the path is reported as a lockfile, not just a path', async () => {
  assert.equal(affected(await planOf({ 'services/web/package-lock.json': '{"v":2}\n' })), {
    web: 'lockfile:services/web/package.json',
  });
});

rules('local path dependencies: pip path line, -r include, npm file: and its own file: dependency', async () => {
  const pylib = await planOf({ 'libs/pylib/src.py': 'Z = 1\n' });
  assert.equal(affected(pylib), { orders: 'local-dependency:libs/pylib' });
  assert.is(pylib.functions.find((f) => f.name === 'orders')!.reasons[0]!.via, 'services/orders/requirements.txt');
  assert.equal(affected(await planOf({ 'requirements/base.txt': 'attrs==1\n' })), {
    orders: 'local-dependency:requirements/base.txt',
  });
  assert.equal(affected(await planOf({ 'libs/jsdeep/index.js': '1\n' })), { web: 'local-dependency:libs/jsdeep' });
  assert.equal(affected(await planOf({ 'libs/devlib/index.js': '1\n' })), {}, 'dev dependencies never reach the layer');
});

rules(
  "a requirements line pip reads as a path without './' (libs/common/, a wheel's file name) is a local dependency",
  async () => {
    const repo = GitRepo.create({
      'lambdas.yaml': `version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  reports:\n    path: services/reports\n    descriptor: ../../requirements.txt\n  other:\n    path: services/other\n`,
      'requirements.txt': 'libs/common/\nacme_common-1.0.0-py3-none-any.whl\nrequests==2.32.0\n',
      'acme_common-1.0.0-py3-none-any.whl': 'a wheel\n',
      'libs/common/setup.py': 'from setuptools import setup\nsetup(name="common")\n',
      'libs/common/common/__init__.py': 'RATE = 7\n',
      'services/reports/app.py': 'from common import RATE\n',
      'services/other/app.py': '',
    });
    const base = repo.head();
    repo.commit({ 'libs/common/common/__init__.py': 'RATE = 8\n' });
    assert.equal(affected(await planJson(repo, ['--base', base])), { reports: 'local-dependency:libs/common' });
    const wheel = repo.head();
    repo.commit({ 'acme_common-1.0.0-py3-none-any.whl': 'another wheel\n' });
    assert.equal(affected(await planJson(repo, ['--base', wheel])), {
      reports: 'local-dependency:acme_common-1.0.0-py3-none-any.whl',
    });
  },
);

rules('an unrelated change affects nothing, and --exit-code says so with 3', async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  repo.commit({ 'docs/README.md': '# more docs\n' });
  assert.equal(affected(await planJson(repo, ['--base', base])), {});
  const r = await runMain(['plan', '--base', base, '--exit-code'], repo.dir);
  assert.is(r.code, 3);
  assert.match(r.out[0]!, /^0 of 4 functions affected/);
});

rules('a rename counts as both paths, a deletion counts', async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  repo.git('mv', 'libs/unrelated/x.txt', 'services/billing/x.txt');
  repo.commit({});
  assert.equal(affected(await planJson(repo, ['--base', base])), { billing: 'path:services/billing/**' });
  const base2 = repo.head();
  repo.git('mv', 'services/orders/app.py', 'libs/unrelated/app.py');
  repo.commit({ 'services/invoices/app.py': null });
  assert.equal(affected(await planJson(repo, ['--base', base2])), {
    orders: 'path:services/orders/**',
    invoices: 'path:services/invoices/**',
  });
});

rules('--env shows AWS names and leaves out functions the environment skips', async () => {
  const p = await planOf({ 'libs/common/util.py': 'X = 3\n' }, ['--env', 'prod']);
  assert.equal(
    p.functions.map((f) => f.name),
    ['orders', 'invoices', 'billing'],
  );
  assert.is(p.functions[0]!.awsName, 'orders-prod');
  assert.is(p.env, 'prod');
});

const config = suite('plan: changes to lambdas.yaml');

config('only functions whose resolved configuration changed are affected; new and removed are reported', async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  const head = CONFIG.replace(
    '    functionName: "orders-${env}"\n',
    '    functionName: "orders-${env}"\n    handler: app.main\n',
  ).replace('  billing:\n    path: services/billing\n', '  reports:\n    path: services/billing\n');
  repo.commit({ 'lambdas.yaml': head });
  const p = await planJson(repo, ['--base', base]);
  assert.equal(affected(p), { orders: 'config:', reports: 'new:' });
  const removed = p.functions.find((f) => f.name === 'billing')!;
  assert.equal(removed, {
    name: 'billing',
    affected: false,
    removed: true,
    reasons: [{ path: 'lambdas.yaml', rule: 'removed' }],
    reasonCount: 1,
  });
});

config("plan --env ignores changes that only touch other environments' overrides", async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  repo.commit({
    'lambdas.yaml': CONFIG.replace(
      '  billing:\n    path: services/billing\n',
      '  billing:\n    path: services/billing\n    environments: { prod: { handler: app.prod } }\n',
    ),
  });
  assert.equal(affected(await planJson(repo, ['--base', base, '--env', 'qa'])), {});
  assert.equal(affected(await planJson(repo, ['--base', base, '--env', 'prod'])), { billing: 'config:' });
  assert.equal(affected(await planJson(repo, ['--base', base])), { billing: 'config:' });
  // web starts deploying to prod: new there, nothing in qa.
  const more = repo.head();
  repo.commit({
    'lambdas.yaml': repo.git('show', 'HEAD:lambdas.yaml').replace('    environments: { prod: false }\n', ''),
  });
  assert.equal(affected(await planJson(repo, ['--base', more, '--env', 'prod'])), { web: 'new:' });
  assert.equal(affected(await planJson(repo, ['--base', more, '--env', 'qa'])), {});
});

config('reordering or reformatting the config affects nothing', async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  const reordered = CONFIG.replace(
    '  qa: { branch: main }\n  prod: { tag: "v*", alias: live }\n',
    '  prod:\n    alias: live\n    tag: "v*"\n  qa: { branch: main }  # comment\n',
  );
  assert.not.equal(reordered, CONFIG);
  repo.commit({ 'lambdas.yaml': reordered });
  assert.equal(affected(await planJson(repo, ['--base', base])), {});
});

config('a change to a default or to shared globs affects every function that inherits it', async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  repo.commit({
    'lambdas.yaml': CONFIG.replace(
      'artifacts: { bucket: acme-artifacts }',
      'artifacts: { bucket: acme-artifacts }\ndefaults: { architecture: arm64 }',
    ),
  });
  assert.equal(Object.keys(affected(await planJson(repo, ['--base', base]))).sort(), [
    'billing',
    'invoices',
    'orders',
    'web',
  ]);
});

config('an unreadable config at base affects every function, saying why', async () => {
  const repo = GitRepo.create({ ...TREE, 'lambdas.yaml': 'version: 1\nfunctions: [oops\n' });
  const base = repo.head();
  repo.commit({ 'lambdas.yaml': CONFIG });
  const p = await planJson(repo, ['--base', base]);
  assert.is(p.functions.filter((f) => f.affected).length, 4);
  assert.match(p.functions[0]!.reasons[0]!.detail!, /lambdas\.yaml at base [0-9a-f]{7} is invalid/);
});

const base = suite('plan: choosing and checking the base');

base('base from LCI_BASE, CodeBuild and GitHub events; the flag wins', async () => {
  const repo = GitRepo.create(TREE);
  const first = repo.head();
  const second = repo.commit({ 'services/orders/app.py': '# 2\n' });
  repo.commit({ 'services/billing/app.py': '# 3\n' });
  assert.equal(Object.keys(affected(await planJson(repo, [], { LCI_BASE: first }))).sort(), ['billing', 'orders']);
  assert.equal(Object.keys(affected(await planJson(repo, [], { CODEBUILD_WEBHOOK_PREV_COMMIT: second }))), ['billing']);
  const events = tempDir();
  writeFileSync(join(events, 'push.json'), JSON.stringify({ before: second, after: repo.head() }));
  writeFileSync(join(events, 'pr.json'), JSON.stringify({ pull_request: { base: { sha: first } }, before: second }));
  assert.equal(Object.keys(affected(await planJson(repo, [], { GITHUB_EVENT_PATH: join(events, 'push.json') }))), [
    'billing',
  ]);
  const pr = await planJson(repo, [], { GITHUB_EVENT_PATH: join(events, 'pr.json') });
  assert.is(pr.base, first);
  assert.equal(Object.keys(affected(await planJson(repo, ['--base', second], { LCI_BASE: first }))), ['billing']);
});

base('no base anywhere is a usage error that says how to pass one', async () => {
  const repo = GitRepo.create(TREE);
  const r = await runMain(['plan'], repo.dir);
  assert.is(r.code, 2);
  assert.match(r.err.join('\n'), /no base revision.*--base REV.*LCI_BASE/);
});

base(
  'changes are counted from the merge-base, as Nx does: main moving on does not affect a feature branch',
  async () => {
    const repo = GitRepo.create(TREE);
    const fork = repo.head();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'services/orders/app.py': 'def handler(e, c): return 2\n' });
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'services/billing/app.py': 'def handler(e, c): return 3\n' });
    repo.git('checkout', '-q', 'feature');
    const p = await planJson(repo, ['--base', 'main']);
    assert.equal(
      affected(p),
      { orders: 'path:services/orders/**' },
      'billing changed on main after the fork, not on the branch',
    );
    assert.is(p.base, repo.git('rev-parse', 'main'));
    assert.is((p as unknown as { mergeBase: string }).mergeBase, fork);
    const table = await runMain(['plan', '--base', 'main'], repo.dir);
    assert.match(table.out[0]!, new RegExp(`, merge-base ${fork.slice(0, 7)}, head `));
  },
);

base('a criss-cross history (two merge-bases): changes count from the one `git merge-base` names', async () => {
  const repo = GitRepo.create(TREE);
  repo.git('checkout', '-q', '-b', 'feature');
  const f1 = repo.commit({ 'services/orders/app.py': 'def handler(e, c): return 2\n' });
  repo.git('checkout', '-q', 'main');
  const m1 = repo.commit({ 'services/billing/app.py': 'def handler(e, c): return 3\n' });
  repo.git('merge', '-q', '--no-edit', f1);
  repo.git('checkout', '-q', 'feature');
  repo.git('merge', '-q', '--no-edit', m1);
  repo.commit({ 'services/web/index.js': 'exports.handler = async () => 4\n' });
  assert.is(repo.git('merge-base', '--all', 'main', 'HEAD').split('\n').length, 2);
  // git will not choose here (`git diff --merge-base` refuses), so plan diffs from merge-base's answer.
  assert.throws(() => repo.git('diff', '--name-only', '--merge-base', 'main', 'HEAD', '--'));
  const fork = repo.git('merge-base', 'main', 'HEAD');
  const changed = repo.git('diff', '--name-only', fork, 'HEAD').split('\n');
  const p = await planJson(repo, ['--base', 'main']);
  assert.is((p as unknown as { mergeBase: string }).mergeBase, fork);
  assert.is(p.changedPaths, changed.length);
  assert.equal(
    Object.keys(affected(p)).sort(),
    [
      'web',
      ...(changed.some((c) => c.startsWith('services/orders/')) ? ['orders'] : []),
      ...(changed.some((c) => c.startsWith('services/billing/')) ? ['billing'] : []),
    ].sort(),
  );
});

base(
  'plan asks git once for each thing it needs: the root, every revision at once, the merge-base, the diff',
  async () => {
    const repo = GitRepo.create(TREE);
    const base = repo.head();
    repo.commit({ 'services/orders/app.py': 'def handler(e, c): return 2\n' });
    const bin = tempDir();
    const log = join(bin, 'calls');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    const r = lci(['plan', '--base', base, '--json'], {
      cwd: repo.dir,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    assert.is(r.code, 0, r.stderr);
    assert.equal(Object.keys(affected(JSON.parse(r.stdout) as JsonPlan)), ['orders']);
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[2]);
    // ls-files: whether git tracks the descriptors lambdas.yaml names; in a repository this small,
    // by listing every tracked file (a larger one looks them up: test/package.test.ts).
    assert.equal(calls.sort(), ['cat-file', 'diff', 'ls-files', 'merge-base', 'rev-parse'], readFileSync(log, 'utf8'));
  },
);

base('a base a person typed that names nothing is bad input; an absent full sha plans everything', async () => {
  const repo = GitRepo.create(TREE);
  repo.commit({ 'docs/README.md': '# 2\n' });
  const typo = await runMain(['plan', '--base', 'mian'], repo.dir);
  assert.is(typo.code, 2);
  assert.match(
    typo.err[0]!,
    /^lci: --base mian does not name a commit in this clone; check the spelling, or fetch it \(git fetch origin mian\)$/,
  );
  const env = await runMain(['plan'], repo.dir, { LCI_BASE: 'origin/mian' });
  assert.is(env.code, 2);
  assert.match(env.err[0]!, /^lci: LCI_BASE=origin\/mian does not name a commit/);
  const ci = await planJson(repo, [], { CODEBUILD_WEBHOOK_PREV_COMMIT: 'feedface'.repeat(5) });
  assert.is(
    ci.functions.filter((f) => f.affected).length,
    4,
    'a CI variable naming an absent commit: missing history, plan everything',
  );
});

base(
  'git runs while the config loads, yet a config problem is reported before a bad revision, and the diff leaves no file',
  async () => {
    const repo = GitRepo.create(TREE);
    const start = repo.head();
    repo.commit({ 'docs/README.md': '# 2\n' });
    // The temporary directory reaches git's arguments (--output=<dir>/changed): a hostile name stays one path.
    const tmp = join(tempDir(), "-o x $(touch pwned) 'q' ;\\ *");
    mkdirSync(tmp);
    const env = { TMPDIR: tmp };
    writeFileSync(join(repo.dir, 'lambdas.yaml'), CONFIG.replace('runtime: nodejs20.x', 'runtime: nodejs2.x'));
    const both = lci(['plan', '--base', 'mian', '--head', 'nope'], { cwd: repo.dir, env });
    assert.is(both.code, 2);
    assert.match(both.stderr, /^lambdas\.yaml:\d+:\d+: .*nodejs2\.x/m, 'the config is checked first');
    assert.not.match(both.stderr, /mian|nope/);
    writeFileSync(join(repo.dir, 'lambdas.yaml'), CONFIG);
    const head = lci(['plan', '--base', start, '--head', 'nope'], { cwd: repo.dir, env });
    assert.is(head.code, 2);
    assert.match(head.stderr, /^lci: --head nope does not name a commit/);
    const ok = lci(['plan', '--base', start, '--json'], { cwd: repo.dir, env });
    assert.is(ok.code, 0, ok.stderr);
    assert.is((JSON.parse(ok.stdout) as JsonPlan).changedPaths, 1);
    assert.equal(readdirSync(tmp), [], 'the diff list is removed');
    assert.not.ok(existsSync(join(repo.dir, 'pwned')), 'nothing ran');
  },
);

base('all-zero, unknown, unrelated and shallow bases affect every function with the reason', async () => {
  const repo = GitRepo.create(TREE);
  repo.commit({ 'docs/README.md': '# 2\n' });
  const zero = await planJson(repo, ['--base', '0'.repeat(40)]);
  assert.is(zero.functions.filter((f) => f.affected).length, 4);
  assert.equal(zero.functions[0]!.reasons[0]!.rule, 'base-unavailable');
  assert.match(zero.functions[0]!.reasons[0]!.detail!, /all-zero/);

  const unknown = await planJson(repo, ['--base', 'deadbeef'.repeat(5)]);
  assert.is(unknown.functions.filter((f) => f.affected).length, 4);
  assert.match(unknown.functions[0]!.reasons[0]!.detail!, /not a commit in this clone/);

  repo.git('checkout', '-q', '--orphan', 'other');
  const orphan = repo.commit({ 'docs/other.md': 'x\n' });
  repo.git('checkout', '-q', 'main');
  const unrelated = await planJson(repo, ['--base', orphan]);
  assert.match(unrelated.functions[0]!.reasons[0]!.detail!, /share no history/);

  const clone = tempDir();
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.dir}`, clone]);
  const shallow = await planJson(new GitRepo(clone), ['--base', repo.git('rev-parse', 'HEAD~1')]);
  assert.is(shallow.functions.filter((f) => f.affected).length, 4);
  assert.match(shallow.functions[0]!.reasons[0]!.detail!, /shallow clone: fetch the history/);
});

const where = suite('plan: where it runs');

where('from a subdirectory, with the config below the repository root', async () => {
  const nested: Record<string, string> = {};
  for (const [k, v] of Object.entries(TREE)) nested[`platform/${k}`] = v;
  const repo = GitRepo.create({ ...nested, 'outside/file.txt': 'x\n' });
  const base = repo.head();
  repo.commit({ 'platform/libs/payments/pay.py': 'Y = 9\n', 'outside/file.txt': 'y\n' });
  const p = await planJson(repo, ['--base', base], {}, join(repo.dir, 'platform/services/web'));
  assert.equal(affected(p), { orders: 'watch:platform/libs/payments/**' });
});

where('--head other than the checked-out commit reads the config at head', async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  const head = repo.commit({
    'lambdas.yaml': CONFIG + '  extra:\n    path: services/extra\n',
    'services/extra/app.py': '#\n',
  });
  repo.git('checkout', '-q', base);
  const p = await planJson(repo, ['--base', base, '--head', head]);
  assert.equal(affected(p), { extra: 'new:' });
});

where('--all works outside a git repository; plan without it explains', async () => {
  const dir = tempDir();
  for (const [k, v] of Object.entries(TREE)) {
    execFileSync('mkdir', ['-p', join(dir, k, '..')]);
    writeFileSync(join(dir, k), v);
  }
  const all = await runMain(['plan', '--all', '--json'], dir);
  assert.is(all.code, 0, all.err.join('\n'));
  assert.is((JSON.parse(all.out.join('')) as JsonPlan).functions.length, 4);
  const r = await runMain(['plan', '--base', 'HEAD'], dir);
  assert.is(r.code, 2);
  assert.match(r.err[0]!, /not inside a git repository/);
});

const output = suite('plan: output');

output('the real binary prints a table with the AWS name and the first reason', () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  repo.commit({ 'libs/payments/pay.py': 'Y = 3\n', 'services/orders/app.py': '# x\n' });
  const r = lci(['plan', '--base', base, '--env', 'qa'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(
    lines[0]!,
    /^1 of 4 functions affected, base [0-9a-f]{7} \(--base\), head [0-9a-f]{7}, 2 changed paths, environment qa$/,
  );
  assert.match(lines[2]!, /^FUNCTION\s+AWS NAME\s+REASON$/);
  assert.match(
    lines[3]!,
    /^orders\s+orders-qa\s+libs\/payments\/pay\.py matches watch libs\/payments\/\*\* \(\+1 more\)$/,
  );
});

output('--json is the documented document', async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  const head = repo.commit({ 'services/billing/app.py': '# x\n' });
  const p = await planJson(repo, ['--base', base, '--env', 'qa']);
  assert.equal(p, {
    schemaVersion: 1,
    command: 'plan',
    base,
    head,
    mergeBase: base,
    env: 'qa',
    changedPaths: 1,
    functions: [
      { name: 'orders', awsName: 'orders-qa', affected: false, reasons: [], reasonCount: 0 },
      { name: 'invoices', awsName: 'invoices', affected: false, reasons: [], reasonCount: 0 },
      { name: 'web', awsName: 'web', affected: false, reasons: [], reasonCount: 0 },
      {
        name: 'billing',
        awsName: 'billing',
        affected: true,
        reasons: [{ path: 'services/billing/app.py', rule: 'path', pattern: 'services/billing/**' }],
        reasonCount: 1,
      },
    ],
  });
});

output('--github-output appends the affected names; without GITHUB_OUTPUT it is a usage error', async () => {
  const repo = GitRepo.create(TREE);
  const base = repo.head();
  repo.commit({ 'libs/payments/pay.py': 'Y = 4\n', 'services/web/index.js': '//\n' });
  const file = join(tempDir(), 'out');
  writeFileSync(file, 'earlier=1\n');
  const r = await runMain(['plan', '--base', base, '--github-output'], repo.dir, { GITHUB_OUTPUT: file });
  assert.is(r.code, 0, r.err.join('\n'));
  assert.is(readFileSync(file, 'utf8'), 'earlier=1\nfunctions=["orders","web"]\n');
  const missing = await runMain(['plan', '--base', base, '--github-output'], repo.dir);
  assert.is(missing.code, 2);
  assert.match(missing.err[0]!, /GITHUB_OUTPUT is not set/);
});

output('an unknown --env is a usage error with a suggestion', async () => {
  const repo = GitRepo.create(TREE);
  const r = await runMain(['plan', '--all', '--env', 'prd'], repo.dir);
  assert.is(r.code, 2);
  assert.is(r.err[0], "lci: --env prd: no such environment (did you mean 'prod'?); declared: qa, prod");
});

rules.run();
config.run();
base.run();
where.run();
output.run();
