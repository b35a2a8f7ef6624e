import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeZip } from '../../src/package/zip.js';

export interface WheelOptions {
  /** The WHEEL `Tag:` (python-abi-platform), e.g. `cp311-cp311-manylinux_2_17_aarch64`; default `py3-none-any`. */
  tag?: string;
}

/**
 * A minimal wheel, so pip can install a local dependency without setuptools or an index: pure
 * python by default, or platform-tagged with native files (a real shared object as a Buffer).
 * pip judges a wheel by its file name: name the file with the same tag.
 */
export async function writeWheel(
  path: string,
  name: string,
  version: string,
  files: Record<string, string | Buffer>,
  opts: WheelOptions = {},
): Promise<void> {
  const tag = opts.tag ?? 'py3-none-any';
  const dist = `${name}-${version}.dist-info`;
  const all: Record<string, Buffer> = {};
  for (const [p, c] of Object.entries(files)) all[p] = Buffer.from(c);
  all[`${dist}/METADATA`] = Buffer.from(
    `Metadata-Version: 2.1\nName: ${name.replace(/_/g, '-')}\nVersion: ${version}\n`,
  );
  all[`${dist}/WHEEL`] = Buffer.from(
    `Wheel-Version: 1.0\nGenerator: lci-test\nRoot-Is-Purelib: ${tag.endsWith('-any')}\nTag: ${tag}\n`,
  );
  const record = Object.entries(all).map(
    ([p, c]) => `${p},sha256=${createHash('sha256').update(c).digest('base64url')},${c.length}`,
  );
  all[`${dist}/RECORD`] = Buffer.from([...record, `${dist}/RECORD,,`, ''].join('\n'));
  mkdirSync(dirname(path), { recursive: true });
  await writeZip(
    Object.entries(all).map(([n, c]) => ({ name: n, source: { data: c }, size: c.length, executable: false })),
    path,
  );
}

/** The file name pip expects for a wheel with this tag. */
export function wheelName(name: string, version: string, tag = 'py3-none-any'): string {
  return `${name}-${version}-${tag}.whl`;
}
