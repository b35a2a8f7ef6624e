import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packageJsonReferences, requirementsReferences } from '../src/config/descriptors.js';
import { localDependencies } from '../src/config/local-deps.js';
import { ancestors, bestPerTarget, InputIndex } from '../src/inputs/matcher.js';
import { globRule, lockfileRule, pathRule, treeRule, type InputRule } from '../src/inputs/rules.js';

test('requirements: path lines, -e, -r/-c includes, file: URLs, -f directories; index packages ignored', () => {
  const refs = requirementsReferences(
    [
      '# comment',
      'requests==2.32.0',
      './vendor/lib-a',
      '../../libs/common[extra,more]  # with extras',
      '-e ../shared/pkg',
      '--editable=../shared/other',
      '-r base.txt',
      '--constraint ../constraints.txt',
      'acme @ file:../wheels/acme-1.0-py3-none-any.whl ; python_version >= "3.9"',
      'remote @ https://example.com/remote.whl',
      '-f ./wheelhouse',
      '--index-url https://pypi.example.com/simple',
      'git+https://github.com/x/y.git#egg=y',
      'continued \\',
      '  ==1.0',
    ].join('\n'),
  );
  assert.equal(
    refs.map((r) => [r.path, r.kind, r.line, r.col]),
    [
      ['./vendor/lib-a', 'path', 3, 1],
      ['../../libs/common', 'path', 4, 1],
      ['../shared/pkg', 'path', 5, 4],
      ['../shared/other', 'path', 6, 12],
      ['base.txt', 'include', 7, 4],
      ['../constraints.txt', 'include', 8, 14],
      ['../wheels/acme-1.0-py3-none-any.whl', 'path', 9, 8],
      ['./wheelhouse', 'find-links', 11, 4],
    ],
  );
});

test("requirements: a line is a path exactly when pip reads it as one (a '/', a leading '.', an archive name)", () => {
  const refs = requirementsReferences(
    [
      'libs/common/',
      'libs/extras[fast] ; python_version >= "3.9"',
      'libs/hashed --hash=sha256:0123abcd',
      '.hidden',
      'acme_common-1.0.0-py3-none-any.whl',
      'vendor.tar.gz',
      'common',
      'requests>=2.0 ; sys_platform == "linux"',
      'remote @ https://example.com/x/remote-1.0-py3-none-any.whl',
      'dotted.name==1.0',
      '-e libs/editable',
      '-e git+https://github.com/x/y.git#egg=y',
      'file:///abs/pkg',
      'https://example.com/pkg.tar.gz',
    ].join('\n'),
  );
  assert.equal(
    refs.map((r) => [r.path, r.kind, r.line, r.col]),
    [
      ['libs/common/', 'path', 1, 1],
      ['libs/extras', 'path', 2, 1],
      ['libs/hashed', 'path', 3, 1],
      ['.hidden', 'path', 4, 1],
      ['acme_common-1.0.0-py3-none-any.whl', 'path', 5, 1],
      ['vendor.tar.gz', 'path', 6, 1],
      ['libs/editable', 'path', 11, 4],
      ['/abs/pkg', 'path', 13, 1],
    ],
    "a bare name ('common') is a project for the index, as pip reads it, even where a directory of that name exists",
  );
});

test('package.json: file:, link: and relative specs in runtime dependencies only', () => {
  const refs = packageJsonReferences(
    JSON.stringify({
      dependencies: { a: 'file:../a', b: '^1.0.0', c: 'link:../c', d: '../d', e: 'file:../e.tgz' },
      optionalDependencies: { f: 'file:../f' },
      devDependencies: { g: 'file:../g' },
      peerDependencies: { h: 'file:../h' },
    }),
  );
  assert.equal(
    refs.map((r) => r.path),
    ['../a', '../c', '../d', '../e.tgz', '../f'],
  );
  assert.equal(packageJsonReferences('{ not json'), []);
});

test("pip's working directory: path lines in an included file resolve against the descriptor's directory, -r against the including file", async () => {
  const files: Record<string, string> = {
    'svc/orders/requirements.txt': '-r ../../reqs/common.txt\n',
    'reqs/common.txt': '-r more.txt\n../../libs/pylib\n-f wheels\n',
    'reqs/more.txt': '',
  };
  const read = async (paths: string[]) => new Map(paths.map((p) => [p, files[p] ?? null] as const));
  const deps = await localDependencies('python', 'svc/orders/requirements.txt', read);
  assert.equal(
    deps.map((d) => [d.path, d.kind]),
    [
      ['reqs/common.txt', 'include'],
      ['reqs/more.txt', 'include'],
      ['libs/pylib', 'path'],
      ['reqs/wheels', 'find-links'],
    ],
  );
});

