import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kebab, type MapInput, mapToConfig, type RepoFacts, shellWord } from '../../../src/init/map.js';
import type { DeclaredFunction, DeclaredLayer, DeclaredSource, SourceKind } from '../../../src/init/model.js';
import { declaredFunction } from './declared.js';

/** A repository as a list of tracked files. */
function facts(files: string[]): RepoFacts {
  const under = (dir: string) =>
    files.filter((f) => dir === '' || f.startsWith(`${dir}/`)).map((f) => (dir ? f.slice(dir.length + 1) : f));
  return {
    isTracked: (p) => files.includes(p),
    filesIn: (dir) => under(dir).filter((r) => !r.includes('/')),
    subdirs: (dir) =>
      [
        ...new Set(
          under(dir)
            .filter((r) => r.includes('/'))
            .map((r) => r.split('/')[0]!),
        ),
      ].sort(),
  };
}

const fn = declaredFunction;

function layer(id: string, contentDir: string, extra: Partial<DeclaredLayer> = {}): DeclaredLayer {
  return {
    origin: { kind: 'sam', file: 'template.yaml', at: `Resources.${id}` },
    key: `template.yaml#${id}`,
    id,
    contentDir,
    runtimes: [],
    architectures: [],
    layerName: { kind: 'generated', hint: id },
    ...extra,
  };
}

function source(functions: DeclaredFunction[], layers: DeclaredLayer[] = [], kind: SourceKind = 'sam'): DeclaredSource {
  return { kind, files: ['template.yaml'], functions, layers, unmapped: [], notes: [], bucket: null, region: null };
}

function input(sources: DeclaredSource[], files: string[], extra: Partial<MapInput> = {}): MapInput {
  return {
    sources,
    configDir: '',
    facts: facts(files),
    envs: { branch: { name: 'qa', branch: 'main' }, tag: { name: 'prod', tag: 'v*' } },
    bucket: 'acme-artifacts',
    region: null,
    repoName: 'shop',
    today: '2026-06-01',
    ...extra,
  };
}

const functionsOf = (config: Record<string, unknown>) => config.functions as Record<string, Record<string, unknown>>;

test('sibling directories of one shape, with nothing else beside them, become a family', () => {
  const files = ['fns/orders/app.py', 'fns/users/app.py', 'fns/invoices/app.py', 'other/x.txt'];
  const plan = mapToConfig(
    input(
      [
        source([
          fn('OrdersFunction', 'fns/orders'),
          fn('UsersFunction', 'fns/users'),
          fn('InvoicesFunction', 'fns/invoices'),
        ]),
      ],
      files,
    ),
  );
  assert.equal(plan.config.defaults, undefined, 'one entry: nothing to hoist');
  assert.equal(functionsOf(plan.config), {
    '*': { pathPattern: 'fns/*', runtime: 'python3.12', handler: 'app.handler', functionName: 'shop-${env}-${dir}' },
  });
  assert.equal(plan.families, [{ key: '*', pathPattern: 'fns/*', members: ['orders', 'users', 'invoices'] }]);
  assert.equal(
    plan.functions.map((f) => [f.name, f.family]),
    [
      ['orders', '*'],
      ['users', '*'],
      ['invoices', '*'],
    ],
  );
});

test('the family keeps the names the functions had around the directory (api-orders → api-*)', () => {
  const files = ['fns/orders/app.py', 'fns/users/app.py'];
  const plan = mapToConfig(input([source([fn('ApiOrders', 'fns/orders'), fn('ApiUsers', 'fns/users')])], files));
  assert.equal(Object.keys(functionsOf(plan.config)), ['api-*']);
  assert.equal(plan.families[0]!.members, ['api-orders', 'api-users']);
});

test('a family under a directory whose name starts with a dot (.lambdas/*) is found too', () => {
  const plan = mapToConfig(
    input(
      [source([fn('OrdersFunction', '.lambdas/orders'), fn('UsersFunction', '.lambdas/users')])],
      ['.lambdas/orders/app.py', '.lambdas/users/app.py'],
    ),
  );
  assert.equal(Object.keys(functionsOf(plan.config)), ['*']);
  assert.is(functionsOf(plan.config)['*']!.pathPattern, '.lambdas/*');
});

