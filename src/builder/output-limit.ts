import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What one build step may write to /out: twice Lambda's 262,144,000-byte unzipped limit for a
 * function and its layers together, room for what `exclude` then leaves out. No single file may be
 * larger either (the container's RLIMIT_FSIZE).
 */
export const MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

/** How often the output is measured at least; a slow scan (many files) waits longer, so scanning takes at most a fifth of the time. */
const CHECK_EVERY_MS = 250;

/**
 * Bytes the regular files under `dir` hold (their sizes as a zip would store them, so a sparse file
 * counts in full; symlinks are not followed), or a number above `stopAbove` as soon as the count
 * passes it.
 */
export async function treeBytes(dir: string, stopAbove = Number.POSITIVE_INFINITY): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0 && total <= stopAbove) {
    const at = pending.pop()!;
    const names = await readdir(at).catch(() => [] as string[]); // a directory removed while scanning
    for (const name of names) {
      const s = await lstat(join(at, name)).catch(() => null);
      if (s?.isDirectory()) pending.push(join(at, name));
      else if (s?.isFile()) total += s.size;
      if (total > stopAbove) break;
    }
  }
  return total;
}

/**
 * Measures `dir` while a container writes to it and calls `onExceeded` once with the bytes found
 * when they pass `maxBytes`. Returns a function that stops watching.
 */
export function watchOutput(dir: string, maxBytes: number, onExceeded: (bytes: number) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    const started = Date.now();
    const bytes = await treeBytes(dir, maxBytes);
    if (stopped) return;
    if (bytes > maxBytes) {
      stopped = true;
      onExceeded(bytes);
      return;
    }
    timer = setTimeout(check, Math.max(CHECK_EVERY_MS, 4 * (Date.now() - started)));
  };
  timer = setTimeout(check, CHECK_EVERY_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
