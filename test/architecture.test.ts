import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// The import graph runs one way: CLI → report → deploy (the verb) → status/rollback/prune and the
// other verbs → release (decide, apply) → artifacts/generate/init → plan/builder → inputs →
// config/package → vcs/aws → errors and the small shared modules. A module may import
// its own folder and any lower layer, never a higher one or a sibling of its own layer.

const LAYERS: Record<string, number> = {
  errors: 0,
  progress: 0,
  pool: 0,
  critical: 0,
  version: 0,
  'named-file': 0,
  'private-files': 0,
  'compile-cache': 1,
  vcs: 1,
  aws: 1,
  config: 2,
  package: 2,
  inputs: 3,
  plan: 4,
  builder: 4,
  artifacts: 5,
  generate: 5,
  init: 5,
  release: 6,
  status: 7,
  rollback: 7,
  prune: 7,
  invoke: 7,
  logs: 7,
  pipelines: 7,
  notify: 7,
  deploy: 8,
  report: 9,
  cli: 10,
};

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

function unitOf(file: string): string {
  return relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) =>
    posix.normalize(posix.join(dirname(file), m[1]!)),
  );
}

test('every source folder has a layer', () => {
  const units = new Set(sources(SRC).map(unitOf));
  for (const u of units)
    assert.ok(u in LAYERS, `src/${u} is in no layer: add it to LAYERS with the place it takes in the data flow`);
});

test('imports only go down the layers (or stay in their folder)', () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const from = unitOf(file);
    for (const target of imports(file)) {
      const to = unitOf(target);
      if (to === from) continue;
      if (LAYERS[to]! >= LAYERS[from]!)
        wrong.push(
          `${relative(SRC, file)} → ${relative(SRC, target)} (${from} ${LAYERS[from]} may not import ${to} ${LAYERS[to]})`,
        );
    }
  }
  assert.equal(wrong, []);
});

test('nothing below the CLI prints or exits', () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    if (unitOf(file) === 'cli') continue;
    const text = readFileSync(file, 'utf8');
    for (const [pattern, what] of [
      [/process\.exit\b/, 'process.exit'],
      [/console\.(log|error|warn)\(/, 'console output'],
      [/process\.std(out|err)\.write/, 'direct output'],
    ] as const) {
      if (pattern.test(text)) wrong.push(`${relative(SRC, file)}: ${what}`);
    }
  }
  assert.equal(wrong, []);
});

test.run();
