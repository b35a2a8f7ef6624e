import { posix } from 'node:path';
import { type Block, type Body, type Expr, exprText, HclError, parseHcl, type Step } from './hcl.js';
import {
  ArchiveRef,
  callFunction,
  type Each,
  eachEntries,
  type Instance,
  isMap,
  LayerRef,
  type Module,
  Unknown,
  type Val,
} from './terraform-values.js';
import { ENV, isEnvironmentName } from './intrinsics.js';
import {
  type DeclaredFunction,
  type DeclaredName,
  type DeclaredSource,
  emptySource,
  repoJoin,
  type Origin,
} from './model.js';
import { inSkippedDir, type RepoView } from './repo.js';

/**
 * Terraform modules: `aws_lambda_function` and `aws_lambda_layer_version` whose code is a local
 * directory or file (`data "archive_file"` source_dir/source_file, or a filename that is one),
 * local module calls with the inputs they pass, `for_each` over a literal collection, and the
 * public terraform-aws-modules/lambda/aws module (source_path). Expressions are evaluated as far
 * as the files say (literals, variables' defaults, locals, path.module); nothing Terraform would
 * compute, read or run is evaluated. Relative paths are relative to the root module's directory,
 * as Terraform resolves them.
 */

const MAX_MODULE_DEPTH = 8;
const MAX_INSTANCES = 500;
const MAX_EVAL_DEPTH = 40;
const REGISTRY_LAMBDA = /^(registry\.terraform\.io\/)?terraform-aws-modules\/lambda\/aws(\/\/.*)?$/;

export function findTerraform(repo: RepoView, base: string): string[] {
  return repo.under(base).filter((p) => p.endsWith('.tf') && !inSkippedDir(p));
}

export function readTerraform(repo: RepoView, base: string): DeclaredSource {
  return new TerraformReader(repo).read(findTerraform(repo, base));
}

class TerraformReader {
  private readonly out = emptySource('terraform');
  private readonly modules = new Map<string, Module | null>();
  private instances = 0;

  constructor(private readonly repo: RepoView) {}

  read(files: string[]): DeclaredSource {
    const dirs = [...new Set(files.map((f) => posix.dirname(f)))].map((d) => (d === '.' ? '' : d));
    const called = new Set<string>();
    for (const dir of dirs) {
      const mod = this.module(dir);
      for (const { block } of mod?.blocks ?? []) {
        if (block.type !== 'module') continue;
        const source = block.body.attrs.get('source');
        if (source?.t === 'lit' && typeof source.v === 'string' && /^\.\.?\//.test(source.v)) {
          const at = this.repo.resolve(dir, source.v);
          if ('path' in at) called.add(at.path);
        }
      }
    }
    for (const dir of dirs) {
      if (called.has(dir)) continue;
      const mod = this.module(dir);
      if (mod)
        this.instance({
          key: dir || '.',
          mod,
          pathModule: '.',
          rootDir: dir,
          inputs: new Map(),
          address: '',
          depth: 0,
        });
    }
    return this.out;
  }

  private module(dir: string): Module | null {
    if (this.modules.has(dir)) return this.modules.get(dir)!;
    const mod: Module = { dir, blocks: [], variables: new Map(), locals: new Map(), archives: new Map() };
    for (const name of this.repo.filesIn(dir).filter((f) => f.endsWith('.tf'))) {
      const file = dir ? `${dir}/${name}` : name;
      const read = this.repo.read(file);
      if ('problem' in read) {
        this.out.notes.push({ origin: null, message: `${file} ${read.problem}: not read` });
        continue;
      }
      let body: Body;
      try {
        body = parseHcl(read.text);
      } catch (e) {
        if (!(e instanceof HclError)) throw e;
        this.out.notes.push({ origin: null, message: `${file}:${e.line}:${e.col}: ${e.message}: not read` });
        continue;
      }
      this.out.files.push(file);
      for (const block of body.blocks) {
        mod.blocks.push({ block, file });
        if (block.type === 'variable' && block.labels[0]) mod.variables.set(block.labels[0], block);
        if (block.type === 'locals') for (const [k, expr] of block.body.attrs) mod.locals.set(k, { expr, file });
        if (block.type === 'data' && block.labels[0] === 'archive_file' && block.labels[1])
          mod.archives.set(block.labels[1], { block, file });
        if (block.type === 'provider' && block.labels[0] === 'aws') {
          const region = block.body.attrs.get('region');
          if (region?.t === 'lit' && typeof region.v === 'string') this.out.region ??= region.v;
        }
      }
    }
    const result = mod.blocks.length > 0 ? mod : null;
    this.modules.set(dir, result);
    return result;
  }

