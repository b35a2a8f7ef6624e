// Where the baseline tool of bench/deploy/one.ts spends a release of one changed function: each
// Lambda request it makes, stamped with milliseconds since its process started, against the
// stand-in at Lambda's quotas (updates InProgress 1 s). The peer of trace-one.ts.
// Usage: node --import tsx bench/deploy/trace-baseline.ts
import { spawn } from 'node:child_process';
import { AwsWorld } from '../../test/harness/aws-world.js';
import { seedFunctions } from '../../test/harness/deploy-fixture.js';
import { GitRepo } from '../../test/harness/git-repo.js';
import { AWS_LAMBDA_RATES } from '../../test/harness/lambda-standin.js';
import { handlerSource } from './one-function.js';

const world = await AwsWorld.start({ updateDelayMs: 1000, rates: AWS_LAMBDA_RATES });
try {
  await seedFunctions(world, [{ name: 'base-fn', alias: 'qa' }]);
  const base = GitRepo.create({ 'app.py': handlerSource(0, 200) });
  for (let i = 1; i <= 3; i++) {
    base.commit({ 'app.py': handlerSource(i, 200) });
    await new Promise((r) => setTimeout(r, 1500));
    world.lambda.clearLog();
    const start = Date.now();
    const end = await new Promise<number>((resolve) => {
      const c = spawn(
        process.execPath,
        ['bench/deploy/baseline-tool.mjs', base.dir, 'base-fn', 'qa', 'acme-artifacts', `base/${i}.zip`],
        { env: { ...process.env, ...world.env() } },
      );
      c.stdout.resume();
      c.stderr.resume();
      c.on('close', () => resolve(Date.now() - start));
    });
    console.log(`run ${i}`);
    for (const e of world.lambda.log)
      console.log(`${String(e.at - start).padStart(6)} ms  lambda ${e.operation} ${e.status}`);
    console.log(`${String(end).padStart(6)} ms  (exit)`);
  }
} finally {
  await world.close();
}