test('no family when a directory beside them is no function, when shapes differ, or when names do not follow the directory', () => {
  const two = [fn('OrdersFunction', 'fns/orders'), fn('UsersFunction', 'fns/users')];
  const extraDir = mapToConfig(input([source(two)], ['fns/orders/app.py', 'fns/users/app.py', 'fns/shared/util.py']));
  assert.equal(Object.keys(functionsOf(extraDir.config)), ['orders', 'users']);
  const handlers = mapToConfig(
    input(
      [source([fn('OrdersFunction', 'fns/orders'), fn('UsersFunction', 'fns/users', { handler: 'main.handler' })])],
      ['fns/orders/app.py', 'fns/users/app.py'],
    ),
  );
  assert.equal(Object.keys(functionsOf(handlers.config)), ['orders', 'users']);
  const generated = mapToConfig(
    input(
      [
        source([
          fn('OrdersFunction', 'fns/orders', { functionName: { kind: 'generated', hint: 'OrdersFunction' } }),
          fn('UsersFunction', 'fns/users', { functionName: { kind: 'generated', hint: 'UsersFunction' } }),
        ]),
      ],
      ['fns/orders/app.py', 'fns/users/app.py'],
    ),
  );
  assert.equal(Object.keys(functionsOf(generated.config)), ['orders', 'users']);
  assert.is(functionsOf(generated.config).orders!.functionName, 'OrdersFunction-${env}');
  assert.ok(
    generated.notes.some(
      (n) => n.at?.join('.') === 'functions.orders.functionName' && /<stack>-OrdersFunction-<suffix>/.test(n.message),
    ),
  );
});

test('several functions of one directory keep one path and their own handlers; shared settings move to defaults', () => {
  const plan = mapToConfig(
    input(
      [
        source([
          fn('DailyFunction', 'reports', { handler: 'daily.handler', architecture: 'arm64' }),
          fn('MonthlyFunction', 'reports', {
            handler: 'monthly.handler',
            architecture: 'arm64',
            functionName: { kind: 'fixed', value: 'monthly-${env}' },
          }),
        ]),
      ],
      ['reports/daily.py', 'reports/monthly.py', 'reports/requirements.txt', 'reports/requirements-dev.txt'],
    ),
  );
  assert.equal(plan.config.defaults, { runtime: 'python3.12', architecture: 'arm64' });
  assert.equal(functionsOf(plan.config), {
    daily: { path: 'reports', handler: 'daily.handler', functionName: 'shop-${env}-reports' },
    monthly: { path: 'reports', handler: 'monthly.handler', functionName: 'monthly-${env}' },
  });
  assert.is(plan.functions[0]!.descriptor, 'requirements.txt + requirements-dev.txt');
});

test('names: the source’s own, kebab-cased, valid, unique (a namesake in another stack takes its stack’s name)', () => {
  assert.is(kebab('OrdersFunction', 'fn'), 'orders');
  assert.is(kebab('createOrder', 'fn'), 'create-order');
  assert.is(kebab('HTTPApiHandler', 'fn'), 'http-api');
  assert.is(kebab('9lives', 'fn'), 'fn-9lives');
  assert.is(kebab('Função_Ünïcode', 'fn'), 'fun-o-n-code');
  assert.is(kebab('Function', 'fn'), 'function');
  assert.is(kebab('x'.repeat(80), 'fn').length, 64);
  const plan = mapToConfig(
    input(
      [
        source([
          fn('OrdersFunction', 'a/orders', { scope: 'EuStack' }),
          fn('OrdersFunction', 'b/orders', { scope: 'UsStack' }),
          fn('OrdersFunction', 'c/orders', { scope: 'UsStack' }),
        ]),
      ],
      ['a/orders/app.py', 'b/orders/app.py', 'c/orders/app.py'],
    ),
  );
  assert.equal(Object.keys(functionsOf(plan.config)), ['orders', 'us-stack-orders', 'orders-2']);
});

