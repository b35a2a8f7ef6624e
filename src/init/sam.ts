import { posix } from 'node:path';
import { isRecord } from '../config/source.js';
import {
  ENV,
  evaluate,
  isEnvironmentName,
  isIntrinsic,
  NO_VALUE,
  ResourceRef,
  type Scope,
  Unresolved,
  unresolvedIn,
} from './intrinsics.js';
import {
  type DeclaredBuild,
  type DeclaredFunction,
  type DeclaredName,
  type DeclaredSource,
  emptySource,
  type Origin,
  repoJoin,
} from './model.js';
import { parseTemplateText } from './parse-yaml.js';
import { inSkippedDir, type RepoView } from './repo.js';

/**
 * SAM and CloudFormation templates: the functions and layer versions whose code is a directory of
 * the repository, through nested stacks (AWS::Serverless::Application Location,
 * AWS::CloudFormation::Stack TemplateURL) with the parameters the parent passes, and SAM's Globals.
 */

const TEMPLATE_NAME = /(^|\/)([^/]*[.-])?template\.(ya?ml|json)$/;
/** Nested stacks deeper than this, or more stacks than MAX_STACKS in all, are not read. */
const MAX_NESTING = 8;
const MAX_STACKS = 500;

export function findTemplates(repo: RepoView, base: string): string[] {
  return repo.under(base).filter((p) => TEMPLATE_NAME.test(p) && !inSkippedDir(p));
}

export function readSam(repo: RepoView, base: string): DeclaredSource {
  return new SamReader(repo).read(findTemplates(repo, base), base);
}

interface Stack {
  key: string;
  file: string;
  /** The nested stacks' logical ids from the root, for messages and names. */
  path: string[];
  data: Record<string, unknown>;
  scope: Scope;
}

type Pending = { state: 'reading' } | { state: 'done'; stack: Stack | null };

class SamReader {
  private readonly out = emptySource('sam');
  private readonly stacks = new Map<string, Pending>();
  private readonly parsed = new Map<string, Record<string, unknown> | null>();

  constructor(private readonly repo: RepoView) {}

  read(candidates: string[], base: string): DeclaredSource {
    // A template another one nests is read as that stack, with the parameters its parent passes.
    const nested = new Set<string>();
    const roots: string[] = [];
    for (const file of candidates) {
      const data = this.parse(file, null);
      if (!data) continue;
      roots.push(file);
      for (const child of this.nestedLocations(file, data)) nested.add(child);
    }
    for (const file of roots) if (!nested.has(file)) this.stack(file, file, [], null, 0);
    this.readSamconfig(base);
    return this.out;
  }

  // --- files

  /** A template's data, or null when it is not one (a problem noted once). `from` is the nesting stack, for messages. */
  private parse(file: string, from: Origin | null): Record<string, unknown> | null {
    if (this.parsed.has(file)) return this.parsed.get(file)!;
    let data: Record<string, unknown> | null = null;
    const read = this.repo.read(file);
    if ('problem' in read) {
      this.out.notes.push({ origin: from, message: `${file} ${read.problem}: not read` });
    } else {
      const parsed = parseTemplateText(read.text, file.endsWith('.json'));
      if (!parsed.ok) this.out.notes.push({ origin: from, message: `${file}: ${parsed.problem}: not read` });
      else if (isTemplate(parsed.data)) {
        data = parsed.data;
        this.out.files.push(file);
      } else if (from) this.out.notes.push({ origin: from, message: `${file} is not a CloudFormation template` });
    }
    this.parsed.set(file, data);
    return data;
  }

  /** The local templates a template nests, as repository paths (for telling roots from nested ones). */
  private nestedLocations(file: string, data: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const res of Object.values(isRecord(data.Resources) ? data.Resources : {})) {
      if (!isRecord(res) || !isRecord(res.Properties)) continue;
      const where = res.Type === 'AWS::Serverless::Application' ? res.Properties.Location : res.Properties.TemplateURL;
      if (typeof where !== 'string' || /^[a-z0-9]+:\/\//i.test(where)) continue;
      const at = this.repo.resolve(posix.dirname(file), where);
      if ('path' in at) out.push(at.path);
    }
    return out;
  }

