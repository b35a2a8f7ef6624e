import { posix } from 'node:path';
import { isRecord } from '../config/source.js';
import { ENV } from './intrinsics.js';
import { type DeclaredFunction, type DeclaredSource, emptySource, type Origin, repoJoin } from './model.js';
import { parseTemplateText } from './parse-yaml.js';
import { inSkippedDir, type RepoView } from './repo.js';

/**
 * Serverless Framework services (serverless.yml): the provider's runtime and architecture, each
 * function's handler (a path inside the service), its package patterns, the service's layers.
 * `${…}` variables resolve where the file alone says what they are (`self:`, the stage, quoted
 * fallbacks); environment variables, SSM, other stacks and files are never read. A
 * serverless.ts or .js is code: it is not run.
 */

const SERVICE_FILE = /(^|\/)serverless\.(ya?ml|json)$/;
const CODE_FILE = /(^|\/)serverless\.(ts|js|mjs|cjs)$/;
const HANDLER_EXTENSIONS = ['.py', '.js', '.mjs', '.cjs', '.ts', '.mts'];
/** Serverless's own patterns that leave everything out before the function's re-include what it ships. */
const EXCLUDE_ALL = new Set(['!./**', '!**', '!**/*', '!./**/*', '!*/**', '!./*/**']);
const MAX_VARIABLE_ROUNDS = 50;
const STAGE = '\u0000stage\u0000';

export function findServices(repo: RepoView, base: string): { services: string[]; code: string[] } {
  const files = repo.under(base).filter((p) => !inSkippedDir(p));
  return { services: files.filter((p) => SERVICE_FILE.test(p)), code: files.filter((p) => CODE_FILE.test(p)) };
}

export function readServerless(repo: RepoView, base: string): DeclaredSource {
  const out = emptySource('serverless');
  const { services, code } = findServices(repo, base);
  for (const file of code)
    out.notes.push({
      origin: null,
      message: `${file} is code: lci init does not run it; declare those functions in lambdas.yaml by hand, or export a serverless.yml (serverless print)`,
    });
  for (const file of services) new ServiceReader(repo, out, file).read();
  return out;
}

class ServiceReader {
  private doc: Record<string, unknown> = {};
  private readonly dir: string;

  constructor(
    private readonly repo: RepoView,
    private readonly out: DeclaredSource,
    private readonly file: string,
  ) {
    this.dir = posix.dirname(file) === '.' ? '' : posix.dirname(file);
  }

  read(): void {
    const read = this.repo.read(this.file);
    if ('problem' in read) {
      this.out.notes.push({ origin: null, message: `${this.file} ${read.problem}: not read` });
      return;
    }
    const parsed = parseTemplateText(read.text, this.file.endsWith('.json'));
    if (!parsed.ok || !isRecord(parsed.data)) {
      this.out.notes.push({
        origin: null,
        message: `${this.file}: ${parsed.ok ? 'not a map' : parsed.problem}: not read`,
      });
      return;
    }
    this.doc = parsed.data;
    const provider = isRecord(this.doc.provider) ? this.doc.provider : {};
    const providerName = this.value(provider.name);
    if (providerName !== 'aws') {
      this.out.notes.push({
        origin: null,
        message: `${this.file}: provider ${String(providerName)} is not aws: not read`,
      });
      return;
    }
    this.out.files.push(this.file);
    const bucket = isRecord(provider.deploymentBucket) ? provider.deploymentBucket.name : provider.deploymentBucket;
    this.out.bucket ??= this.known(bucket);
    this.out.region ??= this.known(provider.region);
    this.layers();
    const functions = this.doc.functions;
    if (!isRecord(functions)) {
      if (functions !== undefined)
        this.out.notes.push({ origin: null, message: `${this.file}: functions is not a map lci init can read` });
      return;
    }
    for (const [key, fn] of Object.entries(functions)) if (isRecord(fn)) this.fn(key, fn, provider);
  }

