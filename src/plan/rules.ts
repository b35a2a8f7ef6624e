import { posix } from 'node:path';
import picomatch from 'picomatch';
import { repoPath } from '../config/globs.js';
import type { RuntimeFamily } from '../config/runtimes.js';

/** What made a path relevant to a function. Order is priority: the first kind that matches a path is its reason. */
export const RULE_KINDS = ['descriptor', 'lockfile', 'local-dependency', 'watch', 'path', 'shared'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export type Test =
  /** the path itself or anything below it, except what `excluded` (given the path relative to prefix) rejects */
  | { form: 'tree'; prefix: string; excluded?: (relPath: string) => boolean }
  | { form: 'glob'; base: string; glob: string; match: (path: string) => boolean }
  /** a lockfile of `family` directly inside `dir` */
  | { form: 'lockfile'; dir: string; family: RuntimeFamily };

export interface InputRule {
  kind: RuleKind;
  /** Shown to users: the glob, path or descriptor behind the rule, repository-relative. */
  pattern: string;
  /** For local dependencies: the descriptor that names them. */
  via?: string;
  /** Identifies the exclusion list of a path rule, so equal rules are stored once. */
  excludeKey?: string;
  test: Test;
}

const compiled = new Map<string, (path: string) => boolean>();

/** A user glob, relative to the config directory, as a rule on repository-relative paths. */
export function globRule(kind: RuleKind, configDirInRepo: string, glob: string): InputRule {
  const scan = picomatch.scan(glob);
  const base = repoPath(configDirInRepo, scan.base || '.') ?? '';
  const pattern = scan.isGlob ? (base ? `${base}/${scan.glob}` : scan.glob) : base;
  // A plain path names a file or a directory; 'dir/**' is a whole tree: both need no matcher.
  if (!scan.isGlob || scan.glob === '**') return { kind, pattern, test: { form: 'tree', prefix: base } };
  let match = compiled.get(pattern);
  if (!match) {
    match = picomatch(pattern, { dot: true });
    compiled.set(pattern, match);
  }
  return { kind, pattern, test: { form: 'glob', base, glob: pattern, match } };
}

export function treeRule(kind: RuleKind, prefix: string, via?: string): InputRule {
  return { kind, pattern: prefix, ...(via ? { via } : {}), test: { form: 'tree', prefix } };
}

/** A function's code root: every file below it that goes into the code package. */
export function pathRule(prefix: string, excluded: (relPath: string) => boolean, excludeKey: string): InputRule {
  return { kind: 'path', pattern: prefix ? `${prefix}/**` : '**', excludeKey, test: { form: 'tree', prefix, excluded } };
}

export function lockfileRule(descriptor: string, family: RuntimeFamily): InputRule {
  const dir = posix.dirname(descriptor);
  return { kind: 'lockfile', pattern: descriptor, test: { form: 'lockfile', dir: dir === '.' ? '' : dir, family } };
}

export function ruleKey(rule: InputRule): string {
  const t = rule.test;
  const where = t.form === 'tree' ? t.prefix : t.form === 'glob' ? t.glob : `${t.dir}|${t.family}`;
  return `${rule.kind}|${t.form}|${where}|${rule.via ?? ''}|${rule.excludeKey ?? ''}`;
}

/** Where a rule sits in the index: the deepest directory every path it matches lies under. */
export function ruleAnchor(rule: InputRule): string {
  const t = rule.test;
  return t.form === 'tree' ? t.prefix : t.form === 'glob' ? t.base : t.dir;
}
