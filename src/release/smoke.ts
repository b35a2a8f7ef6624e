/**
 * The smoke gate's decision: did one invocation of the new version pass? Pure; the invocation
 * itself is src/aws/invoke.ts. A function error fails; with `expect`, so does a response that is
 * not JSON or does not contain the expected JSON subset.
 */
import { DeployError } from '../errors.js';

export interface SmokeOutcome {
  functionError: string | null;
  payload: Buffer;
}

/** Why the invocation failed the smoke test, or null when it passed. */
export function smokeProblem(outcome: SmokeOutcome, expect: { value: unknown } | null): string | null {
  if (outcome.functionError) return `function error ${outcome.functionError}`;
  if (!expect) return null;
  let response: unknown;
  try {
    response = JSON.parse(outcome.payload.toString('utf8'));
  } catch {
    return 'the response is not JSON, so it cannot match expect';
  }
  const mismatch = jsonSubsetMismatch(expect.value, response);
  return mismatch === null ? null : `the response does not match expect: ${mismatch}`;
}

/**
 * Where `actual` fails to contain `expected`, or null: objects match by the keys expected (more
 * keys are fine), arrays element by element with the same length, everything else by equality.
 */
export function jsonSubsetMismatch(expected: unknown, actual: unknown, at = '$'): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, got ${shown(actual)}`;
    if (actual.length !== expected.length) return `${at}: expected ${expected.length} element(s), got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = jsonSubsetMismatch(expected[i], actual[i], `${at}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${at}: expected an object, got ${shown(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const path = /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
      if (!Object.hasOwn(actual, key)) return `${path}: missing (expected ${shown(value)})`;
      const m = jsonSubsetMismatch(value, (actual as Record<string, unknown>)[key], path);
      if (m) return m;
    }
    return null;
  }
  return expected === actual ? null : `${at}: expected ${shown(expected)}, got ${shown(actual)}`;
}

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The failure as people read it: what failed, then the response and the log tail, indented. */
export function smokeFailure(
  label: string,
  version: string,
  problem: string,
  payload: Buffer,
  logTail: string,
  where: string,
): DeployError {
  const response = payload.toString('utf8');
  return new DeployError(`smoke test ${label} failed on version ${version}: ${problem}; ${where}`, [
    `  response: ${response.length > 2000 ? `${response.slice(0, 2000)}... (${payload.length} bytes)` : response || '(empty)'}`,
    '  log tail:',
    ...(logTail.trimEnd() ? logTail.trimEnd().split('\n') : ['(none)']).map((l) => `    | ${l}`),
  ]);
}
