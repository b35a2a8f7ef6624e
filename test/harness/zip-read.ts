import { lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

/**
 * Reading zip archives as Lambda does: the central directory lists the entries (their sizes,
 * modes and where their data starts); zip64 records are followed when the 32-bit fields
 * overflow. The Lambda stand-in sums the uncompressed sizes for its limits and unpacks code
 * and layers for its invocations.
 */

export interface ZipEntryInfo {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Unix permission bits (0 when the archive was not made on unix). */
  mode: number;
  directory: boolean;
  symlink: boolean;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const MADE_BY_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** Every entry of the central directory; throws when the bytes are not a zip. */
export function zipEntries(zip: Buffer): ZipEntryInfo[] {
  const eocd = findEndOfCentralDirectory(zip);
  let count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) ({ count, offset } = readZip64End(zip, eocd));
  const entries: ZipEntryInfo[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_HEADER_SIGNATURE) throw new Error('bad central directory entry');
    const madeBy = zip.readUInt16LE(offset + 4) >> 8;
    const method = zip.readUInt16LE(offset + 10);
    let compressedSize = zip.readUInt32LE(offset + 20);
    let size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const external = zip.readUInt32LE(offset + 38);
    let localHeaderOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    const extra = zip.subarray(offset + 46 + nameLength, offset + 46 + nameLength + extraLength);
    // The zip64 extra block holds, in this order, only the fields that overflowed.
    const wide = [size, compressedSize, localHeaderOffset].map((v) => v === 0xffffffff);
    if (wide.some(Boolean)) {
      const values = zip64Extra(extra);
      let at = 0;
      if (wide[0]) size = values[at++]!;
      if (wide[1]) compressedSize = values[at++]!;
      if (wide[2]) localHeaderOffset = values[at++]!;
    }
    const unixMode = madeBy === MADE_BY_UNIX ? external >>> 16 : 0;
    entries.push({
      name,
      method,
      compressedSize,
      size,
      localHeaderOffset,
      mode: unixMode & 0o777,
      directory: name.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR,
      symlink: (unixMode & S_IFMT) === S_IFLNK,
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The sum of the uncompressed sizes: what Lambda holds against its 250 MB unzipped limit. */
export function unzippedSize(zip: Buffer): number {
  return zipEntries(zip).reduce((n, e) => n + e.size, 0);
}

/**
 * Unpacks the archive into `dest`, keeping the unix modes (files without any get 0644, directories
 * 0755), replacing what is already there (layers are unpacked in order, later ones overwriting).
 */
export function extractZip(zip: Buffer, dest: string): void {
  for (const entry of zipEntries(zip)) {
    const parts = entry.name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0) continue;
    if (entry.name.startsWith('/') || parts.includes('..'))
      throw new Error(`zip entry ${entry.name} points outside the archive`);
    const path = join(dest, ...parts);
    if (entry.directory) {
      mkdirs(path);
      continue;
    }
    mkdirs(dirname(path));
    removeExisting(path);
    const data = entryData(zip, entry);
    if (entry.symlink) {
      symlinkSync(data.toString('utf8'), path);
      continue;
    }
    writeFileSync(path, data, { mode: entry.mode || 0o644 });
  }
}

function entryData(zip: Buffer, entry: ZipEntryInfo): Buffer {
  const at = entry.localHeaderOffset;
  if (zip.readUInt32LE(at) !== LOCAL_HEADER_SIGNATURE) throw new Error(`bad local header for ${entry.name}`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const raw = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return inflateRawSync(raw);
  throw new Error(`zip entry ${entry.name} uses compression method ${entry.method}`);
}

function mkdirs(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o755 });
}

function removeExisting(path: string): void {
  try {
    lstatSync(path);
  } catch {
    return;
  }
  rmSync(path, { recursive: true, force: true });
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - 22 - 0xffff); // the record ends with a comment of up to 64 kB
  for (let at = zip.length - 22; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === EOCD_SIGNATURE) return at;
  }
  throw new Error('no end of central directory record');
}

function readZip64End(zip: Buffer, eocd: number): { count: number; offset: number } {
  const locator = eocd - 20;
  if (locator < 0 || zip.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) throw new Error('no zip64 locator');
  const record = Number(zip.readBigUInt64LE(locator + 8));
  if (zip.readUInt32LE(record) !== ZIP64_EOCD_SIGNATURE) throw new Error('bad zip64 end record');
  return { count: Number(zip.readBigUInt64LE(record + 32)), offset: Number(zip.readBigUInt64LE(record + 48)) };
}

/** The 64-bit values of the zip64 extra block (id 1). */
function zip64Extra(extra: Buffer): number[] {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== 1) continue;
    const values: number[] = [];
    for (let v = at + 4; v + 8 <= at + 4 + extra.readUInt16LE(at + 2); v += 8)
      values.push(Number(extra.readBigUInt64LE(v)));
    return values;
  }
  throw new Error('no zip64 extra field');
}
