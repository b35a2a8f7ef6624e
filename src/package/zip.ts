import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { crc32, createDeflateRaw, deflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import { extname } from 'node:path';
import { PackageError } from '../errors.js';
import { unsafeEntryName } from './zip-check.js';

/**
 * A deterministic zip writer: the same entries give the same bytes, whatever the file times,
 * creation order, umask, owner or machine (for one Node.js zlib). Entries are sorted by name,
 * stamped 1980-01-01 00:00, given mode 0644 or 0755 and no extra fields.
 *
 * Files are read and deflated in parallel (zlib runs on libuv's thread pool, so every core
 * works) and written in order, with a bounded number of bytes and entries in flight. Files
 * above STREAM_ABOVE bytes are streamed through one deflate stream instead of buffered.
 */

export interface ZipEntry {
  /** Path inside the archive, '/'-separated, no leading slash. */
  name: string;
  /** Where the bytes come from: a file on disk or a buffer. */
  source: { path: string } | { data: Buffer };
  /** Uncompressed size in bytes. */
  size: number;
  executable: boolean;
}

export interface ZipResult {
  path: string;
  /** Size of the archive in bytes. */
  bytes: number;
  entries: number;
  /** Sum of the uncompressed sizes. */
  unzippedBytes: number;
  /** base64 SHA-256 of the archive bytes: what Lambda reports as CodeSha256. */
  sha256: string;
}

const STREAM_ABOVE = 8 * 1024 * 1024;
const MAX_BYTES_IN_FLIGHT = 32 * 1024 * 1024;
/** Each deflate holds ~256 kB of zlib state: a few per thread-pool thread keep every core busy without thousands alive. */
const MAX_ENTRIES_IN_FLIGHT = Math.max(8, 4 * availableParallelism());
const DEFLATE_LEVEL = 6; // zip's default
/** Already-compressed formats: deflating them again costs time and gains nothing. */
const STORED_EXTENSIONS = new Set([
  '.zip',
  '.gz',
  '.tgz',
  '.bz2',
  '.xz',
  '.zst',
  '.7z',
  '.jar',
  '.whl',
  '.egg',
  '.jpg',
  '.jpeg',
  '.png',
  '.gif',
  '.webp',
  '.mp3',
  '.mp4',
  '.woff',
  '.woff2',
  '.br',
]);
const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const DOS_TIME_MIDNIGHT = 0;
const VERSION_MADE_BY = (3 << 8) | 30; // unix, zip 3.0

interface Written {
  /** Kept as a string: a small Buffer would be a slice of a shared 8 kB pool slab and keep it alive. */
  name: string;
  nameBytes: number;
  /** CRC and sizes follow the data (bit 3) instead of sitting in the local header. */
  descriptor?: boolean;
  utf8: boolean;
  method: 0 | 8;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  mode: number;
}

/** `mode`: the file's permissions (before the umask), 0666 unless the caller wants it private. */
export async function writeZip(input: ZipEntry[], outPath: string, mode = 0o666): Promise<ZipResult> {
  // UTF-16 code unit order: the same on every machine, and no Buffer per comparison.
  const entries = [...input].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // What lci would refuse to publish from a cache it never writes (a build output named `..\\x.py`).
  for (const e of entries) {
    const problem = unsafeEntryName(e.name);
    if (problem)
      throw new PackageError(
        `a file would be stored in the zip as '${e.name}', which ${problem}; rename or exclude it`,
      );
  }
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.name === entries[i - 1]!.name)
      throw new PackageError(`two files would be stored as ${entries[i]!.name}`);
  }
  // Written beside the target and renamed at the end: a failure never leaves a half-written archive.
  const tmpPath = `${outPath}.${process.pid}.tmp`;
  const handle = await open(tmpPath, 'w', mode);
  try {
    const out = new Output(handle);
    const written: Written[] = [];
    const pending = new Map<number, Promise<Prepared>>();
    const streamed = new Set<number>();
    let next = 0;
    let inFlight = 0;
    // Keep the thread pool busy within the memory budget; scheduling is in order, and an empty
    // pipeline always takes the next entry, so entry i is scheduled by the time the writer needs it.
    const fill = () => {
      while (next < entries.length) {
        const e = entries[next]!;
        if (e.size > STREAM_ABOVE && 'path' in e.source) {
          streamed.add(next++);
          continue;
        }
        if (pending.size > 0 && (inFlight + e.size > MAX_BYTES_IN_FLIGHT || pending.size >= MAX_ENTRIES_IN_FLIGHT))
          break;
        inFlight += e.size;
        const task = prepare(e);
        task.catch(() => {}); // awaited in order below; this only keeps an early failure from going unhandled
        pending.set(next++, task);
      }
    };
    for (let i = 0; i < entries.length; i++) {
      fill();
      const e = entries[i]!;
      if (streamed.has(i)) {
        written.push(await out.streamedEntry(e));
        continue;
      }
      const p = await pending.get(i)!;
      pending.delete(i);
      inFlight -= e.size;
      fill();
      written.push(await out.entry(e, p));
    }
    const cdOffset = out.offset;
    for (const w of written) await out.write(centralHeader(w));
    await out.write(endOfCentralDirectory(written.length, out.offset - cdOffset, cdOffset));
    await out.flush();
    const bytes = out.offset;
    await handle.close();
    await rename(tmpPath, outPath);
    const sha256 = out.hash.digest('base64');
    return {
      path: outPath,
      bytes,
      entries: written.length,
      unzippedBytes: written.reduce((n, w) => n + w.size, 0),
      sha256,
    };
  } catch (e) {
    await handle.close().catch(() => {});
    await rm(tmpPath, { force: true });
    throw e;
  }
}

