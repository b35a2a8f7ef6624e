import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { planArtifactName } from '../src/generate/grants.js';
import { AwsWorld } from './harness/aws-world.js';
import { lci, lciAsync, LCI_BIN } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions } from './harness/deploy-fixture.js';
import type { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// The buildspecs lci generate writes for a release that is planned, approved, then applied, run as
// CodeBuild runs a build phase (each command in turn, in one /bin/sh, stopping at the first that
// fails) in a checkout, against the AWS stand-ins: the Plan build writes the plan, what lci printed
// and the variables the approval shows; the Apply build releases exactly that plan, read from the
// Plan build's artifact as CodeBuild hands it over ($CODEBUILD_SRC_DIR_<artifact>). `lci` is on the
// PATH, as lci's own install leaves it.

const ACCOUNT = '123456789012';
const BUILD_ID = 'lci-alpha-qa-plan:0a1b2c3d-4e5f-4a6b-8c9d-0e1f2a3b4c5d';

interface Phase {
  code: number;
  output: string;
  /** The variables the buildspec exports, as they stand at the end of the phase. */
  exported: Record<string, string>;
}

/** The commands of a buildspec's build phase, each sourced in turn by one /bin/sh, as CodeBuild runs them. */
function runPhase(commands: string[], cwd: string, env: Record<string, string>): Promise<Phase> {
  const dir = tempDir('lci-phase-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'lci'), `#!/bin/sh\nexec "${process.execPath}" "${LCI_BIN}" "$@"\n`, { mode: 0o755 });
  const script = commands.map((c, i) => {
    writeFileSync(join(dir, `${i}.sh`), `${c}\n`);
    return `. "${join(dir, `${i}.sh`)}" || { echo "command ${i + 1} failed"; exit 1; }`;
  });
  const names = ['LCI_PLAN_COMMIT', 'LCI_PLAN_WRITES', 'LCI_PLAN_LINK', 'LCI_PLAN_SUMMARY'];
  script.push(...names.map((n) => `printf 'EXPORTED ${n}=%s\\n' "$${n}"`));
  writeFileSync(join(dir, 'phase.sh'), `${script.join('\n')}\n`);
  const child = spawn('/bin/sh', [join(dir, 'phase.sh')], {
    cwd,
    env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const exported: Record<string, string> = {};
      for (const m of output.matchAll(/^EXPORTED (\w+)=(.*)$/gm)) exported[m[1]!] = m[2]!;
      resolve({ code: code ?? 1, output, exported });
    }),
  );
}

function buildCommands(repo: GitRepo, file: string): string[] {
  const spec = parseYaml(readFileSync(join(repo.dir, 'infra/lambda-ci', file), 'utf8')) as {
    phases: { build: { commands: string[] } };
  };
  return spec.phases.build.commands;
}

/** What the Apply build finds: the Plan build's artifact (its .lci/plan) unpacked in a directory of its own. */
function planArtifact(repo: GitRepo, pipeline: string): Record<string, string> {
  const dir = tempDir('lci-artifact-');
  cpSync(join(repo.dir, '.lci/plan'), dir, { recursive: true });
  const name = planArtifactName(pipeline);
  return { LCI_PLAN_ARTIFACT: name, [`CODEBUILD_SRC_DIR_${name}`]: dir };
}

const builds = suite('generate: the Plan and Apply buildspecs, run as CodeBuild runs them');

builds(
  'confirm: true: the Plan build plans without a Lambda write and exports the commit, writes, link and summary; the Apply build releases that plan',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo({ envExtra: ', confirm: true' });
      const g = lci(['generate', '--function', 'alpha'], { cwd: repo.dir });
      assert.is(g.code, 0, g.stderr);
      const env = {
        ...world.env(),
        LCI_FUNCTION: 'alpha',
        LCI_ENV: 'qa',
        LCI_CONFIG: 'lambdas.yaml',
        LCI_STRATEGY: 'all-at-once',
        LCI_SOURCE_BRANCH: 'main',
        LCI_SOURCE_COMMIT: repo.head(),
        CODEBUILD_BUILD_ARN: `arn:aws:codebuild:eu-west-1:${ACCOUNT}:build/${BUILD_ID}`,
      };
      // What lci itself says of the same plan.
      const json = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--dry-run', '--json'], {
        cwd: repo.dir,
        env: world.env(),
      });
      const summary = (JSON.parse(json.stdout) as { summary: string }).summary;
      assert.is(summary, `qa @ ${repo.head().slice(0, 12)}: 1 to publish, 0 intact, 0 refused`);

      const plan = await runPhase(buildCommands(repo, 'buildspec-plan.yml'), repo.dir, env);
      assert.is(plan.code, 0, plan.output);
      assert.equal(world.mutations(), [], 'no Lambda write in the Plan build');
      assert.equal(plan.exported, {
        LCI_PLAN_COMMIT: repo.head(),
        LCI_PLAN_WRITES: 'yes',
        LCI_PLAN_LINK: `https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/${ACCOUNT}/projects/lci-alpha-qa-plan/build/${encodeURIComponent(BUILD_ID)}/?region=eu-west-1`,
        LCI_PLAN_SUMMARY: summary,
      });
      assert.match(plan.output, /alpha would:\n {2}because code changed/, 'the log holds the plan, as lci prints it');
      assert.ok(existsSync(join(repo.dir, '.lci/plan/plan.json')));
      assert.match(
        readFileSync(join(repo.dir, '.lci/plan/plan.txt'), 'utf8'),
        new RegExp(`^plan: qa, source ${repo.head()}`),
      );

      const apply = await runPhase(buildCommands(repo, 'buildspec-apply.yml'), repo.dir, {
        ...world.env(),
        LCI_CONFIG: 'lambdas.yaml',
        ...planArtifact(repo, 'lci-alpha-qa'),
      });
      assert.is(apply.code, 0, apply.output);
      assert.match(apply.output, /alpha +alpha-qa +PUBLISHED/);
      assert.is(world.lambda.functionState('alpha-qa')!.aliases.qa!.FunctionVersion, '2');
    });
  },
);

