import { posix } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoPath } from '../../../src/config/globs.js';
import { isNormalPath } from '../../../src/vcs/paths.js';
import { normalisePath } from '../../../src/config/resolve.js';

// repoPath and normalisePath skip posix.normalize for paths already in normal form (nearly every
// path a config names): their answers must be those of normalizing, for every kind of path.
function slowRepoPath(dir: string, p: string): string | null {
  const joined = posix.normalize(posix.join(dir || '.', p));
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined === '.' ? '' : joined.replace(/\/+$/, '');
}

function slowNormalise(p: string): string {
  const n = posix.normalize(p.replace(/\/+$/, ''));
  return n === '' ? '.' : n;
}

const SEGMENTS = ['a', '.', '..', '', '.a', '..a', 'a.', '...', 'b c', '.git', 'x\\y', '-', '*', '**', '~'];

function paths(): string[] {
  const out = new Set<string>(['']);
  for (const a of SEGMENTS) {
    out.add(a);
    for (const b of SEGMENTS) {
      out.add(`${a}/${b}`);
      for (const c of SEGMENTS) out.add(`${a}/${b}/${c}`);
    }
  }
  for (const p of [...out]) for (const q of [`/${p}`, `${p}/`, `${p}//`, `./${p}`]) out.add(q);
  return [...out];
}

test('repoPath and normalisePath answer as posix.normalize does, for every combination of segments', () => {
  for (const p of paths()) {
    for (const dir of ['', 'sub', 'a/b']) assert.is(repoPath(dir, p), slowRepoPath(dir, p), `${dir} + ${p}`);
    assert.is(normalisePath(p), slowNormalise(p), p);
    if (isNormalPath(p)) assert.is(posix.normalize(p), p, p);
  }
});

test.run();