const deflate = promisify(deflateRaw);

interface Prepared {
  method: 0 | 8;
  crc: number;
  data: Buffer;
}

async function prepare(e: ZipEntry): Promise<Prepared> {
  // A synchronous read is one syscall trip instead of four thread-pool round trips, which
  // leaves the pool to deflate.
  const raw = 'data' in e.source ? e.source.data : readFileSync(e.source.path);
  if (raw.length !== e.size) throw new PackageError(`${e.name} changed while it was being packaged; run again`);
  const crc = crc32(raw);
  if (raw.length === 0 || storedByName(e.name)) return { method: 0, crc, data: raw };
  const deflated = await deflate(raw, { level: DEFLATE_LEVEL, windowBits: windowBitsFor(raw.length) });
  return deflated.length < raw.length ? { method: 8, crc, data: deflated } : { method: 0, crc, data: raw };
}

function storedByName(name: string): boolean {
  return STORED_EXTENSIONS.has(extname(name).toLowerCase());
}

/**
 * The smallest deflate window that holds the whole input (plus zlib's 262-byte lookahead): the
 * output is the same as with the full 32 kB window, and small files start up about twice as fast.
 */
export function windowBitsFor(size: number): number {
  return Math.min(15, Math.max(9, Math.ceil(Math.log2(size + 262))));
}

/** Sequential output with a write buffer; `offset` is the archive position of the next byte. */
class Output {
  offset = 0;
  /** SHA-256 of everything written, in order: no second read of the archive. */
  readonly hash = createHash('sha256');
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly handle: FileHandle) {}

  async write(b: Uint8Array): Promise<void> {
    this.hash.update(b);
    this.chunks.push(b);
    this.buffered += b.length;
    this.offset += b.length;
    if (this.buffered >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    await this.handle.writev(chunks);
  }

  async entry(e: ZipEntry, p: Prepared): Promise<Written> {
    const w = written(e, p.method, p.crc, p.data.length, this.offset);
    await this.write(localHeader(w));
    await this.write(p.data);
    return w;
  }

  /**
   * A large file, streamed through deflate. Its CRC and sizes are known only at the end, so they
   * follow the data in a data descriptor (general purpose bit 3) and the output stays sequential.
   */
  async streamedEntry(e: ZipEntry): Promise<Written> {
    const path = (e.source as { path: string }).path;
    const method: 0 | 8 = storedByName(e.name) ? 0 : 8;
    const w = written(e, method, 0, 0, this.offset);
    w.descriptor = true;
    await this.write(localHeader(w));
    let crc = 0;
    let size = 0;
    const source = createReadStream(path, { highWaterMark: 1 << 20 });
    const stream = method === 8 ? source.pipe(createDeflateRaw({ level: DEFLATE_LEVEL })) : source;
    source.on('data', (chunk: Buffer | string) => {
      const b = chunk as Buffer;
      crc = crc32(b, crc);
      size += b.length;
    });
    for await (const chunk of stream) {
      await this.write(chunk as Buffer);
      w.compressed += (chunk as Buffer).length;
    }
    if (size !== e.size) throw new PackageError(`${e.name} changed while it was being packaged; run again`);
    w.crc = crc;
    await this.write(dataDescriptor(w));
    return w;
  }
}