builds(
  'nothing to release: the Plan build says why and that nothing is written; the Apply build prints it; a hostile branch name stays text',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo({ envExtra: ', confirm: true' });
      assert.is(lci(['generate', '--function', 'alpha'], { cwd: repo.dir }).code, 0);
      const branch = 'f$(touch pwned)`touch pwned2`\'"';
      const plan = await runPhase(buildCommands(repo, 'buildspec-plan.yml'), repo.dir, {
        ...world.env(),
        LCI_FUNCTION: 'alpha',
        LCI_ENV: 'qa',
        LCI_CONFIG: 'lambdas.yaml',
        LCI_STRATEGY: 'all-at-once',
        LCI_SOURCE_BRANCH: branch,
        LCI_SOURCE_COMMIT: repo.head(),
      });
      assert.is(plan.code, 0, plan.output);
      assert.equal(plan.exported, {
        LCI_PLAN_COMMIT: repo.head(),
        LCI_PLAN_WRITES: 'no',
        LCI_PLAN_LINK: '',
        LCI_PLAN_SUMMARY: `nothing to release: branch ${branch} does not match main, the branch glob of qa`,
      });
      assert.not.ok(existsSync(join(repo.dir, 'pwned')) || existsSync(join(repo.dir, 'pwned2')), 'nothing ran');
      assert.not.ok(existsSync(join(repo.dir, '.lci/plan/plan.json')));
      world.lambda.clearLog();
      const apply = await runPhase(buildCommands(repo, 'buildspec-apply.yml'), repo.dir, {
        ...world.env(),
        LCI_CONFIG: 'lambdas.yaml',
        ...planArtifact(repo, 'lci-alpha-qa'),
      });
      assert.is(apply.code, 0, apply.output);
      assert.match(apply.output, /^nothing to release: branch/m);
      assert.equal(world.lambda.log, [], 'no Lambda request');
    });
  },
);

builds(
  '--layout environment: one plan of what changed since what serves, applied as the batch graph runs it: the layers, then each shard',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      const g = lci(['generate', '--layout', 'environment', '--shards', '2'], { cwd: repo.dir });
      assert.is(g.code, 0, g.stderr);
      const plan = await runPhase(buildCommands(repo, 'buildspec-plan.yml'), repo.dir, {
        ...world.env(),
        LCI_ENV: 'qa',
        LCI_CONFIG: 'lambdas.yaml',
        LCI_STRATEGY: 'all-at-once',
        LCI_SOURCE_BRANCH: 'main',
        LCI_SOURCE_COMMIT: repo.head(),
      });
      assert.is(plan.code, 0, plan.output);
      assert.is(plan.exported.LCI_PLAN_WRITES, 'yes');
      assert.match(plan.exported.LCI_PLAN_SUMMARY!, /^qa @ [0-9a-f]{12}: 2 to publish, 0 intact, 0 refused$/);
      assert.equal(world.mutations(), []);
      const graph = (
        parseYaml(readFileSync(join(repo.dir, 'infra/lambda-ci/buildspec-apply.yml'), 'utf8')) as {
          batch: { 'build-graph': { identifier: string; env: { variables: { LCI_APPLY_PART: string } } }[] };
        }
      ).batch['build-graph'];
      const artifact = planArtifact(repo, 'lci-qa');
      const released: string[] = [];
      for (const build of graph) {
        const r = await runPhase(buildCommands(repo, 'buildspec-apply.yml'), repo.dir, {
          ...world.env(),
          LCI_CONFIG: 'lambdas.yaml',
          LCI_APPLY_PART: build.env.variables.LCI_APPLY_PART,
          ...artifact,
        });
        assert.is(r.code, 0, `${build.identifier}: ${r.output}`);
        released.push(...[...r.output.matchAll(/^(\w+) +\S+ +PUBLISHED/gm)].map((m) => `${build.identifier} ${m[1]}`));
      }
      assert.equal(released, ['shard_1 alpha', 'shard_2 beta']);
      assert.is(world.lambda.functionState('beta')!.aliases.qa!.FunctionVersion, '2');
    });
  },
);

builds.run();
