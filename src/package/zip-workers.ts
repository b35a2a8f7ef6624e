import { hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as zlibModule from 'node:zlib';
import { PackageError } from '../errors.js';
import { type Deflate, reusingDeflater } from './reused-deflate.js';

/**
 * The zip writer's readers and deflaters: worker threads (one per core), each taking a batch of
 * files, reading every file once into a reused buffer, and giving back each file's CRC-32, its
 * bytes as the zip stores them (deflated, or as they are; all of a batch's in one buffer) and, when
 * asked, the SHA-256 of its content (the fingerprint, from the same read).
 *
 * Why workers: synchronous zlib in a worker costs a third less CPU than Node's asynchronous zlib,
 * which makes a stream object and several thread-pool hops per file. Why one buffer per batch,
 * handed back after it is written: memory stays what is in flight, instead of growing with every
 * file's buffer until a garbage collection frees it.
 */

export interface FileJob {
  path: string;
  /** Size when listed: a file that reads to another size changed while it was being packaged. */
  size: number;
  /** Name in the archive, for errors. */
  name: string;
  /** 0 to store as it is; else the deflate window (deflated at DEFLATE_LEVEL, stored when that is not smaller). */
  windowBits: number;
  hash: boolean;
}

/** How one entry is stored. */
export interface Prepared {
  method: 0 | 8;
  crc: number;
  /** Stored (compressed) length. */
  length: number;
  /** SHA-256 of the content, when the job asked for it. */
  sha256: Uint8Array | null;
}

/**
 * A batch, in columns (a message of three arrays costs less than one of an object per file):
 * entry k is stored with method `meta[3k]`, CRC `meta[3k + 1]` and length `meta[3k + 2]`, its
 * bytes right after entry k - 1's in `data`, its content hash at `hashes[32k]` when asked for.
 */
export interface PreparedBatch {
  meta: Uint32Array;
  hashes: Uint8Array | null;
  data: Uint8Array;
}

/** What preparing a batch gave: the columns of a PreparedBatch, or the first file that failed. */
interface BatchOutcome {
  meta: Uint32Array;
  hashes: Uint8Array | null;
  failure: Exclude<Outcome, { ok: Prepared }> | null;
}

export const DEFLATE_LEVEL = 6; // zip's default

export interface Lib {
  prepareFile: typeof prepareFile;
  prepareBytes: typeof prepareBytes;
  openSync: typeof openSync;
  readSync: typeof readSync;
  closeSync: typeof closeSync;
  /** One-shot: crypto.hash costs less per file than a Hash object (createHash, update, digest). */
  hash: typeof hash;
  crc32: typeof zlibModule.crc32;
  /** One per thread: it keeps zlib streams between files. */
  deflate: Deflate;
}

type Outcome = { ok: Prepared } | { changed: string } | { failed: { message: string; code?: string } };

/**
 * One file, read once, its stored bytes written into `out` at `at` (which has room for the file's
 * size: the stored bytes are never more). Self-contained (no outer names, no inner named
 * functions): the workers run its source text. `scratch.buf` is the reused read buffer.
 */
export function prepareFile(
  job: FileJob,
  scratch: { buf: Buffer },
  lib: Lib,
  level: number,
  out: Uint8Array,
  at: number,
): Outcome {
  if (scratch.buf.length < job.size + 1) scratch.buf = Buffer.allocUnsafeSlow(Math.max(job.size + 1, 1 << 20));
  const buf = scratch.buf;
  let n = 0;
  let fd = -1;
  try {
    fd = lib.openSync(job.path, 'r');
    // Up to one byte past the listed size: a file that grew is noticed without reading all of it.
    for (;;) {
      const r = lib.readSync(fd, buf, n, job.size + 1 - n, null);
      n += r;
      if (r === 0 || n > job.size) break;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { failed: { message: err.message, ...(err.code ? { code: err.code } : {}) } };
  } finally {
    if (fd >= 0) lib.closeSync(fd);
  }
  if (n !== job.size) return { changed: job.name };
  return { ok: lib.prepareBytes(buf.subarray(0, n), job.windowBits, job.hash, lib, level, out, at) };
}

/**
 * Bytes as the zip stores them, copied into `out` at `at`: deflated when that is smaller, else as
 * they are; with their CRC-32 and, when asked, their SHA-256. Self-contained, like prepareFile.
 */
export function prepareBytes(
  raw: Uint8Array,
  windowBits: number,
  hash: boolean,
  lib: Lib,
  level: number,
  out: Uint8Array,
  at: number,
): Prepared {
  const crc = lib.crc32(raw);
  const sha256 = hash ? lib.hash('sha256', raw, 'buffer') : null;
  if (windowBits > 0 && raw.length > 0) {
    const length = lib.deflate(raw, windowBits, level, out, at);
    if (length >= 0) return { method: 8, crc, length, sha256 };
  }
  out.set(raw, at);
  return { method: 0, crc, length: raw.length, sha256 };
}

/**
 * A batch of files, their stored bytes back to back in `out` (at least the sum of their sizes
 * long); stops at the first file that fails. Self-contained, like prepareFile.
 */
export function prepareBatch(
  jobs: FileJob[],
  scratch: { buf: Buffer },
  lib: Lib,
  level: number,
  out: Uint8Array,
): BatchOutcome {
  const meta = new Uint32Array(3 * jobs.length);
  const hashes = jobs.length > 0 && jobs[0]!.hash ? new Uint8Array(32 * jobs.length) : null;
  let at = 0;
  for (let k = 0; k < jobs.length; k++) {
    const o = lib.prepareFile(jobs[k]!, scratch, lib, level, out, at);
    if (!('ok' in o)) return { meta, hashes, failure: o };
    meta[3 * k] = o.ok.method;
    meta[3 * k + 1] = o.ok.crc >>> 0;
    meta[3 * k + 2] = o.ok.length;
    if (hashes && o.ok.sha256) hashes.set(o.ok.sha256, 32 * k);
    at += o.ok.length;
  }
  return { meta, hashes, failure: null };
}

/**
 * The whole worker: batches in (with a spare buffer to write into, handed back by the writer),
 * outcomes out with the buffer, moved, not copied.
 */
function workerMain(
  sources: Pick<Lib, 'prepareFile' | 'prepareBytes'>,
  batch: typeof prepareBatch,
  deflater: typeof reusingDeflater,
  level: number,
) {
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const zlib = require('node:zlib') as typeof import('node:zlib');
  const lib: Lib = {
    ...sources,
    openSync: fs.openSync,
    readSync: fs.readSync,
    closeSync: fs.closeSync,
    hash: crypto.hash,
    crc32: zlib.crc32,
    deflate: deflater(zlib),
  };
  const scratch = { buf: Buffer.allocUnsafeSlow(1 << 20) };
  parentPort!.on('message', (msg: { id: number; jobs: FileJob[]; spare: ArrayBuffer | null; minimum: number }) => {
    let need = 0;
    for (const job of msg.jobs) need += job.size;
    const buffer = msg.spare && msg.spare.byteLength >= need ? msg.spare : new ArrayBuffer(Math.max(need, msg.minimum));
    const done = batch(msg.jobs, scratch, lib, level, new Uint8Array(buffer));
    const moved = [
      buffer,
      done.meta.buffer as ArrayBuffer,
      ...(done.hashes ? [done.hashes.buffer as ArrayBuffer] : []),
    ];
    parentPort!.postMessage({ id: msg.id, done, buffer }, moved);
  });
}

// The worker starts from source text, not a file: lci's sources also run untranspiled in its tests,
// where Node 20 gives workers no TypeScript loader. `__name` is what a transpiler that keeps
// function names may call, `__require` what the bundler (scripts/bundle.mjs) turns `require` into.
const WORKER_SOURCE = `var __name = (f) => f, __require = require;
(${workerMain.toString()})({ prepareFile: ${prepareFile.toString()}, prepareBytes: ${prepareBytes.toString()} }, ${prepareBatch.toString()}, ${reusingDeflater.toString()}, ${DEFLATE_LEVEL});`;

export const inlineLib: Lib = {
  prepareFile,
  prepareBytes,
  openSync,
  readSync,
  closeSync,
  hash,
  crc32: zlibModule.crc32,
  deflate: (...args) => {
    inlineDeflate ??= reusingDeflater(zlibModule);
    return inlineDeflate(...args);
  },
};
let inlineDeflate: Deflate | undefined;
const inlineScratch = { buf: Buffer.allocUnsafeSlow(0) };

/** Prepares files on this thread: for small zips, where starting a worker costs more than the work. */
export function prepareInline(jobs: FileJob[]): PreparedBatch {
  const out = new Uint8Array(jobs.reduce((n, j) => n + j.size, 0));
  return settle(prepareBatch(jobs, inlineScratch, inlineLib, DEFLATE_LEVEL, out), out);
}

function settle(done: BatchOutcome, data: Uint8Array): PreparedBatch {
  const o = done.failure;
  if (o && 'changed' in o) throw new PackageError(`${o.changed} changed while it was being packaged; run again`);
  if (o && 'failed' in o) {
    const e: NodeJS.ErrnoException = new Error(o.failed.message);
    if (o.failed.code) e.code = o.failed.code;
    throw e;
  }
  return { meta: done.meta, hashes: done.hashes, data };
}

interface Task {
  jobs: FileJob[];
  resolve: (r: PreparedBatch) => void;
  reject: (e: unknown) => void;
}

/** A batch buffer is at least this long, so most batches fit the spare they are given. */
const MINIMUM_BUFFER = 1280 * 1024;
/** Spares kept for reuse: what is in flight at once, no more; a larger buffer (a batch with a big file) is dropped. */
const MAX_SPARES = 2 * availableParallelism() + 2;
const MAX_SPARE_BYTES = 4 * MINIMUM_BUFFER;

/** The workers, started on first use and shared by every zip of the process; idle, they do not keep it alive. */
class Pool {
  readonly size = Math.max(1, availableParallelism());
  private readonly idle: Worker[] = [];
  private started = 0;
  private readonly queue: Task[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly spares: ArrayBuffer[] = [];
  private nextId = 0;

  run(jobs: FileJob[]): Promise<PreparedBatch> {
    return new Promise((resolve, reject) => {
      this.queue.push({ jobs, resolve, reject });
      this.dispatch();
    });
  }

  /** A batch's buffer, written out: the next batch's output goes there. */
  giveBack(buffer: ArrayBufferLike): void {
    if (buffer instanceof ArrayBuffer && buffer.byteLength <= MAX_SPARE_BYTES && this.spares.length < MAX_SPARES)
      this.spares.push(buffer);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < this.size ? this.start() : undefined);
      if (!worker) return;
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.ref();
      const spare = this.spares.pop() ?? null;
      worker.postMessage({ id: this.nextId++, jobs: task.jobs, spare, minimum: MINIMUM_BUFFER }, spare ? [spare] : []);
    }
  }

  private start(): Worker {
    this.started++;
    // A small young generation: the garbage zlib leaves per file (its output chunks) is freed often.
    const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    worker.on('message', (msg: { done: BatchOutcome; buffer: ArrayBuffer }) => {
      const task = this.busy.get(worker)!;
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      try {
        task.resolve(settle(msg.done, new Uint8Array(msg.buffer)));
      } catch (e) {
        this.giveBack(msg.buffer);
        task.reject(e);
      }
      this.dispatch();
    });
    worker.on('error', (e) => this.lost(worker, e));
    worker.on('exit', (code) => this.lost(worker, new Error(`a zip worker exited with code ${code}`)));
    return worker;
  }

  private lost(worker: Worker, e: unknown): void {
    const task = this.busy.get(worker);
    this.busy.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    else if (!task) return; // already counted out
    this.started--;
    task?.reject(e);
    this.dispatch();
  }
}

let pool: Pool | undefined;

function thePool(): Pool {
  pool ??= new Pool();
  return pool;
}

/** Prepares a batch of files on a worker. */
export function prepareOnWorker(jobs: FileJob[]): Promise<PreparedBatch> {
  return thePool().run(jobs);
}

/** A batch's buffer, once its bytes are written: reused for a later batch. */
export function giveBack(data: Uint8Array): void {
  pool?.giveBack(data.buffer);
}

/** How many workers prepare files at once. */
export function workerCount(): number {
  return thePool().size;
}