  // --- stacks

  private stack(
    key: string,
    file: string,
    path: string[],
    given: Record<string, unknown> | null,
    depth: number,
  ): Stack | null {
    const pending = this.stacks.get(key);
    if (pending?.state === 'done') return pending.stack;
    if (pending?.state === 'reading') return null;
    if (depth > MAX_NESTING || this.stacks.size >= MAX_STACKS) {
      this.out.notes.push({
        origin: null,
        message: `${file}: not read: lci init reads nested stacks ${MAX_NESTING} levels deep and ${MAX_STACKS} stacks in all`,
      });
      return null;
    }
    this.stacks.set(key, { state: 'reading' });
    const data = this.parse(file, null);
    if (!data) {
      this.stacks.set(key, { state: 'done', stack: null });
      return null;
    }
    const stack: Stack = { key, file, path, data, scope: undefined as unknown as Scope };
    stack.scope = this.scopeOf(stack, given, depth);
    this.stacks.set(key, { state: 'done', stack });
    this.resources(stack, depth);
    return stack;
  }

  private scopeOf(stack: Stack, given: Record<string, unknown> | null, depth: number): Scope {
    const { data } = stack;
    const parameters: Record<string, unknown> = {};
    for (const [name, decl] of Object.entries(isRecord(data.Parameters) ? data.Parameters : {})) {
      if (given && Object.hasOwn(given, name)) parameters[name] = given[name];
      else if (isEnvironmentName(name)) parameters[name] = ENV;
      else if (isRecord(decl) && 'Default' in decl) {
        const list = typeof decl.Type === 'string' && /List/.test(decl.Type);
        parameters[name] =
          list && typeof decl.Default === 'string' ? decl.Default.split(',').map((s) => s.trim()) : decl.Default;
      } else parameters[name] = new Unresolved(`parameter ${name} has no Default (it is given at deploy time)`);
    }
    return {
      parameters,
      resources: isRecord(data.Resources) ? data.Resources : {},
      conditions: isRecord(data.Conditions) ? data.Conditions : {},
      mappings: isRecord(data.Mappings) ? data.Mappings : {},
      stack: stack.key,
      nestedOutput: (resource, output, d) => this.nestedOutput(stack, resource, output, depth + d),
    };
  }

  private nestedOutput(stack: Stack, resource: string, output: string, depth: number): unknown {
    const child = this.nestedStack(stack, resource, depth);
    if (child instanceof Unresolved) return child;
    const outputs = isRecord(child.data.Outputs) ? child.data.Outputs : {};
    const o = outputs[output];
    if (!isRecord(o)) return new Unresolved(`nested stack ${resource} has no output ${output}`);
    return evaluate(o.Value, child.scope);
  }

  /** The nested stack a resource declares, read once with the parameters this stack passes it. */
  private nestedStack(stack: Stack, id: string, depth: number): Stack | Unresolved {
    const res = isRecord(stack.scope.resources[id]) ? (stack.scope.resources[id] as Record<string, unknown>) : null;
    const props = res && isRecord(res.Properties) ? res.Properties : {};
    const type = res?.Type;
    if (type !== 'AWS::Serverless::Application' && type !== 'AWS::CloudFormation::Stack')
      return new Unresolved(`${id} is not a nested stack`);
    const origin = this.origin(stack, id);
    const where = evaluate(type === 'AWS::Serverless::Application' ? props.Location : props.TemplateURL, stack.scope);
    if (isRecord(where) && 'ApplicationId' in where)
      return new Unresolved(`${id} comes from the Serverless Application Repository, not from this repository`);
    if (where instanceof Unresolved) return new Unresolved(`the location of nested stack ${id}: ${where.why}`);
    if (typeof where !== 'string') return new Unresolved(`nested stack ${id} has no template location`);
    if (/^[a-z0-9]+:\/\//i.test(where))
      return new Unresolved(`nested stack ${id} is read from ${where}, outside the repository`);
    const at = this.repo.resolve(posix.dirname(stack.file), where);
    if ('problem' in at) return new Unresolved(`nested stack ${id}: '${where}' ${at.problem}`);
    const given: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(isRecord(props.Parameters) ? props.Parameters : {}))
      given[name] = evaluate(value, stack.scope);
    if (!this.parse(at.path, origin)) return new Unresolved(`nested stack ${id}: ${at.path} cannot be read`);
    const child = this.stack(`${stack.key}/${id}`, at.path, [...stack.path, id], given, depth + 1);
    return child ?? new Unresolved(`nested stack ${id} refers back to a stack that uses it`);
  }

