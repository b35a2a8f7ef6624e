import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import jsyaml from 'js-yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { applyAccount, environmentOf, needsTags } from '../../../src/init/aws-names.js';
import { ENV, evaluate, NO_VALUE, ResourceRef, type Scope, Unresolved } from '../../../src/init/intrinsics.js';
import type { InitPlan } from '../../../src/init/map.js';
import type { DeclaredFunction } from '../../../src/init/model.js';
import { parseTemplateText } from '../../../src/init/parse-yaml.js';
import { RepoView } from '../../../src/init/repo.js';
import { mergeGlobals } from '../../../src/init/sam.js';
import { packageShape, readServerless } from '../../../src/init/serverless.js';
import { readTerraform } from '../../../src/init/terraform.js';
import { renderConfig } from '../../../src/init/write.js';
import { tempDir } from '../../harness/tmp.js';
import { declaredFunction } from './declared.js';

function scope(extra: Partial<Scope> = {}): Scope {
  return {
    parameters: {
      Stage: ENV,
      Prefix: 'shop',
      Zones: ['a', 'b'],
      Secret: new Unresolved('parameter Secret has no Default'),
    },
    resources: {
      CommonLayer: { Type: 'AWS::Serverless::LayerVersion' },
      Nested: { Type: 'AWS::CloudFormation::Stack' },
    },
    conditions: {
      IsShop: { 'Fn::Equals': [{ Ref: 'Prefix' }, 'shop'] },
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    },
    mappings: { Sizes: { shop: { memory: 512 } } },
    stack: 'template.yaml',
    nestedOutput: (resource, output) => `${resource}:${output}`,
    ...extra,
  };
}

test('CloudFormation intrinsics: what the template alone says is evaluated; the rest is unresolved, with why', () => {
  const s = scope();
  assert.is(evaluate({ 'Fn::Sub': '${Prefix}-${Stage}-orders' }, s), 'shop-${env}-orders');
  assert.is(evaluate({ 'Fn::Sub': ['${A}-${!Literal}', { A: { Ref: 'Prefix' } }] }, s), 'shop-${Literal}');
  assert.is(evaluate({ 'Fn::Join': ['-', [{ Ref: 'Prefix' }, 'x', { Ref: 'AWS::NoValue' }]] }, s), 'shop-x');
  assert.is(evaluate({ 'Fn::Select': [1, { Ref: 'Zones' }] }, s), 'b');
  assert.equal(evaluate({ 'Fn::Split': [',', 'a,b'] }, s), ['a', 'b']);
  assert.is(evaluate({ 'Fn::If': ['IsShop', 'yes', 'no'] }, s), 'yes');
  assert.is(evaluate({ 'Fn::FindInMap': ['Sizes', { Ref: 'Prefix' }, 'memory'] }, s), 512);
  assert.is(evaluate({ 'Fn::GetAtt': ['Nested', 'Outputs.LayerArn'] }, s), 'Nested:LayerArn');
  assert.equal(
    evaluate({ Ref: 'CommonLayer' }, s),
    new ResourceRef('template.yaml', 'CommonLayer', 'AWS::Serverless::LayerVersion'),
  );
  assert.is(evaluate({ Ref: 'AWS::NoValue' }, s), NO_VALUE);
  const why = (v: unknown) => (v as Unresolved).why;
  assert.is(
    why(evaluate({ 'Fn::Sub': '${AWS::StackName}-x' }, s)),
    '${AWS::StackName} in !Sub: !Ref AWS::StackName: the stack name is known only when the stack is deployed',
  );
  assert.is(
    why(evaluate({ 'Fn::If': ['IsProd', 'a', 'b'] }, s)),
    '!If IsProd: the condition depends on the environment',
  );
  assert.is(why(evaluate({ Ref: 'Secret' }, s)), 'parameter Secret has no Default');
  assert.is(
    why(evaluate({ 'Fn::ImportValue': 'x' }, s)),
    'Fn::ImportValue reads another stack’s export, known only when deployed',
  );
  assert.is(
    why(evaluate({ 'Fn::GetAtt': ['Fn', 'Arn'] }, s)),
    '!GetAtt Fn.Arn is known only when the stack is deployed',
  );
  let deep: unknown = 'x';
  for (let i = 0; i < 10_000; i++) deep = { 'Fn::Join': ['', [deep]] };
  assert.instance(evaluate(deep, s), Unresolved);
});

test('YAML short tags read as the long form; JSON templates as they are', () => {
  const r = parseTemplateText(
    'a: !Ref X\nb: !GetAtt Stack.Outputs.Arn\nc: !Sub [ "${A}", { A: !Ref Y } ]\nd: !If [C, !Join ["-", [a]], !Ref "AWS::NoValue"]\n',
    false,
  );
  assert.equal(r, {
    ok: true,
    data: {
      a: { Ref: 'X' },
      b: { 'Fn::GetAtt': ['Stack', 'Outputs.Arn'] },
      c: { 'Fn::Sub': ['${A}', { A: { Ref: 'Y' } }] },
      d: { 'Fn::If': ['C', { 'Fn::Join': ['-', ['a']] }, { Ref: 'AWS::NoValue' }] },
    },
  });
  assert.equal(parseTemplateText('a: 1\nb: [1\n', false), {
    ok: false,
    problem: 'YAML syntax at line 3: Flow sequence in block collection must be sufficiently indented and end with a ]',
  });
  assert.match((parseTemplateText('{"a": }', true) as { problem: string }).problem, /^not valid JSON/);
});

