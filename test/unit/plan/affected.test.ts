import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configurationsByFunction } from '../../../src/config/select.js';
import { functionRules } from '../../../src/inputs/function-inputs.js';
import { ALL, bestPerTarget, InputIndex } from '../../../src/inputs/matcher.js';
import { globRule, pathRule, treeRule, type InputRule } from '../../../src/inputs/rules.js';
import {
  affectedFunctions,
  everyFunction,
  matchChanges,
  reasonsFor,
  type Matches,
} from '../../../src/plan/affected.js';
import { MAX_REASONS, type Reason } from '../../../src/plan/types.js';
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
  assert.equal(summary(plan(['services/orders/app.py', 'services/orders/tests/t.py'])), {
    orders: ['path:services/orders/app.py'],
  });
  assert.equal(summary(plan(['libs/common/x.py'])), {
    orders: ['shared:libs/common/x.py'],
    web: ['shared:libs/common/x.py'],
  });
});

test('the config file is judged by the configuration diff, never as a path', () => {
  assert.equal(summary(plan(['lambdas.yaml'])), {});
  const diff = { changed: ['web'], added: ['orders'], removed: ['gone'], layersChanged: [], layersAdded: [] };
  const fs = plan(['lambdas.yaml'], undefined, { configDiff: diff });
  assert.equal(summary(fs), { orders: ['new:lambdas.yaml'], web: ['config:lambdas.yaml'] });
  assert.equal(
    fs.find((f) => f.name === 'gone'),
    {
      name: 'gone',
      affected: false,
      removed: true,
      reasons: [{ path: 'lambdas.yaml', rule: 'removed' }],
      reasonCount: 1,
    },
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
    everyFunction(configurationsByFunction(project, 'qa'), 'qa', { path: null, rule: 'all' }).map((f) => [
      f.name,
      f.awsName,
    ]),
    [
      ['orders', 'orders-qa'],
      ['web', 'web'],
    ],
  );
});

/** The tallies a path at a time and a function at a time: what matchChanges must equal, however it counts. */
function oneByOne(changed: string[], rules: Map<string, InputRule[]>, shared: InputRule[]): Matches {
  const index = new InputIndex();
  for (const [name, list] of rules) for (const rule of list) index.add(rule, name);
  for (const rule of shared) index.add(rule, ALL);
  const out: Matches = { own: new Map(), shared: { reasons: [], count: 0, alsoShared: 0 } };
  const reason = (path: string, rule: InputRule): Reason => ({
    path,
    rule: rule.kind,
    pattern: rule.pattern,
    ...(rule.via ? { via: rule.via } : {}),
  });
  for (const path of changed) {
    const hits: [string | typeof ALL, InputRule][] = [];
    bestPerTarget(index.matching(path), (target, rule) => hits.push([target, rule]));
    const isShared = hits.some(([t]) => t === ALL);
    for (const [target, rule] of hits) {
      const tally =
        target === ALL
          ? out.shared
          : (out.own.get(target) ?? out.own.set(target, { reasons: [], count: 0, alsoShared: 0 }).get(target)!);
      tally.count++;
      if (isShared && target !== ALL) tally.alsoShared++;
      if (tally.reasons.length < MAX_REASONS) tally.reasons.push(reason(path, rule));
    }
  }
  return out;
}

test('counting a rule once for all its functions gives what matching each function on its own gives', () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const globs = ['proto/**/*.proto', 'libs/a/**', 'libs/b/**', 'libs/**/*.json', 'tools/ci/*.yml', 'libs/a/x.txt'];
  const dirs = [
    'proto/v1',
    'proto/v2',
    'libs/a',
    'libs/a/deep',
    'libs/b',
    'tools/ci',
    'services/s0',
    'services/s1',
    'services/s2',
    'docs',
  ];
  const files = ['m.proto', 'x.txt', 'c.json', 'p.yml', 'app.py', 'README.md'];
  let tallied = 0;
  for (let round = 0; round < 40; round++) {
    const rules = new Map<string, InputRule[]>();
    for (let f = 0; f < 1 + random(12); f++) {
      const own: InputRule[] = [pathRule(`services/s${random(3)}`, (rel) => rel.endsWith('.md'), '*.md')];
      for (let w = random(3); w > 0; w--) own.push(globRule('watch', '', globs[random(globs.length)]!));
      if (random(4) === 0) own.push(treeRule('local-dependency', 'libs/a', `services/s${f % 3}/requirements.txt`));
      rules.set(`fn-${f}`, own);
    }
    const shared = random(2) === 0 ? [globRule('shared', '', globs[random(globs.length)]!)] : [];
    const changed = Array.from(
      { length: random(80) },
      () => `${dirs[random(dirs.length)]}/${files[random(files.length)]}`,
    );
    const expected = oneByOne(changed, rules, shared);
    const matches = matchChanges(changed, rules, shared, new Set());
    assert.equal(matches.shared, expected.shared, `round ${round}: shared`);
    for (const name of rules.keys())
      assert.equal(reasonsFor(name, matches), reasonsFor(name, expected), `round ${round}, ${name}`);
    tallied += expected.own.size;
  }
  assert.ok(tallied > 50, `the rounds matched something (${tallied} tallies)`);
});

test.run();
