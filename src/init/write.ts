import { Document, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { InitPlan } from './map.js';

/**
 * lambdas.yaml from the plan through the `yaml` package's document model: every value, whatever
 * characters the sources gave it (quotes, new lines, `#`, `${…}`, a leading `*` or `-`), is quoted
 * by the library as YAML needs, never pasted into text. The notes about a value become comments
 * above its key, cleaned of anything that could end a comment.
 */
export function renderConfig(plan: InitPlan, header: string[]): string {
  const doc = new Document(plan.config);
  doc.commentBefore = [
    ' yaml-language-server: $schema=./node_modules/lambda-ci/lambda-ci.schema.json',
    ...header.map((h) => ` ${commentText(h)}`),
  ].join('\n');
  const byPath = new Map<string, string[]>();
  for (const n of plan.notes) {
    if (!n.at) continue;
    const k = JSON.stringify(n.at);
    const list = byPath.get(k) ?? [];
    if (!list.includes(n.message)) list.push(n.message);
    byPath.set(k, list);
  }
  for (const [k, messages] of byPath) {
    const pair = pairAt(doc, JSON.parse(k) as string[]);
    if (pair && isScalar(pair.key))
      pair.key.commentBefore = messages.map((m) => ` lci init: ${commentText(m)}`).join('\n');
  }
  compact(doc.contents as Node);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** The pair at a path of keys, or of the nearest ancestor that exists. */
function pairAt(doc: Document, path: string[]): Pair | undefined {
  let node: unknown = doc.contents;
  let found: Pair | undefined;
  for (const key of path) {
    if (!isMap(node)) break;
    const pair = (node as YAMLMap).items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (!pair) break;
    found = pair;
    node = pair.value;
  }
  return found;
}

/** Lists of short scalars, the environments and a comment-free artifacts map on one line, as the README writes them. */
function compact(root: Node | null): void {
  const oneLine = (n: unknown) => {
    if (!(isMap(n) || isSeq(n)) || n.items.length === 0) return;
    const values = isMap(n) ? n.items.map((p) => p.value) : n.items;
    const keys = isMap(n) ? n.items.map((p) => p.key) : [];
    if (!values.every((v) => isScalar(v) && String(v.value).length <= 60)) return;
    if (keys.some((k) => isScalar(k) && k.commentBefore)) return;
    n.flow = true;
  };
  const walk = (n: unknown): void => {
    if (isSeq(n)) oneLine(n);
    if (isMap(n) || isSeq(n)) for (const i of isMap(n) ? n.items.map((p) => p.value) : n.items) walk(i);
  };
  walk(root);
  if (!isMap(root)) return;
  oneLine(root.get('artifacts', true));
  const envs = root.get('environments', true);
  if (isMap(envs)) for (const p of envs.items) oneLine(p.value);
}

/** A comment stays one comment line per note: new lines and other control characters become spaces. */
function commentText(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed
  return s.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
}