test('runtimes: one lci does not build is not mapped, with why; provided needs a build; none declared is inferred and noted', () => {
  const plan = mapToConfig(
    input(
      [
        source([
          fn('JavaFunction', 'java', { runtime: 'java21' }),
          fn('GoFunction', 'go', { runtime: 'provided.al2023', handler: 'bootstrap' }),
          fn('NodeFunction', 'node', { runtime: null, handler: 'src/index.main' }),
          fn('BareFunction', 'bare', { runtime: null, handler: null }),
        ]),
      ],
      ['java/App.java', 'go/main.go', 'node/src/index.mjs', 'bare/README'],
    ),
  );
  assert.equal(
    plan.unmapped.map((u) => [u.origin.at, u.reason.split(':')[0]]),
    [
      ['Resources.JavaFunction', 'runtime java21'],
      [
        'Resources.GoFunction',
        'runtime provided.al2023 needs a build.command that writes bootstrap (Go, Rust, a binary), which lci init cannot infer',
      ],
      ['Resources.BareFunction', 'no runtime declared, and none lci init can tell from the files'],
    ],
  );
  assert.is(functionsOf(plan.config).node!.runtime, 'nodejs24.x');
  assert.ok(plan.notes.some((n) => n.message === 'no runtime declared: nodejs24.x assumed from src/index.mjs'));
});

test('layers: runtimes and architectures from the functions that use them, a python/ tree copied, no content not mapped', () => {
  const files = ['fns/a/app.py', 'libs/deps/requirements.txt', 'libs/own/python/own/util.py', 'libs/empty/README.md'];
  const plan = mapToConfig(
    input(
      [
        source(
          [
            fn('AFunction', 'fns/a', {
              architecture: 'arm64',
              layers: ['template.yaml#DepsLayer', 'template.yaml#OwnLayer', 'template.yaml#EmptyLayer'],
              foreignLayers: ['arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:7'],
            }),
          ],
          [
            layer('DepsLayer', 'libs/deps', { layerName: { kind: 'fixed', value: 'shop-deps' } }),
            layer('OwnLayer', 'libs/own', { runtimes: ['python3.12', 'python3.13', 'java21'] }),
            layer('EmptyLayer', 'libs/empty'),
          ],
        ),
      ],
      files,
    ),
  );
  assert.equal(plan.config.layers, {
    deps: { path: 'libs/deps', runtimes: ['python3.12'], architectures: ['arm64'], layerName: 'shop-deps-${env}' },
    own: {
      path: 'libs/own',
      runtimes: ['python3.12', 'python3.13'],
      architectures: ['arm64'],
      descriptor: false,
      build: { command: 'mkdir -p .lci-layer && cp -R python .lci-layer/', output: '.lci-layer' },
    },
  });
  assert.equal(functionsOf(plan.config).a!.layers, ['deps', 'own']);
  assert.match(
    plan.unmapped[0]!.reason,
    /^its directory has no requirements\.txt to build from and no python\/ directory/,
  );
  const messages = plan.notes.map((n) => n.message);
  assert.ok(messages.includes("'shop-deps' with -${env}: a shared layer's name differs between environments"));
  assert.ok(messages.some((m) => m.startsWith('uses layer EmptyLayer, which lci init could not map')));
  assert.ok(
    messages.some((m) =>
      m.startsWith('also uses the layer arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:7'),
    ),
  );
});

