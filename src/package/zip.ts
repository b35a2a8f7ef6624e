import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { crc32, createDeflateRaw } from 'node:zlib';
import { extname } from 'node:path';
import { PackageError } from '../errors.js';
import { unsafeEntryName } from './zip-check.js';
import {
  DEFLATE_LEVEL,
  type FileJob,
  giveBack,
  inlineLib,
  type PreparedBatch,
  prepareBytes,
  prepareInline,
  prepareOnWorker,
  workerCount,
} from './zip-workers.js';

/**
 * A deterministic zip writer: the same entries give the same bytes, whatever the file times,
 * creation order, umask, owner or machine (for one Node.js zlib). Entries are sorted by name,
 * stamped 1980-01-01 00:00, given mode 0644 or 0755 and no extra fields.
 *
 * Files are read and deflated in batches on worker threads (one per core, see zip-workers.ts),
 * each file read once, and written in order by this thread with large buffered writes, with a
 * bounded number of bytes and batches in flight. Files above STREAM_ABOVE bytes are streamed
 * through one deflate stream instead of buffered. A zip of less than INLINE_BELOW bytes is made
 * on this thread: starting a worker would cost more than the work.
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

/** Told each entry's content SHA-256, in archive order, from the read that zipped it. */
export type ContentHashes = (e: ZipEntry, sha256: Uint8Array) => void;

const STREAM_ABOVE = 8 * 1024 * 1024;
/** Bytes gathered before one writev. */
const WRITE_BUFFER = 1024 * 1024;
const INLINE_BELOW = 1024 * 1024;
/** A batch for one worker: enough files that a message costs nothing next to the work. */
const BATCH_BYTES = 1024 * 1024;
const BATCH_FILES = 256;
const MAX_BYTES_IN_FLIGHT = 16 * 1024 * 1024;
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

/** What the writer takes in order: a batch of files for a worker, a buffer entry, or a large file to stream. */
type Unit =
  | { kind: 'files'; from: number; to: number; bytes: number }
  | { kind: 'data'; at: number }
  | { kind: 'stream'; at: number };

/**
 * `mode`: the file's permissions (before the umask), 0666 unless the caller wants it private.
 * `contentHashes`: told every entry's content SHA-256, from the same read (for a fingerprint).
 */
export async function writeZip(
  input: ZipEntry[],
  outPath: string,
  mode = 0o666,
  contentHashes?: ContentHashes,
): Promise<ZipResult> {
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
  const hash = contentHashes !== undefined;
  const units = unitsOf(entries);
  const fileBytes = units.reduce((n, u) => n + (u.kind === 'files' ? u.bytes : 0), 0);
  const inline = fileBytes < INLINE_BELOW;
  const prepare = inline ? async (jobs: FileJob[]) => prepareInline(jobs) : prepareOnWorker;
  const maxBatches = 2 * workerCount() + 1;
  // Written beside the target and renamed at the end: a failure never leaves a half-written archive.
  const tmpPath = `${outPath}.${process.pid}.tmp`;
  const handle = await open(tmpPath, 'w', mode);
  const pending = new Map<number, Promise<PreparedBatch>>();
  try {
    const out = new Output(handle);
    const written: Written[] = [];
    let next = 0;
    let inFlight = 0;
    // Keep every worker busy within the memory budget; batches go out in order, and an empty
    // pipeline always takes the next one, so unit i is on its way by the time the writer needs it.
    const fill = () => {
      for (; next < units.length; next++) {
        const u = units[next]!;
        if (u.kind !== 'files') continue;
        if (pending.size > 0 && (inFlight + u.bytes > MAX_BYTES_IN_FLIGHT || pending.size >= maxBatches)) break;
        inFlight += u.bytes;
        const task = prepare(jobsOf(entries, u, hash));
        task.catch(() => {}); // awaited in order below; this only keeps an early failure from going unhandled
        pending.set(next, task);
      }
    };
    for (let i = 0; i < units.length; i++) {
      fill();
      const u = units[i]!;
      if (u.kind === 'stream') {
        written.push(await out.streamedEntry(entries[u.at]!, contentHashes));
        continue;
      }
      if (u.kind === 'data') {
        const e = entries[u.at]!;
        const raw = (e.source as { data: Buffer }).data;
        if (raw.length !== e.size) throw new PackageError(`${e.name} changed while it was being packaged; run again`);
        const data = Buffer.allocUnsafe(raw.length);
        const p = prepareBytes(raw, windowBitsOf(e), hash, inlineLib, DEFLATE_LEVEL, data, 0);
        if (p.sha256) contentHashes!(e, p.sha256);
        const meta = Uint32Array.of(p.method, p.crc >>> 0, p.length);
        written.push(...(await out.entries([e], { meta, hashes: null, data })));
        continue;
      }
      const batch = await pending.get(i)!;
      pending.delete(i);
      inFlight -= u.bytes;
      fill();
      const slice = entries.slice(u.from, u.to);
      if (batch.hashes)
        for (let k = 0; k < slice.length; k++) contentHashes!(slice[k]!, batch.hashes.subarray(32 * k, 32 * k + 32));
      written.push(...(await out.entries(slice, batch)));
      await out.flush(); // the batch's buffer is written: a later batch may fill it
      if (!inline) giveBack(batch.data);
    }
    const cdOffset = out.offset;
    await out.write(centralDirectory(written));
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
    // Batches still out finish on their workers; their results are dropped.
    await handle.close().catch(() => {});
    await rm(tmpPath, { force: true });
    throw e;
  }
}

