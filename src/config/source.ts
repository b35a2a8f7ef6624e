import { createRequire } from 'node:module';
import jsyaml from 'js-yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { Diagnostic } from '../errors.js';

export type PathSegment = string | number;

/**
 * A config file's text and plain data, able to say where any value came from.
 * `root` is the path of the lci section inside the document ([] for lambdas.yaml, ['lci'] for package.json).
 *
 * Data comes from js-yaml (about 6x faster on a 2,000-function config); the position-keeping `yaml`
 * document is only built when something must be located or the fast parse failed. Both parse
 * YAML 1.2 core schema with merge keys, so they agree on every value the schema accepts.
 */
export class ConfigSource {
  /** The plain data of the lci section, or undefined when the section is absent or the text does not parse. */
  readonly data: unknown;
  private document: { doc: Document.Parsed; lines: LineCounter } | undefined;
  private readonly fastParseFailed: boolean;
  /** Function family members (generated name → the family's key), so their problems point at the family's lines. */
  readonly familyOf = new Map<string, string>();
  /** Set when the document's aliases would expand beyond MAX_ALIAS_COUNT (a "billion laughs" file). */
  private aliasProblem: { pos: number; message: string } | null = null;
  /** js-yaml read the text, so no map has a duplicate key. */
  private keysChecked = false;

  constructor(
    /** Absolute path of the file. */
    readonly filepath: string,
    /** Path as shown in messages. */
    readonly displayPath: string,
    readonly text: string,
    readonly root: PathSegment[] = [],
  ) {
    let all: unknown;
    let failed = false;
    // js-yaml expands aliases without a limit: a document with any alias is read by `yaml`,
    // which counts what its aliases expand to and stops a resource-exhaustion document early.
    const safe = !HAS_ALIAS.test(text);
    try {
      if (!safe) throw new Error('aliases');
      all = jsyaml.load(text, { schema: FAST_SCHEMA, filename: filepath });
      this.keysChecked = true;
    } catch {
      failed = true;
      const { doc } = this.positions();
      all = doc.errors.length === 0 ? this.expand(doc) : undefined;
    }
    this.fastParseFailed = failed;
    this.data = root.reduce<unknown>((v, k) => (isRecord(v) ? v[k as string] : undefined), all);
  }

  positions(): { doc: Document.Parsed; lines: LineCounter } {
    if (!this.document) {
      const { LineCounter, parseDocument } = yamlLibrary();
      const lines = new LineCounter();
      // When js-yaml read the text it already refused duplicate keys; `yaml`'s own check is
      // quadratic in a map's size (5 s of a 20,000-function config), so it runs only to report.
      const doc = parseDocument(this.text, {
        lineCounter: lines,
        prettyErrors: false,
        uniqueKeys: !this.keysChecked,
        merge: true,
      });
      this.document = { doc, lines };
    }
    return this.document;
  }

  syntaxDiagnostics(): Diagnostic[] {
    if (!this.fastParseFailed) return [];
    const { doc, lines } = this.positions();
    const problems = doc.errors.map((e) => ({ pos: e.pos[0], message: yamlMessage(e.message) }));
    if (this.aliasProblem) problems.push(this.aliasProblem);
    return problems.map((p) => {
      const pos = lines.linePos(p.pos);
      return { file: this.displayPath, line: pos.line, col: pos.col, message: p.message };
    });
  }

  private expand(doc: Document.Parsed): unknown {
    try {
      return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      this.aliasProblem = {
        pos: 0,
        message:
          e instanceof ReferenceError
            ? `YAML aliases expand to too much data (over ${MAX_ALIAS_COUNT} alias uses, or aliases of aliases); write the values out or use fewer nested anchors`
            : `YAML: ${(e as Error).message}`,
      };
      return undefined;
    }
  }
}

// js-yaml exports its built-in types, though @types/js-yaml does not declare them.
const MERGE_KEY = (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge;
/** `yaml` is loaded only to locate problems: valid configs never pay for it. */
let yamlLoaded: typeof import('yaml') | undefined;
function yamlLibrary(): typeof import('yaml') {
  // Loaded once: locate runs once per problem or warning, thousands of times in a large config.
  yamlLoaded ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlLoaded;
}

/** Each map's pairs by key text, built on first use: locating in a map of 20,000 functions is one lookup, not a scan. */
const pairIndex = new WeakMap<object, Map<string, unknown>>();
function pairOf(map: { items: unknown[] }, key: string): unknown {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    const { isPair } = yamlLibrary();
    for (const p of map.items) {
      if (!isPair(p)) continue;
      const k = keyText(p.key);
      if (k !== undefined && !index.has(k)) index.set(k, p);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

const FAST_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [MERGE_KEY] });

/** An alias token: `*name` where a node can start. Over-matching only costs speed, never correctness. */
const HAS_ALIAS = /(^|[\s,[{:-])\*[^\s,[\]{}]/m;
/** `yaml`'s own guard: alias expansions per document, weighted by the size of what they repeat. */
export const MAX_ALIAS_COUNT = 100;

export function parseConfigText(
  text: string,
  filepath: string,
  displayPath: string,
  root: PathSegment[] = [],
): ConfigSource {
  return new ConfigSource(filepath, displayPath, text, root);
}

function yamlMessage(message: string): string {
  // yaml's messages carry a source excerpt after the first line; the location is given separately.
  const first = message.split('\n')[0] ?? message;
  return `YAML syntax: ${first.replace(/ at line \d+, column \d+.*$/, '')}`;
}

export type Anchor = 'value' | 'key';

/** A problem not yet given a line: warnings are located only when shown (a plan shows none, and locating builds the position-keeping document). */
export interface Unlocated {
  path: PathSegment[];
  anchor: Anchor;
  message: string;
}

/** The path as the user wrote it: a family member's fields are the family's. */
export function writtenPath(source: ConfigSource, path: PathSegment[]): PathSegment[] {
  const family = path[0] === 'functions' && typeof path[1] === 'string' ? source.familyOf.get(path[1]) : undefined;
  return family === undefined ? path : ['functions', family, ...path.slice(2)];
}

export function located(source: ConfigSource, problem: Unlocated): Diagnostic {
  return { file: source.displayPath, ...locate(source, problem.path, problem.anchor), message: problem.message };
}

/**
 * Line and column (1-based) of the value at `path` (relative to the lci section), or of its key.
 * Falls back to the nearest existing ancestor, so a missing key points at the map that lacks it.
 */
export function locate(
  source: ConfigSource,
  path: PathSegment[],
  anchor: Anchor = 'value',
): { line: number; col: number } {
  const { doc, lines } = source.positions();
  const { isMap, isPair, isSeq } = yamlLibrary();
  const family = path[0] === 'functions' && typeof path[1] === 'string' ? source.familyOf.get(path[1]) : undefined;
  // A family member's fields are the family's; its path is the family's pathPattern.
  const written =
    family === undefined
      ? path
      : ['functions', family, ...(path[2] === 'path' ? ['pathPattern', ...path.slice(3)] : path.slice(2))];
  const full = [...source.root, ...written];
  let node: unknown = doc.contents;
  let best: number | undefined = rangeStart(node);
  for (let i = 0; i < full.length; i++) {
    const seg = full[i]!;
    const last = i === full.length - 1;
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair || !isPair(pair)) break;
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
  return lines.linePos(best ?? 0);
}

function keyText(key: unknown): string | undefined {
  if (yamlLibrary().isScalar(key)) return String((key as { value: unknown }).value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
