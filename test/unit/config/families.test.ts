import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandFamilies } from '../../../src/config/families.js';

const TREE: Record<string, string[]> = {
  '': ['jobs', 'services'],
  jobs: ['a', 'b', 'Bad_Name', '.hidden'],
  services: ['x', 'y'],
  'services/x': ['lambda'],
  'services/y': [],
};
const dirs = (d: string) => TREE[d] ?? [];

test('one function per matching directory, in name order, in the family’s place; ${dir} expands in every string', () => {
  const data = {
    functions: {
      first: { path: 'first' },
      'sync-*': {
        pathPattern: 'jobs/*',
        handler: '${dir}.handler',
        functionName: 'sync-${dir}-${env}',
        environments: { qa: { watch: ['libs/${dir}/**'] } },
      },
      last: { path: 'last' },
    },
  };
  const { data: out, members, problems } = expandFamilies(data, '', (d) => dirs(d).filter((n) => n !== 'Bad_Name'));
  assert.equal(problems, []);
  assert.equal(Object.keys(out.functions as object), ['first', 'sync-a', 'sync-b', 'last']);
  assert.equal((out.functions as Record<string, unknown>)['sync-b'], {
    path: 'jobs/b',
    handler: 'b.handler',
    functionName: 'sync-b-${env}',
    environments: { qa: { watch: ['libs/b/**'] } },
  });
  assert.equal(
    [...members],
    [
      ['sync-a', 'sync-*'],
      ['sync-b', 'sync-*'],
    ],
  );
  assert.equal(data.functions['sync-*'].handler, '${dir}.handler', 'the written data is left as it was');
});

test('a segment after the * must exist; the pattern is relative to the config directory', () => {
  const { data } = expandFamilies({ functions: { 'api-*': { pathPattern: '*/lambda' } } }, 'services', dirs);
  assert.equal(data.functions, { 'api-x': { path: 'x/lambda' } }, 'services/y has no lambda/');
});

test('a directory that makes no valid name, or a name another function has, is an error at the family; no directory a warning', () => {
  const r = expandFamilies(
    {
      functions: { 'sync-a': { path: 'p' }, 'sync-*': { pathPattern: 'jobs/*' }, 'none-*': { pathPattern: 'empty/*' } },
    },
    '',
    dirs,
  );
  assert.equal(
    r.problems.map((p) => [p.path.join('.'), p.severity, p.message.split(':')[0]]),
    [
      [
        'functions.sync-*',
        'error',
        "directory 'jobs/Bad_Name' would make the function 'sync-Bad_Name', which is not a valid name (lowercase letters, digits and dashes, starting with a letter, at most 64 characters); rename the directory",
      ],
      ['functions.sync-*', 'error', "directory 'jobs/a' makes the function 'sync-a', which is also written out"],
      ['functions.none-*.pathPattern', 'warning', "'empty/*' matches no directory"],
    ],
  );
  assert.equal(Object.keys(r.data.functions as object), ['sync-a', 'sync-b']);
});

test('a pattern that leaves the repository, or has no whole * segment, is refused', () => {
  const r = expandFamilies(
    { functions: { 'a-*': { pathPattern: '../*' }, 'b-*': { pathPattern: 'jobs/x*' } } },
    '',
    dirs,
  );
  assert.equal(
    r.problems.map((p) => p.message),
    [
      "'../*' leaves the repository",
      "needs exactly one '*' segment, a whole directory name (jobs/*, services/*/lambda)",
    ],
  );
});

test.run();
