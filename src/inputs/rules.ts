import { posix } from 'node:path';
import picomatch from 'picomatch';
import { globTest } from './glob-test.js';
import { repoPath } from '../config/globs.js';
import type { RuntimeFamily } from '../config/runtimes.js';

/** What made a path relevant to a function. Order is priority: the first kind that matches a path is its reason. */
export const RULE_KINDS = ['descriptor', 'lockfile', 'local-dependency', 'layer', 'watch', 'path', 'shared'] as const;
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
  /** For `layer` rules: the shared layer whose input this is. */
  layer?: string;
  /** Equal rules have equal keys, so each is stored once. */
  key: string;
  test: Test;
}

const memo = new Map<string, InputRule>();

/**
 * A user glob, relative to the config directory, as a rule on repository-relative paths.
 * Memoised (rules are immutable): thousands of functions repeat a few watch globs.
 */
export function globRule(kind: RuleKind, configDirInRepo: string, glob: string): InputRule {
  const key = `${kind}\0${configDirInRepo}\0${glob}`;
  let rule = memo.get(key);
  if (!rule) {
    rule = makeGlobRule(kind, configDirInRepo, glob);
    memo.set(key, rule);
  }
  return rule;
}

function makeGlobRule(kind: RuleKind, configDirInRepo: string, glob: string): InputRule {
  const scan = picomatch.scan(glob);
  const base = repoPath(configDirInRepo, scan.base || '.') ?? '';
  const pattern = scan.isGlob ? (base ? `${base}/${scan.glob}` : scan.glob) : base;
  // A plain path names a file or a directory; 'dir/**' is a whole tree: both need no matcher.
  if (!scan.isGlob || scan.glob === '**') return withKey({ kind, pattern, test: { form: 'tree', prefix: base } });
  return withKey({
    kind,
    pattern,
    test: { form: 'glob', base, glob: pattern, match: globTest(pattern, { dot: true }) },
  });
}

export function treeRule(kind: RuleKind, prefix: string, via?: string): InputRule {
  return withKey({ kind, pattern: prefix, ...(via ? { via } : {}), test: { form: 'tree', prefix } });
}

/**
 * A local dependency the descriptor names: the path itself (a wheel, an included file) or anything
 * below it, except what its build never reads (`excluded`, given the path relative to the
 * dependency). `excludeKey` tells rules with other exclusions apart.
 */
export function localDependencyRule(
  prefix: string,
  via: string,
  excluded: (relPath: string) => boolean,
  excludeKey: string,
): InputRule {
  const rule = withKey({ kind: 'local-dependency', pattern: prefix, via, test: { form: 'tree', prefix, excluded } });
  rule.key += `|${excludeKey}`;
  return rule;
}

/** A rule of a shared layer's inputs, as one of a function's: the same test, kind `layer`, naming the layer. */
export function layerRule(layer: string, rule: InputRule): InputRule {
  const { key: _key, ...rest } = rule;
  return withKey({ ...rest, kind: 'layer', layer });
}

/**
 * One of build.inputs: a glob relative to a built function's (or layer's) `root`, as a `path`
 * rule on repository paths. A plain path names that file or everything under that directory, as
 * every glob of lambdas.yaml does; `skipped` (given the path relative to `root`) is never an
 * input. The root is joined as a literal: glob syntax in a directory name matches only itself.
 */
export function inputRule(
  root: string,
  glob: string,
  skipped: (relPath: string) => boolean,
  skipKey: string,
): InputRule {
  const scan = picomatch.scan(glob.replace(/^(\.\/)+/, ''));
  const baseRel = posix.normalize(scan.base || '.');
  const base = baseRel === '.' ? root : root ? `${root}/${baseRel}` : baseRel;
  const below = (dir: string) => (dir ? `${dir}/` : '');
  const fromRoot = (p: string) => p.slice(below(root).length);
  let rule: InputRule;
  if (!scan.isGlob || scan.glob === '**') {
    const under = below(fromRoot(base));
    rule = withKey({
      kind: 'path',
      pattern: scan.isGlob ? `${below(base)}**` : base,
      test: { form: 'tree', prefix: base, excluded: (rel) => skipped(under + rel) },
    });
  } else {
    const matches = globTest(scan.glob, { dot: true });
    const prefix = below(base);
    rule = withKey({
      kind: 'path',
      pattern: `${prefix}${scan.glob}`,
      test: {
        form: 'glob',
        base,
        glob: `${prefix}${scan.glob}`,
        match: (p) => p.startsWith(prefix) && matches(p.slice(prefix.length)) && !skipped(fromRoot(p)),
      },
    });
  }
  rule.key += `|input|${skipKey}`;
  return rule;
}

/** A function's code root: every file below it that goes into the code package. */
export function pathRule(prefix: string, excluded: (relPath: string) => boolean, excludeKey: string): InputRule {
  const rule = withKey({
    kind: 'path',
    pattern: prefix ? `${prefix}/**` : '**',
    test: { form: 'tree', prefix, excluded },
  });
  rule.key += `|${excludeKey}`; // equal paths with different exclusions are different rules
  return rule;
}

export function lockfileRule(descriptor: string, family: RuntimeFamily): InputRule {
  const dir = posix.dirname(descriptor);
  return withKey({
    kind: 'lockfile',
    pattern: descriptor,
    test: { form: 'lockfile', dir: dir === '.' ? '' : dir, family },
  });
}

function withKey(rule: Omit<InputRule, 'key'>): InputRule {
  const t = rule.test;
  const where = t.form === 'tree' ? t.prefix : t.form === 'glob' ? t.glob : `${t.dir}|${t.family}`;
  return { ...rule, key: `${rule.kind}|${t.form}|${where}|${rule.via ?? ''}|${rule.layer ?? ''}` };
}

/** Where a rule sits in the index: the deepest directory every path it matches lies under. */
export function ruleAnchor(rule: InputRule): string {
  const t = rule.test;
  return t.form === 'tree' ? t.prefix : t.form === 'glob' ? t.base : t.dir;
}
