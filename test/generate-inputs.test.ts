import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';

// Every value of lambdas.yaml that reaches the generated Terraform or buildspec is either escaped
// (test/terraform.test.ts reads hostile ones back through Terraform) or, where its target cannot
// hold a character, refused by `lci validate` before anything is written: proven here.

const BASE = {
  artifacts: '{ bucket: acme-artifacts, prefix: lambda-ci, region: eu-west-1 }',
  ci: '{ namePrefix: acme, install: ["npm ci"], command: "npx --no-install lci" }',
  qa: '{ branch: main, strategy: "canary:10:5" }',
  notify: '{ slack: { webhookEnv: ACME_HOOK } }',
  fn: '{ path: svc, functionName: "svc-${env}", handler: app.handler, watch: ["libs/**"] }',
};

function config(over: Partial<typeof BASE>): string {
  const c = { ...BASE, ...over };
  return `version: 1\nartifacts: ${c.artifacts}\nci: ${c.ci}\nnotify: ${c.notify}\nenvironments:\n  qa: ${c.qa}\nfunctions:\n  svc: ${c.fn}\n`;
}

function validate(text: string) {
  const repo = GitRepo.create({ 'lambdas.yaml': text, 'svc/app.py': 'x = 1\n' });
  return lci(['validate'], { cwd: repo.dir });
}

const inputs = suite('values that reach generated files: validated where they cannot be escaped');

inputs('the ci section, environment strategies and the rest of the base config are valid', () => {
  const r = validate(config({}));
  assert.is(r.code, 0, r.stderr);
});

const REFUSED: [string, Partial<typeof BASE>, RegExp][] = [
  [
    'a newline in a ci.install command',
    { ci: '{ install: ["npm ci\\nrm -rf /"] }' },
    /ci\.install\[0\]: [\s\S]*without control characters/,
  ],
  [
    'a carriage return in ci.command',
    { ci: '{ command: "npx lci\\r" }' },
    /ci\.command: [\s\S]*without control characters/,
  ],
  ['${ in ci.namePrefix (it names AWS resources)', { ci: '{ namePrefix: "${path.cwd}" }' }, /ci\.namePrefix/],
  ['an uppercase or long ci.namePrefix', { ci: '{ namePrefix: "Acme-way-too-long-prefix-x" }' }, /ci\.namePrefix/],
  ['a strategy that is not one', { qa: '{ branch: main, strategy: "canary:${x}:5" }' }, /environments\.qa\.strategy/],
  ['a canary of 100%', { qa: '{ branch: main, strategy: "canary:100:5" }' }, /environments\.qa\.strategy/],
  [
    'a branch glob longer than CodePipeline takes',
    { qa: `{ branch: "${'b'.repeat(256)}" }` },
    /environments\.qa\.branch/,
  ],
  [
    '${ in the webhook variable name',
    { notify: '{ slack: { webhookEnv: "${path.cwd}" } }' },
    /notify\.slack\.webhookEnv/,
  ],
  ['${ in the S3 prefix', { artifacts: '{ bucket: acme-artifacts, prefix: "${path.cwd}" }' }, /artifacts\.prefix/],
  ['a hostile region', { artifacts: '{ bucket: acme-artifacts, region: "eu-west-1\\"" }' }, /artifacts\.region/],
  ['${path.cwd} in functionName', { fn: '{ path: svc, functionName: "${path.cwd}" }' }, /functionName/],
  ['a backslash in a watch glob', { fn: '{ path: svc, watch: ["libs\\\\x/**"] }' }, /watch.*forward slashes/],
];

for (const [what, over, message] of REFUSED) {
  inputs(`refused: ${what}`, () => {
    const r = validate(config(over));
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, message);
  });
}

inputs.run();