test('SAM Globals merge as samtranslator merges them: maps by key, lists global first, the rest the function’s', () => {
  assert.equal(
    mergeGlobals(
      { Runtime: 'python3.12', Layers: ['g'], Environment: { Variables: { A: '1', B: '1' } }, Handler: { Ref: 'H' } },
      { Layers: ['l'], Environment: { Variables: { B: '2' } }, Handler: 'app.handler' },
    ),
    {
      Runtime: 'python3.12',
      Layers: ['g', 'l'],
      Environment: { Variables: { A: '1', B: '2' } },
      Handler: 'app.handler',
    },
  );
  assert.equal(mergeGlobals({ CodeUri: { Ref: 'X' } }, { CodeUri: { Bucket: 'b', Key: 'k' } }), {
    CodeUri: { Bucket: 'b', Key: 'k' },
  });
});

function repoWith(files: Record<string, string>): RepoView {
  const dir = tempDir();
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return new RepoView(dir, Object.keys(files).sort());
}

test('serverless.yml: ${self:}, the stage and quoted fallbacks resolve; env, SSM, other stacks and files do not', () => {
  const repo = repoWith({
    'svc/serverless.yml': `service: \${self:custom.name}
custom:
  name: shop
  runtimes: { default: python3.13 }
provider:
  name: aws
  runtime: \${self:custom.runtimes.default}
  stage: \${opt:stage, 'dev'}
  region: \${opt:region, "eu-west-3"}
  deploymentBucket: \${ssm:/shop/bucket}
functions:
  a:
    handler: a.handler
    name: \${self:service}-\${sls:stage}-alpha
  b:
    handler: b.handler
    name: \${env:B_NAME}
`,
    'svc/a.py': '',
    'svc/b.py': '',
  });
  const out = readServerless(repo, '');
  assert.equal(out.unmapped, []);
  assert.equal(
    out.functions.map((f) => [f.id, f.runtime, f.functionName]),
    [
      ['a', 'python3.13', { kind: 'fixed', value: `shop-${ENV}-alpha` }],
      ['b', 'python3.13', { kind: 'fixed', value: `shop-${ENV}-b` }],
    ],
  );
  assert.is(out.region, 'eu-west-3');
  assert.is(out.bucket, null);
});

test('serverless package patterns: !x excludes, x includes; everything left out but one directory makes it the path', () => {
  assert.equal(packageShape(['!tests/**', '!./node_modules/**', 'node_modules/keep/**'], 'src/a'), {
    dir: '',
    exclude: ['tests/**', 'node_modules/**'],
    include: ['node_modules/keep/**'],
  });
  assert.equal(packageShape(['!tests/**', '!./**', 'src/worker/**', '!src/worker/fixtures/**'], 'src/worker/main'), {
    dir: 'src/worker',
    exclude: ['fixtures/**'],
    include: [],
  });
  assert.equal(packageShape(['!**', 'src/a.py', 'lib/**'], 'src/a'), {
    dir: '',
    exclude: ['**'],
    include: ['src/a.py', 'lib/**'],
  });
});