  private fn(key: string, fn: Record<string, unknown>, provider: Record<string, unknown>) {
    const origin: Origin = { kind: 'serverless', file: this.file, at: `functions.${key}` };
    const refuse = (reason: string): void => {
      this.out.unmapped.push({ origin, reason });
    };
    if (fn.image !== undefined) return refuse('a container image (image:): lci deploys zip packages');
    const servicePackage = isRecord(provider.package)
      ? provider.package
      : isRecord(this.doc.package)
        ? this.doc.package
        : {};
    const own = isRecord(fn.package) ? fn.package : {};
    if (own.artifact !== undefined || servicePackage.artifact !== undefined)
      return refuse('package.artifact: a zip built outside the repository');
    const handler = this.value(fn.handler);
    if (typeof handler !== 'string' || !handler.includes('.'))
      return refuse(`handler ${handler instanceof Unknown ? `(${handler.why})` : 'is missing or not module.function'}`);
    const module = handler.slice(0, handler.lastIndexOf('.'));
    const file = HANDLER_EXTENSIONS.map((ext) => repoJoin(this.dir, `${module}${ext}`)).find((p) =>
      this.repo.isTracked(p),
    );
    if (!file) return refuse(`handler ${handler}: no tracked file ${module}.py, .js or .ts in ${this.dir || '.'}`);
    const runtime = this.known(fn.runtime) ?? this.known(provider.runtime);
    const architecture = this.known(fn.architecture) ?? this.known(provider.architecture);
    let build: DeclaredFunction['build'] = null;
    if (/\.m?ts$/.test(file)) {
      if (!this.plugins().includes('serverless-esbuild'))
        return refuse(
          `handler ${file} is TypeScript and the service builds it with a plugin lci init does not know (only serverless-esbuild): write its build.command by hand`,
        );
      build = {
        kind: 'esbuild',
        entryPoints: [],
        keepPaths: true,
        target: null,
        minify: false,
        sourcemap: false,
        external: [],
      };
    }
    const patterns = [...this.patterns(servicePackage), ...this.patterns(own)];
    const shape = packageShape(patterns, module);
    const codeDir = shape.dir ? repoJoin(this.dir, shape.dir) : this.dir;
    if (build) build.entryPoints = [posix.relative(codeDir || '.', file)];
    const layers: string[] = [];
    const foreign: string[] = [];
    const declared = fn.layers ?? provider.layers;
    for (const item of Array.isArray(declared) ? declared : []) {
      const ref = isRecord(item) ? item.Ref : undefined;
      const layerKey = typeof ref === 'string' ? this.layerByLogicalId(ref) : undefined;
      if (layerKey) layers.push(layerKey);
      else {
        const v = this.value(item);
        foreign.push(typeof v === 'string' ? v : `(${v instanceof Unknown ? v.why : 'a value lci init cannot read'})`);
      }
    }
    const service = this.service();
    const name = this.value(fn.name);
    this.out.functions.push({
      origin,
      id: key,
      scope: this.dir,
      codeDir,
      handler: shape.dir ? handler.slice(shape.dir.length + 1) : handler,
      runtime,
      architecture,
      functionName:
        typeof name === 'string'
          ? { kind: 'fixed', value: name }
          : typeof service === 'string'
            ? { kind: 'fixed', value: `${service}-${ENV}-${key}` }
            : { kind: 'generated', hint: key },
      layers,
      foreignLayers: foreign,
      exclude: shape.exclude,
      include: shape.include,
      descriptor: shape.dir ? this.descriptor(runtime, file) : null,
      build,
    });
  }

  private layers(): void {
    const layers = this.doc.layers;
    if (!isRecord(layers)) return;
    for (const [key, layer] of Object.entries(layers)) {
      if (!isRecord(layer)) continue;
      const origin: Origin = { kind: 'serverless', file: this.file, at: `layers.${key}` };
      const pkg = isRecord(layer.package) ? layer.package : {};
      if (pkg.artifact !== undefined) {
        this.out.unmapped.push({ origin, reason: 'package.artifact: a zip built outside the repository' });
        continue;
      }
      const path = this.value(layer.path);
      if (typeof path !== 'string') {
        this.out.unmapped.push({ origin, reason: 'no path lci init can read' });
        continue;
      }
      const at = this.repo.resolve(this.dir, path);
      if ('problem' in at || !this.repo.hasTrackedUnder(at.path)) {
        this.out.unmapped.push({
          origin,
          reason: `path '${path}' ${'problem' in at ? at.problem : 'holds no file git tracks'}`,
        });
        continue;
      }
      const list = (v: unknown) =>
        Array.isArray(v) ? v.map((x) => this.known(x)).filter((x): x is string => !!x) : [];
      const name = this.value(layer.name);
      this.out.layers.push({
        origin,
        key: `${this.file}#${key}`,
        id: key,
        contentDir: at.path,
        runtimes: list(layer.compatibleRuntimes),
        architectures: list(layer.compatibleArchitectures),
        layerName: typeof name === 'string' ? { kind: 'fixed', value: name } : { kind: 'generated', hint: key },
      });
    }
  }

  /** Serverless names a layer's CloudFormation resource `<Key>LambdaLayer`, the key's first letter upper case, `-` as Dash, `_` as Underscore. */
  private layerByLogicalId(ref: string): string | undefined {
    const layers = isRecord(this.doc.layers) ? Object.keys(this.doc.layers) : [];
    const normalized = (k: string) =>
      `${k.charAt(0).toUpperCase()}${k.slice(1)}`.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
    const key = layers.find((k) => `${normalized(k)}LambdaLayer` === ref);
    return key === undefined ? undefined : `${this.file}#${key}`;
  }

  private descriptor(runtime: string | null, handlerFile: string): string | null {
    const python = runtime ? runtime.startsWith('python') : handlerFile.endsWith('.py');
    const custom =
      isRecord(this.doc.custom) && isRecord(this.doc.custom.pythonRequirements)
        ? this.known(this.doc.custom.pythonRequirements.fileName)
        : null;
    const name = python ? (custom ?? 'requirements.txt') : 'package.json';
    const path = repoJoin(this.dir, name);
    return this.repo.isTracked(path) ? path : null;
  }