  private instance(inst: Instance): void {
    if (++this.instances > MAX_INSTANCES) {
      if (this.instances === MAX_INSTANCES + 1)
        this.out.notes.push({
          origin: null,
          message: `lci init reads at most ${MAX_INSTANCES} Terraform module instances`,
        });
      return;
    }
    for (const { block, file } of inst.mod.blocks) {
      const [type, name] = block.labels;
      if (block.type === 'resource' && name && (type === 'aws_lambda_function' || type === 'aws_lambda_layer_version'))
        this.forEach(inst, block, file, `${type}.${name}`, (each, suffix) =>
          type === 'aws_lambda_function'
            ? this.fn(inst, block, file, name, each, suffix)
            : this.layer(inst, block, file, name, each, suffix),
        );
      if (block.type === 'module' && type)
        this.forEach(inst, block, file, `module.${type}`, (each, suffix) =>
          this.call(inst, block, file, type, each, suffix),
        );
    }
  }

  /** Runs `visit` once, or once per key of a literal for_each; a count of 0 skips it. */
  private forEach(
    inst: Instance,
    block: Block,
    file: string,
    address: string,
    visit: (each: Each | undefined, suffix: string) => void,
  ) {
    const origin = this.origin(inst, file, address);
    const count = block.body.attrs.get('count');
    if (count) {
      const n = this.eval(count, inst, undefined);
      if (n === 0) return;
      if (typeof n !== 'number')
        this.out.notes.push({
          origin,
          message: `count: ${n instanceof Unknown ? n.why : 'not a number'}; mapped as one`,
        });
    }
    const forEach = block.body.attrs.get('for_each');
    if (!forEach) return visit(undefined, '');
    const entries = eachEntries(this.eval(forEach, inst, undefined));
    if (entries instanceof Unknown) {
      this.out.unmapped.push({ origin, reason: `for_each: ${entries.why}; lci init cannot tell its instances` });
      return;
    }
    for (const each of entries) visit(each, `[${JSON.stringify(each.key)}]`);
  }

  // --- functions and layers

  private fn(inst: Instance, block: Block, file: string, name: string, each: Each | undefined, suffix: string) {
    const origin = this.origin(inst, file, `aws_lambda_function.${name}${suffix}`);
    const get = (attr: string) => this.attr(block, attr, inst, each);
    const refuse = (reason: string) => {
      this.out.unmapped.push({ origin, reason });
    };
    if (get('package_type') === 'Image' || block.body.attrs.has('image_uri'))
      return refuse('a container image (image_uri): lci deploys zip packages');
    if (block.body.attrs.has('s3_bucket'))
      return refuse('code from S3 (s3_bucket): the zip is built outside the repository');
    const code = this.code(inst, get('filename'), 'filename');
    if ('problem' in code) return refuse(code.problem);
    this.out.functions.push(
      this.declared(origin, each?.key ?? this.functionId(inst, name), `${inst.key}:${name}`, code, {
        handler: get('handler'),
        runtime: get('runtime'),
        architectures: get('architectures'),
        name: get('function_name'),
        layers: get('layers'),
      }),
    );
  }