  private resources(stack: Stack, depth: number): void {
    const globals =
      isRecord(stack.data.Globals) && isRecord(stack.data.Globals.Function) ? stack.data.Globals.Function : {};
    for (const [id, res] of Object.entries(stack.scope.resources)) {
      if (!isRecord(res)) continue;
      const props = isRecord(res.Properties) ? res.Properties : {};
      const metadata = isRecord(res.Metadata) ? res.Metadata : {};
      switch (res.Type) {
        case 'AWS::Serverless::Function':
          this.fn(stack, id, mergeGlobals(globals, props) as Record<string, unknown>, metadata, true);
          break;
        case 'AWS::Lambda::Function':
          this.fn(stack, id, props, metadata, false);
          break;
        case 'AWS::Serverless::LayerVersion':
        case 'AWS::Lambda::LayerVersion':
          this.layer(stack, id, props, metadata, res.Type === 'AWS::Serverless::LayerVersion');
          break;
        case 'AWS::Serverless::Application':
        case 'AWS::CloudFormation::Stack': {
          const child = this.nestedStack(stack, id, depth);
          if (child instanceof Unresolved)
            this.out.notes.push({ origin: this.origin(stack, id), message: `not read: ${child.why}` });
          break;
        }
      }
    }
  }

  // --- functions and layers

  private fn(
    stack: Stack,
    id: string,
    props: Record<string, unknown>,
    metadata: Record<string, unknown>,
    sam: boolean,
  ) {
    const origin = this.origin(stack, id);
    const get = (key: string) => evaluate(props[key], stack.scope);
    const refuse = (reason: string): void => {
      this.out.unmapped.push({ origin, reason });
    };
    const imageUri = sam ? props.ImageUri : isRecord(props.Code) ? props.Code.ImageUri : undefined;
    if (get('PackageType') === 'Image' || imageUri !== undefined)
      return refuse('a container image (PackageType: Image): lci deploys zip packages');
    if (sam && props.InlineCode !== undefined)
      return refuse('inline code (InlineCode): lci deploys code from files in the repository; move it into a file');
    const code = sam ? get('CodeUri') : get('Code');
    if (!sam && isRecord(code) && code.ZipFile !== undefined)
      return refuse('inline code (Code.ZipFile): lci deploys code from files in the repository; move it into a file');
    const dir = this.codeDir(stack, sam ? 'CodeUri' : 'Code', code ?? (sam ? '.' : undefined));
    if ('problem' in dir) return refuse(dir.problem);
    const buildMethod = evaluate(metadata.BuildMethod, stack.scope);
    if (typeof buildMethod === 'string' && buildMethod !== 'esbuild' && !/^(python|nodejs)/.test(buildMethod))
      return refuse(
        `built by sam build with BuildMethod ${buildMethod}: write its build.command in lambdas.yaml by hand (docs/monorepos.md: Build steps)`,
      );
    const runtime = this.text(origin, 'Runtime', get('Runtime'));
    const handler = this.text(origin, 'Handler', get('Handler'));
    const architecture = this.first(origin, 'Architectures', get('Architectures'));
    const autoAlias = get('AutoPublishAlias');
    if (typeof autoAlias === 'string')
      this.out.notes.push({
        origin,
        message: `AutoPublishAlias ${autoAlias}: sam deploy publishes versions and moves that alias too; let one of the two do it (lci moves the alias of each environment)`,
      });
    const { layers, foreign } = this.layerRefs(origin, get('Layers'));
    const fn: DeclaredFunction = {
      origin,
      id,
      scope: stack.path.join('/'),
      codeDir: dir.path,
      handler,
      runtime,
      architecture,
      functionName: this.name(origin, 'FunctionName', get('FunctionName'), id),
      layers,
      foreignLayers: foreign,
      exclude: [],
      include: [],
      descriptor: null,
      build: buildMethod === 'esbuild' ? esbuild(evaluate(metadata.BuildProperties, stack.scope)) : null,
    };
    this.out.functions.push(fn);
  }

