import { readSmokeFile } from '../config/smoke-file.js';
import type { ResolvedFunction } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { PlannedSmoke } from './plan.js';

/** One smoke invocation, ready to send. */
export interface SmokeEvent {
  /** `1/2 (tests/smoke/order.json)`: which event, in messages. */
  label: string;
  payload: Buffer;
  /** The JSON subset the response must contain, or null: no function error is enough. */
  expect: { value: unknown } | null;
}

/** The function's smoke events, files read from the repository (checked again: they may have changed since the config was loaded). */
export function smokeEvents(r: ResolvedFunction, root: string): SmokeEvent[] {
  return r.smoke.map((check, i) => {
    const label = `${i + 1}/${r.smoke.length} (${check.file ?? 'inline event'})`;
    let payload: Buffer;
    if (check.file !== undefined) {
      const read = readSmokeFile(root, check.file);
      if ('problem' in read) throw new UsageError(`smoke event file ${check.file} ${read.problem}`);
      payload = read.payload;
    } else {
      payload = Buffer.from(JSON.stringify(check.event ?? null));
    }
    return { label, payload, expect: 'expect' in check ? { value: check.expect } : null };
  });
}

/** The function's smoke events as a plan carries them (embedded, base64): applying needs no repository. */
export function plannedSmoke(r: ResolvedFunction, root: string): PlannedSmoke[] {
  return smokeEvents(r, root).map((e) => ({ label: e.label, payload: e.payload.toString('base64'), expect: e.expect }));
}
