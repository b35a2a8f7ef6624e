import type * as Zlib from 'node:zlib';

/**
 * Deflates `raw` (raw deflate, as a zip stores it) into `out` at `at`, which has room for
 * `raw.length` bytes: the length written, or -1 when deflating does not make it smaller (then
 * what was written there is to be overwritten).
 */
export type Deflate = (raw: Uint8Array, windowBits: number, level: number, out: Uint8Array, at: number) => number;

/**
 * A Deflate that gives deflateRawSync's bytes, byte for byte, at less cost per file.
 *
 * Why: a new zlib stream (what deflateRawSync makes per call) costs 15–25 µs to set up, as much as
 * deflating a 3 KB file; a package of 20,000 files paid it 20,000 times. Here one stream per
 * window size is kept and reset between files. A reset stream's window still holds what it
 * deflated before, where a new one holds zeros, and zlib's match search reads up to 258 bytes
 * past the end of its input: left so, about 1 file in 250 deflates to other (valid) bytes than a
 * new stream gives, and a fingerprint promises byte-equal zips. So after each file the stream is
 * reset, deflates as many zeros as the file touched (its length and zlib's 262 bytes of
 * lookahead), and is reset again: its window is all zeros, as a new stream's is. The zeros go in
 * at level 0 where they fit in the window (zlib copies stored input into its window: a memcpy),
 * else at level 1, which fills the whole window at a fraction of level 6's cost.
 *
 * Node.js has no public synchronous call for a stream used more than once: this drives the handle
 * behind zlib.createDeflateRaw() (writeSync, reset, params) as deflateRawSync itself does. Where
 * that handle is not there, or a check of a few inputs against deflateRawSync when it is made
 * differs, it is deflateRawSync per file. Self-contained (no outer names): the zip workers run its
 * source text.
 */
export function reusingDeflater(zlib: typeof Zlib): Deflate {
  const fresh: Deflate = (raw, windowBits, level, out, at) => {
    const d = zlib.deflateRawSync(raw, { level, windowBits });
    if (d.length >= raw.length) return -1;
    out.set(d, at);
    return d.length;
  };
  interface Handle {
    writeSync(
      flush: number,
      input: Uint8Array,
      inOff: number,
      inLen: number,
      out: Uint8Array,
      outOff: number,
      outLen: number,
    ): void;
    reset(): void;
    params(level: number, strategy: number): void;
  }
  interface Stream {
    zlibStream: Zlib.DeflateRaw;
    handle: Handle;
    /** [bytes of output room left, bytes of input left] after each writeSync */
    state: Uint32Array;
  }
  const { Z_FINISH, Z_DEFAULT_STRATEGY } = zlib.constants;
  const zeros = new Uint8Array((2 << 15) + 1024);
  const scratch = new Uint8Array(1 << 16);
  const streams = new Map<number, Stream>();

  const open = (windowBits: number, level: number): Stream => {
    const zlibStream = zlib.createDeflateRaw({ windowBits, level });
    const inner = zlibStream as unknown as { _handle?: Handle; _writeState?: Uint32Array };
    const handle = inner._handle;
    const state = inner._writeState;
    if (!handle || !(state instanceof Uint32Array) || typeof handle.writeSync !== 'function')
      throw new Error('zlib streams have no synchronous handle here');
    zlibStream.on('error', () => {}); // seen through `destroyed` below, right after the call
    return { zlibStream, handle, state };
  };
  /** One call into zlib to finish the stream: afterwards `state` holds the output room and input left. */
  const write = (s: Stream, input: Uint8Array, off: number, len: number, out: Uint8Array, at: number, room: number) => {
    s.handle.writeSync(Z_FINISH, input, off, len, out, at, room);
    if (s.zlibStream.destroyed) throw new Error('zlib failed to deflate');
  };
  /** Deflates all of `input` into `out` (room `room`): the length written, or -1 when the room ran out. */
  const finish = (s: Stream, input: Uint8Array, out: Uint8Array, at: number, room: number): number => {
    write(s, input, 0, input.length, out, at, room);
    const left = s.state[0]!;
    return left > 0 ? room - left : -1;
  };
  const clean = (s: Stream, touched: number, level: number, windowBits: number): void => {
    s.handle.reset();
    s.handle.params(touched <= 1 << windowBits ? 0 : 1, Z_DEFAULT_STRATEGY);
    let off = 0;
    let len = Math.min(touched, zeros.length);
    for (;;) {
      write(s, zeros, off, len, scratch, 0, scratch.length);
      if (s.state[0]! > 0) break;
      off += len - s.state[1]!;
      len = s.state[1]!;
    }
    s.handle.reset();
    s.handle.params(level, Z_DEFAULT_STRATEGY);
  };
  const reused: Deflate = (raw, windowBits, level, out, at) => {
    const key = windowBits * 16 + level;
    let s = streams.get(key);
    if (!s) {
      s = open(windowBits, level);
      streams.set(key, s);
    }
    try {
      const n = finish(s, raw, out, at, raw.length);
      clean(s, raw.length + 262, level, windowBits);
      return n;
    } catch (e) {
      streams.delete(key); // a stream zlib failed on is closed: the next file gets a new one
      throw e;
    }
  };

  try {
    // Small, to cost little on a thread's first file, and both ways of cleaning taken: in a
    // 512-byte window, 2,000 bytes fill it at level 1, then 70 bytes at level 0.
    let text = '';
    for (let i = 0; text.length < 2_000; i++) text += `line ${i % 97} of ${(i * 7919) % 1013}\n`;
    const long = new TextEncoder().encode(text);
    const samples: [Uint8Array, number][] = [
      [long, 9],
      [long.subarray(35, 105), 9],
    ];
    for (const [raw, bits] of samples) {
      const a = new Uint8Array(raw.length);
      const b = new Uint8Array(raw.length);
      const na = reused(raw, bits, 6, a, 0);
      const nb = fresh(raw, bits, 6, b, 0);
      if (na !== nb || (na > 0 && Buffer.compare(a.subarray(0, na), b.subarray(0, nb)) !== 0))
        throw new Error('differs');
    }
    return reused;
  } catch {
    for (const s of streams.values()) s.zlibStream.destroy();
    return fresh;
  }
}
