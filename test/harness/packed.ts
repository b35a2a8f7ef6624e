import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { tempDir } from './tmp.js';

let tarball = '';

/** `npm pack` of this checkout (dist as built), once per test process: the file and its sha512 integrity. */
export function packed(): { file: string; integrity: string } {
  if (!tarball) {
    const dir = tempDir('lci-pack-');
    const r = spawnSync('npm', ['pack', REPO_ROOT, '--ignore-scripts', '--silent', '--pack-destination', dir], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
    tarball = join(dir, r.stdout.trim().split('\n').at(-1)!);
  }
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  return { file: tarball, integrity };
}
