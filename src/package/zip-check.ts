import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { PackageError } from '../errors.js';

/**
 * What a zip holds, read from its central directory (what unzippers, Lambda included, follow),
 * and why it must not be published: an entry with an absolute path, a `..` step, a backslash or
 * a drive letter lands outside /opt (zip-slip); a symlink entry points anywhere.
 */

export interface ZipListing {
  names: string[];
  /** Names of entries stored as symbolic links (Unix mode S_IFLNK in the external attributes). */
  symlinks: string[];
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export function listZip(path: string): ZipListing {
  return listingOf(centralDirectory(path));
}

export function listingOf(entries: CentralEntry[]): ZipListing {
  return { names: entries.map((e) => e.name), symlinks: entries.filter((e) => e.symlink).map((e) => e.name) };
}

/** One central-directory record: where the entry's data is and how it is stored. */
export interface CentralEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local header. */
  offset: number;
  /** Unix mode bits when the zip was made on Unix, else 0. */
  mode: number;
  symlink: boolean;
}

export function centralDirectory(path: string): CentralEntry[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailSize = Math.min(size, 22 + 0xffff + 20);
    const tail = Buffer.alloc(tailSize);
    readSync(fd, tail, 0, tailSize, size - tailSize);
    let eocd = -1;
    for (let i = tailSize - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new PackageError(`${path} is not a zip (no end of central directory)`);
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
      const at = Number(tail.readBigUInt64LE(eocd - 20 + 8));
      const rec = Buffer.alloc(56);
      readSync(fd, rec, 0, 56, at);
      if (rec.readUInt32LE(0) === ZIP64_EOCD) {
        count = Number(rec.readBigUInt64LE(32));
        cdSize = Number(rec.readBigUInt64LE(40));
        cdOffset = Number(rec.readBigUInt64LE(48));
      }
    }
    if (cdOffset + cdSize > size)
      throw new PackageError(`${path} is not a zip (its central directory lies past the end)`);
    const cd = Buffer.alloc(cdSize);
    readSync(fd, cd, 0, cdSize, cdOffset);
    const entries: CentralEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL)
        throw new PackageError(`${path} has a damaged central directory`);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const madeBy = cd.readUInt16LE(p + 4) >> 8;
      const external = cd.readUInt32LE(p + 38);
      const mode = madeBy === 3 ? external >>> 16 : 0;
      const entry: CentralEntry = {
        name: cd.subarray(p + 46, p + 46 + nameLength).toString('utf8'),
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        offset: cd.readUInt32LE(p + 42),
        mode,
        symlink: (mode & S_IFMT) === S_IFLNK,
      };
      zip64Fields(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
      entries.push(entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/** Sizes and offset that did not fit 32 bits are in the zip64 extra field (id 1), in this order. */
function zip64Fields(e: CentralEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const length = extra.readUInt16LE(q + 2);
    if (id === 1) {
      let r = q + 4;
      const next = () => {
        const v = Number(extra.readBigUInt64LE(r));
        r += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.offset === 0xffffffff) e.offset = next();
      return;
    }
    q += 4 + length;
  }
}

/**
 * Why `name` must not be an entry of a zip lci publishes, or null: the one rule for the zips lci
 * writes (code and layers) and the cached ones it reads back. An absolute path, a drive letter, a
 * backslash or a `..` step lands outside /var/task or /opt when unpacked (zip-slip); a control
 * character (a newline, NUL) makes a name that tools print, split and compare differently.
 */
export function unsafeEntryName(name: string): string | null {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'has an absolute path';
  if (name.includes('\\')) return 'has a backslash (a Windows path that may climb out)';
  if (name.split('/').includes('..')) return "climbs out with '..'";
  if (CONTROL.test(name)) return 'has a control character (a newline, a NUL, an escape)';
  return null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\x00-\x1f\x7f]/;

/** Why a zip must not become a layer or a function, or null when every entry stays inside it. */
export function unsafeZip(listing: ZipListing): string | null {
  for (const name of listing.names) {
    const problem = unsafeEntryName(name);
    if (problem) return `entry '${name}' ${problem}`;
  }
  if (listing.symlinks.length > 0) return `entry '${listing.symlinks[0]}' is a symbolic link`;
  return null;
}
