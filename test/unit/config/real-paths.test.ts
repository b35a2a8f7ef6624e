import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RealPaths } from '../../../src/config/real-paths.js';
import { tempDir } from '../../harness/tmp.js';

test('the cached resolution agrees with realpath: links to directories and files, dangling links, loops, a file used as a directory', () => {
  const root = realpathSync(tempDir());
  mkdirSync(join(root, 'repo/services/a'), { recursive: true });
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'repo/services/a/requirements.txt'), 'x\n');
  writeFileSync(join(root, 'outside/secret.txt'), 's\n');
  symlinkSync('../outside', join(root, 'repo/out'));
  symlinkSync('a', join(root, 'repo/services/b'));
  symlinkSync('../../../outside/secret.txt', join(root, 'repo/services/a/leak.txt'));
  symlinkSync('missing', join(root, 'repo/dangling'));
  symlinkSync('loop2', join(root, 'repo/loop1'));
  symlinkSync('loop1', join(root, 'repo/loop2'));
  const paths = new RealPaths();
  const asked = [
    'repo/out/secret.txt',
    'repo/out',
    'repo/services/b/requirements.txt',
    'repo/services/a/leak.txt',
    'repo/services/a/requirements.txt/x',
    'repo/dangling',
    'repo/dangling/x',
    'repo/loop1',
    'repo/nothing',
  ];
  for (const rel of asked) {
    const abs = join(root, rel);
    let expected: string | null;
    try {
      expected = realpathSync(abs);
    } catch {
      expected = null;
    }
    // Asked twice: the second answer comes from the cache.
    for (let i = 0; i < 2; i++) assert.is(paths.of(abs)?.real ?? null, expected, rel);
  }
  assert.equal(paths.of(join(root, 'repo/out'))?.kind, 'dir');
  assert.equal(paths.of(join(root, 'repo/services/a/leak.txt')), {
    real: join(root, 'outside/secret.txt'),
    kind: 'file',
  });
});

test.run();