  /** A function of a module instance is named after the module call (`module.reports` → reports), unless the module declares several. */
  private functionId(inst: Instance, name: string): string {
    const call = /module\.([^.[]+)(?:\["([^"]*)"\])?\.$/.exec(inst.address);
    if (!call) return name;
    const caller = call[2] ?? call[1]!;
    const several =
      inst.mod.blocks.filter(({ block }) => block.type === 'resource' && block.labels[0] === 'aws_lambda_function')
        .length > 1;
    return several ? `${caller}-${name}` : caller;
  }

  private layer(
    inst: Instance,
    block: Block,
    file: string,
    name: string,
    each: Each | undefined,
    suffix: string,
  ): void {
    const origin = this.origin(inst, file, `aws_lambda_layer_version.${name}${suffix}`);
    const get = (attr: string) => this.attr(block, attr, inst, each);
    if (block.body.attrs.has('s3_bucket')) {
      this.out.unmapped.push({
        origin,
        reason: 'content from S3 (s3_bucket): the zip is built outside the repository',
      });
      return;
    }
    const code = this.code(inst, get('filename'), 'filename');
    if ('problem' in code) {
      this.out.unmapped.push({ origin, reason: code.problem });
      return;
    }
    this.pushLayer(origin, `${inst.key}#${name}${each ? `[${each.key}]` : ''}`, each?.key ?? name, code.dir, {
      runtimes: get('compatible_runtimes'),
      architectures: get('compatible_architectures'),
      name: get('layer_name'),
    });
  }

  /** A module call: a local module (its resources, with the inputs given), or terraform-aws-modules/lambda/aws. */
  private call(inst: Instance, block: Block, file: string, name: string, each: Each | undefined, suffix: string) {
    const address = `module.${name}${suffix}`;
    const origin = this.origin(inst, file, address);
    const source = block.body.attrs.get('source');
    if (source?.t !== 'lit' || typeof source.v !== 'string') return;
    const inputs = new Map<string, Val>();
    for (const [k, expr] of block.body.attrs)
      if (!['source', 'version', 'count', 'for_each', 'providers', 'depends_on'].includes(k))
        inputs.set(k, this.eval(expr, inst, each));
    if (REGISTRY_LAMBDA.test(source.v))
      return this.registryLambda(inst, origin, `${inst.key}/${address}`, each?.key ?? name, inputs);
    if (!/^\.\.?\//.test(source.v)) return;
    if (inst.depth >= MAX_MODULE_DEPTH) {
      this.out.notes.push({ origin, message: `not read: modules nested more than ${MAX_MODULE_DEPTH} deep` });
      return;
    }
    const at = this.repo.resolve(inst.mod.dir, source.v);
    if ('problem' in at) {
      this.out.notes.push({ origin, message: `source '${source.v}' ${at.problem}: not read` });
      return;
    }
    const mod = this.module(at.path);
    if (!mod) return;
    this.instance({
      key: `${inst.key}/${address}`,
      mod,
      pathModule: posix.normalize(posix.join(inst.pathModule, source.v)),
      rootDir: inst.rootDir,
      inputs,
      address: `${inst.address}${address}.`,
      depth: inst.depth + 1,
    });
  }

  /** The inputs of terraform-aws-modules/lambda/aws that say where the code is and how it runs. */
  private registryLambda(inst: Instance, origin: Origin, key: string, id: string, inputs: Map<string, Val>) {
    const input = (k: string) => inputs.get(k);
    if (input('create_package') === false)
      return void this.out.unmapped.push({
        origin,
        reason: 'create_package = false: the zip (local_existing_package or s3_existing_package) is built outside lci',
      });
    if (input('package_type') === 'Image' || inputs.has('image_uri'))
      return void this.out.unmapped.push({ origin, reason: 'a container image (image_uri): lci deploys zip packages' });
    let path = input('source_path');
    if (Array.isArray(path) && path.length === 1) path = path[0]!;
    if (path && typeof path === 'object' && !Array.isArray(path) && !(path instanceof Unknown) && 'path' in path)
      path = (path as Record<string, Val>).path!;
    if (typeof path !== 'string')
      return void this.out.unmapped.push({
        origin,
        reason: `source_path: ${path instanceof Unknown ? path.why : 'not one path lci init can read (a list of several?)'}`,
      });
    const code = this.local(inst, path, 'source_path');
    if ('problem' in code) return void this.out.unmapped.push({ origin, reason: code.problem });
    if (input('create_layer') === true)
      return this.pushLayer(origin, key, id, code.dir, {
        runtimes: input('compatible_runtimes'),
        architectures: input('compatible_architectures'),
        name: input('layer_name'),
      });
    if (input('create_function') === false) return;
    this.out.functions.push(
      this.declared(origin, id, key, code, {
        handler: input('handler'),
        runtime: input('runtime'),
        architectures: input('architectures'),
        name: input('function_name'),
        layers: input('layers'),
      }),
    );
  }

  private declared(
    origin: Origin,
    id: string,
    scope: string,
    code: Code,
    v: {
      handler: Val | undefined;
      runtime: Val | undefined;
      architectures: Val | undefined;
      name: Val | undefined;
      layers: Val | undefined;
    },
  ): DeclaredFunction {
    const layers: string[] = [];
    const foreign: string[] = [];
    for (const l of Array.isArray(v.layers) ? v.layers : []) {
      if (l instanceof LayerRef) layers.push(l.key);
      else
        foreign.push(typeof l === 'string' ? l : `(${l instanceof Unknown ? l.why : 'a value lci init cannot read'})`);
    }
    if (v.layers instanceof Unknown)
      this.out.notes.push({ origin, message: `layers: ${v.layers.why}; no layer mapped` });
    const arch = Array.isArray(v.architectures) ? v.architectures[0] : v.architectures;
    return {
      origin,
      id,
      scope,
      codeDir: code.dir,
      handler: this.text(origin, 'handler', v.handler),
      runtime: this.text(origin, 'runtime', v.runtime),
      architecture: this.text(origin, 'architectures', arch),
      functionName: this.name(origin, 'function_name', v.name, id),
      layers,
      foreignLayers: foreign,
      exclude: code.exclude,
      include: code.include,
      descriptor: null,
      build: null,
    };
  }

  private pushLayer(
    origin: Origin,
    key: string,
    id: string,
    dir: string,
    v: { runtimes: Val | undefined; architectures: Val | undefined; name: Val | undefined },
  ): void {
    const strings = (x: Val | undefined) =>
      Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
    this.out.layers.push({
      origin,
      key,
      id,
      contentDir: dir,
      runtimes: strings(v.runtimes),
      architectures: strings(v.architectures),
      layerName: this.name(origin, 'layer_name', v.name, id),
    });
  }

  // --- code locations

  /** What `filename` names: an archive_file of a local directory or file, or why not. */
  private code(inst: Instance, filename: Val | undefined, attr: string): Code | { problem: string } {
    if (filename === undefined) return { problem: `no ${attr}` };
    if (filename instanceof Unknown) return { problem: `${attr}: ${filename.why}` };
    if (filename instanceof ArchiveRef) return this.archive(filename);
    if (typeof filename !== 'string') return { problem: `${attr} is not a path` };
    for (const name of inst.mod.archives.keys()) {
      if (inst.mod.archives.get(name)!.block.body.attrs.has('for_each')) continue;
      const ref = new ArchiveRef(inst, name, undefined);
      if (this.archiveAttr(ref, 'output_path') === filename) return this.archive(ref);
    }
    const at = this.repo.resolve(inst.rootDir, filename);
    const shown = posix.normalize(posix.join(inst.rootDir || '.', filename));
    if ('path' in at && this.repo.isTracked(at.path))
      return { problem: `${attr} '${shown}' is a zip committed to the repository: lci packages a directory of source` };
    return { problem: `${attr} '${shown}' is not in the repository: the zip is built outside (by CI or a script)` };
  }

  private archive(ref: ArchiveRef): Code | { problem: string } {
    const found = ref.inst.mod.archives.get(ref.name);
    if (!found) return { problem: `data.archive_file.${ref.name} is not declared` };
    if (found.block.body.blocks.some((b) => b.type === 'source'))
      return {
        problem: `data.archive_file.${ref.name} zips inline content (source blocks): lci deploys files of the repository`,
      };
    const dir = this.archiveAttr(ref, 'source_dir');
    const file = this.archiveAttr(ref, 'source_file');
    const exclude = this.archiveAttr(ref, 'excludes');
    const excludes = Array.isArray(exclude) ? exclude.filter((e): e is string => typeof e === 'string') : [];
    if (typeof dir === 'string') {
      const code = this.local(ref.inst, dir, `data.archive_file.${ref.name}.source_dir`);
      if ('problem' in code) return code;
      // archive_file leaves a directory out whole; lci's glob names it with /**.
      const glob = (e: string) => {
        const clean = e.replace(/^\.\//, '').replace(/\/+$/, '');
        return this.repo.hasTrackedUnder(repoJoin(code.dir, clean)) ? `${clean}/**` : clean;
      };
      return { ...code, exclude: excludes.map(glob) };
    }
    if (typeof file === 'string') return this.local(ref.inst, file, `data.archive_file.${ref.name}.source_file`);
    const why = [dir, file].find((v): v is Unknown => v instanceof Unknown);
    return { problem: `data.archive_file.${ref.name}: ${why ? why.why : 'no source_dir or source_file'}` };
  }

  private archiveAttr(ref: ArchiveRef, attr: string): Val | undefined {
    const found = ref.inst.mod.archives.get(ref.name);
    if (!found) return undefined;
    let each: Each | undefined;
    const forEach = found.block.body.attrs.get('for_each');
    if (forEach) {
      if (ref.eachKey === undefined) return new Unknown(`data.archive_file.${ref.name} has for_each: give its key`);
      const entries = eachEntries(this.eval(forEach, ref.inst, undefined));
      if (entries instanceof Unknown) return entries;
      each = entries.find((e) => e.key === ref.eachKey);
      if (!each) return new Unknown(`data.archive_file.${ref.name} has no instance ${ref.eachKey}`);
    }
    return this.attr(found.block, attr, ref.inst, each);
  }

  /** A directory of the repository (or one file of it), as lci's path, exclude and include. */
  private local(inst: Instance, written: string, what: string): Code | { problem: string } {
    const at = this.repo.resolve(inst.rootDir, written);
    if ('problem' in at) return { problem: `${what} '${written}' ${at.problem}` };
    if (this.repo.kind(at.path) === 'file') {
      if (!this.repo.isTracked(at.path))
        return { problem: `${what} '${written}' is not tracked by git: it is built outside the repository` };
      const dir = posix.dirname(at.path) === '.' ? '' : posix.dirname(at.path);
      const base = posix.basename(at.path);
      const alone = this.repo.under(dir).length === 1 && dir !== '';
      return { dir, exclude: alone ? [] : ['**'], include: alone ? [] : [base] };
    }
    if (!this.repo.hasTrackedUnder(at.path))
      return {
        problem: `${what} '${written}' holds no file git tracks: the code is built outside the repository (by a step lci does not know)`,
      };
    return { dir: at.path, exclude: [], include: [] };
  }

  // --- evaluation

  private attr(block: Block, attr: string, inst: Instance, each: Each | undefined): Val | undefined {
    const expr = block.body.attrs.get(attr);
    return expr === undefined ? undefined : this.eval(expr, inst, each);
  }

  private eval(e: Expr, inst: Instance, each: Each | undefined, depth = 0, locals = new Set<string>()): Val {
    if (depth > MAX_EVAL_DEPTH) return new Unknown('expressions nested too deeply');
    const ev = (x: Expr) => this.eval(x, inst, each, depth + 1, locals);
    switch (e.t) {
      case 'lit':
        return e.v;
      case 'tpl': {
        let s = '';
        for (const part of e.parts) {
          const v = typeof part === 'string' ? part : ev(part);
          if (v instanceof Unknown) return v;
          if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
            return new Unknown(`"${exprText(e).slice(1, -1)}" interpolates a value that is not a string`);
          s += String(v);
        }
        return s;
      }
      case 'tuple':
        return e.items.map(ev);
      case 'object': {
        const o: Record<string, Val> = {};
        for (const item of e.items) {
          const k = item.key.t === 'ref' && item.key.steps.length === 0 ? item.key.root : ev(item.key);
          if (typeof k !== 'string') return new Unknown('an object key that is not a string');
          o[k] = ev(item.value);
        }
        return o;
      }
      case 'call':
        if (e.name === 'try') {
          const tried = e.args.map(ev);
          return tried.find((v) => !(v instanceof Unknown)) ?? tried[0] ?? new Unknown('try() with no argument');
        }
        return callFunction(e.name, e.args.map(ev), exprText(e));
      case 'other':
        return new Unknown(`${exprText(e)} is not evaluated by lci init`);
      case 'ref':
        return this.ref(e, inst, each, depth, locals);
    }
  }

  private ref(e: Expr & { t: 'ref' }, inst: Instance, each: Each | undefined, depth: number, locals: Set<string>): Val {
    const steps = e.steps;
    const attrAt = (i: number) => {
      const s = steps[i];
      return s && 'attr' in s ? s.attr : undefined;
    };
    const rest = (v: Val, from: number) => this.steps(v, steps.slice(from), inst, each, depth, locals, exprText(e));
    const known = new Unknown(`${exprText(e)} is known only after terraform apply`);
    switch (e.root) {
      case 'path':
        return attrAt(0) === 'module' ? inst.pathModule : attrAt(0) === 'root' || attrAt(0) === 'cwd' ? '.' : known;
      case 'terraform':
        return attrAt(0) === 'workspace' ? ENV : known;
      case 'var': {
        const name = attrAt(0);
        if (!name) return known;
        if (isEnvironmentName(name)) return ENV;
        if (inst.inputs.has(name)) return rest(inst.inputs.get(name)!, 1);
        const decl = inst.mod.variables.get(name)?.body.attrs.get('default');
        if (!decl) return new Unknown(`var.${name} has no default (it is set when Terraform runs)`);
        return rest(this.eval(decl, inst, undefined, depth + 1, locals), 1);
      }
      case 'local': {
        const name = attrAt(0);
        const local = name ? inst.mod.locals.get(name) : undefined;
        if (!name || !local) return new Unknown(`${exprText(e)} is not declared`);
        if (locals.has(name)) return new Unknown(`local.${name} refers to itself`);
        const v = this.eval(local.expr, inst, undefined, depth + 1, new Set([...locals, name]));
        return rest(v, 1);
      }
      case 'each':
        if (!each) return new Unknown('each. outside for_each');
        return attrAt(0) === 'key' ? each.key : attrAt(0) === 'value' ? rest(each.value, 1) : known;
      case 'data': {
        const name = attrAt(1);
        if (attrAt(0) !== 'archive_file' || !name || !inst.mod.archives.has(name)) return known;
        let i = 2;
        let key: string | undefined;
        const idx = steps[2];
        if (idx && 'index' in idx) {
          const k = this.eval(idx.index, inst, each, depth + 1, locals);
          if (typeof k !== 'string') return new Unknown(`${exprText(e)}: an index lci init cannot read`);
          key = k;
          i = 3;
        }
        return attrAt(i) === 'output_path' ? new ArchiveRef(inst, name, key) : known;
      }
      case 'aws_lambda_layer_version': {
        const name = attrAt(0);
        const declared = inst.mod.blocks.some(
          ({ block }) =>
            block.type === 'resource' && block.labels[0] === 'aws_lambda_layer_version' && block.labels[1] === name,
        );
        if (!name || !declared) return known;
        const idx = steps[1];
        if (idx && 'index' in idx) {
          const k = this.eval(idx.index, inst, each, depth + 1, locals);
          return typeof k === 'string' ? new LayerRef(`${inst.key}#${name}[${k}]`) : known;
        }
        return new LayerRef(`${inst.key}#${name}`);
      }
      case 'module': {
        const name = attrAt(0);
        const call = inst.mod.blocks.find(({ block }) => block.type === 'module' && block.labels[0] === name);
        const source = call?.block.body.attrs.get('source');
        if (
          source?.t === 'lit' &&
          typeof source.v === 'string' &&
          REGISTRY_LAMBDA.test(source.v) &&
          /layer/.test(attrAt(1) ?? '')
        )
          return new LayerRef(`${inst.key}/module.${name}`);
        return known;
      }
      default:
        return known;
    }
  }

  private steps(
    v: Val,
    steps: Step[],
    inst: Instance,
    each: Each | undefined,
    depth: number,
    locals: Set<string>,
    text: string,
  ): Val {
    let cur = v;
    for (const s of steps) {
      if (cur instanceof Unknown) return cur;
      if ('splat' in s) return new Unknown(`${text}: splat expressions are not evaluated by lci init`);
      const k = 'attr' in s ? s.attr : this.eval(s.index, inst, each, depth + 1, locals);
      if (Array.isArray(cur) && typeof k === 'number') cur = cur[k] ?? new Unknown(`${text}: index out of range`);
      else if (isMap(cur) && typeof k === 'string') cur = cur[k] ?? new Unknown(`${text}: no key ${k}`);
      else return new Unknown(`${text} is not evaluated by lci init`);
    }
    return cur;
  }

  private name(origin: Origin, attr: string, v: Val | undefined, id: string): DeclaredName {
    if (typeof v === 'string' && v !== '') return { kind: 'fixed', value: v };
    if (v instanceof Unknown)
      this.out.notes.push({ origin, message: `${attr}: ${v.why}; lci init named it from ${id}` });
    return { kind: 'generated', hint: id };
  }

  private text(origin: Origin, attr: string, v: Val | undefined): string | null {
    if (typeof v === 'string') return v;
    if (v instanceof Unknown) this.out.notes.push({ origin, message: `${attr}: ${v.why}` });
    return null;
  }

  private origin(inst: Instance, file: string, address: string): Origin {
    return { kind: 'terraform', file, at: `${inst.address}${address}` };
  }
}

interface Code {
  dir: string;
  exclude: string[];
  include: string[];
}
