import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileCacheDir, MAX_ENTRIES } from '../../src/compile-cache.js';

/** Runs `check` with a fresh directory to stand for the user's cache directory, removed after. */
function inScratch(check: (base: string) => void): void {
  const base = mkdtempSync(join(tmpdir(), 'lci-compile-cache-'));
  try {
    check(base);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

test("the cache is lci/compile in the user's cache directory, made 0700", () =>
  inScratch((base) => {
    const dir = compileCacheDir({ XDG_CACHE_HOME: base });
    assert.is(dir, join(base, 'lci', 'compile'));
    assert.is(statSync(dir!).mode & 0o777, 0o700);
    assert.is(compileCacheDir({ HOME: base }), join(base, '.cache', 'lci', 'compile'));
  }));

test('a cache directory others may write, or a symlink, is not used: V8 would run what it holds', () =>
  inScratch((base) => {
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
  }));

test('NODE_DISABLE_COMPILE_CACHE turns it off, as it does for Node; an unwritable place is no cache, not a failure', () =>
  inScratch((base) => {
    assert.is(compileCacheDir({ XDG_CACHE_HOME: base, NODE_DISABLE_COMPILE_CACHE: '1' }), null);
    assert.is(compileCacheDir({ XDG_CACHE_HOME: join('/dev/null', 'nowhere') }), null);
  }));

test("a Node version's cache of more than MAX_ENTRIES files is emptied; a smaller one is kept", () =>
  inScratch((base) => {
    const dir = join(base, 'lci', 'compile');
    const full = join(dir, 'v22.0.0-x64-full');
    const small = join(dir, 'v24.0.0-x64-small');
    mkdirSync(full, { recursive: true });
    mkdirSync(small);
    chmodSync(join(base, 'lci'), 0o700);
    chmodSync(dir, 0o700);
    for (let i = 0; i <= MAX_ENTRIES; i++) writeFileSync(join(full, `e${i}`), '');
    for (let i = 0; i < 10; i++) writeFileSync(join(small, `e${i}`), '');
    assert.is(compileCacheDir({ XDG_CACHE_HOME: base }), dir);
    assert.not.ok(existsSync(full));
    assert.is(readdirSync(small).length, 10);
  }));

test.run();
