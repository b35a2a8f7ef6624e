import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadProject } from '../../../src/config/load.js';
import { dirtyInputs } from '../../../src/plan/dirty.js';
import { GitRepo } from '../../harness/git-repo.js';

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts }
shared: [shared/**]
environments:
  qa: { branch: main }
functions:
  alpha: { path: svc/alpha, descriptor: false }
  gamma: { path: svc/gamma, watch: ["proto/*.proto"] }
`;

function repo(): GitRepo {
  const others: Record<string, string> = {};
  for (let i = 0; i < 50; i++) others[`other/f${i}.txt`] = `${i}\n`;
  return GitRepo.create({
    'lambdas.yaml': CONFIG,
    'svc/alpha/app.py': 'A = 1\n',
    'svc/gamma/app.py': 'G = 1\n',
    'svc/gamma/requirements.txt': '-r ../../reqs/base.txt\n../../libs/acme\n',
    'reqs/base.txt': 'attrs\n',
    'libs/acme/pyproject.toml': '[project]\nname = "acme"\n',
    'proto/a.proto': 'syntax = "proto3";\n',
    'shared/util.py': 'U = 1\n',
    ...others,
  });
}

async function dirtyOf(dir: string, names: string[]) {
  const loaded = await loadProject({ cwd: dir });
  const targets = names.map((n) => loaded.project.functions[n]!.envs.qa!);
  const d = await dirtyInputs(loaded, targets);
  return d && { byFunction: Object.fromEntries(d.byFunction), hash: d.hash };
}

test('uncommitted inputs outside the function are found: local dependencies, -r files, watch and shared globs', async () => {
  const r = repo();
  const edit = (path: string) => appendFileSync(join(r.dir, path), '# changed\n');
  assert.is(await dirtyOf(r.dir, ['alpha', 'gamma']), null, 'clean');
  edit('other/f3.txt');
  assert.is(await dirtyOf(r.dir, ['alpha', 'gamma']), null, 'a dirty file no input names');
  edit('libs/acme/pyproject.toml');
  edit('reqs/base.txt');
  edit('proto/a.proto');
  assert.equal((await dirtyOf(r.dir, ['gamma']))!.byFunction, {
    gamma: ['libs/acme/pyproject.toml', 'proto/a.proto', 'reqs/base.txt'],
  });
  assert.is(await dirtyOf(r.dir, ['alpha']), null, "gamma's inputs are not alpha's");
  edit('shared/util.py');
  assert.equal(Object.keys((await dirtyOf(r.dir, ['alpha']))!.byFunction), ['alpha']);
});

test('the dirty hash covers the inputs of the run, not unrelated edits (git status looks only there)', async () => {
  const r = repo();
  writeFileSync(join(r.dir, 'svc/alpha/app.py'), 'A = 2\n');
  const before = (await dirtyOf(r.dir, ['alpha']))!.hash;
  writeFileSync(join(r.dir, 'other/f7.txt'), 'unrelated\n');
  assert.is((await dirtyOf(r.dir, ['alpha']))!.hash, before);
  writeFileSync(join(r.dir, 'svc/alpha/app.py'), 'A = 3\n');
  assert.is.not((await dirtyOf(r.dir, ['alpha']))!.hash, before);
});

test.run();
