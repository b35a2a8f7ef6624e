import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeZip } from '../../src/package/zip.js';

/** A minimal pure-python wheel, so pip can install a local dependency without setuptools or an index. */
export async function writeWheel(path: string, name: string, version: string, files: Record<string, string>): Promise<void> {
  const dist = `${name}-${version}.dist-info`;
  const all: Record<string, string> = {
    ...files,
    [`${dist}/METADATA`]: `Metadata-Version: 2.1\nName: ${name.replace(/_/g, '-')}\nVersion: ${version}\n`,
    [`${dist}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: lci-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  const record = Object.entries(all).map(([p, c]) => `${p},sha256=${createHash('sha256').update(c).digest('base64url')},${Buffer.byteLength(c)}`);
  all[`${dist}/RECORD`] = [...record, `${dist}/RECORD,,`, ''].join('\n');
  mkdirSync(dirname(path), { recursive: true });
  await writeZip(
    Object.entries(all).map(([n, c]) => ({ name: n, source: { data: Buffer.from(c) }, size: Buffer.byteLength(c), executable: false })),
    path,
  );
}