  private layer(
    stack: Stack,
    id: string,
    props: Record<string, unknown>,
    metadata: Record<string, unknown>,
    sam: boolean,
  ) {
    const origin = this.origin(stack, id);
    const get = (key: string) => evaluate(props[key], stack.scope);
    const buildMethod = evaluate(metadata.BuildMethod, stack.scope);
    if (typeof buildMethod === 'string' && !/^(python|nodejs)/.test(buildMethod)) {
      this.out.unmapped.push({
        origin,
        reason: `built by sam build with BuildMethod ${buildMethod}: write the layer's build.command in lambdas.yaml by hand (docs/monorepos.md: Build steps)`,
      });
      return;
    }
    const content = sam ? get('ContentUri') : get('Content');
    const dir = this.codeDir(stack, sam ? 'ContentUri' : 'Content', content);
    if ('problem' in dir) {
      this.out.unmapped.push({ origin, reason: dir.problem });
      return;
    }
    const runtimes = get('CompatibleRuntimes');
    const architectures = get('CompatibleArchitectures');
    this.out.layers.push({
      origin,
      key: `${stack.key}#${id}`,
      id,
      contentDir: dir.path,
      runtimes: Array.isArray(runtimes) ? runtimes.filter((r): r is string => typeof r === 'string') : [],
      architectures: Array.isArray(architectures)
        ? architectures.filter((r): r is string => typeof r === 'string')
        : [],
      layerName: this.name(origin, 'LayerName', get('LayerName'), id),
    });
  }

