import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  describeMismatches,
  elfMachine,
  layerMismatches,
  localWheelMismatch,
  platformArchitecture,
  wheelNamePlatforms,
  wheelTagPlatforms,
} from '../../../src/builder/architecture.js';

/** The first 20 bytes of an ELF file: magic, 64-bit, the byte order, e_machine at offset 18. */
function elf(machine: number, bigEndian = false): Buffer {
  const b = Buffer.alloc(20);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, bigEndian ? 2 : 1, 1], 0);
  if (bigEndian) b.writeUInt16BE(machine, 18);
  else b.writeUInt16LE(machine, 18);
  return b;
}
const X86_64 = elf(62);
const AARCH64 = elf(183);
const WHEEL = (...tags: string[]) =>
  `Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: false\n${tags.map((t) => `Tag: ${t}`).join('\n')}\n`;

test('ELF headers: e_machine in the file byte order; not ELF, too short or unknown byte order is null', () => {
  assert.is(elfMachine(X86_64), 62);
  assert.is(elfMachine(AARCH64), 183);
  assert.is(elfMachine(elf(183, true)), 183);
  assert.is(elfMachine(Buffer.from('#!/bin/sh\necho not an elf file\n')), null);
  assert.is(elfMachine(X86_64.subarray(0, 19)), null);
  const odd = Buffer.from(X86_64);
  odd[5] = 0;
  assert.is(elfMachine(odd), null);
});

test('wheel platforms: any, Linux tags of both architectures, everything else is no Lambda platform', () => {
  assert.is(platformArchitecture('any'), 'any');
  for (const p of [
    'linux_x86_64',
    'manylinux1_x86_64',
    'manylinux2014_x86_64',
    'manylinux_2_17_x86_64',
    'musllinux_1_1_x86_64',
  ]) {
    assert.is(platformArchitecture(p), 'x86_64', p);
  }
  for (const p of ['linux_aarch64', 'manylinux2014_aarch64', 'manylinux_2_28_aarch64', 'musllinux_1_2_aarch64'])
    assert.is(platformArchitecture(p), 'arm64', p);
  for (const p of [
    'win_amd64',
    'macosx_11_0_arm64',
    'manylinux2014_i686',
    'linux_armv7l',
    'manylinux2014_ppc64le',
    'x86_64',
  ]) {
    assert.is(platformArchitecture(p), null, p);
  }
});

test('wheel tags from WHEEL metadata and from file names (compressed tag sets too)', () => {
  assert.equal(wheelTagPlatforms(WHEEL('cp311-cp311-manylinux_2_17_x86_64', 'cp311-cp311-manylinux2014_x86_64')), [
    'manylinux_2_17_x86_64',
    'manylinux2014_x86_64',
  ]);
  assert.equal(wheelTagPlatforms(WHEEL('py2.py3-none-any')), ['any']);
  assert.equal(
    wheelNamePlatforms('libs/dist/numpy-1.26.4-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl'),
    ['manylinux_2_17_aarch64', 'manylinux2014_aarch64'],
  );
  assert.equal(wheelNamePlatforms('acme-1.0-1build-py3-none-any.whl'), ['any'], 'with a build tag');
  assert.is(wheelNamePlatforms('libs/acme.tar.gz'), null);
  assert.is(wheelNamePlatforms('libs/odd-name.whl'), null);
});

test('a layer for arm64: aarch64 ELF and any/aarch64 wheels pass; x86-64 ELF and x86_64 wheels are named', () => {
  const ok = layerMismatches(
    'arm64',
    [
      { path: 'python/fast/_speed.cpython-311-aarch64-linux-gnu.so', head: AARCH64 },
      { path: 'python/fast/__init__.py', head: Buffer.from('from ._speed import *\n') },
      { path: 'nodejs/node_modules/addon/build/Release/addon.node', head: AARCH64 },
    ],
    [
      { path: 'python/fast-1.0.dist-info/WHEEL', text: WHEEL('cp311-cp311-manylinux_2_17_aarch64') },
      { path: 'python/pure-2.0.dist-info/WHEEL', text: WHEEL('py3-none-any') },
    ],
  );
  assert.equal(ok, []);
  const bad = layerMismatches(
    'arm64',
    [
      { path: 'python/fast/_speed.cpython-311-x86_64-linux-gnu.so', head: X86_64 },
      { path: 'nodejs/node_modules/tool/bin/tool', head: X86_64 },
      { path: 'python/fast/_speed32.so', head: elf(3) },
    ],
    [
      {
        path: 'python/fast-1.0.dist-info/WHEEL',
        text: WHEEL('cp311-cp311-manylinux_2_17_x86_64', 'cp311-cp311-manylinux2014_x86_64'),
      },
    ],
  );
  assert.equal(bad, [
    'nodejs/node_modules/tool/bin/tool (ELF for x86-64)',
    'python/fast-1.0.dist-info (wheel tagged manylinux_2_17_x86_64, manylinux2014_x86_64)',
    'python/fast/_speed.cpython-311-x86_64-linux-gnu.so (ELF for x86-64)',
    'python/fast/_speed32.so (ELF for x86 (32-bit))',
  ]);
});

