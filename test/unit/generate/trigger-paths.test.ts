import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { functionRules } from '../../../src/inputs/function-inputs.js';
import { globRule } from '../../../src/inputs/rules.js';
import { pushFilters, triggerExcludes, triggerPaths } from '../../../src/generate/trigger-paths.js';
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
  const r = projectOf(CONFIG.replace('watch: [libs/payments/**, "schemas/*.json"]', 'watch: [services/orders/sub/**]'))
    .functions.orders!.envs.qa!;
  assert.not.ok(triggerPaths(functionRules(r, '', []), 'lambdas.yaml', isDir([])).includes('services/orders/sub/**'));
  const root = projectOf(
    CONFIG.replace('path: services/orders', 'path: .').replace('../../requirements', 'requirements'),
  ).functions.orders!.envs.qa!;
  assert.equal(triggerPaths(functionRules(root, '', []), 'lambdas.yaml', isDir([])), ['**']);
});

test('config below the repository root: every path is repository-relative', () => {
  const r = projectOf(CONFIG, 'deploy').functions.orders!.envs.qa!;
  const paths = triggerPaths(functionRules(r, 'deploy', []), 'deploy/lambdas.yaml', isDir([]));
  assert.ok(paths.includes('deploy/services/orders/**'), paths.join(' '));
  assert.ok(paths.includes('deploy/libs/payments/**'), paths.join(' '));
  assert.ok(paths.includes('deploy/lambdas.yaml'));
});

test("literal parts are escaped for CodePipeline's glob syntax; the user's glob part is kept", () => {
  const r = projectOf(CONFIG, 'de*ploy {x}').functions.orders!.envs.qa!;
  const paths = triggerPaths(functionRules(r, 'de*ploy {x}', []), 'de*ploy {x}/lambdas.yaml', isDir([]));
  assert.ok(paths.includes('de\\*ploy \\{x\\}/lambdas.yaml'), paths.join(' '));
  assert.ok(paths.includes('de\\*ploy \\{x\\}/services/orders/**'), paths.join(' '));
  assert.ok(paths.includes('de\\*ploy \\{x\\}/schemas/*.json'), paths.join(' '));
});

const EXCLUDING = `version: 1
artifacts: { bucket: acme-artifacts }
environments: { qa: { branch: main } }
functions:
  orders:
    path: services/orders
    exclude: ["tests/**", "docs/**", "*.md", "*.txt", "vendor/**", "data/**"]
    include: ["docs/keep.md"]
    watch: ["services/orders/vendor/pinned/**"]
    descriptor: data/requirements.txt
`;

test('excludes: repository-relative, and dropped where they could match another input (include, watch, descriptor, lockfiles)', () => {
  const r = projectOf(EXCLUDING).functions.orders!.envs.qa!;
  const rules = functionRules(r, '', []);
  assert.equal(triggerExcludes(r, rules, 'lambdas.yaml'), [
    'services/orders/*.md',
    'services/orders/*.txt',
    'services/orders/tests/**',
  ]);
  // with the descriptor (and so its lockfiles) directly in the path, '*.txt' could match requirements.txt
  const beside = projectOf(EXCLUDING.replace('descriptor: data/requirements.txt', 'runtime: python3.12')).functions
    .orders!.envs.qa!;
  assert.equal(triggerExcludes(beside, functionRules(beside, '', []), 'lambdas.yaml'), [
    'services/orders/*.md',
    'services/orders/data/**',
    'services/orders/tests/**',
  ]);
});

test('excludes: a function at the repository root has none; at most 8', () => {
  const root = projectOf(EXCLUDING.replace('path: services/orders', 'path: .')).functions.orders!.envs.qa!;
  assert.equal(triggerExcludes(root, functionRules(root, '', []), 'lambdas.yaml'), []);
  const many = projectOf(
    EXCLUDING.replace('exclude: [', `exclude: [${Array.from({ length: 12 }, (_, i) => `"x${i}/**"`).join(', ')}, `),
  ).functions.orders!.envs.qa!;
  assert.is(triggerExcludes(many, functionRules(many, '', []), 'lambdas.yaml').length, 8);
});

test('push filters: 8 paths each, up to 3; more, a pattern over 255 characters, or everything: every push', () => {
  const paths = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, '0')}/**`);
  const spread = pushFilters(paths(17), ['x/**']);
  assert.ok('filters' in spread);
  if ('filters' in spread) {
    assert.equal(
      spread.filters.map((f) => f.includes.length),
      [8, 8, 1],
    );
    assert.equal(
      spread.filters.map((f) => f.excludes),
      [['x/**'], ['x/**'], ['x/**']],
    );
  }
  const at24 = pushFilters(paths(24), []);
  assert.ok('filters' in at24 && at24.filters.length === 3);
  assert.equal(pushFilters(paths(25), []), {
    everyPush: "25 trigger paths exceed CodePipeline's limit of 24 (3 push filters of 8)",
  });
  assert.ok('everyPush' in pushFilters(['a'.repeat(256)], []));
  assert.ok('everyPush' in pushFilters(['**'], []));
  const longExclude = pushFilters(['a/**'], ['b'.repeat(256), 'c/**']);
  assert.ok(
    'filters' in longExclude && longExclude.filters[0]!.excludes.length === 1,
    'an exclude CodePipeline cannot take is dropped',
  );
});

test.run();
