import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { functionRules } from '../../../src/inputs/function-inputs.js';
import { globRule } from '../../../src/inputs/rules.js';
import { triggerPaths } from '../../../src/generate/trigger-paths.js';
import { projectOf } from '../../harness/project.js';

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts }
environments: { qa: { branch: main } }
functions:
  orders:
    path: services/orders
    descriptor: ../../requirements/orders.txt
    watch: [libs/payments/**, "schemas/*.json"]
`;

const isDir = (dirs: string[]) => (p: string) => dirs.includes(p);

test("a function's triggers: its tree, the descriptor's directory, local dependencies, watch and shared globs, the config", () => {
  const r = projectOf(CONFIG).functions.orders!.envs.qa!;
  const rules = [
    ...functionRules(r, '', [
      { path: 'libs/pylib', via: 'requirements/orders.txt' },
      { path: 'libs/acme.whl', via: 'requirements/orders.txt' },
    ]),
    globRule('shared', '', 'libs/common/**'),
  ];
  assert.equal(triggerPaths(rules, 'lambdas.yaml', isDir(['libs/pylib'])), [
    'lambdas.yaml',
    'libs/acme.whl',
    'libs/common/**',
    'libs/payments/**',
    'libs/pylib/**',
    'requirements/*',
    'schemas/*.json',
    'services/orders/**',
  ]);
});

test('a pattern inside another tree is dropped; a tree at the root is everything', () => {
  const r = projectOf(CONFIG.replace('watch: [libs/payments/**, "schemas/*.json"]', 'watch: [services/orders/sub/**]')).functions.orders!.envs.qa!;
  assert.not.ok(triggerPaths(functionRules(r, '', []), 'lambdas.yaml', isDir([])).includes('services/orders/sub/**'));
  const root = projectOf(CONFIG.replace('path: services/orders', 'path: .')).functions.orders!.envs.qa!;
  assert.equal(triggerPaths(functionRules(root, '', []), 'lambdas.yaml', isDir([])), ['**']);
});

test('config below the repository root: every path is repository-relative', () => {
  const r = projectOf(CONFIG, 'deploy').functions.orders!.envs.qa!;
  const paths = triggerPaths(functionRules(r, 'deploy', []), 'deploy/lambdas.yaml', isDir([]));
  assert.ok(paths.includes('deploy/services/orders/**'), paths.join(' '));
  assert.ok(paths.includes('deploy/libs/payments/**'), paths.join(' '));
  assert.ok(paths.includes('deploy/lambdas.yaml'));
});

test.run();