function written(e: ZipEntry, method: 0 | 8, crc: number, compressed: number, offset: number): Written {
  const nameBytes = Buffer.byteLength(e.name, 'utf8');
  return {
    name: e.name,
    nameBytes,
    utf8: nameBytes !== e.name.length,
    method,
    crc,
    compressed,
    size: e.size,
    offset,
    mode: e.executable ? 0o100755 : 0o100644,
  };
}

function localHeader(w: Written): Buffer {
  const b = Buffer.alloc(30 + w.nameBytes);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(flags(w), 6);
  b.writeUInt16LE(w.method, 8);
  b.writeUInt16LE(DOS_TIME_MIDNIGHT, 10);
  b.writeUInt16LE(DOS_DATE_1980_01_01, 12);
  if (!w.descriptor) {
    b.writeUInt32LE(w.crc >>> 0, 14);
    b.writeUInt32LE(w.compressed, 18);
    b.writeUInt32LE(w.size, 22);
  }
  b.writeUInt16LE(w.nameBytes, 26);
  b.writeUInt16LE(0, 28);
  b.write(w.name, 30, 'utf8');
  return b;
}

function flags(w: Written): number {
  return (w.utf8 ? 0x0800 : 0) | (w.descriptor ? 0x0008 : 0);
}

function dataDescriptor(w: Written): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(w.crc >>> 0, 4);
  b.writeUInt32LE(w.compressed, 8);
  b.writeUInt32LE(w.size, 12);
  return b;
}

function centralHeader(w: Written): Buffer {
  if (w.offset > 0xffffffff || w.size > 0xffffffff)
    throw new PackageError('archives over 4 GiB are not supported (Lambda allows 250 MB unzipped)');
  const b = Buffer.alloc(46 + w.nameBytes);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(VERSION_MADE_BY, 4);
  b.writeUInt16LE(20, 6);
  b.writeUInt16LE(flags(w), 8);
  b.writeUInt16LE(w.method, 10);
  b.writeUInt16LE(DOS_TIME_MIDNIGHT, 12);
  b.writeUInt16LE(DOS_DATE_1980_01_01, 14);
  b.writeUInt32LE(w.crc >>> 0, 16);
  b.writeUInt32LE(w.compressed, 20);
  b.writeUInt32LE(w.size, 24);
  b.writeUInt16LE(w.nameBytes, 28);
  // extra field, comment, disk number, internal attributes: all zero
  b.writeUInt32LE((w.mode << 16) >>> 0, 38);
  b.writeUInt32LE(w.offset, 42);
  b.write(w.name, 46, 'utf8');
  return b;
}

/** End of central directory; with a Zip64 record and locator first when there are more than 65,535 entries. */
function endOfCentralDirectory(count: number, cdSize: number, cdOffset: number): Buffer {
  const parts: Buffer[] = [];
  const zip64 = count > 0xffff;
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(VERSION_MADE_BY, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(rec, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : count, 8);
  end.writeUInt16LE(zip64 ? 0xffff : count, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(cdOffset, 16);
  parts.push(end);
  return Buffer.concat(parts);
}
