import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lciAsync } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { Moto, MOTO_ACCESS_KEY } from './harness/moto.js';

// lci deploy, status and prune against moto (a third-party AWS emulator, no IAM), end to end.
// moto does not implement GetAccountSettings (it answers an HTML page): the code storage is
// informational, so status and prune say it is unknown and do their work.

const REGION = 'eu-west-1';
const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts, region: ${REGION} }
environments:
  qa: { branch: main }
functions:
  alpha: { path: svc/alpha, descriptor: false, functionName: "alpha-\${env}", runtime: python3.12, handler: app.handler }
`;

const plain = suite('moto without IAM: deploy, status and prune do their work; the storage figure is unknown');
let moto: Moto;

plain.before(async () => {
  moto = await Moto.start();
  await moto.seed(REGION, [{ name: 'alpha-qa', aliases: ['qa'] }]);
});

plain.after(() => moto.stop());

const env = () => ({
  AWS_ENDPOINT_URL: moto.endpoint,
  AWS_ACCESS_KEY_ID: MOTO_ACCESS_KEY,
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_REGION: REGION,
  AWS_MAX_ATTEMPTS: '1',
});

plain('two releases, status shows the second with the storage unknown, prune deletes the first', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/alpha/app.py': 'def handler(e, c):\n    return 1\n' });
  for (const n of [1, 2]) {
    if (n === 2) repo.commit({ 'svc/alpha/app.py': 'def handler(e, c):\n    return 2\n' });
    const d = await lciAsync(['deploy', '--env', 'qa', '--yes'], { cwd: repo.dir, env: env() });
    assert.is(d.code, 0, d.stderr);
  }
  const status = await lciAsync(['status', '--env', 'qa'], { cwd: repo.dir, env: env() });
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /alpha +qa +alpha-qa +qa → 3 /);
  assert.match(
    status.stdout,
    /\ncode storage in the region: unknown \(the endpoint does not answer GetAccountSettings \(HTTP 404\)\)\n$/,
  );
  const json = await lciAsync(['status', '--env', 'qa', '--json'], { cwd: repo.dir, env: env() });
  assert.equal(JSON.parse(json.stdout).storage, {
    unknown: 'the endpoint does not answer GetAccountSettings (HTTP 404)',
  });
  const pruned = await lciAsync(['prune', '--env', 'qa', '--keep', '1', '--yes', '--json'], {
    cwd: repo.dir,
    env: env(),
  });
  assert.is(pruned.code, 0, pruned.stderr);
  const result = JSON.parse(pruned.stdout) as {
    functions: { status: string; versions: { version: string; action: string }[] }[];
  };
  assert.is(result.functions[0]!.status, 'PRUNED');
  assert.equal(
    result.functions[0]!.versions.filter((v) => v.action === 'DELETED').map((v) => v.version),
    ['2'],
    'version 1 is not lci’s (Terraform made it), version 3 is served',
  );
});

plain.run();