test('local dependencies follow includes and nested packages, stay inside the repository, and stop at cycles', async () => {
  const files: Record<string, string> = {
    'svc/requirements.txt': '-r ../reqs/base.txt\n../../outside\n/abs/path\n',
    'reqs/base.txt': '-r base.txt\n../libs/py\n',
    'web/package.json': JSON.stringify({ dependencies: { a: 'file:../libs/a' } }),
    'libs/a/package.json': JSON.stringify({ dependencies: { b: 'file:../b' } }),
    'libs/b/package.json': JSON.stringify({ dependencies: { a: 'file:../a' } }),
  };
  const reads: string[][] = [];
  const read = async (paths: string[]) => {
    reads.push(paths);
    return new Map(paths.map((p) => [p, files[p] ?? null] as const));
  };
  const brief = (deps: { path: string; via: string }[]) => deps.map(({ path, via }) => ({ path, via }));
  const outside: { written: string; via: string }[] = [];
  assert.equal(brief(await localDependencies('python', 'svc/requirements.txt', read, { outside: outside as never })), [
    { path: 'reqs/base.txt', via: 'svc/requirements.txt' },
    { path: 'libs/py', via: 'reqs/base.txt' },
  ]);
  assert.equal(
    outside.map((o) => o.written),
    ['../../outside', '/abs/path'],
    'references that leave the repository are reported, not followed',
  );
  assert.equal(brief(await localDependencies('nodejs', 'web/package.json', read)), [
    { path: 'libs/a', via: 'web/package.json' },
    { path: 'libs/b', via: 'libs/a/package.json' },
  ]);
  assert.ok(
    reads.every((batch) => batch.length > 0),
    'reads are batched per level',
  );
});

function matches(index: InputIndex, path: string): Map<string, InputRule> {
  const out = new Map<string, InputRule>();
  bestPerTarget(index.matching(path), (target, rule) => out.set(String(target), rule));
  return out;
}

test('ancestors of a path', () => {
  assert.equal(ancestors('a/b/c.txt'), ['', 'a', 'a/b', 'a/b/c.txt']);
  assert.equal(ancestors('top.txt'), ['', 'top.txt']);
});

test('the index matches trees, globs and lockfiles by anchor, and picks the highest-priority rule', () => {
  const index = new InputIndex();
  index.add(
    pathRule('svc/a', (rel) => rel.startsWith('tests/'), 'tests'),
    'a',
  );
  index.add(treeRule('descriptor', 'svc/a/package.json'), 'a');
  index.add(lockfileRule('svc/a/package.json', 'nodejs'), 'a');
  index.add(globRule('watch', '', 'libs/**/*.py'), 'b');
  index.add(globRule('watch', 'platform', '../libs/*.md'), 'c');
  index.add(
    pathRule('svc/ab', () => false, ''),
    'd',
  );
  const kinds = (p: string) => Object.fromEntries([...matches(index, p)].map(([t, r]) => [String(t), r.kind]));
  assert.equal(kinds('svc/a/index.js'), { a: 'path' });
  assert.equal(kinds('svc/a/tests/x.js'), {}, 'files left out of the package do not count');
  assert.equal(kinds('svc/a/package.json'), { a: 'descriptor' });
  assert.equal(kinds('svc/a/yarn.lock'), { a: 'lockfile' });
  assert.equal(kinds('svc/a/sub/yarn.lock'), { a: 'path' }, 'a lockfile counts only beside the descriptor');
  assert.equal(kinds('svc/ab/x'), { d: 'path' }, "'svc/a' is not a prefix of 'svc/ab'");
  assert.equal(kinds('libs/x/y/z.py'), { b: 'watch' });
  assert.equal(kinds('libs/x/y/z.js'), {});
  assert.equal(kinds('libs/README.md'), { c: 'watch' }, 'globs relative to a config directory may climb out of it');
  assert.equal(kinds('.github/workflows/x.yml'), {});
});

test('plain paths in watch lists mean the file or the directory', () => {
  const index = new InputIndex();
  index.add(globRule('watch', '', 'libs/payments'), 'p');
  index.add(globRule('watch', '', 'tools/version.txt'), 'v');
  assert.ok(matches(index, 'libs/payments/a/b.py').has('p'));
  assert.ok(matches(index, 'tools/version.txt').has('v'));
  assert.not.ok(matches(index, 'libs/payments-old/x').has('p'));
});

test.run();
