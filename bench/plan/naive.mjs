#!/usr/bin/env node
// The naive baseline of bench/plan: the same question lci plan answers (which functions do the
// changed paths touch), done the obvious way: every changed path against every glob of every
// function, with micromatch matchers compiled once per glob.
// Usage (cwd = the generated repository): node naive.mjs BASE HEAD
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../package.json', import.meta.url));
const micromatch = require('micromatch');
const YAML = require('yaml');

const [base, head] = process.argv.slice(2);
const changed = execFileSync('git', ['diff', '--name-only', '--no-renames', '-z', base, head], { maxBuffer: 1 << 30 })
  .toString()
  .split('\0')
  .filter(Boolean);
const config = YAML.parse(readFileSync('lambdas.yaml', 'utf8'));
const shared = (config.shared ?? []).map((g) => micromatch.matcher(g, { dot: true }));
const affected = [];
for (const [name, fn] of Object.entries(config.functions)) {
  const runtime = fn.runtime ?? config.defaults?.runtime ?? 'python3.12';
  const descriptor = fn.descriptor ?? (runtime.startsWith('python') ? 'requirements.txt' : 'package.json');
  const globs = [`${fn.path}/**`, `${fn.path}/${descriptor}`, ...(fn.watch ?? [])].map((g) =>
    micromatch.matcher(g, { dot: true }),
  );
  const matchers = [...globs, ...shared];
  if (changed.some((p) => matchers.some((m) => m(p)))) affected.push(name);
}
console.log(JSON.stringify({ changed: changed.length, affected: affected.length }));
