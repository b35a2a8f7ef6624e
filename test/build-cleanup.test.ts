import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildJson, hooksPackage, monorepo } from './harness/build-project.js';
import { lciAsync } from './harness/cli.js';
import { containersCreated, docker, leftoverContainers, projectLabel, requireDocker } from './harness/docker.js';

// A run killed outright (SIGKILL: no handler runs) leaves its build container running and its
// scratch directory behind. The next run in the project removes both, even when it builds nothing.

const cleanup = suite('build: what a killed run leaves, the next run removes');

cleanup.before(requireDocker);

cleanup(
  'SIGKILL mid-build, then a run that needs no container: no container and no scratch directory left',
  async () => {
    const repo = await monorepo({
      'services/hooks/package.json': hooksPackage({ scripts: { preinstall: 'sleep 60' } }),
    });
    const warm = buildJson(repo, ['orders']);
    assert.is(warm.code, 0, warm.stderr);

    let pid = 0;
    const killed = lciAsync(['build', 'hooks'], { cwd: repo.dir, started: (child) => (pid = child.pid!) });
    const started = Date.now();
    let running: Awaited<ReturnType<typeof docker.listContainers>> = [];
    while (running.length === 0) {
      if (Date.now() - started > 30_000) throw new Error('the build container never ran');
      await new Promise((r) => setTimeout(r, 200));
      running = await docker.listContainers({ filters: { label: [projectLabel(repo.dir)], status: ['running'] } });
    }
    process.kill(pid, 'SIGKILL');
    assert.is((await killed).signal, 'SIGKILL');
    assert.is(running[0]!.Labels['dev.lambda-ci.build.pid'], String(pid), 'labelled with the process id');
    assert.match(running[0]!.Labels['dev.lambda-ci.build.run'] ?? '', /^[0-9a-f-]{36}$/, 'and the run id');
    assert.is(await leftoverContainers(repo.dir), 1, 'the container outlives lci');
    assert.equal(
      readdirSync(join(repo.dir, '.lci/tmp'))
        .map((n) => n.replace(/^[0-9a-f]+-/, ''))
        .sort(),
      [String(pid), `src-${pid}`],
    );

    const t0 = Date.now();
    const next = buildJson(repo, ['orders']);
    assert.is(next.code, 0, next.stderr);
    assert.is(next.json.functions[0]!.deps!.source, 'cache', 'nothing to build');
    assert.is(await containersCreated(repo.dir, t0, Date.now()), 0);
    assert.is(await leftoverContainers(repo.dir), 0, 'the killed run’s container is gone');
    assert.equal(readdirSync(join(repo.dir, '.lci/tmp')), [], 'and its scratch directory');
  },
);

cleanup.run();
