import picomatch from 'picomatch';

const WINDOWS = process.platform === 'win32';

/**
 * picomatch's answer for a path, without the garbage: each call of a picomatch matcher allocates
 * a result, its test's result and a regular expression match, and plan asks of every changed
 * path, packaging of every file. Without `ignore`, `format`, `basename` or callbacks, picomatch
 * matches a path when it (its slashes made POSIX on Windows, as picomatch's entry point sets
 * `windows`) equals the glob or its regular expression tests true; the empty path never matches.
 */
export function globTest(
  globs: string | readonly string[],
  options: { dot?: boolean } = {},
): (path: string) => boolean {
  const opts = { ...options, windows: WINDOWS };
  const tests = (typeof globs === 'string' ? [globs] : globs).map((glob) => ({
    glob,
    re: picomatch.makeRe(glob, opts),
  }));
  return (input) => {
    if (input === '') return false;
    const path = WINDOWS ? input.replace(/\\/g, '/') : input;
    for (const t of tests) if (input === t.glob || path === t.glob || t.re.test(path)) return true;
    return false;
  };
}
