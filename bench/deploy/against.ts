// Two builds of lci side by side on one changed function: each run commits a change and deploys it
// with build A, then with build B (alternating, each a process of its own), against the Lambda
// stand-in at Lambda's quotas with code updates InProgress for 1 s, as bench/deploy/one.ts does.
// Reports each build's median wall time and B / A per run. Every run must release (exit 0 and the
// alias moved to the new version), or the bench stops.
// Usage: node --import tsx bench/deploy/against.ts PATH/TO/A/bin/lci.js PATH/TO/B/bin/lci.js [RUNS]
//   LCI_BENCH_OTHER_FILES=N: N more tracked files outside the function (a monorepo's), default 0
//   LCI_BENCH_NAMED_DESCRIPTOR=1: the function names its (empty) requirements.txt instead of descriptor: false
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AwsWorld } from '../../test/harness/aws-world.js';
import { seedFunctions } from '../../test/harness/deploy-fixture.js';
import { AWS_LAMBDA_RATES } from '../../test/harness/lambda-standin.js';
import { handlerSource, oneFunctionRepo } from './one-function.js';

const [a, b] = [process.argv[2], process.argv[3]].map((p) => (p ? resolve(p) : undefined));
if (!a || !b) throw new Error('usage: bench/deploy/against.ts A/bin/lci.js B/bin/lci.js [RUNS]');
const RUNS = Number(process.argv[4] ?? 11);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const world = await AwsWorld.start({ updateDelayMs: 1000, rates: AWS_LAMBDA_RATES });
try {
  await seedFunctions(world, [{ name: 'lci-fn', alias: 'qa' }]);
  const otherFiles = Number(process.env.LCI_BENCH_OTHER_FILES ?? 0);
  const namedDescriptor = process.env.LCI_BENCH_NAMED_DESCRIPTOR === '1';
  const repo = oneFunctionRepo(0, otherFiles, namedDescriptor);
  let change = 0;
  const deploy = async (bin: string): Promise<number> => {
    repo.commit({ 'svc/fn/app.py': handlerSource(++change) });
    rmSync(join(repo.dir, '.lci'), { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 1200)); // the quota buckets fill up again
    const before = world.lambda.functionState('lci-fn')!.aliases.qa!.FunctionVersion;
    const t0 = Date.now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [bin, 'deploy', '--env', 'qa', '--json'], {
        cwd: repo.dir,
        env: { ...process.env, ...world.env(), CI: '1' },
      });
      let err = '';
      child.stdout.resume();
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('close', (status) => done({ code: status, stderr: err }));
    });
    const took = Date.now() - t0;
    const after = world.lambda.functionState('lci-fn')!.aliases.qa!.FunctionVersion;
    if (code !== 0 || Number(after) !== Number(before) + 1)
      throw new Error(`${bin}: exit ${code}, alias ${before} → ${after}: not released\n${stderr}`);
    return took;
  };
  await deploy(a); // warm-up: the compile caches of both builds
  await deploy(b);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ta.push(await deploy(a));
    tb.push(await deploy(b));
  }
  const ratios = tb.map((t, i) => t / ta[i]!);
  console.log(
    `bench/deploy/against: one changed function${otherFiles ? ` in a repository of ${otherFiles + (namedDescriptor ? 4 : 3)} tracked files` : ''}${namedDescriptor ? ', its descriptor named' : ''}, ${RUNS} alternating runs each, updates InProgress 1 s`,
  );
  console.log(`A ${a}: ${median(ta)} ms`);
  console.log(`B ${b}: ${median(tb)} ms`);
  console.log(`B / A: median ${median(ratios).toFixed(3)}× (per run ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
} finally {
  await world.close();
}
