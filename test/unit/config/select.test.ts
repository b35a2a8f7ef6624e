import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  configurationsByFunction,
  functionsOf,
  selectTargets,
  targetsInEnvironments,
} from '../../../src/config/select.js';
import { UsageError } from '../../../src/errors.js';
import { projectOf } from '../../harness/project.js';

const project = projectOf(`version: 1
artifacts: { bucket: acme-artifacts }
environments: { qa: { branch: main }, prod: { tag: "v*" } }
functions:
  orders: { path: svc/orders }
  web: { path: svc/web, environments: { prod: false } }
  odd: { path: svc/odd, environments: { prod: { architecture: arm64 } } }
`);

const usage = (run: () => unknown, message: RegExp) =>
  assert.throws(run, (e: unknown) => e instanceof UsageError && message.test((e as Error).message));

test('an unknown environment is a usage error with a suggestion, in every selection', () => {
  usage(
    () => functionsOf(project, 'prd'),
    /^--env prd: no such environment \(did you mean 'prod'\?\); declared: qa, prod$/,
  );
  usage(() => selectTargets(project, [], 'staging'), /no such environment/);
  usage(() => configurationsByFunction(project, 'staging'), /no such environment/);
  usage(() => targetsInEnvironments(project, [], ['staging']), /no such environment/);
});

test('an unknown function is a usage error with a suggestion', () => {
  usage(
    () => selectTargets(project, ['order'], 'qa'),
    /^no function named 'order' \(did you mean 'orders'\?\); functions: orders, web, odd$/,
  );
});

test("an environment's functions leave out those that skip it; naming a skipped one is an error", () => {
  assert.equal(
    functionsOf(project, 'prod').map((r) => r.name),
    ['orders', 'odd'],
  );
  usage(() => selectTargets(project, ['web'], 'prod'), /^function web is not deployed to environment prod/);
});

test('without an environment, a function that builds differently per environment needs --env', () => {
  assert.equal(
    selectTargets(project, ['orders', 'web'], undefined).map((r) => r.name),
    ['orders', 'web'],
  );
  usage(
    () => selectTargets(project, ['odd'], undefined),
    /^function odd builds differently per environment \(architecture: "x86_64" in qa, "arm64" in prod\); pass --env$/,
  );
});

test('status reads every environment, or only the named functions in each', () => {
  assert.equal(
    targetsInEnvironments(project, [], ['qa', 'prod']).map((r) => `${r.name}@${r.env}`),
    ['orders@qa', 'web@qa', 'odd@qa', 'orders@prod', 'odd@prod'],
  );
  assert.equal(
    targetsInEnvironments(project, ['orders'], ['qa', 'prod']).map((r) => `${r.name}@${r.env}`),
    ['orders@qa', 'orders@prod'],
  );
});

test.run();
