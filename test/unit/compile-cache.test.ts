import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileCacheDir } from '../../src/compile-cache.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'lci-compile-cache-'));

test("the cache is lci/compile in the user's cache directory, made 0700", () => {
  const base = scratch();
  try {
    const dir = compileCacheDir({ XDG_CACHE_HOME: base });
    assert.is(dir, join(base, 'lci', 'compile'));
    assert.is(statSync(dir!).mode & 0o777, 0o700);
    assert.is(compileCacheDir({ HOME: base }), join(base, '.cache', 'lci', 'compile'));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a cache directory others may write, or a symlink, is not used: V8 would run what it holds', () => {
  const base = scratch();
  try {
    const dir = join(base, 'lci', 'compile');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    assert.is(compileCacheDir({ XDG_CACHE_HOME: base }), null);
    chmodSync(dir, 0o770);
    assert.is(compileCacheDir({ XDG_CACHE_HOME: base }), null);
    rmSync(dir, { recursive: true });
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, dir);
    assert.is(compileCacheDir({ XDG_CACHE_HOME: base }), null);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('NODE_DISABLE_COMPILE_CACHE turns it off, as it does for Node; an unwritable place is no cache, not a failure', () => {
  const base = scratch();
  try {
    assert.is(compileCacheDir({ XDG_CACHE_HOME: base, NODE_DISABLE_COMPILE_CACHE: '1' }), null);
    assert.is(compileCacheDir({ XDG_CACHE_HOME: join('/dev/null', 'nowhere') }), null);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
