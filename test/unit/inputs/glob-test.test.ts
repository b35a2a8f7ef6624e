import picomatch from 'picomatch';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { globTest } from '../../../src/inputs/glob-test.js';
import { DEFAULT_EXCLUDES } from '../../../src/inputs/package-filter.js';

// globTest stands in for picomatch's matchers on every hot path of plan and packaging: it must
// answer exactly as picomatch does, for every kind of glob lci accepts and every kind of path.
const GLOBS = [
  ...DEFAULT_EXCLUDES.all,
  ...DEFAULT_EXCLUDES.python,
  '**',
  '*',
  'src/**',
  'proto/**/*.proto',
  'libs/lib-03/**',
  '**/*.{js,ts}',
  '*.md',
  'docs/**/!(*.png)',
  'a/[bc]/d?.txt',
  'x/**/y/**',
  'node_modules',
  'node_modules/**',
  '.env',
  'tests/**',
  'src/+(a|b)/*.py',
  'weird name/** with spaces',
  'dir/',
  '!negated/**',
  'lit.txt',
  '(a|b)',
];
const PATHS = [
  '',
  'a',
  '.env',
  '.env.local',
  'x/.env',
  'src/.git/config',
  '.git/HEAD',
  'src/__pycache__/m.pyc',
  'm.pyc',
  'pkg/node_modules/left-pad/index.js',
  'node_modules',
  'node_modules/x',
  'proto/v1/m1.proto',
  'proto/m.proto',
  'proto/v1/m1.md',
  'libs/lib-03/src/p0/f0.py',
  'libs/lib-030/x.py',
  'src/a.js',
  'src/deep/er/b.ts',
  'README.md',
  'docs/x/y.md',
  'docs/x/y.png',
  'a/b/d1.txt',
  'a/d/d1.txt',
  'x/1/y/2/z',
  'tests/t.py',
  'src/a/m.py',
  'src/c/m.py',
  'weird name/x with spaces',
  'dir',
  'dir/',
  'negated/x',
  'other/x',
  'lit.txt',
  '(a|b)',
  'a\\b',
  '.DS_Store',
  'x/.DS_Store',
];

test('answers as picomatch does, glob by glob and for lists, with and without dot', () => {
  for (const dot of [true, false])
    for (const glob of GLOBS) {
      const ours = globTest(glob, { dot });
      const theirs = picomatch(glob, { dot });
      for (const p of PATHS)
        assert.is(ours(p), theirs(p), `${JSON.stringify(glob)} on ${JSON.stringify(p)}, dot ${dot}`);
    }
  const ours = globTest(GLOBS, { dot: true });
  const theirs = picomatch(GLOBS, { dot: true });
  for (const p of PATHS) assert.is(ours(p), theirs(p), `the list on ${JSON.stringify(p)}`);
});

test.run();