  private patterns(pkg: Record<string, unknown>): string[] {
    const list = [
      ...(Array.isArray(pkg.patterns) ? pkg.patterns : []),
      ...(Array.isArray(pkg.exclude) ? pkg.exclude.map((p) => (typeof p === 'string' ? `!${p}` : p)) : []),
      ...(Array.isArray(pkg.include) ? pkg.include : []),
    ];
    return list.filter((p): p is string => typeof p === 'string');
  }

  private plugins(): string[] {
    const p = this.doc.plugins;
    const list = Array.isArray(p) ? p : isRecord(p) && Array.isArray(p.modules) ? p.modules : [];
    return list.filter((x): x is string => typeof x === 'string');
  }

  private service(): unknown {
    const s = this.doc.service;
    return this.value(isRecord(s) ? s.name : s);
  }

  /** A string value with its variables resolved; null for anything else, unresolved included. */
  private known(v: unknown): string | null {
    const r = this.value(v);
    return typeof r === 'string' && !r.includes(ENV) ? r : null;
  }

  /** A value with `${…}` variables resolved where the file says what they are; Unknown otherwise. */
  value(v: unknown, depth = 0): unknown {
    if (typeof v !== 'string') return v;
    let text = v;
    for (let round = 0; round < MAX_VARIABLE_ROUNDS; round++) {
      const m = /\$\{([^${}]*)\}/.exec(text);
      if (!m) return text.split(STAGE).join(ENV);
      const r = this.variable(m[1]!, depth);
      if (r instanceof Unknown) return r;
      text = text.slice(0, m.index) + r + text.slice(m.index + m[0].length);
    }
    return new Unknown('variables nested too deeply');
  }

  private variable(inner: string, depth: number): string | Unknown {
    let last: Unknown = new Unknown(`\${${inner}} is known only when serverless runs`);
    for (const raw of splitFallbacks(inner)) {
      const c = raw.trim();
      const quoted = /^(['"])(.*)\1$/.exec(c);
      if (quoted) return quoted[2]!;
      if (/^-?\d+(\.\d+)?$/.test(c)) return c;
      if (/^(sls:stage|opt:stage|self:provider\.stage|provider\.stage)$/.test(c)) return STAGE;
      const self = /^self:(.+)$/.exec(c);
      if (self) {
        const found = self[1]!.split('.').reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), this.doc);
        if (depth < 10 && (typeof found === 'string' || typeof found === 'number')) {
          const r = this.value(String(found), depth + 1);
          if (typeof r === 'string') return r.split(ENV).join(STAGE);
          last = r instanceof Unknown ? r : last;
        }
        continue;
      }
      last = new Unknown(`\${${inner}} is known only when serverless runs`);
    }
    return last;
  }
}

/** A variable lci init does not resolve, and why. */
class Unknown {
  constructor(readonly why: string) {}
}

/** `a, 'b, c'` → [a, 'b, c']: commas inside quotes do not separate fallbacks. */
function splitFallbacks(inner: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (const c of inner) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ',') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Serverless package patterns as lci's: `!x` leaves x out (exclude), `x` puts it back (include).
 * When they leave everything out and put back one directory that holds the handler, that
 * directory becomes the function's path instead (`dir`), the handler relative to it.
 */
export function packageShape(
  patterns: string[],
  handlerModule: string,
): { dir: string; exclude: string[]; include: string[] } {
  const clean = (p: string) => p.replace(/^!/, '').replace(/^\.\//, '');
  let cut = -1;
  patterns.forEach((p, i) => {
    if (EXCLUDE_ALL.has(p)) cut = i;
  });
  if (cut >= 0) {
    const after = patterns.slice(cut + 1);
    const back = after.filter((p) => !p.startsWith('!')).map(clean);
    const dirs = back
      .map((p) =>
        p.split('/').slice(
          0,
          p.split('/').findIndex((s) => /[*?[{]/.test(s)),
        ),
      )
      .map((s) => s.join('/'));
    const dir = back.length > 0 && dirs.every((d) => d === dirs[0]) ? dirs[0]! : '';
    if (
      dir &&
      handlerModule.startsWith(`${dir}/`) &&
      back.every((p) => /^\*\*(\/\*)?$/.test(p.slice(dir.length + 1)))
    ) {
      const exclude = after
        .filter((p) => p.startsWith('!') && clean(p).startsWith(`${dir}/`))
        .map((p) => clean(p).slice(dir.length + 1));
      return { dir, exclude, include: [] };
    }
  }
  return {
    dir: '',
    exclude: patterns.filter((p) => p.startsWith('!')).map((p) => (EXCLUDE_ALL.has(p) ? '**' : clean(p))),
    include: patterns.filter((p) => !p.startsWith('!')).map(clean),
  };
}
