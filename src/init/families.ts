import { posix } from 'node:path';
import { repoJoin } from './model.js';
import { type Entry, entryConfig, type MapInput, NAME } from './plan.js';

export interface Family {
  key: string;
  pathPattern: string;
  members: Entry[];
  config: Record<string, unknown>;
}

/**
 * Sibling directories of the same shape become one family (docs/monorepos.md: Function families) when every
 * tracked directory beside them is one of them: then `pathPattern` says exactly what the entries
 * said, and a new directory there is a new function, as the family means.
 */
export function findFamilies(entries: Entry[], input: MapInput): Family[] {
  const byParent = new Map<string, Entry[]>();
  for (const e of entries) {
    if (e.path === '.' || e.path.startsWith('..')) continue;
    const parent = posix.dirname(e.path);
    byParent.set(parent, [...(byParent.get(parent) ?? []), e]);
  }
  const families: Family[] = [];
  const names = new Set(entries.map((e) => e.name));
  for (const [parent, members] of byParent) {
    if (members.length < 2) continue;
    const dirs = members.map((m) => posix.basename(m.path));
    if (new Set(dirs).size !== dirs.length || !dirs.every((d) => /^[a-z][a-z0-9-]*$/.test(d))) continue;
    const repoParent = repoJoin(input.configDir, parent);
    const present = input.facts.subdirs(repoParent).filter((d) => !d.startsWith('.'));
    if (present.length !== dirs.length || !present.every((d) => dirs.includes(d))) continue;
    const shapes = members.map((m, i) => templatize(entryConfig(m), dirs[i]!));
    const shape = JSON.stringify(shapes[0]);
    if (
      !shapes.every((s) => JSON.stringify(s) === shape) ||
      !/\$\{dir\}/.test(JSON.stringify(shapes[0]?.functionName ?? ''))
    )
      continue;
    const key = familyKey(members, dirs, names);
    if (!key) continue;
    const { path: _path, ...rest } = shapes[0]!;
    const pathPattern = parent === '.' ? '*' : `${parent}/*`;
    families.push({ key, pathPattern, members, config: { pathPattern, ...rest } });
    for (const [i, m] of members.entries()) {
      names.delete(m.name);
      m.name = key.replace('*', dirs[i]!);
      names.add(m.name);
    }
  }
  return families;
}

/** `${dir}` where the directory's name stands in the entry's names, as whole words. */
function templatize(entry: Record<string, unknown>, dir: string): Record<string, unknown> {
  const word = new RegExp(`(?<![A-Za-z0-9])${dir.replace(/[-]/g, '\\-')}(?![A-Za-z0-9])`, 'g');
  const sub = (v: unknown, key: string): unknown => {
    if (typeof v === 'string' && (key === 'functionName' || key === 'layerName')) return v.replace(word, '${dir}');
    if (key === 'path') return '';
    if (Array.isArray(v)) return v.map((x) => sub(x, ''));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x, k)]));
    return v;
  };
  return sub(entry, '') as Record<string, unknown>;
}

/** The family's key: the members' own names with the directory as `*` when they agree on it, else the bare `*`. */
function familyKey(members: Entry[], dirs: string[], names: Set<string>): string | null {
  const affixes = members.map((m, i) => {
    const at = m.name.indexOf(dirs[i]!);
    return at < 0 ? null : `${m.name.slice(0, at)}*${m.name.slice(at + dirs[i]!.length)}`;
  });
  const own = affixes[0] && affixes.every((a) => a === affixes[0]) ? affixes[0] : '*';
  const others = new Set([...names].filter((n) => !members.some((m) => m.name === n)));
  const made = dirs.map((d) => own.replace('*', d));
  if (made.some((n) => others.has(n) || !NAME.test(n))) return null;
  return own;
}