test('environments, bucket and region: flags first, then the sources, else a placeholder said to be one', () => {
  const one = mapToConfig(
    input([{ ...source([fn('AFunction', 'a')]), bucket: 'Not_A_Bucket', region: 'eu-central-1' }], ['a/app.py'], {
      envs: { branch: { name: 'dev', branch: 'develop' }, tag: null },
      bucket: null,
    }),
  );
  assert.equal(one.config.environments, { dev: { branch: 'develop' } });
  assert.equal(one.config.artifacts, { bucket: 'shop-lci-artifacts', region: 'eu-central-1' });
  assert.ok(
    one.notes.some(
      (n) => n.at?.join('.') === 'artifacts.bucket' && /'Not_A_Bucket' is not a name lci can use/.test(n.message),
    ),
  );
  const flags = mapToConfig(
    input([{ ...source([fn('AFunction', 'a')]), bucket: 'src-bucket' }], ['a/app.py'], {
      bucket: 'flag-bucket',
      region: 'us-east-1',
    }),
  );
  assert.equal(flags.config.artifacts, { bucket: 'flag-bucket', region: 'us-east-1' });
  const sources = mapToConfig(
    input([{ ...source([fn('AFunction', 'a')]), bucket: 'src-bucket' }], ['a/app.py'], { bucket: null }),
  );
  assert.equal(sources.config.artifacts, { bucket: 'src-bucket' });
});

test('names read from the account: one override per environment, and a guess only where none was found', () => {
  const plan = mapToConfig(
    input(
      [
        source([
          fn('AFunction', 'a', {
            functionName: { kind: 'per-env', values: { qa: 'stack-qa-AFunction-X1', prod: 'stack-prod-AFunction-Y2' } },
          }),
          fn('BFunction', 'b', { functionName: { kind: 'per-env', values: { qa: 'stack-qa-BFunction-Z3' } } }),
        ]),
      ],
      ['a/app.py', 'b/app.py'],
    ),
  );
  assert.equal(functionsOf(plan.config).a, {
    path: 'a',
    environments: { qa: { functionName: 'stack-qa-AFunction-X1' }, prod: { functionName: 'stack-prod-AFunction-Y2' } },
  });
  assert.equal(functionsOf(plan.config).b, {
    path: 'b',
    functionName: 'BFunction-${env}',
    environments: { qa: { functionName: 'stack-qa-BFunction-Z3' } },
  });
  assert.ok(plan.notes.some((n) => n.at?.join('.') === 'functions.b.functionName' && /for prod/.test(n.message)));
});

test('esbuild builds: one shell line with every value quoted for sh; a lockfile means npm ci; no package.json is not mapped', () => {
  const build = {
    kind: 'esbuild' as const,
    entryPoints: ["src/it's here.ts"],
    keepPaths: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    external: ['@aws-sdk/*', '$(touch x)'],
  };
  const plan = mapToConfig(
    input(
      [
        source([
          fn('WebFunction', 'web', { runtime: 'nodejs22.x', build }),
          fn('ApiFunction', 'api', {
            runtime: 'nodejs22.x',
            build: { ...build, entryPoints: ['app.ts'], external: [] },
          }),
          fn('BareFunction', 'bare', { runtime: 'nodejs22.x', build: { ...build, entryPoints: ['app.ts'] } }),
          fn('BrokenFunction', 'web', { runtime: 'nodejs22.x', build: { ...build, entryPoints: ['a\nrm -rf /'] } }),
        ]),
      ],
      ['web/package.json', 'web/package-lock.json', 'web/dist/keep.txt', 'api/package.json', 'bare/app.ts'],
    ),
  );
  assert.equal(functionsOf(plan.config).web!.build, {
    command:
      "npm ci --no-audit --no-fund && npx --no-install esbuild 'src/it'\\''s here.ts' --bundle --platform=node --outdir=.lci-dist --outbase=. --target=es2022 --minify --external:'@aws-sdk/*' --external:'$(touch x)'",
    output: '.lci-dist',
  });
  assert.match(
    (functionsOf(plan.config).api!.build as { command: string }).command,
    /^npm install --no-audit --no-fund && /,
  );
  assert.equal(
    plan.unmapped.map((u) => u.reason),
    [
      'built with esbuild, but there is no package.json beside the code to install esbuild from',
      'an esbuild setting holds a line break',
    ],
  );
  assert.is(shellWord('plain/path-1.ts'), 'plain/path-1.ts');
  assert.is(shellWord("a'b"), `'a'\\''b'`);
  assert.is(shellWord('$HOME'), `'$HOME'`);
});

test.run();
