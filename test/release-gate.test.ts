import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, seedFunctions } from './harness/deploy-fixture.js';

// lci deploy --only-matching-ref, as the generated buildspec runs it: a pipeline run on creation
// (the branch head) or by hand releases only a commit that belongs to the environment.

const gate = suite('deploy --only-matching-ref');

gate(
  'prod: an untagged commit is nothing to release (exit 0, nothing read or written); a v* tag is released',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, [
        { name: 'alpha-prod', alias: 'live' },
        { name: 'beta', alias: 'live' },
      ]);
      const repo = await deployRepo();
      const head = repo.head();
      const args = [
        'deploy',
        '--env',
        'prod',
        '--only-matching-ref',
        '--branch',
        'main',
        '--source-version',
        head,
        '--json',
      ];
      const before = world.lambda.log.length;
      const skipped = await lciAsync(args, { cwd: repo.dir, env: world.env() });
      assert.is(skipped.code, 0, skipped.stderr);
      const doc = JSON.parse(skipped.stdout) as { nothingToRelease: string; functions: unknown[] };
      assert.is(doc.nothingToRelease, `commit ${head.slice(0, 12)} carries no tag; prod releases tags matching v*`);
      assert.equal(doc.functions, []);
      assert.is(world.lambda.log.length, before, 'no Lambda call');
      const text = await lciAsync(args.slice(0, -1), { cwd: repo.dir, env: world.env() });
      assert.is(
        text.stdout.trim(),
        `nothing to release: commit ${head.slice(0, 12)} carries no tag; prod releases tags matching v*`,
      );

      repo.git('tag', 'v1.0.0');
      const released = await lciAsync(args, { cwd: repo.dir, env: world.env() });
      assert.is(released.code, 0, released.stderr);
      const out = JSON.parse(released.stdout) as {
        nothingToRelease: null;
        functions: { name: string; status: string }[];
      };
      assert.is(out.nothingToRelease, null);
      assert.equal(
        out.functions.map((f) => [f.name, f.status]),
        [
          ['alpha', 'PUBLISHED'],
          ['beta', 'PUBLISHED'],
        ],
      );
    });
  },
);

gate("qa: a run for another branch is nothing to release; the environment's strategy is the default", async () => {
  await AwsWorld.with(async (world) => {
    const repo = await deployRepo({ envExtra: ', strategy: "canary:10:0.001"' });
    const args = [
      'deploy',
      '--env',
      'qa',
      '--only-matching-ref',
      '--source-version',
      repo.head(),
      '--json',
      '--dry-run',
    ];
    const other = await lciAsync([...args, '--branch', 'feature/x'], { cwd: repo.dir, env: world.env() });
    assert.is(other.code, 0, other.stderr);
    assert.is(
      (JSON.parse(other.stdout) as { nothingToRelease: string }).nothingToRelease,
      'branch feature/x does not match main, the branch glob of qa',
    );
    const main = await lciAsync([...args, '--branch', 'main'], { cwd: repo.dir, env: world.env() });
    const doc = JSON.parse(main.stdout) as { nothingToRelease: null; strategy: string };
    assert.equal([doc.nothingToRelease, doc.strategy], [null, 'canary:10:0.001']);
    const misuse = await lciAsync(['deploy', '--env', 'qa', '--branch', 'main'], { cwd: repo.dir, env: world.env() });
    assert.is(misuse.code, 2);
    assert.match(misuse.stderr, /--branch only applies with --only-matching-ref/);
  });
});

gate.run();
