/**
 * CloudFormation's intrinsic functions, evaluated as far as a template alone allows: parameters
 * (their defaults, or what a parent stack passes), conditions on them, mappings, `Fn::Sub`,
 * `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If`, references to resources and nested stacks'
 * outputs. What only a deployed stack knows (the stack name, the region, another stack's exports)
 * stays unresolved, with the reason. Pure; depth-bounded.
 */

import { isRecord } from '../config/source.js';

/** A value only a deployment knows, and why. */
export class Unresolved {
  constructor(readonly why: string) {}
}

/** `Ref` to a resource of the template: a layer version, most usefully. */
export class ResourceRef {
  constructor(
    /** The stack it belongs to (the template's path and the nested stack's logical ids). */
    readonly stack: string,
    readonly id: string,
    readonly type: string,
  ) {}
}

/** `!Ref AWS::NoValue`: the property is as good as absent. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** Where lci's `${env}` goes: a parameter that names the stage is the environment. */
export const ENV = '${env}';

export interface Scope {
  /** Each parameter's value: a default, a parent's value, the environment, or unresolved. */
  parameters: Record<string, unknown>;
  resources: Record<string, unknown>;
  conditions: Record<string, unknown>;
  mappings: Record<string, unknown>;
  stack: string;
  /** The value of a nested stack's output (`!GetAtt Nested.Outputs.Name`). */
  nestedOutput(resource: string, output: string, depth: number): unknown;
}

const MAX_DEPTH = 40;

const PSEUDO: Record<string, string> = {
  'AWS::Region': 'the region is known only when the stack is deployed',
  'AWS::AccountId': 'the account is known only when the stack is deployed',
  'AWS::StackName': 'the stack name is known only when the stack is deployed',
  'AWS::StackId': 'the stack id is known only when the stack is deployed',
  'AWS::Partition': 'the partition is known only when the stack is deployed',
  'AWS::URLSuffix': 'the URL suffix is known only when the stack is deployed',
  'AWS::NotificationARNs': 'notification ARNs are known only when the stack is deployed',
};

/** Parameter names that mean "the environment": their value becomes lci's `${env}`. */
export function isEnvironmentName(name: string): boolean {
  return /^(env|environment|stage|stagename|envname|environmentname|deploymentstage|deployenv|deploymentenvironment)$/i.test(
    name.replace(/[_-]/g, ''),
  );
}

export function evaluate(value: unknown, scope: Scope, depth = 0): unknown {
  if (depth > MAX_DEPTH) return new Unresolved('intrinsic functions nested too deeply');
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope, depth + 1));
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && isIntrinsic(keys[0]!)) return call(keys[0]!, value[keys[0]!], scope, depth + 1);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, scope, depth + 1)]));
}

export function isIntrinsic(key: string): boolean {
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::');
}

/** The first unresolved part of a value (deep), if any. */
export function unresolvedIn(value: unknown, depth = 0): Unresolved | undefined {
  if (value instanceof Unresolved) return value;
  if (depth > MAX_DEPTH) return new Unresolved('nested too deeply');
  if (Array.isArray(value)) {
    for (const v of value) {
      const u = unresolvedIn(v, depth + 1);
      if (u) return u;
    }
  } else if (isRecord(value)) {
    for (const v of Object.values(value)) {
      const u = unresolvedIn(v, depth + 1);
      if (u) return u;
    }
  }
  return undefined;
}

