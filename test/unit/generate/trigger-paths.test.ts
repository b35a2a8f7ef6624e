import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { functionRules } from '../../../src/inputs/function-inputs.js';
import { globRule } from '../../../src/inputs/rules.js';
import { pushFilters, triggerFilters, triggerPaths } from '../../../src/generate/trigger-paths.js';
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

const filtersOf = (yaml: string, dirs: string[] = []) => {
  const r = projectOf(yaml).functions.orders!.envs.qa!;
  const spread = triggerFilters(r, functionRules(r, '', []), 'lambdas.yaml', isDir(dirs));
  if (!('filters' in spread)) throw new Error(spread.everyPush);
  return spread.filters;
};

test('excludes: the tree with what packaging leaves out; every input under the path, and the includes, without', () => {
  assert.equal(filtersOf(EXCLUDING), [
    {
      includes: ['lambdas.yaml', 'services/orders/**'],
      excludes: [
        'services/orders/tests/**',
        'services/orders/docs/**',
        'services/orders/*.md',
        'services/orders/*.txt',
        'services/orders/vendor/**',
        'services/orders/data/**',
        'services/orders/**/.DS_Store',
        'services/orders/**/.env',
      ],
    },
    {
      // the descriptor and its lockfiles, a watch glob, an include: each affects the function whatever the excludes say
      includes: ['services/orders/data/*', 'services/orders/docs/keep.md', 'services/orders/vendor/pinned/**'],
      excludes: [],
    },
  ]);
});

test("excludes: lci's defaults after the function's, a glob java.nio reads more widely left out", () => {
  const plain = filtersOf(
    EXCLUDING.replace(/ {4}exclude: .*\n {4}include: .*\n/, '    exclude: ["x**", "@(a|b)/**"]\n'),
  );
  assert.equal(plain[0]!.excludes, [
    'services/orders/**/.DS_Store',
    'services/orders/**/.env',
    'services/orders/**/.env.*',
    'services/orders/**/__pycache__/**',
    'services/orders/**/*.pyc',
    'services/orders/**/node_modules/**',
  ]);
});

test('includes: a glob nio reads more narrowly is written so it matches at least as much', () => {
  const filters = filtersOf(EXCLUDING.replace('include: ["docs/keep.md"]', 'include: ["docs/**/keep.md", "**/*.sql"]'));
  assert.equal(filters[1]!.includes, [
    'services/orders/**/*.sql',
    'services/orders/*.sql',
    'services/orders/data/*',
    'services/orders/docs/**/keep.md',
    'services/orders/docs/keep.md',
    'services/orders/vendor/pinned/**',
  ]);
  const widened = filtersOf(EXCLUDING.replace('include: ["docs/keep.md"]', 'include: ["@(a|b)/x"]'));
  assert.ok(
    widened.every((f) => f.excludes.length === 0),
    'an include of the whole path leaves nothing to exclude',
  );
});

test('excludes: a function at the repository root, or with a build command, has none', () => {
  const r = projectOf(EXCLUDING.replace('path: services/orders', 'path: .')).functions.orders!.envs.qa!;
  assert.equal(triggerFilters(r, functionRules(r, '', []), 'lambdas.yaml', isDir([])), {
    everyPush: 'the function covers the whole repository',
  });
  const built = filtersOf(
    EXCLUDING.replace(
      '    descriptor: data/requirements.txt\n',
      '    descriptor: false\n    build: { command: make, output: dist }\n',
    ),
  );
  assert.ok(built.every((f) => f.excludes.length === 0));
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
