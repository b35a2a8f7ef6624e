import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { nioGlob, startsPipeline, type FilePathFilter } from './harness/codepipeline-glob.js';
import { GitRepo } from './harness/git-repo.js';

// A pipeline starts when `lci plan` would call its function affected, and only then: a commit is
// matched against the generated push filters as CodePipeline matches them (java.nio globs,
// excludes winning inside a filter, filters ORed; test/harness/codepipeline-glob.ts), and the
// same commit is planned by the real CLI.

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts }
environments: { qa: { branch: main } }
defaults: { runtime: python3.12, handler: app.handler, descriptor: false }
functions:
  narrow:
    path: services/narrow
    exclude: ["**"]
    include: ["app.py", "lib/**"]
  docs:
    path: services/docs
    exclude: ["docs/**", "*.md"]
    include: ["docs/keep.md"]
  plain:
    path: services/plain
`;

const FILES: Record<string, string> = {
  'lambdas.yaml': CONFIG,
  'services/narrow/app.py': 'x = 1\n',
  'services/narrow/lib/util.py': 'y = 1\n',
  'services/narrow/notes/todo.md': 'later\n',
  'services/narrow/scripts/seed.sh': 'echo\n',
  'services/docs/app.py': 'x = 1\n',
  'services/docs/docs/keep.md': 'keep\n',
  'services/docs/docs/other.md': 'other\n',
  'services/docs/README.md': 'readme\n',
  'services/plain/app.py': 'x = 1\n',
  'services/plain/__pycache__/app.cpython-312.pyc': 'bytecode\n',
};

type Json = Record<string, unknown>;

/** The push filters `lci generate` wrote for each pipeline, read back from main.tf. */
async function generatedFilters(repo: GitRepo): Promise<Map<string, FilePathFilter[]>> {
  const g = lci(['generate'], { cwd: repo.dir });
  assert.is(g.code, 0, g.stderr);
  const main = (await parseHcl('main.tf', readFileSync(join(repo.dir, 'infra/lambda-ci/main.tf'), 'utf8'))) as Json;
  const pipelines = (main.locals as Json[]).find((l) => 'pipelines' in l)!.pipelines as Record<string, Json>;
  return new Map(Object.entries(pipelines).map(([name, p]) => [name, p.push_filters as FilePathFilter[]]));
}

/** Whether `lci plan` calls the function affected by the last commit. */
function planned(repo: GitRepo, fn: string): boolean {
  const r = lci(['plan', '--base', 'HEAD~1', '--json'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { functions: { name: string; affected: boolean }[] };
  return plan.functions.find((f) => f.name === fn)!.affected;
}

const triggers = suite('generate: a pipeline starts exactly when lci plan calls its function affected');

const CASES: [string, string, boolean][] = [
  ['narrow', 'services/narrow/notes/todo.md', false],
  ['narrow', 'services/narrow/scripts/seed.sh', false],
  ['narrow', 'services/narrow/lib/util.py', true],
  ['narrow', 'services/narrow/app.py', true],
  ['docs', 'services/docs/docs/other.md', false],
  ['docs', 'services/docs/README.md', false],
  ['docs', 'services/docs/docs/keep.md', true],
  ['docs', 'services/docs/app.py', true],
  ['plain', 'services/plain/__pycache__/app.cpython-312.pyc', false],
  ['plain', 'services/plain/app.py', true],
];

for (const [fn, file, affected] of CASES) {
  triggers(`${fn}: a commit touching ${file} ${affected ? 'starts' : 'does not start'} its pipeline`, async () => {
    const repo = GitRepo.create(FILES);
    const filters = (await generatedFilters(repo)).get(`lci-${fn}-qa`)!;
    repo.commit({ [file]: `${readFileSync(join(repo.dir, file), 'utf8')}changed\n` }, `touch ${file}`);
    assert.is(planned(repo, fn), affected, 'lci plan');
    assert.is(startsPipeline(filters, [file]), affected, `the triggers: ${JSON.stringify(filters)}`);
    // no other function's pipeline starts either, as plan says
    for (const [name, other] of await generatedFilters(repo))
      if (name !== `lci-${fn}-qa`) assert.not.ok(startsPipeline(other, [file]), name);
  });
}

triggers('the java.nio glob reading the tests use: ** crosses directories, * and ? do not, \\ escapes', () => {
  assert.ok(nioGlob('a/**').test('a/b/c'));
  assert.not.ok(nioGlob('a/**/b').test('a/b'), 'a ** segment needs a directory between');
  assert.ok(nioGlob('a/*.md').test('a/x.md'));
  assert.not.ok(nioGlob('a/*.md').test('a/b/x.md'));
  assert.ok(nioGlob('a/\\[v1\\]/**').test('a/[v1]/x'));
  assert.ok(nioGlob('a/{b,c}/x').test('a/c/x'));
  assert.ok(nioGlob('a/[!x]').test('a/y') && !nioGlob('a/[!x]').test('a/x'));
});

triggers.run();