/** The entries, in order, grouped into what the writer takes one at a time. */
function unitsOf(entries: ZipEntry[]): Unit[] {
  const units: Unit[] = [];
  let batch: { kind: 'files'; from: number; to: number; bytes: number } | null = null;
  entries.forEach((e, i) => {
    if (!('path' in e.source)) {
      batch = null;
      units.push({ kind: 'data', at: i });
    } else if (e.size > STREAM_ABOVE) {
      batch = null;
      units.push({ kind: 'stream', at: i });
    } else {
      if (batch === null || batch.bytes >= BATCH_BYTES || batch.to - batch.from >= BATCH_FILES) {
        batch = { kind: 'files', from: i, to: i, bytes: 0 };
        units.push(batch);
      }
      batch.to = i + 1;
      batch.bytes += e.size;
    }
  });
  return units;
}

function jobsOf(entries: ZipEntry[], u: { from: number; to: number }, hash: boolean): FileJob[] {
  const jobs: FileJob[] = [];
  for (let k = u.from; k < u.to; k++) {
    const e = entries[k]!;
    jobs.push({
      path: (e.source as { path: string }).path,
      size: e.size,
      name: e.name,
      windowBits: windowBitsOf(e),
      hash,
    });
  }
  return jobs;
}

/** 0 for an entry stored as it is (empty, or already compressed); else the deflate window that fits it. */
function windowBitsOf(e: ZipEntry): number {
  return e.size === 0 || storedByName(e.name) ? 0 : windowBitsFor(e.size);
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
    if (this.buffered >= WRITE_BUFFER) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    await this.handle.writev(chunks);
  }

  /** Entries prepared together: their local headers in one buffer, each before its bytes. */
  async entries(entries: ZipEntry[], batch: PreparedBatch): Promise<Written[]> {
    const ws: Written[] = [];
    let headerBytes = 0;
    let offset = this.offset;
    const m = batch.meta;
    entries.forEach((e, k) => {
      const w = written(e, m[3 * k] as 0 | 8, m[3 * k + 1]!, m[3 * k + 2]!, offset);
      ws.push(w);
      headerBytes += 30 + w.nameBytes;
      offset += 30 + w.nameBytes + w.compressed;
    });
    const headers = Buffer.allocUnsafe(headerBytes);
    let h = 0;
    let at = 0;
    for (const w of ws) {
      const end = localHeader(w, headers, h);
      await this.write(headers.subarray(h, end));
      h = end;
      await this.write(batch.data.subarray(at, at + w.compressed));
      at += w.compressed;
    }
    return ws;
  }

  /**
   * A large file, streamed through deflate. Its CRC and sizes are known only at the end, so they
   * follow the data in a data descriptor (general purpose bit 3) and the output stays sequential.
   */
  async streamedEntry(e: ZipEntry, contentHashes: ContentHashes | undefined): Promise<Written> {
    const path = (e.source as { path: string }).path;
    const method: 0 | 8 = storedByName(e.name) ? 0 : 8;
    const w = written(e, method, 0, 0, this.offset);
    w.descriptor = true;
    const header = Buffer.alloc(30 + w.nameBytes);
    localHeader(w, header, 0);
    await this.write(header);
    let crc = 0;
    let size = 0;
    const content = contentHashes ? createHash('sha256') : null;
    const source = createReadStream(path, { highWaterMark: 1 << 20 });
    const stream = method === 8 ? source.pipe(createDeflateRaw({ level: DEFLATE_LEVEL })) : source;
    source.on('data', (chunk: Buffer | string) => {
      const b = chunk as Buffer;
      crc = crc32(b, crc);
      content?.update(b);
      size += b.length;
    });
    for await (const chunk of stream) {
      await this.write(chunk as Buffer);
      w.compressed += (chunk as Buffer).length;
    }
    if (size !== e.size) throw new PackageError(`${e.name} changed while it was being packaged; run again`);
    w.crc = crc;
    await this.write(dataDescriptor(w));
    if (content) contentHashes!(e, content.digest());
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

/** Writes the local header into `b` at `at`; returns where it ends. */
function localHeader(w: Written, b: Buffer, at: number): number {
  b.writeUInt32LE(0x04034b50, at);
  b.writeUInt16LE(20, at + 4);
  b.writeUInt16LE(flags(w), at + 6);
  b.writeUInt16LE(w.method, at + 8);
  b.writeUInt16LE(DOS_TIME_MIDNIGHT, at + 10);
  b.writeUInt16LE(DOS_DATE_1980_01_01, at + 12);
  b.writeUInt32LE(w.descriptor ? 0 : w.crc >>> 0, at + 14);
  b.writeUInt32LE(w.descriptor ? 0 : w.compressed, at + 18);
  b.writeUInt32LE(w.descriptor ? 0 : w.size, at + 22);
  b.writeUInt16LE(w.nameBytes, at + 26);
  b.writeUInt16LE(0, at + 28);
  b.write(w.name, at + 30, 'utf8');
  return at + 30 + w.nameBytes;
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

/** Every entry's central header, in one buffer. */
function centralDirectory(ws: Written[]): Buffer {
  const b = Buffer.alloc(ws.reduce((n, w) => n + 46 + w.nameBytes, 0));
  let at = 0;
  for (const w of ws) at = centralHeader(w, b, at);
  return b;
}

function centralHeader(w: Written, b: Buffer, at: number): number {
  if (w.offset > 0xffffffff || w.size > 0xffffffff)
    throw new PackageError('archives over 4 GiB are not supported (Lambda allows 250 MB unzipped)');
  b.writeUInt32LE(0x02014b50, at);
  b.writeUInt16LE(VERSION_MADE_BY, at + 4);
  b.writeUInt16LE(20, at + 6);
  b.writeUInt16LE(flags(w), at + 8);
  b.writeUInt16LE(w.method, at + 10);
  b.writeUInt16LE(DOS_TIME_MIDNIGHT, at + 12);
  b.writeUInt16LE(DOS_DATE_1980_01_01, at + 14);
  b.writeUInt32LE(w.crc >>> 0, at + 16);
  b.writeUInt32LE(w.compressed, at + 20);
  b.writeUInt32LE(w.size, at + 24);
  b.writeUInt16LE(w.nameBytes, at + 28);
  // extra field, comment, disk number, internal attributes: all zero
  b.writeUInt32LE(0, at + 30);
  b.writeUInt32LE(0, at + 34);
  b.writeUInt32LE((w.mode << 16) >>> 0, at + 38);
  b.writeUInt32LE(w.offset, at + 42);
  b.write(w.name, at + 46, 'utf8');
  return at + 46 + w.nameBytes;
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
