// bench/deploy/one.ts: one function whose code changed, released by lci and by a baseline SDK
// tool (bench/deploy/baseline-tool.mjs: one GetFunction, S3, UpdateFunctionCode, the SDK's waiter,
// PublishVersion, UpdateAlias), alternating, each a process of its own, against the Lambda
// stand-in at Lambda's quotas with code updates InProgress for 1 s (as real updates take a second
// or two) and s3rver. Reports wall times (median, spread), their ratio, and lci's Lambda requests
// by operation for the change.
// Usage: node --import tsx bench/deploy/one.ts [RUNS]
//   LCI_BENCH_UPDATE_MS: how long an update stays InProgress, default 1000; a list (1000,1500,2500)
//   gives run i the i-th duration in turn (lci and the tool alike), and the ratio is also reported per duration.
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AwsWorld } from '../../test/harness/aws-world.js';
import { lciAsync } from '../../test/harness/cli.js';
import { seedFunctions } from '../../test/harness/deploy-fixture.js';
import { GitRepo } from '../../test/harness/git-repo.js';
import { AWS_LAMBDA_RATES } from '../../test/harness/lambda-standin.js';
import { handlerSource, oneFunctionRepo } from './one-function.js';

const RUNS = Number(process.argv[2] ?? 5);
const UPDATES_MS = (process.env.LCI_BENCH_UPDATE_MS ?? '1000').split(',').map(Number);
if (UPDATES_MS.some((ms) => !Number.isInteger(ms) || ms < 0))
  throw new Error('LCI_BENCH_UPDATE_MS: milliseconds, comma-separated');
const world = await AwsWorld.start({ updateDelayMs: UPDATES_MS[0], rates: AWS_LAMBDA_RATES });
function run(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...world.env() } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  await seedFunctions(world, [
    { name: 'lci-fn', alias: 'qa' },
    { name: 'base-fn', alias: 'qa' },
  ]);
  const body = (n: number) => handlerSource(n, 200);
  const repo = oneFunctionRepo(200);
  const base = GitRepo.create({ 'app.py': body(0) });
  const env = world.env();
  const lci = () => lciAsync(['deploy', '--env', 'qa', '--json'], { cwd: repo.dir, env });
  if ((await lci()).code !== 0) throw new Error('setup deploy failed');

  const times = { lci: [] as number[], baseline: [] as number[] };
  const ops: Record<string, number>[] = [];
  const updateOf = (i: number) => UPDATES_MS[(i - 1) % UPDATES_MS.length]!;
  for (let i = 1; i <= RUNS; i++) {
    world.lambda.updateDelayMs = updateOf(i);
    repo.commit({ 'svc/fn/app.py': body(i) });
    rmSync(join(repo.dir, '.lci'), { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 1500)); // the quota buckets fill up again
    world.lambda.clearLog();
    let t0 = Date.now();
    const r = await lci();
    times.lci.push((Date.now() - t0) / 1000);
    const status = (JSON.parse(r.stdout) as { functions: { status: string }[] }).functions[0]?.status;
    if (r.code !== 0 || status !== 'PUBLISHED') throw new Error(`lci run ${i}: ${status} ${r.stderr}`);
    const byOp: Record<string, number> = {};
    for (const l of world.lambda.log) byOp[l.operation] = (byOp[l.operation] ?? 0) + 1;
    ops.push(byOp);

    base.commit({ 'app.py': body(i) });
    await new Promise((r) => setTimeout(r, 1500));
    t0 = Date.now();
    // Not spawnSync: the stand-ins answer from this process's event loop.
    const b = await run(process.execPath, [
      'bench/deploy/baseline-tool.mjs',
      base.dir,
      'base-fn',
      'qa',
      'acme-artifacts',
      `base/${i}.zip`,
    ]);
    times.baseline.push((Date.now() - t0) / 1000);
    if (b.status !== 0) throw new Error(`baseline run ${i}: ${b.stderr}`);
    const moved = JSON.parse(b.stdout) as { from: string; to: string };
    if (moved.from === moved.to) throw new Error(`baseline run ${i} published nothing`);
  }
  const served = world.lambda.functionState('lci-fn')!.aliases.qa!.FunctionVersion;
  if (Number(served) !== RUNS + 2)
    throw new Error(`lci-fn serves version ${served}, not ${RUNS + 2}: not every run released`);
  console.log(
    `bench/deploy/one: one changed function, ${RUNS} alternating runs each, stand-in at Lambda's quotas, updates InProgress ${UPDATES_MS.join(', ')} ms, ${execFileSync('nproc').toString().trim()} cores`,
  );
  const fmt = (xs: number[]) =>
    `${median(xs).toFixed(2)} s (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  console.log(`lci deploy:    ${fmt(times.lci)}`);
  console.log(`baseline tool: ${fmt(times.baseline)}`);
  const ratios = times.lci.map((t, i) => t / times.baseline[i]!);
  console.log(
    `lci / baseline: median ${median(ratios).toFixed(2)}× (per run ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
  );
  if (UPDATES_MS.length > 1)
    for (const ms of UPDATES_MS) {
      const at = ratios.filter((_, i) => updateOf(i + 1) === ms);
      console.log(`  updates of ${ms} ms: median ${median(at).toFixed(2)}× (${at.length} runs)`);
    }
  const names = [...new Set(ops.flatMap((o) => Object.keys(o)))].sort();
  console.log(
    `lci's Lambda requests per run: ${names.map((n) => `${n} ${median(ops.map((o) => o[n] ?? 0))}`).join(', ')}`,
  );
  console.log(`target: lci faster than the baseline tool: ${median(ratios) < 1 ? 'yes' : 'NO'}`);
} finally {
  await world.close();
}