function call(fn: string, arg: unknown, scope: Scope, depth: number): unknown {
  switch (fn) {
    case 'Ref':
      return ref(arg, scope);
    case 'Condition':
      return typeof arg === 'string' ? condition(arg, scope, depth) : bad(fn);
    case 'Fn::Sub':
      return sub(arg, scope, depth);
    case 'Fn::Join': {
      const [delimiter, list] = Array.isArray(arg) ? arg : [];
      const d = evaluate(delimiter, scope, depth);
      const items = evaluate(list, scope, depth);
      const u = unresolvedIn([d, items]);
      if (u) return u;
      if (typeof d !== 'string' || !Array.isArray(items) || !items.every(isText)) return bad(fn);
      return items.filter((i) => i !== NO_VALUE).join(d);
    }
    case 'Fn::Select': {
      const [index, list] = Array.isArray(arg) ? arg : [];
      const i = evaluate(index, scope, depth);
      const items = evaluate(list, scope, depth);
      const u = unresolvedIn([i, items]);
      if (u) return u;
      const n = Number(i);
      if (!Array.isArray(items) || !Number.isInteger(n) || n < 0 || n >= items.length) return bad(fn);
      return items[n];
    }
    case 'Fn::Split': {
      const [delimiter, source] = Array.isArray(arg) ? arg : [];
      const d = evaluate(delimiter, scope, depth);
      const s = evaluate(source, scope, depth);
      const u = unresolvedIn([d, s]);
      if (u) return u;
      if (typeof d !== 'string' || d === '' || typeof s !== 'string') return bad(fn);
      return s.split(d);
    }
    case 'Fn::If': {
      const [name, yes, no] = Array.isArray(arg) ? arg : [];
      if (typeof name !== 'string') return bad(fn);
      const c = condition(name, scope, depth);
      if (c instanceof Unresolved) return new Unresolved(`!If ${name}: ${c.why}`);
      return evaluate(c ? yes : no, scope, depth);
    }
    case 'Fn::Equals': {
      const [a, b] = (Array.isArray(arg) ? arg : []).map((v) => evaluate(v, scope, depth));
      const u = unresolvedIn([a, b]);
      if (u) return u;
      // The environment compares equal to nothing a template can know.
      if (a === ENV || b === ENV) return new Unresolved('the condition depends on the environment');
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::And':
    case 'Fn::Or': {
      const values = (Array.isArray(arg) ? arg : []).map((v) => evaluate(v, scope, depth));
      const u = unresolvedIn(values);
      if (u) return u;
      return fn === 'Fn::And' ? values.every((v) => v === true) : values.some((v) => v === true);
    }
    case 'Fn::Not': {
      const [v] = (Array.isArray(arg) ? arg : []).map((x) => evaluate(x, scope, depth));
      return v instanceof Unresolved ? v : v !== true;
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = (Array.isArray(arg) ? arg : []).map((v) => evaluate(v, scope, depth));
      const u = unresolvedIn([map, top, second]);
      if (u) return u;
      const m = scope.mappings[String(map)];
      const level = isRecord(m) ? m[String(top)] : undefined;
      if (!isRecord(level) || !(String(second) in level)) return bad(fn);
      return evaluate(level[String(second)], scope, depth);
    }
    case 'Fn::GetAtt': {
      const [resource, attribute] = Array.isArray(arg)
        ? arg
        : typeof arg === 'string'
          ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)]
          : [];
      const attr = evaluate(attribute, scope, depth);
      if (typeof resource !== 'string' || typeof attr !== 'string') return bad(fn);
      if (attr.startsWith('Outputs.')) return scope.nestedOutput(resource, attr.slice('Outputs.'.length), depth);
      return new Unresolved(`!GetAtt ${resource}.${attr} is known only when the stack is deployed`);
    }
    case 'Fn::ImportValue':
      return new Unresolved('Fn::ImportValue reads another stack’s export, known only when deployed');
    default:
      return new Unresolved(`${fn} is not evaluated by lci init`);
  }
}

function ref(name: unknown, scope: Scope): unknown {
  if (typeof name !== 'string') return bad('Ref');
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in PSEUDO) return new Unresolved(`!Ref ${name}: ${PSEUDO[name]}`);
  if (Object.hasOwn(scope.parameters, name)) return scope.parameters[name];
  const resource = scope.resources[name];
  if (isRecord(resource)) return new ResourceRef(scope.stack, name, String(resource.Type ?? ''));
  return new Unresolved(`!Ref ${name}: no parameter or resource of that name`);
}

function condition(name: string, scope: Scope, depth: number): unknown {
  if (!Object.hasOwn(scope.conditions, name)) return new Unresolved(`condition ${name} is not declared`);
  const v = evaluate(scope.conditions[name], scope, depth + 1);
  return v instanceof Unresolved || typeof v === 'boolean' ? v : new Unresolved(`condition ${name} is not a boolean`);
}

/** `${Name}`, `${Resource.Attribute}` and `${!Literal}` in a string; the variables map first. */
function sub(arg: unknown, scope: Scope, depth: number): unknown {
  const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
  if (typeof template !== 'string') return bad('Fn::Sub');
  const own = isRecord(vars) ? vars : {};
  let unresolved: Unresolved | undefined;
  const out = template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    let v: unknown;
    if (Object.hasOwn(own, name)) v = evaluate(own[name], scope, depth);
    else if (name.includes('.')) {
      const dot = name.indexOf('.');
      v = call('Fn::GetAtt', [name.slice(0, dot), name.slice(dot + 1)], scope, depth);
    } else v = ref(name, scope);
    if (v instanceof Unresolved) {
      unresolved ??= new Unresolved(`\${${name}} in !Sub: ${v.why}`);
      return whole;
    }
    if (!isText(v) || v === NO_VALUE) {
      unresolved ??= new Unresolved(`\${${name}} in !Sub is not a string`);
      return whole;
    }
    return String(v);
  });
  return unresolved ?? out;
}

function isText(v: unknown): v is string | number | typeof NO_VALUE {
  return typeof v === 'string' || typeof v === 'number' || v === NO_VALUE;
}

function bad(fn: string): Unresolved {
  return new Unresolved(`${fn} has arguments lci init cannot read`);
}
