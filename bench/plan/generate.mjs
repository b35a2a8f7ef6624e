#!/usr/bin/env node
// Generates the synthetic monorepo of bench/plan: 2,000 functions, ~200,000 files, two commits
// 10,000 changed paths apart, laid out both for lci (lambdas.yaml) and as an Nx workspace
// (a project.json per function and library, the same dependencies as implicitDependencies).
// SCALE multiplies every count (functions, libraries, files, changed paths) and keeps the shape:
// SCALE 10 is 20,000 functions, ~2,000,000 files, 100,000 changed paths.
// Usage: node generate.mjs DIR [SCALE]   (reuses DIR when it holds this generator's version and scale)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const VERSION = '3';
const FILES_PER_FUNCTION = 95;
const FILES_PER_LIB = 100;

export function generate(dir, scale = 1) {
  const FUNCTIONS = 2000 * scale;
  const LIBS = 50 * scale;
  const stamp = join(dir, '.bench-version');
  const version = scale === 1 ? VERSION : `${VERSION} x${scale}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) {
    packed(dir);
    return JSON.parse(readFileSync(join(dir, '.bench-revs.json'), 'utf8'));
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let files = 0;
  const write = (p, content) => {
    const full = join(dir, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    files++;
  };
  const project = (root, name, deps = []) =>
    write(
      `${root}/project.json`,
      JSON.stringify({ name, root, ...(deps.length ? { implicitDependencies: deps } : {}) }) + '\n',
    );

  const yaml = [
    'version: 1',
    'artifacts: { bucket: bench-artifacts }',
    'defaults: { runtime: python3.12 }',
    'shared:',
    '  - libs/core/**',
    '  - tools/ci/*.json',
    'environments:',
    '  qa: { branch: main }',
    '  prod: { tag: "v*", alias: live }',
    'functions:',
  ];
  for (let i = 0; i < FUNCTIONS; i++) {
    const name = fnName(i);
    const root = `services/${name}`;
    const python = i % 3 !== 0;
    const watch = [];
    const deps = ['core'];
    if (i % 2 === 0) {
      watch.push(`libs/${libName((i / 2) % LIBS)}/**`);
      deps.push(libName((i / 2) % LIBS));
    }
    if (i % 5 === 0) {
      watch.push('proto/**/*.proto');
      deps.push('proto');
    }
    yaml.push(`  ${name}:`, `    path: ${root}`);
    if (!python) yaml.push('    runtime: nodejs20.x');
    if (watch.length) yaml.push(`    watch: [${watch.map((w) => JSON.stringify(w)).join(', ')}]`);
    write(
      `${root}/${python ? 'requirements.txt' : 'package.json'}`,
      python ? 'requests==2.32.0\n' : '{"dependencies":{"left-pad":"1.3.0"}}\n',
    );
    project(root, name, deps);
    for (let j = 0; j < FILES_PER_FUNCTION - 2; j++)
      write(`${root}/src/m${j % 10}/f${j}.${python ? 'py' : 'js'}`, `// ${name} ${j}\n`);
  }
  for (let k = 0; k < LIBS; k++) {
    project(`libs/${libName(k)}`, libName(k));
    for (let j = 0; j < FILES_PER_LIB - 1; j++) write(`libs/${libName(k)}/src/p${j % 7}/f${j}.py`, `# ${k} ${j}\n`);
  }
  project('libs/core', 'core');
  for (let j = 0; j < 999 * scale; j++) write(`libs/core/src/c${j % 9}/f${j}.py`, `# core ${j}\n`);
  project('proto', 'proto');
  for (let j = 0; j < 1000 * scale; j++) write(`proto/v${j % 4}/m${j}.${j % 2 ? 'proto' : 'md'}`, `// ${j}\n`);
  for (let j = 0; j < 10; j++) write(`tools/ci/c${j}.json`, '{}\n');
  for (let j = 0; files + 3 < 200_000 * scale; j++) write(`docs/d${j % (40 * scale)}/page${j}.md`, `# ${j}\n`);
  write('lambdas.yaml', yaml.join('\n') + '\n');
  write('nx.json', JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }) + '\n');
  write('package.json', JSON.stringify({ name: 'bench-workspace', private: true }) + '\n');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n.nx\n.bench-*\n');

  const git = (...args) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 30,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'b',
        GIT_AUTHOR_EMAIL: 'b@b',
        GIT_COMMITTER_NAME: 'b',
        GIT_COMMITTER_EMAIL: 'b@b',
      },
    })
      .toString()
      .trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'base');
  const base = git('rev-parse', 'HEAD');

  // 10,000 changed paths (times SCALE): 8,000 in 400 functions, 1,500 in two watched libraries, 300 .proto files, 200 docs.
  const changed = [];
  for (let k = 0; k < 400 * scale; k++) {
    const i = (k * 7) % FUNCTIONS;
    const ext = i % 3 !== 0 ? 'py' : 'js';
    for (let j = 0; j < 20; j++) changed.push(`services/${fnName(i)}/src/m${j % 10}/f${j}.${ext}`);
  }
  const changedLibs = Array.from({ length: 2 * scale }, (_, n) => (n % 2 === 0 ? 3 : 17) + 50 * Math.floor(n / 2));
  for (const k of changedLibs)
    for (let j = 0; j < 750; j++) changed.push(`libs/${libName(k)}/src/p${j % 7}/f${j % (FILES_PER_LIB - 1)}_${j}.py`);
  for (let j = 0; j < 300 * scale; j++) changed.push(`proto/v${(2 * j + 1) % 4}/m${2 * j + 1}.proto`);
  for (let j = 0; j < 200 * scale; j++) changed.push(`docs/d${j % (40 * scale)}/page${j}.md`);
  for (const p of changed) write(p, `changed ${p}\n`);
  git('add', '-A');
  git('commit', '-qm', 'head');
  const head = git('rev-parse', 'HEAD');
  packed(dir);
  const count = Number(git('ls-files').split('\n').length);
  const revs = { base, head, files: count, changed: changed.length, functions: FUNCTIONS };
  writeFileSync(join(dir, '.bench-revs.json'), JSON.stringify(revs));
  writeFileSync(stamp, version);
  return revs;
}

/**
 * Every object in one pack, as a fresh clone (what CI plans in) has them. Commits leave their
 * objects loose, and git reads a diff of loose trees about three times slower (20,000 functions:
 * `git diff --name-only` 2.2 s loose, 0.7 s packed).
 */
function packed(dir) {
  const loose = /^count: (\d+)$/m.exec(execFileSync('git', ['count-objects', '-v'], { cwd: dir }).toString());
  if (Number(loose?.[1] ?? 0) > 0) execFileSync('git', ['repack', '-a', '-d', '-q'], { cwd: dir, stdio: 'inherit' });
}

// Names keep 2,000 functions and 50 libraries as they always were (svc-0042, lib-07) and grow wider above.
function fnName(i) {
  return `svc-${String(i).padStart(4, '0')}`;
}
function libName(k) {
  return `lib-${String(k).padStart(2, '0')}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node generate.mjs DIR [SCALE]');
    process.exit(2);
  }
  console.log(JSON.stringify(generate(dir, Number(process.argv[3] ?? 1))));
}
