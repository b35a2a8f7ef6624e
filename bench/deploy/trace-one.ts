// Where one changed function's release spends its time: lci deploy --verbose against the stand-in
// at Lambda's quotas (updates InProgress 1 s), each stderr line and each Lambda request stamped
// with milliseconds since the process started. A look inside bench/deploy/one.ts's lci runs.
// Usage: npm run build && node --import tsx bench/deploy/trace-one.ts
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AwsWorld } from '../../test/harness/aws-world.js';
import { LCI_BIN } from '../../test/harness/cli.js';
import { seedFunctions } from '../../test/harness/deploy-fixture.js';
import { AWS_LAMBDA_RATES } from '../../test/harness/lambda-standin.js';
import { handlerSource, oneFunctionRepo } from './one-function.js';

const world = await AwsWorld.start({ updateDelayMs: 1000, rates: AWS_LAMBDA_RATES });
try {
  await seedFunctions(world, [{ name: 'lci-fn', alias: 'qa' }]);
  const body = (n: number) => handlerSource(n);
  const repo = oneFunctionRepo();
  const deploy = () =>
    new Promise<{ start: number; lines: [number, string][] }>((resolve) => {
      const start = Date.now();
      const lines: [number, string][] = [];
      const child = spawn(process.execPath, [LCI_BIN, 'deploy', '--env', 'qa', '--verbose'], {
        cwd: repo.dir,
        env: { ...process.env, ...world.env(), CI: '1' },
      });
      let buf = '';
      child.stderr.on('data', (b: Buffer) => {
        buf += b;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push([Date.now() - start, buf.slice(0, i)]);
          buf = buf.slice(i + 1);
        }
      });
      child.stdout.resume();
      child.on('close', () => {
        lines.push([Date.now() - start, '(exit)']);
        resolve({ start, lines });
      });
    });
  await deploy();
  for (let i = 1; i <= 3; i++) {
    repo.commit({ 'svc/fn/app.py': body(i) });
    rmSync(join(repo.dir, '.lci'), { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 1500));
    world.lambda.clearLog();
    const { start, lines } = await deploy();
    const events = [
      ...lines.map(([t, l]) => [t, `stderr ${l}`] as const),
      ...world.lambda.log.map((e) => [e.at - start, `lambda ${e.operation} ${e.status}`] as const),
    ].sort((a, b) => a[0] - b[0]);
    console.log(`run ${i}`);
    for (const [t, what] of events) console.log(`${String(t).padStart(6)} ms  ${what.slice(0, 110)}`);
  }
} finally {
  await world.close();
}
