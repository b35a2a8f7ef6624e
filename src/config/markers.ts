import type { Architecture, Runtime } from './runtimes.js';

/**
 * PEP 508 environment markers (`; python_version >= "3.12"`), evaluated as far as lambdas.yaml
 * can tell: the Python version of a runtime and what every Lambda python runtime is (Linux,
 * CPython, the architecture's machine). Three-valued: a marker over anything else (an extra, a
 * platform release), a version lci does not compare (`3.12rc1`) or a patch level it cannot know
 * is unknown, null, and so never counts as false. Comparisons follow the `packaging` library pip
 * uses: a version comparison when the right-hand side makes a valid specifier, else a string
 * one. Pure.
 */

/** True, false, or null: unknown. */
type Truth = boolean | null;

/** A marker variable's value: known text, or a full Python version of which only major.minor is known. */
type Value = { text: string } | { minor: number[] } | null;

export type MarkerEnvironment = Record<string, Value>;

/** The marker variables a function or layer of this runtime and architecture is installed for; null for another family. */
export function lambdaMarkerEnvironment(runtime: Runtime, architecture: Architecture): MarkerEnvironment | null {
  const m = /^python(\d+)\.(\d+)$/.exec(runtime);
  if (!m) return null;
  return {
    python_version: { text: `${m[1]}.${m[2]}` },
    python_full_version: { minor: [Number(m[1]), Number(m[2])] },
    sys_platform: { text: 'linux' },
    platform_system: { text: 'Linux' },
    os_name: { text: 'posix' },
    implementation_name: { text: 'cpython' },
    platform_python_implementation: { text: 'CPython' },
    platform_machine: { text: architecture === 'arm64' ? 'aarch64' : 'x86_64' },
  };
}