test('a layer for x86_64: aarch64 code and wheels are named, macOS wheels too', () => {
  assert.equal(
    layerMismatches(
      'x86_64',
      [
        { path: 'python/a/_a.so', head: AARCH64 },
        { path: 'python/b/_b.so', head: X86_64 },
      ],
      [
        { path: 'python/a-1.dist-info/WHEEL', text: WHEEL('cp311-cp311-musllinux_1_1_aarch64') },
        { path: 'python/m-1.dist-info/WHEEL', text: WHEEL('cp311-cp311-macosx_11_0_x86_64') },
      ],
    ),
    [
      'python/a-1.dist-info (wheel tagged musllinux_1_1_aarch64)',
      'python/a/_a.so (ELF for arm64 (aarch64))',
      'python/m-1.dist-info (wheel tagged macosx_11_0_x86_64)',
    ],
  );
});

test('per-platform prebuilds named by their path are chosen at run time, not mistakes; a python ABI suffix is no such name', () => {
  const files = [
    { path: 'nodejs/node_modules/bufferutil/prebuilds/linux-x64/node.napi.node', head: X86_64 },
    { path: 'nodejs/node_modules/bufferutil/prebuilds/linux-arm64/node.napi.node', head: AARCH64 },
    { path: 'nodejs/node_modules/@esbuild/linux-x64/bin/esbuild', head: X86_64 },
    { path: 'nodejs/node_modules/.prisma/client/libquery_engine-linux-arm64-openssl-3.0.x.so.node', head: AARCH64 },
  ];
  assert.equal(layerMismatches('arm64', files, []), []);
  assert.equal(layerMismatches('x86_64', files, []), []);
  // the path names arm64 but the file is x86-64: a mistake after all
  assert.equal(
    layerMismatches('arm64', [{ path: 'nodejs/node_modules/x/prebuilds/linux-arm64/x.node', head: X86_64 }], []),
    ['nodejs/node_modules/x/prebuilds/linux-arm64/x.node (ELF for x86-64)'],
  );
  assert.equal(
    layerMismatches('arm64', [{ path: 'python/np/_core.cpython-311-x86_64-linux-gnu.so', head: X86_64 }], []).length,
    1,
  );
});

test('local wheels are judged by their file name before any build', () => {
  assert.is(localWheelMismatch('arm64', 'libs/dist/acme-1.0-py3-none-any.whl'), null);
  assert.is(localWheelMismatch('arm64', 'libs/dist/acme-1.0-cp311-cp311-manylinux2014_aarch64.whl'), null);
  assert.is(
    localWheelMismatch('arm64', 'libs/dist/acme-1.0-cp311-cp311-linux_x86_64.whl'),
    'libs/dist/acme-1.0-cp311-cp311-linux_x86_64.whl (wheel tagged linux_x86_64)',
  );
  assert.is(localWheelMismatch('x86_64', 'libs/dist/acme-1.0-cp311-cp311-linux_x86_64.whl'), null);
  assert.is(localWheelMismatch('x86_64', 'libs/acme'), null, 'a directory or sdist is no wheel');
});

test('the message: one line, the architecture, the files (five, then a count) and the fix', () => {
  const problems = Array.from({ length: 7 }, (_, i) => `python/p${i}.so (ELF for x86-64)`);
  const m = describeMismatches('arm64', problems);
  assert.not.match(m, /\n/);
  assert.match(
    m,
    /^the dependencies hold code for another architecture than the function's arm64: python\/p0\.so \(ELF for x86-64\), .*python\/p4\.so \(ELF for x86-64\) and 2 more; use aarch64/,
  );
  assert.not.match(m, /p5\.so/);
});

test.run();
