import type { Timing } from './lambda.js';

/**
 * When to read again while an update is in progress, as times since the wait started: at a fixed
 * rate (every `pollMs`, the first after `firstPollMs` when a write just started the update), so
 * each read's own round trip does not push the next one later; after `steadyMs` the gap doubles up
 * to `maxPollMs`. A read that ends after its successor was due is followed a whole gap later, never
 * at once: a slow (throttled) Lambda is not asked faster.
 */
export function nextPoll(
  timing: Pick<Timing, 'pollMs' | 'steadyMs' | 'maxPollMs'>,
  last: { due: number; gap: number },
  now: number,
): { due: number; gap: number } {
  const gap = last.due >= timing.steadyMs ? Math.min(timing.maxPollMs, last.gap * 2) : last.gap;
  const due = last.due + gap;
  return { due: due >= now ? due : now + gap, gap };
}