/** True or false when the marker decides it for this environment; null when it depends on what lci cannot know (or does not parse). */
export function evaluateMarker(marker: string, env: MarkerEnvironment): boolean | null {
  const tokens = tokenize(marker);
  if (tokens === null) return null;
  let pos = 0;
  const peek = () => tokens[pos];
  // `a and b and …`, `a or b or …`: undefined when the marker does not parse.
  const chain =
    (keyword: string, next: () => Truth | undefined, join: (a: Truth, b: Truth) => Truth) => (): Truth | undefined => {
      let left = next();
      while (left !== undefined && peek() === keyword) {
        pos++;
        const right = next();
        if (right === undefined) return undefined;
        left = join(left, right);
      }
      return left;
    };
  const andExpr = chain('and', () => atom(), and3);
  const orExpr = chain('or', andExpr, or3);
  const atom = (): Truth | undefined => {
    if (peek() === '(') {
      pos++;
      const inner = orExpr();
      if (peek() !== ')') return undefined;
      pos++;
      return inner;
    }
    const lhs = operand(tokens[pos++]);
    const op = tokens[pos++];
    const rhs = operand(tokens[pos++]);
    if (lhs === undefined || rhs === undefined || op === undefined || !OPERATORS.has(op)) return undefined;
    return compare(lhs, op, rhs);
  };
  const operand = (token: string | undefined): Value | undefined => {
    if (token === undefined) return undefined;
    if (/^['"]/.test(token)) return { text: token.slice(1, -1) };
    if (!/^[a-z_.]+$/.test(token) || KEYWORDS.has(token)) return undefined;
    return env[token] ?? null;
  };
  const result = orExpr();
  return result === undefined || pos !== tokens.length ? null : result;
}

/** Three-valued `and` and `or`: unknown unless the known sides decide it. */
const and3 = (a: Truth, b: Truth): Truth => (a === false || b === false ? false : a && b ? true : null);
const or3 = (a: Truth, b: Truth): Truth =>
  a === true || b === true ? true : a === false && b === false ? false : null;

const OPERATORS = new Set(['<=', '<', '!=', '===', '==', '>=', '>', '~=', 'in', 'not in']);
const KEYWORDS = new Set(['and', 'or', 'in', 'not']);

function tokenize(marker: string): string[] | null {
  const out: string[] = [];
  const re = /\s*(?:(\(|\))|('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>)|(not\s+in\b)|([A-Za-z_.]+))/y;
  let rest = marker.trim();
  while (rest !== '') {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m) return null;
    out.push(m[4] ? 'not in' : m[0].trim());
    rest = rest.slice(m[0].length).trimStart();
  }
  return out;
}

function compare(lhs: Value, op: string, rhs: Value): boolean | null {
  if (lhs === null || rhs === null) return null;
  // `packaging` compares as versions when `op + rhs` is a valid specifier.
  const spec = 'text' in rhs ? versionSpec(op, rhs.text) : null;
  if ('minor' in rhs) {
    // A literal against python_full_version: decided only when the literal's major.minor differs from it.
    const v = release('text' in lhs ? lhs.text : '');
    if (v === null || !VERSION_OPS.has(op) || sameMinor(v, rhs.minor)) return null;
    return versionMatches(op, [...rhs.minor, 0], false, v);
  }
  if ('minor' in lhs) {
    if (spec === null || spec === 'unknown' || op === '===') return null;
    return overPatches(op, spec.version, spec.wildcard, lhs.minor);
  }
  if (spec === 'unknown') return null;
  if (spec !== null) {
    if (op === '===') return lhs.text.toLowerCase() === rhs.text.toLowerCase();
    const v = release(lhs.text);
    return v === null ? null : versionMatches(op, spec.version, spec.wildcard, v);
  }
  switch (op) {
    case '==':
      return lhs.text === rhs.text;
    case '!=':
      return lhs.text !== rhs.text;
    case 'in':
      return rhs.text.includes(lhs.text);
    case 'not in':
      return !rhs.text.includes(lhs.text);
    case '<':
      return lhs.text < rhs.text;
    case '<=':
      return lhs.text <= rhs.text;
    case '>':
      return lhs.text > rhs.text;
    case '>=':
      return lhs.text >= rhs.text;
    default:
      return null; // `~=` on a string: pip refuses the marker
  }
}

const VERSION_OPS = new Set(['<=', '<', '!=', '==', '>=', '>', '~=']);

/** A PEP 440 version loosely: enough to tell a version (compared as one) from a string. */
const PEP440 =
  /^v?(\d+!)?\d+(\.\d+)*((a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?([-_.]?(post|rev|r)[-_.]?\d*|-\d+)?([-_.]?dev[-_.]?\d*)?(\+[a-z0-9]+([-_.][a-z0-9]+)*)?$/i;

/**
 * `op + text` as `packaging` reads it: null when it is no valid version specifier (a string
 * comparison), 'unknown' for a version lci does not compare (pre-releases, epochs, local parts).
 */
function versionSpec(op: string, text: string): { version: number[]; wildcard: boolean } | 'unknown' | null {
  if (op === '===') return { version: [], wildcard: false };
  if (!VERSION_OPS.has(op)) return null;
  const wildcard = text.endsWith('.*');
  if (wildcard && op !== '==' && op !== '!=') return null;
  const bare = wildcard ? text.slice(0, -2) : text;
  if (!PEP440.test(bare)) return null;
  const version = release(bare);
  if (version === null) return 'unknown';
  if (op === '~=' && version.length < 2) return null;
  return { version, wildcard };
}

/**
 * python_full_version `op spec` for every patch release of a major.minor: true or false when all
 * agree. A literal of another major.minor decides it at once; else the lowest and highest patch
 * decide comparisons that hold on one interval (`>=`, `~=`, `==3.13.*`), when they agree.
 */
function overPatches(op: string, spec: number[], wildcard: boolean, minor: number[]): boolean | null {
  const lo = versionMatches(op, spec, wildcard, [...minor, 0]);
  if (!sameMinor(spec, minor)) return lo;
  const hi = versionMatches(op, spec, wildcard, [...minor, Number.MAX_SAFE_INTEGER]);
  if (lo !== hi) return null;
  if (['<', '<=', '>', '>='].includes(op)) return lo;
  // `~=` and `==X.*` hold on one interval: true at both ends, true between; `!=X.*` is false between when false at both ends.
  if (lo && (op === '~=' || (op === '==' && wildcard))) return true;
  if (!lo && op === '!=' && wildcard) return false;
  return null;
}

function release(text: string): number[] | null {
  return /^\d+(\.\d+)*$/.test(text) ? text.split('.').map(Number) : null;
}

function sameMinor(v: number[], minor: number[]): boolean {
  return (v[0] ?? 0) === minor[0] && (v[1] ?? 0) === minor[1];
}

/** Whether release `v` satisfies `op spec` (plain releases: no pre, post or dev parts to weigh). */
function versionMatches(op: string, spec: number[], wildcard: boolean, v: number[]): boolean {
  if (wildcard) {
    const prefix = spec.every((n, i) => (v[i] ?? 0) === n);
    return op === '==' ? prefix : !prefix;
  }
  const c = cmp(v, spec);
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    default: {
      // ~=X.Y.Z: >= X.Y.Z and == X.Y.*
      const prefix = spec.slice(0, -1);
      return c >= 0 && prefix.every((n, i) => (v[i] ?? 0) === n);
    }
  }
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
