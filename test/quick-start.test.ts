import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { REPO_ROOT } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { packed } from './harness/packed.js';

// The README's quick start, as a user follows it in a repository of their own: lci installed from a
// committed `npm pack` tarball through a file: dependency, then every `npx lci` line of the quick
// start run in order, as written, against the AWS stand-ins. A command the README adds that this
// test does not know fails it, so the two cannot drift apart.

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const QUICK_START = README.slice(
  README.indexOf('## Quick start'),
  README.indexOf('\n## ', README.indexOf('## Quick start') + 5),
);
const VERSION = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version as string;

function blocks(lang: string): string[] {
  return [...QUICK_START.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
}

/** The shell lines of the quick start, comments cut. */
const SHELL = blocks('sh')
  .flatMap((b) => b.split('\n'))
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter(Boolean);

interface Run {
  code: number;
  out: string;
}

function sh(command: string, cwd: string, env: Record<string, string>): Promise<Run> {
  // The node that runs the tests runs npm and lci too (PATH may hold an older one).
  const PATH = `${dirname(process.execPath)}:${process.env.PATH}`;
  const child = spawn('sh', ['-c', command], { cwd, env: { ...process.env, NO_COLOR: '1', ...env, PATH } });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b));
  child.stderr.on('data', (b: Buffer) => (out += b));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, out })));
}

const SAM_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersApi:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/orders/
      Handler: app.handler
      Runtime: python3.13
`;

test('the quick start of the README works as written in a repository of your own', async () => {
  const tarballLine = SHELL.find((l) => l.startsWith('npm install --save-dev ./tools/'));
  assert.ok(tarballLine, 'the quick start installs lci from a committed tarball');
  assert.is(
    basename(tarballLine!.split(' ').at(-1)!),
    `lambda-ci-${VERSION}.tgz`,
    'the tarball named is the one npm pack makes',
  );
  const config = blocks('yaml')[0];
  assert.ok(config, 'the quick start shows a lambdas.yaml');

  await AwsWorld.with(async (world) => {
    const repo = GitRepo.create({
      'package.json': `${JSON.stringify({ name: 'acme', private: true }, null, 2)}\n`,
      '.gitignore': 'node_modules/\n.lci/\n',
      'template.yaml': SAM_TEMPLATE,
      'services/orders/app.py': 'def handler(event, context):\n    return {"ok": True}\n',
    });
    repo.git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'services/orders/app.py': 'def handler(event, context):\n    return {"ok": 2}\n' }, 'orders: 2');
    mkdirSync(join(repo.dir, 'tools'));
    copyFileSync(packed().file, join(repo.dir, 'tools', `lambda-ci-${VERSION}.tgz`));
    world.lambda.seedFunction({
      name: 'orders-api-qa',
      runtime: 'python3.13',
      handler: 'app.handler',
      zip: readFileSync(join(REPO_ROOT, 'examples/seed.zip')),
      aliases: ['qa'],
    });
    const env = world.env({ CI: '1' });

    const install = await sh(`${tarballLine} --prefer-offline --no-audit --no-fund`, repo.dir, env);
    assert.is(install.code, 0, install.out);
    const manifest = JSON.parse(readFileSync(join(repo.dir, 'package.json'), 'utf8'));
    assert.is(manifest.devDependencies['lambda-ci'], `file:tools/lambda-ci-${VERSION}.tgz`);

    const ran: string[] = [];
    for (const line of SHELL.filter((l) => l.startsWith('npx lci'))) {
      if (line === 'npx lci init') {
        // "or write it by hand": the hand-written config of the README replaces what init wrote
        const r = await sh(line, repo.dir, env);
        assert.is(r.code, 0, `${line}\n${r.out}`);
        assert.match(readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8'), /orders-api/);
        writeFileSync(join(repo.dir, 'lambdas.yaml'), config!);
        repo.commit({}, 'lambdas.yaml');
        ran.push(line);
        continue;
      }
      const r = await sh(line, repo.dir, env);
      assert.is(r.code, 0, `${line}\n${r.out}`);
      const expected: [RegExp, RegExp][] = [
        [/^npx lci init --dry-run$/, /orders-api/],
        [/^npx lci validate$/, /lambdas\.yaml: ok \(1 function, 2 environments\)/],
        [/^npx lci plan --base origin\/main$/, /orders-api/],
        [/^npx lci plan --all$/, /orders-api/],
        [/^npx lci build$/, /orders-api/],
        [/^npx lci deploy --env qa --dry-run$/, /orders-api[\s\S]*PLANNED/],
        [/^npx lci deploy --env qa$/, /orders-api[\s\S]*PUBLISHED/],
        [/^npx lci status --env qa$/, /orders-api-qa\s+qa → 2/],
      ];
      const known = expected.find(([command]) => command.test(line));
      assert.ok(known, `the README's quick start runs '${line}', which this test does not know: add it here`);
      assert.match(r.out, known![1], `${line}\n${r.out}`);
      ran.push(line);
    }
    assert.ok(ran.includes('npx lci deploy --env qa'), `ran: ${ran.join('; ')}`);
    assert.ok(existsSync(join(repo.dir, '.lci')), 'lci build kept its zips in .lci/');
    assert.is(world.lambda.functionState('orders-api-qa')!.aliases.qa!.FunctionVersion, '2');
  });
});

test.run();
