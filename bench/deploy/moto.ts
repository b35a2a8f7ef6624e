// bench/deploy/moto.ts: the no-op deploys of bench/deploy against a Lambda that is not lci's own
// stand-in: moto (a third-party emulator) behind a loopback proxy that enforces Lambda's request
// quotas (GetFunction 100/s, every other call together 15/s, 429 with Retry-After above them;
// test/harness/quota-proxy.ts). A stand-in of our own could be kinder than AWS; moto's answers are
// someone else's reading of the API. Each run is from a fresh checkout (no .lci).
// Usage: node --import tsx bench/deploy/moto.ts   (needs python3 -m moto.server; no Docker)
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { lciAsync } from '../../test/harness/cli.js';
import { GitRepo } from '../../test/harness/git-repo.js';
import { AWS_LAMBDA_RATES } from '../../test/harness/lambda-standin.js';
import { Moto, MOTO_ACCESS_KEY } from '../../test/harness/moto.js';
import { QuotaProxy } from '../../test/harness/quota-proxy.js';

const REGION = 'eu-west-1';

function monorepo(prefix: string, count: number): { repo: GitRepo; names: string[] } {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  const files: Record<string, string> = { '.gitignore': '.lci/\n' };
  const yaml = [
    'version: 1',
    `artifacts: { bucket: acme-artifacts, region: ${REGION} }`,
    'defaults: { runtime: python3.12, handler: app.handler, descriptor: false }',
    'environments:',
    '  qa: { branch: main }',
    'functions:',
  ];
  for (const name of names) {
    yaml.push(`  ${name}: { path: svc/${name} }`);
    for (let j = 0; j < 20; j++)
      files[`svc/${name}/mod${j}.py`] = `# ${name} module ${j}\n${'def f(x):\n    return x * 2\n'.repeat(50)}`;
    files[`svc/${name}/app.py`] = 'def handler(event, context):\n    return "ok"\n';
  }
  files['lambdas.yaml'] = `${yaml.join('\n')}\n`;
  return { repo: GitRepo.create(files), names };
}

const moto = await Moto.start();
const proxy = await QuotaProxy.start(moto.endpoint);
try {
  const small = monorepo('a', 100);
  const large = monorepo('b', 1000);
  await moto.seed(
    REGION,
    [...small.names, ...large.names].map((name) => ({ name, aliases: ['qa'] })),
  );
  const env = {
    AWS_ENDPOINT_URL_LAMBDA: proxy.endpoint,
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    AWS_ACCESS_KEY_ID: MOTO_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_REGION: REGION,
    AWS_MAX_ATTEMPTS: '2',
  };
  const deploy = (repo: GitRepo, extra: string[] = []) =>
    lciAsync(['deploy', '--env', 'qa', '--json', ...extra], { cwd: repo.dir, env });
  // Set-up with the quotas off: every function published once by lci (its version carries lci's record).
  for (const { repo } of [small, large]) {
    const r = await deploy(repo);
    if (r.code !== 0) throw new Error(`setup deploy failed: ${r.stderr}`);
  }
  const measured = async (label: string, repo: GitRepo, functions: number, extra: string[] = []) => {
    rmSync(join(repo.dir, '.lci'), { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 1500)); // the quota buckets fill up again, as between two CI runs
    proxy.clearLog();
    const t0 = Date.now();
    const r = await deploy(repo, extra);
    const wall = (Date.now() - t0) / 1000;
    if (r.code !== 0) throw new Error(`${label} failed: ${r.stderr}`);
    const statuses = (JSON.parse(r.stdout) as { functions: { status: string }[] }).functions.map((f) => f.status);
    const getFunction = proxy.log.filter((l) => l.operation === 'GetFunction' && l.status !== 429).length;
    const other = proxy.log.filter((l) => l.operation !== 'GetFunction' && l.status !== 429).length;
    const floor = Math.max(getFunction / AWS_LAMBDA_RATES.getFunction, other / AWS_LAMBDA_RATES.controlPlane);
    return {
      label,
      functions,
      wall,
      getFunction,
      other,
      floor,
      throttles: proxy.throttleCount(),
      intact: statuses.filter((s) => s === 'INTACT').length,
    };
  };
  // The same no-ops with the quotas off first, the proxy's and lci's own (--rate far above
  // Lambda's): what a run costs besides the budget (starting node, loading lambdas.yaml, git,
  // fingerprints, moto's own speed).
  const NO_BUDGET = ['--rate', '100000,100000'];
  const unthrottled = [
    await measured('no-op, 100, quotas off', small.repo, 100, NO_BUDGET),
    await measured('no-op, 1,000, quotas off', large.repo, 1000, NO_BUDGET),
  ];
  proxy.setRates(AWS_LAMBDA_RATES);
  const runs = [
    await measured('no-op, 100 functions', small.repo, 100),
    await measured('no-op, 1,000 functions', large.repo, 1000),
  ];

  console.log(
    `bench/deploy/moto: moto ${execFileSync('python3', ['-c', 'import moto; print(moto.__version__)']).toString().trim()} behind a proxy at Lambda's quotas (GetFunction ${AWS_LAMBDA_RATES.getFunction}/s, the rest ${AWS_LAMBDA_RATES.controlPlane}/s), fresh checkout each run, ${execFileSync('nproc').toString().trim()} cores`,
  );
  console.log('');
  const rows = [
    ['run', 'wall (s)', 'GetFunction', 'other Lambda', 'quota floor (s)', 'wall / floor', 'throttles met', 'intact'],
    ...[...unthrottled, ...runs].map((m) => [
      m.label,
      m.wall.toFixed(2),
      String(m.getFunction),
      String(m.other),
      m.floor.toFixed(2),
      `${(m.wall / m.floor).toFixed(2)}×`,
      String(m.throttles),
      String(m.intact),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log('');
  // It measured the work it claims: every function read once and found intact, nothing else asked of Lambda.
  const claimed = [...unthrottled, ...runs].every(
    (m) => m.intact === m.functions && m.getFunction === m.functions && m.other === 0,
  );
  if (!claimed) {
    console.log('bench/deploy/moto: FAILED: a run did not read each function once and find it intact');
    process.exitCode = 1;
  }
  // The floor is the budget or what the run costs without one, whichever is slower: moto answers
  // more slowly than Lambda's quota allows, and no client can beat the server it talks to.
  runs.forEach((m, i) => {
    const floor = Math.max(m.floor, unthrottled[i]!.wall);
    console.log(
      `target: ${m.label}: one GetFunction per function, within 1.2× of max(quota floor, the run without quotas) = ${floor.toFixed(2)} s: ${m.wall <= 1.2 * floor ? 'yes' : 'NO'} (${(m.wall / floor).toFixed(2)}×)`,
    );
  });
} finally {
  await proxy.close();
  moto.stop();
}
