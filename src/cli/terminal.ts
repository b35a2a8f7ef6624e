import type { Style } from '../report/style.js';

/**
 * Whether text written to a stream gets colour:
 * - `NO_COLOR` set and not empty: never (no-color.org), whatever else is set: it is the reader's
 *   standing request (colorette and picocolors, listr2's own, decide the same; a test runner or a
 *   wrapper that exports FORCE_COLOR does not overrule it);
 * - else `FORCE_COLOR` set and not empty forces it, even into a pipe or a file (force-color.org),
 *   except `0` or `false`, which turn it off (as Node.js and chalk read them);
 * - else colour only on a terminal, and not one that says `TERM=dumb`.
 */
export function colorFor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if ((env.NO_COLOR ?? '') !== '') return false;
  const force = (env.FORCE_COLOR ?? '').trim().toLowerCase();
  if (force === '0' || force === 'false') return false;
  if (force !== '') return true;
  return isTTY && env.TERM !== 'dumb';
}

/**
 * Whether the locale's character set is UTF-8, as the C library decides it: the first of
 * LC_ALL, LC_CTYPE and LANG that is set and not empty names the locale; none is the C locale,
 * whose character set is ASCII.
 */
export function unicodeLocale(env: NodeJS.ProcessEnv): boolean {
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== '') ?? 'C';
  return /utf-?8/i.test(locale);
}

export function styleFor(env: NodeJS.ProcessEnv, isTTY: boolean): Style {
  return { color: colorFor(env, isTTY), unicode: unicodeLocale(env) };
}