test('Terraform: terraform-aws-modules/lambda/aws, source_file, count = 0, a computed for_each, and what is not evaluated', () => {
  const repo = repoWith({
    'infra/main.tf': `variable "stage" {}
locals {
  names = { alpha = "a", beta = "b" }
}
module "api" {
  source        = "terraform-aws-modules/lambda/aws"
  version       = "~> 7.0"
  function_name = "api-\${var.stage}"
  handler       = "index.handler"
  runtime       = "nodejs22.x"
  source_path   = "\${path.module}/../api"
  layers        = [module.deps.lambda_layer_arn]
}
module "deps" {
  source              = "terraform-aws-modules/lambda/aws"
  create_function     = false
  create_layer        = true
  layer_name          = "deps-\${var.stage}"
  compatible_runtimes = ["nodejs22.x"]
  source_path         = "../layers/deps"
}
data "archive_file" "single" {
  type        = "zip"
  source_file = "../scripts/cron.py"
  output_path = "build/cron.zip"
}
resource "aws_lambda_function" "cron" {
  function_name = format("%s-cron", var.stage)
  filename      = data.archive_file.single.output_path
  handler       = "cron.handler"
  runtime       = "python3.12"
}
resource "aws_lambda_function" "disabled" {
  count         = 0
  function_name = "off"
  filename      = data.archive_file.single.output_path
}
resource "aws_lambda_function" "computed" {
  for_each      = data.aws_lambda_functions.all.function_names
  function_name = each.key
  filename      = data.archive_file.single.output_path
}
resource "aws_lambda_function" "mapped" {
  for_each      = local.names
  function_name = "m-\${each.value}"
  filename      = data.archive_file.single.output_path
  handler       = var.stage == "prod" ? "a.handler" : "b.handler"
  runtime       = "python3.12"
}
`,
    'api/index.js': '',
    'layers/deps/package.json': '{}',
    'scripts/cron.py': '',
    'scripts/other.py': '',
  });
  const out = readTerraform(repo, '');
  assert.equal(
    out.functions.map((f) => [f.id, f.codeDir, f.handler, f.functionName, f.layers, f.exclude, f.include]),
    [
      ['api', 'api', 'index.handler', { kind: 'fixed', value: `api-${ENV}` }, ['infra/module.deps'], [], []],
      ['cron', 'scripts', 'cron.handler', { kind: 'fixed', value: `${ENV}-cron` }, [], ['**'], ['cron.py']],
      ['alpha', 'scripts', null, { kind: 'fixed', value: 'm-a' }, [], ['**'], ['cron.py']],
      ['beta', 'scripts', null, { kind: 'fixed', value: 'm-b' }, [], ['**'], ['cron.py']],
    ],
  );
  assert.equal(
    out.layers.map((l) => [l.key, l.contentDir, l.runtimes, l.layerName]),
    [['infra/module.deps', 'layers/deps', ['nodejs22.x'], { kind: 'fixed', value: `deps-${ENV}` }]],
  );
  assert.equal(
    out.unmapped.map((u) => [u.origin.at, u.reason]),
    [
      [
        'aws_lambda_function.computed',
        'for_each: data.aws_lambda_functions.all.function_names is known only after terraform apply; lci init cannot tell its instances',
      ],
    ],
  );
  assert.ok(
    out.notes.some(
      (n) => n.origin?.at === 'aws_lambda_function.mapped["alpha"]' && /^handler: var\.stage == "prod"/.test(n.message),
    ),
  );
});

test('--aws: CloudFormation-named functions found by their logical-id tag, placed by their stack’s name', () => {
  const declared = declaredFunction('OrdersFunction', 'orders', {
    handler: null,
    functionName: { kind: 'generated', hint: 'OrdersFunction' },
  });
  const fixed: DeclaredFunction = { ...declared, id: 'Web', functionName: { kind: 'fixed', value: `web-${ENV}` } };
  const tags = (stack: string) => ({
    'aws:cloudformation:logical-id': 'OrdersFunction',
    'aws:cloudformation:stack-name': stack,
  });
  const listed = [
    { name: 'shop-qa-OrdersFunction-A', arn: 'a', tags: tags('shop-qa') },
    { name: 'shop-production-OrdersFunc-B', arn: 'b', tags: tags('shop-production') },
    { name: 'OrdersFunction-sandbox-C', arn: 'c', tags: tags('sandbox') },
    { name: 'web-qa', arn: 'd' },
    { name: 'unrelated', arn: 'e' },
  ];
  assert.equal(
    needsTags([declared, fixed], listed).map((f) => f.arn),
    ['a', 'b', 'c'],
  );
  const r = applyAccount([declared, fixed], listed, ['qa', 'prod']);
  assert.equal(r.functions[0]!.functionName, {
    kind: 'per-env',
    values: { qa: 'shop-qa-OrdersFunction-A', prod: 'shop-production-OrdersFunc-B' },
  });
  assert.equal(
    r.notes.map((n) => n.message),
    [
      'found OrdersFunction-sandbox-C (logical id OrdersFunction) in stacks whose names name no environment of qa, prod',
      'no function web-prod in the account (not created yet?)',
    ],
  );
  assert.is(
    environmentOf({ name: 'x', arn: '', tags: { 'aws:cloudformation:stack-name': 'qa-prod-mirror' } }, ['qa', 'prod']),
    null,
  );
});

test('the writer: hostile values parse back unchanged with both YAML readers; notes become one-line comments', () => {
  const values = [
    `it's "quoted": yes`,
    'line one\nline two # not a comment',
    '${env} ${AWS::Region}',
    '*alias &anchor !tag %directive @at `tick` | > - [a] {b}',
    '- dash',
    '? question',
    'yes',
    'null',
    '0x1F',
    '1e3',
    ' padded ',
    'tab\there',
    'trailing\n',
    'bell\u0007 esc\u001b nel\u0085 ls\u2028',
    '',
  ];
  const config = {
    version: 1,
    artifacts: { bucket: 'acme-artifacts' },
    environments: { qa: { branch: 'main' } },
    functions: Object.fromEntries(
      values.map((v, i) => [`f${i}`, { path: `p${i}`, handler: v, functionName: v, exclude: [v] }]),
    ),
  };
  const plan: InitPlan = {
    config,
    functions: [],
    layers: [],
    families: [],
    unmapped: [],
    notes: [{ origin: null, at: ['functions', 'f1', 'handler'], message: 'a note\n# with: a new line\u2028and more' }],
  };
  const text = renderConfig(plan, ['from a\nb']);
  assert.equal(parseYaml(text), config);
  assert.equal(jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }), config);
  assert.match(text, /^ {4}# lci init: a note # with: a new line and more$/m);
  assert.match(text, /^# from a b$/m);
});

test.run();
