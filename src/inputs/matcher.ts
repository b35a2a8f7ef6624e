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
}

/**
 * Rules indexed by the directory they are anchored at. Matching a path looks only at the
 * rules anchored at its ancestors (a handful of map look-ups), not at every rule of every function.
 */
export class InputIndex {
  private readonly byAnchor = new Map<string, Entry[]>();
  private readonly byKey = new Map<string, Entry>();
  private readonly matched: Entry[] = [];

  add(rule: InputRule, target: Target): void {
    const key = rule.key;
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { rule, targets: new Set() };
      this.byKey.set(key, entry);
      const anchor = ruleAnchor(rule);
      const list = this.byAnchor.get(anchor);
      if (list) list.push(entry);
      else this.byAnchor.set(anchor, [entry]);
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
    for (const anchor of ancestors(path)) {
      const entries = this.byAnchor.get(anchor);
      if (!entries) continue;
      for (const entry of entries) {
        const t = entry.rule.test;
        if (t.form === 'tree') {
          if (!t.excluded || path === anchor || !t.excluded(anchor ? path.slice(anchor.length + 1) : path))
            matched.push(entry);
        } else if (t.form === 'glob') {
          if (t.match(path)) matched.push(entry);
        } else if (anchor === dir && isLockfile(t.family, basename)) matched.push(entry);
      }
    }
    return matched;
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
