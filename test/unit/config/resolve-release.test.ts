import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectOf } from '../../harness/project.js';

// smoke and confirm, resolved: smoke lists accumulate like alarms (the environment's first), confirm is per environment.

const project = projectOf(
  `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  smoke: [{ event: { ping: true } }]
environments:
  qa: { branch: main, smoke: [{ event: { env: qa } }] }
  prod: { tag: "v*", confirm: true }
functions:
  orders:
    path: svc/orders
    smoke:
      - { file: smoke/order.json, expect: { statusCode: 200 } }
      - { event: { ping: true } }
    environments:
      prod: { smoke: [{ event: { prod: 1 }, expect: null }] }
  web: { path: svc/web }
`,
  'deploy',
);

test('smoke: the environment first, then defaults, the function, its override; duplicates once; files placed in the repository', () => {
  assert.equal(project.functions.orders!.envs.qa!.smoke, [
    { event: { env: 'qa' } },
    { event: { ping: true } },
    { file: 'deploy/smoke/order.json', expect: { statusCode: 200 } },
  ]);
  assert.equal(project.functions.orders!.envs.prod!.smoke, [
    { event: { ping: true } },
    { file: 'deploy/smoke/order.json', expect: { statusCode: 200 } },
    { event: { prod: 1 }, expect: null },
  ]);
  assert.equal(project.functions.web!.envs.prod!.smoke, [{ event: { ping: true } }]);
});

test('confirm: false unless the environment says true', () => {
  assert.is(project.environments.qa!.confirm, false);
  assert.is(project.environments.prod!.confirm, true);
});

test.run();
