#!/usr/bin/env node
// bench/plan/small: two builds of lci side by side on the plan most repositories make: 20 functions
// (each a path and a requirements.txt, two environments), one commit changing one function. Here
// the fixed costs show (starting node, loading lci, git's processes), not the per-function work
// bench/plan/scale.mjs measures. Runs the builds in alternation, each a process of its own, and
// reports median wall and CPU time (user + system, git's included) and B / A per run.
//
// Usage: node bench/plan/small.mjs A/bin/lci.js B/bin/lci.js [RUNS]
//   (needs GNU time at /usr/bin/time)
//
// Every run is checked: both builds must print the same plan, with 20 functions and exactly the
// changed one affected; anything else stops the bench with exit 1.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fail, median, timed } from './measure.mjs';

const [a, b] = [process.argv[2], process.argv[3]].map((p) => (p ? resolve(p) : undefined));
if (!a || !b) fail('usage: node bench/plan/small.mjs A/bin/lci.js B/bin/lci.js [RUNS]');
const runs = Number(process.argv[4] ?? 15);
for (const need of ['/usr/bin/time', a, b]) if (!existsSync(need)) fail(`missing ${need}`);

const FUNCTIONS = 20;
const dir = mkdtempSync(join(tmpdir(), 'bench-plan-small-'));
const git = (...args) =>
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd: dir });
try {
  const config = [
    'version: 1',
    'artifacts: { bucket: bench-artifacts }',
    'environments:',
    '  qa: { branch: main }',
    "  prod: { tag: 'v*', alias: live }",
    'functions:',
  ];
  for (let i = 0; i < FUNCTIONS; i++) {
    config.push(`  f${i}: { path: services/f${i} }`);
    mkdirSync(join(dir, `services/f${i}`), { recursive: true });
    writeFileSync(join(dir, `services/f${i}/app.py`), 'def handler(event, context):\n    return 0\n');
    writeFileSync(join(dir, `services/f${i}/requirements.txt`), 'requests==2.32.0\n');
  }
  writeFileSync(join(dir, 'lambdas.yaml'), `${config.join('\n')}\n`);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'base');
  writeFileSync(join(dir, 'services/f7/app.py'), 'def handler(event, context):\n    return 1\n');
  git('commit', '-qam', 'change f7');

  let reference = null;
  const plan = (bin) => {
    const r = timed(`lci plan (${bin})`, [process.execPath, bin, 'plan', '--base', 'HEAD~1', '--json'], { cwd: dir });
    const doc = JSON.parse(r.stdout);
    const affected = doc.functions.filter((f) => f.affected).map((f) => f.name);
    if (doc.functions.length !== FUNCTIONS || affected.join() !== 'f7')
      fail(`${bin} planned ${doc.functions.length} functions, affected [${affected}]; wanted ${FUNCTIONS}, [f7]`);
    reference ??= r.stdout;
    if (r.stdout !== reference) fail(`${bin} printed another plan than the first run did`);
    return r;
  };
  plan(a); // warm-up: the compile caches and the file system cache
  plan(b);
  const ra = [];
  const rb = [];
  for (let i = 0; i < runs; i++) {
    ra.push(plan(a));
    rb.push(plan(b));
  }
  const per = (field) => median(rb.map((x, i) => x[field] / ra[i][field]));
  const show = (rs) =>
    `wall ${median(rs.map((x) => x.wall)).toFixed(3)} s, CPU ${median(rs.map((x) => x.cpu)).toFixed(3)} s`;
  console.log(
    `bench/plan/small: ${FUNCTIONS} functions, one changed, ${runs} alternating runs each, node ${process.version}`,
  );
  console.log(`A ${a}: ${show(ra)}`);
  console.log(`B ${b}: ${show(rb)}`);
  console.log(`B / A (median of per-run ratios): wall ${per('wall').toFixed(3)}, CPU ${per('cpu').toFixed(3)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
