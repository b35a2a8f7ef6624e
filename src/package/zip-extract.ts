import { closeSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { PackageError } from '../errors.js';
import { centralDirectory, listZip, unsafeZip } from './zip-check.js';

const LOCAL = 0x04034b50;

/**
 * Unpacks a zip lci built (code or layer) into `dir`, as Lambda unpacks it: files 0644, or 0755
 * when executable, directories 0755. A zip with an entry that would land outside `dir` (absolute,
 * `..`, a backslash) or a symlink is refused whole, before anything is written.
 */
export function extractZip(path: string, dir: string): void {
  const unsafe = unsafeZip(listZip(path));
  if (unsafe) throw new PackageError(`${path} cannot be unpacked: ${unsafe}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const fd = openSync(path, 'r');
  try {
    for (const e of centralDirectory(path)) {
      const target = join(dir, e.name);
      if (e.name.endsWith('/')) {
        mkdirSync(target, { recursive: true, mode: 0o755 });
        continue;
      }
      const header = Buffer.alloc(30);
      readSync(fd, header, 0, 30, e.offset);
      if (header.readUInt32LE(0) !== LOCAL)
        throw new PackageError(`${path}: entry ${e.name} has no local header where the directory says`);
      const start = e.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const data = Buffer.alloc(e.compressedSize);
      readSync(fd, data, 0, e.compressedSize, start);
      let content: Buffer;
      if (e.method === 0) content = data;
      else if (e.method === 8) content = inflateRawSync(data);
      else
        throw new PackageError(
          `${path}: entry ${e.name} uses compression method ${e.method}, which lci does not write`,
        );
      if (content.length !== e.size)
        throw new PackageError(`${path}: entry ${e.name} is damaged (${content.length} bytes, not ${e.size})`);
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      writeFileSync(target, content, { mode: e.mode & 0o111 ? 0o755 : 0o644 });
    }
  } finally {
    closeSync(fd);
  }
}
