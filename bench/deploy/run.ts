// bench/deploy: lci deploy against the local stand-ins (s3rver, the Lambda stand-in) at Lambda's
// real request quotas (GetFunction 100/s, everything else 15/s, 429 with Retry-After above them),
// each run from a fresh checkout (no .lci): a no-op of 100 functions (20 with a dependency layer),
// a no-op of 1,000 functions, and a release of 100 functions whose code changed. Wall time is set
// against the quota floor, the requests made ÷ the rate of their quota.
// Usage: node --import tsx bench/deploy/run.ts   (needs the Docker engine and image of .ci/docker.sh)
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AwsWorld } from '../../test/harness/aws-world.js';
import { lciAsync } from '../../test/harness/cli.js';
import { seedFunctions } from '../../test/harness/deploy-fixture.js';
import { containersCreated, requireDocker, TEST_IMAGE } from '../../test/harness/docker.js';
import { GitRepo } from '../../test/harness/git-repo.js';
import { AWS_LAMBDA_RATES } from '../../test/harness/lambda-standin.js';
import { writeWheel } from '../../test/harness/wheel.js';

const WITH_DEPS = 20;
/** How long an update stays InProgress: real code updates take seconds; lci polls $LATEST meanwhile (GetFunction). */
const UPDATE_DELAY_MS = 1000;

interface Budget {
  requests: { getFunction: number; getPolicy: number; controlPlane: number };
  throttles: number;
  waitedSeconds: number;
}

/** A monorepo of `count` functions named <prefix>-NNNN, 20 modules each; the first `withDeps` have a dependency layer. */
async function monorepo(prefix: string, count: number, withDeps: number): Promise<{ repo: GitRepo; names: string[] }> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  const files: Record<string, string> = { '.gitignore': '.lci/\n' };
  const yaml = [
    'version: 1',
    'artifacts: { bucket: acme-artifacts, region: eu-west-1 }',
    `defaults: { build: { image: "${TEST_IMAGE}" } }`,
    'environments:',
    '  qa: { branch: main }',
    'functions:',
  ];
  names.forEach((name, i) => {
    yaml.push(`  ${name}:`, `    path: svc/${name}`);
    if (i >= withDeps) yaml.push('    descriptor: false');
    else files[`svc/${name}/requirements.txt`] = '../../libs/acme-1.0.0-py3-none-any.whl\n';
    for (let j = 0; j < 20; j++)
      files[`svc/${name}/mod${j}.py`] = `# ${name} module ${j}\n${'def f(x):\n    return x * 2\n'.repeat(50)}`;
  });
  files['lambdas.yaml'] = `${yaml.join('\n')}\n`;
  const repo = GitRepo.create(files);
  if (withDeps > 0) {
    await writeWheel(join(repo.dir, 'libs/acme-1.0.0-py3-none-any.whl'), 'acme', '1.0.0', {
      'acme/__init__.py': 'X = 1\n',
    });
    repo.commit({}, 'the wheel');
  }
  return { repo, names };
}

await requireDocker();
const world = await AwsWorld.start({ updateDelayMs: UPDATE_DELAY_MS });
const small = await monorepo('a', 100, WITH_DEPS);
const large = await monorepo('b', 1000, 0);
await seedFunctions(
  world,
  [...small.names, ...large.names].map((name) => ({ name, alias: 'qa' })),
);

const deploy = (repo: GitRepo, extra: string[] = []) =>
  lciAsync(['deploy', '--env', 'qa', '--json', ...extra], { cwd: repo.dir, env: world.env() });

// Setup, with the quotas off: every function published once by lci (its versions carry lci's record).
for (const { repo } of [small, large]) {
  const r = await deploy(repo);
  if (r.code !== 0) throw new Error(`setup deploy failed: ${r.stderr}`);
}

interface Measured {
  label: string;
  functions: number;
  wall: number;
  getFunction: number;
  other: number;
  writes: number;
  floor: number;
  writeFloor: number;
  throttlesMet: number;
  waited: number;
  published: number;
  containers: number;
  byOperation: Record<string, number>;
}

