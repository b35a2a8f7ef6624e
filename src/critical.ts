/**
 * Work that must not be cut in half by the process exiting: putting an alias back on the version
 * it served. bin/lci.js exits by force after a grace period (or on a second Ctrl-C); while a
 * critical section is open it waits for it to end first (bounded by CRITICAL_MAX_MS there).
 */

let open = 0;
let waiters: (() => void)[] = [];

/** Runs `work` as a critical section: a forced exit waits until it settles. */
export async function critical<T>(work: () => Promise<T>): Promise<T> {
  open++;
  try {
    return await work();
  } finally {
    open--;
    if (open === 0) {
      const done = waiters;
      waiters = [];
      for (const w of done) w();
    }
  }
}

/** Null when no critical section is open; otherwise a promise that resolves when the last one ends. */
export function criticalWork(): Promise<void> | null {
  if (open === 0) return null;
  return new Promise((resolve) => waiters.push(resolve));
}
