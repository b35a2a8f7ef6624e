import { isMap, isScalar, isSeq, parseDocument, type Node, visit, YAMLMap } from 'yaml';
import { MAX_ALIAS_COUNT } from '../config/source.js';

/**
 * CloudFormation/SAM templates and serverless.yml as plain data. CloudFormation's short tags become
 * the long form CloudFormation itself reads (`!Ref X` → `{Ref: X}`, `!GetAtt A.B` →
 * `{"Fn::GetAtt": [A, B]}`, `!Sub s` → `{"Fn::Sub": s}`), so one evaluator reads both YAML and
 * JSON templates. Alias expansion is bounded as lambdas.yaml's is (the same limit): a "billion
 * laughs" template is one problem, never minutes of work. Nothing in the text is executed.
 */

export type Parsed = { ok: true; data: unknown } | { ok: false; problem: string };

export function parseTemplateText(text: string, json: boolean): Parsed {
  if (json) {
    try {
      return { ok: true, data: JSON.parse(text) as unknown };
    } catch (e) {
      if (tooDeep(e)) return { ok: false, problem: TOO_DEEP };
      return { ok: false, problem: `not valid JSON (${firstLine((e as Error).message)})` };
    }
  }
  try {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      if (tooDeep(e)) return { ok: false, problem: TOO_DEEP };
      const line = e.pos ? text.slice(0, e.pos[0]).split('\n').length : undefined;
      return { ok: false, problem: `YAML syntax${line ? ` at line ${line}` : ''}: ${firstLine(e.message)}` };
    }
    visit(doc, {
      Node(_key, node) {
        const tag = (node as Node).tag;
        if (!tag?.startsWith('!') || tag.startsWith('!!')) return undefined;
        return longForm(node as Node, tag.slice(1));
      },
    });
    return { ok: true, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown };
  } catch (e) {
    if (e instanceof ReferenceError)
      return {
        ok: false,
        problem: `its YAML aliases expand to too much data (over ${MAX_ALIAS_COUNT} alias uses, or aliases of aliases)`,
      };
    if (tooDeep(e)) return { ok: false, problem: TOO_DEEP };
    return { ok: false, problem: `cannot be read as YAML (${firstLine((e as Error).message)})` };
  }
}

/** `!Name value` as `{ "Fn::Name": value }` (`Ref` and `Condition` keep their names); the anchor moves to the new map. */
function longForm(node: Node, name: string): YAMLMap {
  node.tag = undefined;
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  let value: unknown = node;
  if (name === 'GetAtt' && isScalar(node) && typeof node.value === 'string') {
    const dot = node.value.indexOf('.');
    value = dot < 0 ? [node.value] : [node.value.slice(0, dot), node.value.slice(dot + 1)];
  }
  const map = new YAMLMap();
  map.set(key, value);
  if (isScalar(node) || isMap(node) || isSeq(node)) {
    map.anchor = node.anchor;
    node.anchor = undefined;
  }
  return map;
}

const TOO_DEEP = 'nested too deeply to read';

function tooDeep(e: unknown): boolean {
  return e instanceof RangeError || /call stack/i.test((e as Error)?.message ?? '');
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+.*$/, '');
}
