import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configurationsByFunction } from '../../../src/config/select.js';
import { functionRules } from '../../../src/inputs/function-inputs.js';
import { globRule } from '../../../src/inputs/rules.js';
import { affectedFunctions, everyFunction } from '../../../src/plan/affected.js';
import { projectOf } from '../../harness/project.js';

const project = projectOf(`version: 1
artifacts: { bucket: acme-artifacts }
shared: [libs/common/**]
environments: { qa: { branch: main }, prod: { tag: "v*" } }
functions:
  orders: { path: services/orders, exclude: ["tests/**"], functionName: "orders-\${env}" }
  web: { path: services/web, runtime: nodejs20.x, environments: { prod: false } }
`);

function plan(changed: string[], env?: string, extra: Partial<Parameters<typeof affectedFunctions>[0]> = {}) {
  const selected = configurationsByFunction(project, env);
  const rules = new Map([...selected].map(([name, envs]) => [name, envs.flatMap((r) => functionRules(r, '', []))]));
  return affectedFunctions({
    selected,
    rules,
    shared: [globRule('shared', '', 'libs/common/**')],
    changed,
    configInRepo: 'lambdas.yaml',
    ignore: new Set(['lambdas.yaml']),
    configDiff: null,
    baseConfigProblem: null,
    env,
    ...extra,
  });
}

const summary = (fs: ReturnType<typeof plan>) =>
  Object.fromEntries(fs.filter((f) => f.affected).map((f) => [f.name, f.reasons.map((r) => `${r.rule}:${r.path}`)]));

test('a path under a function, an excluded file, a shared glob', () => {
  assert.equal(summary(plan(['services/orders/app.py', 'services/orders/tests/t.py'])), { orders: ['path:services/orders/app.py'] });
  assert.equal(summary(plan(['libs/common/x.py'])), { orders: ['shared:libs/common/x.py'], web: ['shared:libs/common/x.py'] });
});

test('the config file is judged by the configuration diff, never as a path', () => {
  assert.equal(summary(plan(['lambdas.yaml'])), {});
  const diff = { changed: ['web'], added: ['orders'], removed: ['gone'], layersChanged: [], layersAdded: [] };
  const fs = plan(['lambdas.yaml'], undefined, { configDiff: diff });
  assert.equal(summary(fs), { orders: ['new:lambdas.yaml'], web: ['config:lambdas.yaml'] });
  assert.equal(
    fs.find((f) => f.name === 'gone'),
    { name: 'gone', affected: false, removed: true, reasons: [{ path: 'lambdas.yaml', rule: 'removed' }], reasonCount: 1 },
  );
});

test('an unreadable base config affects every function, saying why', () => {
  const fs = plan([], undefined, { baseConfigProblem: 'lambdas.yaml at base 1234567 is invalid' });
  assert.equal(
    fs.map((f) => [f.name, f.affected, f.reasons[0]!.detail]),
    [
      ['orders', true, 'lambdas.yaml at base 1234567 is invalid'],
      ['web', true, 'lambdas.yaml at base 1234567 is invalid'],
    ],
  );
});

test('with an environment: its AWS names, and functions it skips left out', () => {
  const fs = plan(['services/orders/app.py', 'services/web/index.js'], 'prod');
  assert.equal(
    fs.map((f) => [f.name, f.awsName, f.affected]),
    [['orders', 'orders-prod', true]],
  );
});

test('every function, for one reason', () => {
  assert.equal(
    everyFunction(configurationsByFunction(project, 'qa'), 'qa', { path: null, rule: 'all' }).map((f) => [f.name, f.awsName]),
    [
      ['orders', 'orders-qa'],
      ['web', 'web'],
    ],
  );
});

test.run();
