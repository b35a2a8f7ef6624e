import { isLockfile } from '../config/runtimes.js';
import { RULE_KINDS, ruleAnchor, type InputRule } from './rules.js';

/** Every function, used as the target of shared globs so they are stored once. */
export const ALL = Symbol('all functions');
export type Target = string | typeof ALL;

/** A rule and every function it is a rule of. */
export interface MatchedRule {
  readonly rule: InputRule;
  readonly targets: ReadonlySet<Target>;
}

interface Entry extends MatchedRule {
  targets: Set<Target>;
  /** Where the rule sits (ruleAnchor). */
  anchor: string;
}

/**
 * Rules indexed by the directory they are anchored at. Matching a path looks only at the
 * rules anchored at its ancestors, not at every rule of every function; the rules anchored at a
 * directory or above it are gathered once per directory, however many changed paths it holds.
 */
export class InputIndex {
  private readonly byAnchor = new Map<string, Entry[]>();
  private readonly byKey = new Map<string, Entry>();
  private readonly matched: Entry[] = [];
  /** Per directory: the entries anchored at it or at one of its ancestors. */
  private readonly above = new Map<string, readonly Entry[]>();

  add(rule: InputRule, target: Target): void {
    const key = rule.key;
    let entry = this.byKey.get(key);
    if (!entry) {
      const anchor = ruleAnchor(rule);
      entry = { rule, targets: new Set(), anchor };
      this.byKey.set(key, entry);
      const list = this.byAnchor.get(anchor);
      if (list) list.push(entry);
      else this.byAnchor.set(anchor, [entry]);
      this.above.clear();
    }
    entry.targets.add(target);
  }

  /** The rules that match `path`, each once with all its targets. The array is reused: read it before the next call. */
  matching(path: string): readonly MatchedRule[] {
    const matched = this.matched;
    matched.length = 0;
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    const basename = path.slice(slash + 1);
    for (const entry of this.entriesAbove(dir)) this.test(entry, path, dir, basename);
    // A rule anchored at the path itself (a descriptor, a file named as a local dependency).
    for (const entry of this.byAnchor.get(path) ?? []) this.test(entry, path, dir, basename);
    return matched;
  }

  private test(entry: Entry, path: string, dir: string, basename: string): void {
    const t = entry.rule.test;
    const anchor = entry.anchor;
    if (t.form === 'tree') {
      if (!t.excluded || path === anchor || !t.excluded(anchor ? path.slice(anchor.length + 1) : path))
        this.matched.push(entry);
    } else if (t.form === 'glob') {
      if (t.match(path)) this.matched.push(entry);
    } else if (anchor === dir && isLockfile(t.family, basename)) this.matched.push(entry);
  }

  /** The entries anchored at `dir` or above it, outermost first: what ancestors() and a lookup per anchor gave. */
  private entriesAbove(dir: string): readonly Entry[] {
    let list = this.above.get(dir);
    if (list) return list;
    const own = this.byAnchor.get(dir);
    if (dir === '') list = own ?? [];
    else {
      const slash = dir.lastIndexOf('/');
      const outer = this.entriesAbove(slash < 0 ? '' : dir.slice(0, slash));
      list = own ? [...outer, ...own] : outer;
    }
    this.above.set(dir, list);
    return list;
  }
}

/** Each target of `matched` once, with its highest-priority rule among them. */
export function bestPerTarget(matched: readonly MatchedRule[], visit: (target: Target, rule: InputRule) => void): void {
  if (matched.length === 1) {
    for (const target of matched[0]!.targets) visit(target, matched[0]!.rule);
    return;
  }
  const best = new Map<Target, InputRule>();
  for (const entry of matched) {
    for (const target of entry.targets) {
      const current = best.get(target);
      if (!current || priority(entry.rule) < priority(current)) best.set(target, entry.rule);
    }
  }
  for (const [target, rule] of best) visit(target, rule);
}

function priority(rule: InputRule): number {
  return RULE_KINDS.indexOf(rule.kind);
}

/**
 * Every changed path and each of its ancestors ('' included): the anchors a rule must sit at for
 * the index to try it on one of these paths. A directory already in the set has its ancestors in it.
 */
export function reachedAnchors(paths: readonly string[]): Set<string> {
  const reached = new Set<string>(['']);
  for (const path of paths) {
    reached.add(path);
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const dir = path.slice(0, i);
      if (reached.has(dir)) break;
      reached.add(dir);
    }
  }
  return reached;
}

/** '', 'a', 'a/b', 'a/b/c.txt' for 'a/b/c.txt' */
export function ancestors(path: string): string[] {
  const out = [''];
  let i = path.indexOf('/');
  while (i >= 0) {
    out.push(path.slice(0, i));
    i = path.indexOf('/', i + 1);
  }
  out.push(path);
  return out;
}
