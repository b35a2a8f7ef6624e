import { closeSync, constants, fstatSync, openSync, readSync, writeSync, type Stats } from 'node:fs';

/** What a file named by a flag, an environment variable or lambdas.yaml turned out to hold. */
export type NamedFile =
  | { ok: true; data: Buffer }
  /** `problem` says what is wrong in words, without the path (the caller says where the path came from). */
  | { ok: false; kind: Refusal; problem: string };

export type Refusal = 'missing' | 'directory' | 'not-regular' | 'denied' | 'too-large' | 'unreadable';
type Refused = Extract<NamedFile, { ok: false }>;

/** Read size once a file has given more than its size said (/proc files say 0). */
const CHUNK = 64 * 1024;

/**
 * Reads a file whose path someone else chose (`--config`, `--event`, `GITHUB_EVENT_PATH`, a smoke
 * file): only a readable regular file of at most `maxBytes`. A FIFO is opened without waiting for a
 * writer and refused, a device is refused before a byte is read, and a file that holds more than
 * its size says (/proc, a file still being written) is read to one byte past the limit: such a path
 * never blocks the process and never costs more memory than the limit.
 */
export function readNamedFile(
  path: string,
  maxBytes: number,
  limitReason = `lci reads at most ${maxBytes} bytes`,
): NamedFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return openRefusal(e as NodeJS.ErrnoException);
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) return notRegular(s);
    if (s.size > maxBytes) return refused('too-large', `is ${s.size} bytes; ${limitReason}`);
    const chunks: Buffer[] = [];
    let total = 0;
    // One byte past what stat promised, so a file that holds more is noticed.
    for (let want = s.size + 1; ; want = CHUNK) {
      const buf = Buffer.alloc(Math.min(want, maxBytes + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return { ok: true, data: Buffer.concat(chunks, total) };
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) return refused('too-large', `is more than ${maxBytes} bytes; ${limitReason}`);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return refused('directory', 'is a directory');
    return refused('unreadable', `cannot be read (${code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends to a file someone else named (`GITHUB_OUTPUT`), creating it when absent: only a regular
 * file. A FIFO without a reader or a device is refused instead of blocking the process. Returns
 * the problem in words (without the path), or null once written.
 */
export function appendNamedFile(path: string, text: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o644);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return err.code === 'EISDIR' ? 'is a directory' : openRefusal(err).problem.replace('be read', 'be written');
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) return notRegular(s).problem;
    writeSync(fd, text);
    return null;
  } catch (e) {
    return `cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  } finally {
    closeSync(fd);
  }
}

function refused(kind: Refusal, problem: string): Refused {
  return { ok: false, kind, problem };
}

function openRefusal(e: NodeJS.ErrnoException): Refused {
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return refused('missing', 'does not exist');
  if (e.code === 'EACCES' || e.code === 'EPERM') return refused('denied', 'cannot be read (permission denied)');
  // O_NONBLOCK: a socket, or a FIFO whose open would wait for its other end.
  if (e.code === 'ENXIO') return refused('not-regular', 'is not a regular file (a socket or FIFO)');
  if (e.code === 'ELOOP') return refused('unreadable', 'is a loop of symbolic links');
  return refused('unreadable', `cannot be opened (${e.code ?? e.message})`);
}

function notRegular(s: Stats): Refused {
  if (s.isDirectory()) return refused('directory', 'is a directory');
  const kind = s.isFIFO()
    ? 'a FIFO'
    : s.isCharacterDevice() || s.isBlockDevice()
      ? 'a device'
      : s.isSocket()
        ? 'a socket'
        : 'not a file';
  return refused('not-regular', `is not a regular file (${kind})`);
}
