// bench/init: from a fresh clone of each init fixture repository (test/harness/init-fixtures.ts: a
// SAM app with nested stacks, a serverless.yml service, a Terraform module) to a validated config
// and a first correct `lci plan`: wall time of `lci init`, `lci validate` and `lci plan --all`
// (the clone itself timed apart), the size of the config init wrote, and what was left to fix by
// hand (the "lci init:" notes on values). Then the fixture's next commits are planned with the
// config committed, and each plan is checked against the functions it must name.
// Usage: npm run build && node --import tsx bench/init/run.ts [RUNS]   (default 5; medians shown)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LCI_BIN } from '../../test/harness/cli.js';
import { GitRepo } from '../../test/harness/git-repo.js';
import { INIT_FIXTURES, type InitFixture } from '../../test/harness/init-fixtures.js';
import { tempDir } from '../../test/harness/tmp.js';

const runs = Number(process.argv[2] ?? 5);

function timed(args: string[], cwd: string): { ms: number; stdout: string; code: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [LCI_BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - start;
  if (r.status !== 0 && args[0] !== 'init') throw new Error(`lci ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { ms, stdout: r.stdout, code: r.status ?? 1 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const affected = (out: string) =>
  (JSON.parse(out) as { functions: { name: string; affected: boolean }[] }).functions
    .filter((f) => f.affected)
    .map((f) => f.name)
    .sort();

function once(fixture: InitFixture, origin: string) {
  const dir = join(tempDir('lci-bench-init-'), fixture.name);
  const cloneStart = performance.now();
  execFileSync('git', ['clone', '-q', origin, dir]);
  const clone = performance.now() - cloneStart;
  const init = timed(['init', '--json'], dir);
  const validate = timed(['validate'], dir);
  const plan = timed(['plan', '--all', '--json'], dir);
  const correct = JSON.stringify(affected(plan.stdout)) === JSON.stringify(fixture.functions);
  return { dir, clone, init, validate, plan, correct };
}

console.log(`lci init, ${runs} runs per fixture (median wall time; node ${process.version}, ${process.platform})\n`);
const rows: string[][] = [];
for (const fixture of INIT_FIXTURES) {
  const origin = GitRepo.create(fixture.tree).dir;
  const results = Array.from({ length: runs }, () => once(fixture, origin));
  const last = results.at(-1)!;
  const doc = JSON.parse(last.init.stdout) as {
    status: string;
    functions: unknown[];
    unmapped: unknown[];
    notes: { at: string | null; message: string }[];
  };
  const config = readFileSync(join(last.dir, 'lambdas.yaml'), 'utf8');
  const lines = config.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).length;
  // The config committed, the fixture's next commits: each plan must name exactly its functions.
  const repo = new GitRepo(last.dir);
  repo.git('config', 'user.email', 'bench@example.com');
  repo.git('config', 'user.name', 'bench');
  repo.commit({}, 'lci init');
  const stepsOk = fixture.steps.every((s) => {
    repo.commit(s.change, s.message);
    return (
      JSON.stringify(affected(timed(['plan', '--base', 'HEAD~1', '--json'], repo.dir).stdout)) ===
      JSON.stringify(s.affected)
    );
  });
  const m = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
  rows.push([
    fixture.name,
    `${m((r) => r.clone).toFixed(0)} ms`,
    `${m((r) => r.init.ms).toFixed(0)} ms`,
    `${m((r) => r.validate.ms).toFixed(0)} ms`,
    `${m((r) => r.plan.ms).toFixed(0)} ms`,
    `${m((r) => r.init.ms + r.validate.ms + r.plan.ms).toFixed(0)} ms`,
    results.every((r) => r.correct) ? 'yes' : 'NO',
    `${fixture.steps.length} ${stepsOk ? 'correct' : 'WRONG'}`,
    `${doc.functions.length} (${lines} lines)`,
    String(doc.unmapped.length),
  ]);
  const toFix = doc.notes.filter((n) => n.at !== null);
  console.log(`${fixture.name}: ${doc.status}; values to check by hand: ${toFix.length === 0 ? 'none' : ''}`);
  for (const n of toFix) console.log(`  ${n.at}: ${n.message}`);
}
const titles = [
  'fixture',
  'clone',
  'init',
  'validate',
  'plan --all',
  'init+validate+plan',
  'plan correct',
  'next commits',
  'functions (config)',
  'not mapped',
];
const widths = titles.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i]!.length)));
console.log('');
for (const r of [titles, ...rows])
  console.log(
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
