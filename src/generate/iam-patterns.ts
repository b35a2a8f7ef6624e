/**
 * IAM resource strings as patterns: a lambdas.yaml value written so IAM reads it literally, and
 * whether two patterns can match one ARN. In an IAM Resource `*` matches any run of characters
 * and `?` any one, both across `/` and `:`; `${*}`, `${?}` and `${$}` stand for the characters
 * themselves (IAM's predefined policy variables, Version 2012-10-17). Pure.
 */

/** A value as IAM reads it literally inside a Resource: `*`, `?` and `$` written as `${*}`, `${?}`, `${$}`. */
export function iamLiteral(s: string): string {
  return s.replace(/[$*?]/g, (c) => `\${${c}}`);
}

/** Which characters a wildcard token takes: any; any but '/' (one S3 key segment); decimal digits. */
type CharClass = 'any' | 'segment' | 'digit';

/** One position of a pattern: a literal character, one character of a class, or a run (zero or more) of it. */
export type Token = { lit: string } | { one: CharClass } | { run: CharClass };

/** A pattern: IAM's own (from a Resource string) or a model of the names a resource can have. */
export type Pattern = Token[];

/** A Resource string as IAM matches it. */
export function iamPattern(resource: string): Pattern {
  const out: Pattern = [];
  for (let i = 0; i < resource.length; i++) {
    const special = /^\$\{([*?$])\}/.exec(resource.slice(i));
    if (special) {
      out.push({ lit: special[1]! });
      i += special[0].length - 1;
    } else if (resource[i] === '*') out.push({ run: 'any' });
    else if (resource[i] === '?') out.push({ one: 'any' });
    else out.push({ lit: resource[i]! });
  }
  return out;
}

/** A model of names: literal strings and wildcard tokens, in order (for the resources a grant must not reach). */
export function model(...parts: (string | Token)[]): Pattern {
  return parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => ({ lit: c })) : [p]));
}

/** One S3 key segment or more characters: `[^/]+`. */
export const SEGMENT: Token[] = [{ one: 'segment' }, { run: 'segment' }];
/** A version number: `[0-9]+`. */
export const DIGITS: Token[] = [{ one: 'digit' }, { run: 'digit' }];

function admits(cls: CharClass, c: string): boolean {
  return cls === 'any' || (cls === 'segment' ? c !== '/' : c >= '0' && c <= '9');
}

/** Whether two tokens can consume the same character (any two classes share one: 'a' or '1'). */
function meet(a: Token, b: Token): boolean {
  const ca = 'lit' in a ? a.lit : null;
  const cb = 'lit' in b ? b.lit : null;
  if (ca !== null && cb !== null) return ca === cb;
  if (ca !== null) return admits('one' in b ? b.one : (b as { run: CharClass }).run, ca);
  if (cb !== null) return admits('one' in a ? a.one : (a as { run: CharClass }).run, cb);
  return true;
}

/**
 * Whether some string matches both patterns: a walk over pairs of positions (the product of the
 * two automata), so it is exact for any mix of wildcards and takes at most |a|·|b| steps.
 */
export function overlaps(a: Pattern, b: Pattern): boolean {
  if (!literalEndsAgree(a, b)) return false;
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const id = i * width + j;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta && 'run' in ta) stack.push([i + 1, j]); // the run ends here
    if (tb && 'run' in tb) stack.push([i, j + 1]);
    if (ta && tb && meet(ta, tb)) stack.push(['run' in ta ? i : i + 1, 'run' in tb ? j : j + 1]);
  }
  return false;
}

/** The literal characters before the first wildcard of either, and after the last, agree (a fast "no" for most pairs). */
function literalEndsAgree(a: Pattern, b: Pattern): boolean {
  const lit = (t: Token | undefined) => (t && 'lit' in t ? t.lit : null);
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const [x, y] = [lit(a[k]), lit(b[k])];
    if (x === null || y === null) break;
    if (x !== y) return false;
  }
  for (let k = 1; k <= Math.min(a.length, b.length); k++) {
    const [x, y] = [lit(a[a.length - k]), lit(b[b.length - k])];
    if (x === null || y === null) break;
    if (x !== y) return false;
  }
  return true;
}