  /** A local code directory, or why the code is not one. */
  private codeDir(stack: Stack, property: string, value: unknown): { path: string } | { problem: string } {
    if (value instanceof Unresolved) return { problem: `${property}: ${value.why}` };
    if (value === undefined || value === NO_VALUE) return { problem: `no ${property}` };
    if (isRecord(value)) return { problem: `${property} is an object in S3: the code is built outside the repository` };
    if (typeof value !== 'string') return { problem: `${property} is not a path` };
    if (/^s3:\/\//i.test(value))
      return { problem: `${property} ${value} is in S3: the code is built outside the repository` };
    if (/^[a-z0-9]+:\/\//i.test(value)) return { problem: `${property} ${value} is not in the repository` };
    const at = this.repo.resolve(posix.dirname(stack.file), value);
    if ('problem' in at) return { problem: `${property} '${value}' ${at.problem}` };
    if (this.repo.kind(at.path) === 'file')
      return {
        problem: `${property} '${value}' is a file (a prebuilt archive?), not a directory: the code is built outside lci`,
      };
    if (!this.repo.hasTrackedUnder(at.path))
      return {
        problem: `${property} '${value}' holds no file git tracks: the code is built outside the repository (by a step lci does not know)`,
      };
    return { path: at.path };
  }

  private layerRefs(origin: Origin, value: unknown): { layers: string[]; foreign: string[] } {
    const layers: string[] = [];
    const foreign: string[] = [];
    if (value === undefined || value === NO_VALUE) return { layers, foreign };
    if (!Array.isArray(value)) {
      const why = value instanceof Unresolved ? value.why : 'not a list';
      this.out.notes.push({ origin, message: `Layers: ${why}; no layer mapped` });
      return { layers, foreign };
    }
    for (const item of value) {
      if (item === NO_VALUE) continue;
      if (item instanceof ResourceRef && /LayerVersion$/.test(item.type)) layers.push(`${item.stack}#${item.id}`);
      else if (typeof item === 'string') foreign.push(item);
      else foreign.push(item instanceof Unresolved ? `(${item.why})` : '(a value lci init cannot read)');
    }
    return { layers, foreign };
  }

  private name(origin: Origin, property: string, value: unknown, id: string): DeclaredName {
    if (typeof value === 'string' && value !== '') return { kind: 'fixed', value };
    if (value instanceof Unresolved)
      this.out.notes.push({ origin, message: `${property}: ${value.why}; lci init named it from the logical id` });
    return { kind: 'generated', hint: id };
  }

  private text(origin: Origin, property: string, value: unknown): string | null {
    if (typeof value === 'string') return value;
    if (value instanceof Unresolved) this.out.notes.push({ origin, message: `${property}: ${value.why}` });
    return null;
  }

  private first(origin: Origin, property: string, value: unknown): string | null {
    if (Array.isArray(value)) return this.text(origin, property, value[0]);
    return this.text(origin, property, value);
  }

  private origin(stack: Stack, id: string): Origin {
    const within = stack.path.length > 0 ? ` (stack ${stack.path.join('/')})` : '';
    return { kind: 'sam', file: stack.file, at: `Resources.${id}${within}` };
  }

  /** samconfig.toml's s3_bucket and region, read as plain lines (no TOML library needed for two keys). */
  private readSamconfig(base: string): void {
    const file = repoJoin(base, 'samconfig.toml');
    if (!this.repo.isTracked(file)) return;
    const read = this.repo.read(file);
    if ('problem' in read) return;
    const value = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*"([^"\\n]*)"`, 'm').exec(read.text)?.[1] ?? null;
    this.out.bucket = value('s3_bucket');
    this.out.region = value('region');
    this.out.files.push(file);
  }
}

function isTemplate(data: unknown): data is Record<string, unknown> {
  if (!isRecord(data) || !isRecord(data.Resources)) return false;
  return (
    'AWSTemplateFormatVersion' in data ||
    'Transform' in data ||
    Object.values(data.Resources).some((r) => isRecord(r) && typeof r.Type === 'string' && r.Type.startsWith('AWS::'))
  );
}

/**
 * SAM's Globals merge (samtranslator's globals plugin): maps merge key by key, lists concatenate
 * (globals first), anything else (intrinsic functions included) is the resource's own value.
 */
export function mergeGlobals(global: unknown, local: unknown): unknown {
  if (local === undefined) return global;
  const kind = (v: unknown) =>
    Array.isArray(v)
      ? 'list'
      : isRecord(v) && !(Object.keys(v).length === 1 && isIntrinsic(Object.keys(v)[0]!))
        ? 'map'
        : 'value';
  const g = kind(global);
  if (g !== kind(local) || g === 'value') return local;
  if (g === 'list') return [...(global as unknown[]), ...(local as unknown[])];
  const out: Record<string, unknown> = { ...(global as Record<string, unknown>) };
  for (const [k, v] of Object.entries(local as Record<string, unknown>))
    out[k] = k in out ? mergeGlobals(out[k], v) : v;
  return out;
}

function esbuild(props: unknown): DeclaredBuild {
  const p = isRecord(props) ? props : {};
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  if (unresolvedIn(p))
    return {
      kind: 'esbuild',
      entryPoints: [],
      keepPaths: false,
      target: null,
      minify: false,
      sourcemap: false,
      external: [],
    };
  return {
    kind: 'esbuild',
    entryPoints: strings(p.EntryPoints),
    keepPaths: false,
    target: typeof p.Target === 'string' ? p.Target : null,
    minify: p.Minify === true || p.Minify === 'true',
    sourcemap: p.Sourcemap === true || p.Sourcemap === 'true',
    external: strings(p.External),
  };
}
