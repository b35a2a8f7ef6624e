import type { Block, Expr } from './hcl.js';

/**
 * What lci init's Terraform reader evaluates expressions to: plain values, a reference to an
 * archive_file or a layer version, or Unknown with the reason; and the few Terraform functions
 * it evaluates.
 */

/** A value only Terraform would know, and why. */
export class Unknown {
  constructor(readonly why: string) {}
}
/** `data.archive_file.NAME.output_path` (with its for_each key): where a zip's source is. */
export class ArchiveRef {
  constructor(
    readonly inst: Instance,
    readonly name: string,
    readonly eachKey: string | undefined,
  ) {}
}
/** A layer version's ARN: the key of the layer it names. */
export class LayerRef {
  constructor(readonly key: string) {}
}
export type Val = string | number | boolean | null | Val[] | { [k: string]: Val } | ArchiveRef | LayerRef | Unknown;

export interface Module {
  dir: string;
  blocks: { block: Block; file: string }[];
  variables: Map<string, Block>;
  locals: Map<string, { expr: Expr; file: string }>;
  archives: Map<string, { block: Block; file: string }>;
}

export interface Instance {
  key: string;
  mod: Module;
  /** path.module: the module's directory relative to the root module's. */
  pathModule: string;
  /** The root module's directory, repository-relative: relative paths resolve against it. */
  rootDir: string;
  inputs: Map<string, Val>;
  /** The `module.x.` chain from the root, for messages. */
  address: string;
  depth: number;
}

export interface Each {
  key: string;
  value: Val;
}

export function isMap(v: Val): v is { [k: string]: Val } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Unknown) &&
    !(v instanceof ArchiveRef) &&
    !(v instanceof LayerRef)
  );
}

/** for_each's instances: a set or list of strings (key = value) or a map. */
export function eachEntries(v: Val): Each[] | Unknown {
  if (v instanceof Unknown) return v;
  if (Array.isArray(v)) {
    if (!v.every((x): x is string => typeof x === 'string')) return new Unknown('a list that is not of strings');
    return [...new Set(v)].map((key) => ({ key, value: key }));
  }
  if (isMap(v)) return Object.entries(v).map(([key, value]) => ({ key, value }));
  return new Unknown('not a set or a map');
}

/** The few of Terraform's functions that shape paths and names; the rest stay unknown. */
export function callFunction(name: string, args: Val[], text: string): Val {
  const unknown = args.find((a): a is Unknown => a instanceof Unknown);
  if (unknown) return unknown;
  const s = (v: Val) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);
  const all = args.map(s);
  switch (name) {
    case 'abspath':
      return args[0] ?? new Unknown(`${text}: no argument`);
    case 'lower':
    case 'upper':
      return all[0] === null || all[0] === undefined
        ? new Unknown(text)
        : name === 'lower'
          ? all[0].toLowerCase()
          : all[0].toUpperCase();
    case 'trimsuffix':
      return all[0] != null && all[1] != null
        ? all[0].endsWith(all[1])
          ? all[0].slice(0, -all[1].length || undefined)
          : all[0]
        : new Unknown(text);
    case 'trimprefix':
      return all[0] != null && all[1] != null
        ? all[0].startsWith(all[1])
          ? all[0].slice(all[1].length)
          : all[0]
        : new Unknown(text);
    case 'join': {
      const list = args[1];
      if (all[0] == null || !Array.isArray(list) || !list.every((x) => s(x) !== null)) return new Unknown(text);
      return list.map((x) => s(x)!).join(all[0]);
    }
    case 'format': {
      const [fmt, ...rest] = all;
      if (fmt == null || rest.some((r) => r === null)) return new Unknown(text);
      let i = 0;
      let bad = false;
      const out = fmt.replace(/%(%|[sdv])/g, (_m, c: string) => {
        if (c === '%') return '%';
        if (i >= rest.length) bad = true;
        return rest[i++] ?? '';
      });
      return bad ? new Unknown(text) : out;
    }
    case 'tolist':
    case 'toset':
      return Array.isArray(args[0]) ? args[0] : new Unknown(text);
    case 'concat':
      return args.every(Array.isArray) ? (args as Val[][]).flat() : new Unknown(text);
    case 'coalesce':
      return args.find((a) => a !== null && a !== '') ?? new Unknown(text);
    default:
      return new Unknown(`${name}() is not evaluated by lci init`);
  }
}