async function measured(
  label: string,
  repo: GitRepo,
  functions: number,
  extra: string[] = [],
  run: () => Promise<{ code: number; stdout: string; stderr: string }> = () => deploy(repo, extra),
): Promise<Measured> {
  rmSync(join(repo.dir, '.lci'), { recursive: true, force: true });
  world.lambda.clearLog();
  const throttlesBefore = world.lambda.throttleCount();
  await new Promise((r) => setTimeout(r, 1500)); // the quota buckets fill up again, as between two CI runs
  const t0 = Date.now();
  const r = await run();
  const wall = (Date.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as { functions: { status: string }[]; budget: Budget };
  const byOperation: Record<string, number> = {};
  for (const l of world.lambda.log) byOperation[l.operation] = (byOperation[l.operation] ?? 0) + 1;
  const getFunction = world.lambda.log.filter((l) => l.operation === 'GetFunction').length;
  const other = world.lambda.log.length - getFunction;
  const writes = world.mutations().length;
  return {
    label,
    functions,
    wall,
    getFunction,
    other,
    writes,
    // Both quotas are spent at once: the floor is the slower of the two.
    floor: Math.max(getFunction / AWS_LAMBDA_RATES.getFunction, other / AWS_LAMBDA_RATES.controlPlane),
    writeFloor: writes / AWS_LAMBDA_RATES.controlPlane,
    throttlesMet: world.lambda.throttleCount() - throttlesBefore,
    waited: json.budget.waitedSeconds,
    published: json.functions.filter((f) => f.status === 'PUBLISHED').length,
    containers: await containersCreated(repo.dir, t0, Date.now()),
    byOperation,
  };
}

/** lci deploy --plan-out, then lci apply of that plan: one run as the pipeline's two builds make it. */
function planThenApply(repo: GitRepo) {
  return async () => {
    const file = join(repo.dir, '..', `plan-${Date.now()}.json`);
    const planned = await deploy(repo, ['--plan-out', file]);
    if (planned.code !== 0) return planned;
    const applied = await lciAsync(['apply', file, '--json'], { cwd: repo.dir, env: world.env() });
    const json = JSON.parse(applied.stdout || '{}') as { budget?: Budget };
    const before = JSON.parse(planned.stdout) as { budget: Budget };
    const sum = (a: Budget, b: Budget | undefined): Budget => ({
      requests: {
        getFunction: a.requests.getFunction + (b?.requests.getFunction ?? 0),
        getPolicy: a.requests.getPolicy + (b?.requests.getPolicy ?? 0),
        controlPlane: a.requests.controlPlane + (b?.requests.controlPlane ?? 0),
      },
      throttles: a.throttles + (b?.throttles ?? 0),
      waitedSeconds: a.waitedSeconds + (b?.waitedSeconds ?? 0),
    });
    return {
      ...applied,
      stdout: JSON.stringify({ ...JSON.parse(applied.stdout), budget: sum(before.budget, json.budget) }),
    };
  };
}

// The same no-ops with the quotas off first, the stand-in's and lci's own (--rate far above
// Lambda's): what a run costs besides the budget (starting node, loading lambdas.yaml, git,
// fingerprints, the reads at the stand-in's speed).
const NO_BUDGET = ['--rate', '100000,100000'];
const unthrottled100 = await measured('no-op, 100, quotas off', small.repo, 100, NO_BUDGET);
const unthrottled1000 = await measured('no-op, 1,000, quotas off', large.repo, 1000, NO_BUDGET);
world.lambda.setRates(AWS_LAMBDA_RATES);

const noop100 = await measured('no-op, 100 functions', small.repo, 100);
const noop1000 = await measured('no-op, 1,000 functions', large.repo, 1000);
const changes: Record<string, string> = {};
for (const name of small.names) changes[`svc/${name}/mod0.py`] = `# ${name} changed\n`;
small.repo.commit(changes);
const release100 = await measured('100 functions changed', small.repo, 100);
// The release split in two (plan, then apply, as a pipeline with an approval runs it) against the
// same release in one process: 10 of 100 functions changed, twice the same way.
const ten = small.names.slice(WITH_DEPS, WITH_DEPS + 10);
const changeTen = (round: string) =>
  small.repo.commit(Object.fromEntries(ten.map((n) => [`svc/${n}/mod1.py`, `# ${n} ${round}\n`])));
changeTen('one');
const ten1 = await measured('10 of 100 changed: deploy', small.repo, 100);
changeTen('two');
const ten2 = await measured('10 of 100 changed: plan + apply', small.repo, 100, [], planThenApply(small.repo));
const noopSplit = await measured('no-op, 1,000: plan + apply', large.repo, 1000, [], planThenApply(large.repo));
await world.close();

console.log(
  `bench/deploy: at Lambda's quotas (GetFunction ${AWS_LAMBDA_RATES.getFunction}/s, the rest ${AWS_LAMBDA_RATES.controlPlane}/s), updates InProgress for ${UPDATE_DELAY_MS} ms, fresh checkout each run, ${execFileSync('nproc').toString().trim()} cores`,
);
console.log('');
const runs = [noop100, noop1000, release100, ten1, ten2, noopSplit];
const rows = [
  [
    'run',
    'wall (s)',
    'GetFunction',
    'other Lambda',
    'of them writes',
    'quota floor (s)',
    'wall / floor',
    'write floor (s)',
    'wall / write floor',
    'throttles met',
    'waited (s)',
    'published',
    'containers',
  ],
  ...runs.map((m) => [
    m.label,
    m.wall.toFixed(2),
    String(m.getFunction),
    String(m.other),
    String(m.writes),
    m.floor.toFixed(2),
    `${(m.wall / m.floor).toFixed(2)}×`,
    m.writes > 0 ? m.writeFloor.toFixed(2) : '-',
    m.writes > 0 ? `${(m.wall / m.writeFloor).toFixed(2)}×` : '-',
    String(m.throttlesMet),
    m.waited.toFixed(1),
    String(m.published),
    String(m.containers),
  ]),
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows)
  console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
console.log('');
console.log(
  `the same no-ops with the quotas off: 100 in ${unthrottled100.wall.toFixed(2)} s, 1,000 in ${unthrottled1000.wall.toFixed(2)} s (what a run costs besides the budget)`,
);
console.log('');
const ops = [...new Set([ten1, ten2].flatMap((m) => Object.keys(m.byOperation)))].sort();
console.log('requests by operation, 10 of 100 changed (per changed function in brackets):');
for (const m of [ten1, ten2])
  console.log(
    `  ${m.label.padEnd(32)} ${ops.map((o) => `${o} ${m.byOperation[o] ?? 0} (${((m.byOperation[o] ?? 0) / 10).toFixed(1)})`).join(', ')}`,
  );
console.log('');
const extra = (o: string) => (ten2.byOperation[o] ?? 0) - (ten1.byOperation[o] ?? 0);
const noopOk = (m: Measured) =>
  m.other === 0 && m.getFunction === m.functions && m.wall <= 1.2 * m.floor && m.published === 0 && m.containers === 0;
const checks = [
  ['no-op of 100: one GetFunction per function, nothing else, within 1.2× of its floor', noopOk(noop100)],
  ['no-op of 1,000: one GetFunction per function, nothing else, within 1.2× of its floor', noopOk(noop1000)],
  [
    '100 changed: all published, within 1.5× of the 15/s write floor, no container',
    release100.published === 100 && release100.wall <= 1.5 * release100.writeFloor && release100.containers === 0,
  ],
  [
    'plan + apply of 10 changed: at most one extra GetFunction per changed function, no other extra request',
    ten2.published === 10 && extra('GetFunction') <= 10 && ops.every((o) => o === 'GetFunction' || extra(o) <= 0),
  ],
  [
    'plan + apply of a no-op of 1,000: no extra request (one GetFunction per function)',
    noopSplit.getFunction === 1000 && noopSplit.other === 0,
  ],
  ['zero throttles met', runs.every((m) => m.throttlesMet === 0)],
] as const;
for (const [what, ok] of checks) console.log(`target: ${what}: ${ok ? 'yes' : 'NO'}`);
