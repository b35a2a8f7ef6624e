import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../errors.js';

export type PathSegment = string | number;

/**
 * A parsed config document that can say where any value came from.
 * `root` is the path of the lci section inside the document ([] for lambdas.yaml, ['lci'] for package.json).
 */
export interface ConfigSource {
  /** Absolute path of the file. */
  filepath: string;
  /** Path as shown in messages. */
  displayPath: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  root: PathSegment[];
  /** The plain data of the lci section, or undefined when the section is absent. */
  data: unknown;
}

export function parseConfigText(text: string, filepath: string, displayPath: string, root: PathSegment[] = []): ConfigSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const source: ConfigSource = { filepath, displayPath, text, doc, lines, root, data: undefined };
  if (doc.errors.length === 0) {
    const all = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    source.data = root.reduce<unknown>((v, k) => (isRecord(v) ? v[k as string] : undefined), all);
  }
  return source;
}

export function syntaxDiagnostics(source: ConfigSource): Diagnostic[] {
  return source.doc.errors.map((e) => {
    const pos = source.lines.linePos(e.pos[0]);
    return { file: source.displayPath, line: pos.line, col: pos.col, message: yamlMessage(e.message) };
  });
}

function yamlMessage(message: string): string {
  // yaml's messages carry a source excerpt after the first line; the location is given separately.
  const first = message.split('\n')[0] ?? message;
  return `YAML syntax: ${first.replace(/ at line \d+, column \d+.*$/, '')}`;
}

export type Anchor = 'value' | 'key';

/**
 * Line and column (1-based) of the value at `path` (relative to the lci section), or of its key.
 * Falls back to the nearest existing ancestor, so a missing key points at the map that lacks it.
 */
export function locate(source: ConfigSource, path: PathSegment[], anchor: Anchor = 'value'): { line: number; col: number } {
  const full = [...source.root, ...path];
  let node: unknown = source.doc.contents;
  let best: number | undefined = rangeStart(node);
  for (let i = 0; i < full.length; i++) {
    const seg = full[i]!;
    const last = i === full.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) break;
      if (last && anchor === 'key') {
        best = rangeStart(pair.key) ?? best;
        break;
      }
      node = pair.value;
      best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      best = rangeStart(node) ?? best;
    } else {
      break;
    }
  }
  return source.lines.linePos(best ?? 0);
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
