import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AliasState, LayerState } from '../../../src/aws/lambda.js';
import { shiftMarkerKey } from '../../../src/aws/shift-marker.js';
import { formatVersionRecord, layerDescription } from '../../../src/aws/version-record.js';
import { decideFunction, type Desired, type Reads } from '../../../src/release/decide.js';
import type { FunctionPlan } from '../../../src/release/plan.js';
import { parseStrategy } from '../../../src/release/strategy.js';

// The release decision over tables of read states: no AWS, only what the reads returned.

const LAYER = (name: string, v: number) => `arn:aws:lambda:eu-west-1:123456789012:layer:${name}:${v}`;
const FP = 'f'.repeat(20);
const KEY = 'a'.repeat(32);

const desired = (over: Partial<Desired> = {}): Desired => ({
  name: 'orders',
  env: 'qa',
  awsName: 'orders-qa',
  alias: 'qa',
  layerName: 'orders-qa-deps',
  runtime: 'python3.12',
  architecture: 'x86_64',
  handler: 'app.handler',
  descriptorPath: 'svc/orders/requirements.txt',
  fingerprint: FP,
  depsKey: null,
  shared: [],
  managed: [],
  sourceVersion: 'c0ffee',
  strategy: parseStrategy('all-at-once'),
  alarms: [],
  smoke: [],
  abort: false,
  codeStorage: 'copy',
  ...over,
});

const config = (over: Partial<FunctionConfiguration> = {}): FunctionConfiguration => ({
  FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-qa:3',
  Version: '3',
  Runtime: 'python3.12',
  Architectures: ['x86_64'],
  Handler: 'app.handler',
  CodeSha256: 'served=',
  RevisionId: 'rev-latest',
  Description: formatVersionRecord({ sourceVersion: 'old', fingerprint: FP, previous: '2' }),
  Layers: [],
  ...over,
});

const alias = (over: Partial<AliasState> = {}): AliasState => ({
  name: 'qa',
  arn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-qa:qa',
  version: '3',
  revisionId: 'rev-alias',
  weights: {},
  ...over,
});

const serving = (
  c: FunctionConfiguration,
  aliasExists = true,
  tags: Record<string, string> = {},
): Reads['serving'] => ({
  config: c,
  code: { storage: 'copy' },
  aliasExists,
  tags,
});

/** Drives the decision as the reader does, answering each need from `world`; returns the plan and what was read. */
function decideWith(
  d: Desired,
  first: Reads['serving'],
  world: Omit<Reads, 'serving'>,
): { plan: FunctionPlan; asked: string[]; rounds: number } {
  const reads: Reads = { serving: first };
  const asked: string[] = [];
  for (let i = 0; i < 8; i++) {
    const decision = decideFunction(d, reads);
    if ('plan' in decision) return { plan: decision.plan, asked, rounds: i };
    for (const need of decision.need) {
      asked.push(need);
      if (!(need in world)) throw new Error(`the decision asked for ${need}, which this case does not answer`);
      (reads as unknown as Record<string, unknown>)[need] = world[need as keyof typeof world];
    }
  }
  throw new Error('no plan after 8 rounds');
}

test('a no-op is decided from the alias GetFunction alone', () => {
  const decision = decideFunction(desired(), { serving: serving(config()) });
  assert.ok('plan' in decision);
  if ('plan' in decision) {
    assert.is(decision.plan.action, 'INTACT');
    assert.equal(decision.plan.read.served.version, '3');
  }
});

test('the code changed: alias, zip and $LATEST are read; a version is published with the record and the alias moves', () => {
  const { plan, asked, rounds } = decideWith(desired({ fingerprint: '0'.repeat(20) }), serving(config()), {
    alias: alias(),
    codeSha256: 'new=',
    latest: config({ Version: '$LATEST', CodeSha256: 'served=' }),
  });
  assert.equal(asked, ['alias', 'codeSha256', 'latest']);
  assert.is(rounds, 1, 'one round of reads after the GetFunction: $LATEST is read beside the alias');
  assert.is(plan.action, 'PUBLISH');
  assert.ok(plan.code.update);
  assert.is(plan.code.codeSha256, 'new=');
  assert.is(plan.read.latest!.revisionId, 'rev-latest');
  assert.is(plan.read.alias!.revisionId, 'rev-alias');
  assert.not.ok(plan.createAlias);
  assert.match(plan.description, /^c0ffee \(lci code 0{20} prev 3\)$/);
  assert.equal(plan.reasons, ['code changed']);
});

test('other files but the same zip: intact after the zip; $LATEST was read beside it (the price of one round less)', () => {
  const { plan, asked } = decideWith(desired({ fingerprint: '0'.repeat(20) }), serving(config()), {
    alias: alias(),
    codeSha256: 'served=',
    latest: config({ Version: '$LATEST' }),
  });
  assert.equal(asked, ['alias', 'codeSha256', 'latest']);
  assert.is(plan.action, 'INTACT');
});

test('--abort reads no $LATEST ahead: putting a shift back needs only the alias', () => {
  const split = alias({ weights: { '4': 0.1 } });
  const { asked } = decideWith(desired({ abort: true, fingerprint: '0'.repeat(20) }), serving(config()), {
    alias: split,
    codeSha256: 'new=',
  });
  assert.equal(asked, ['alias', 'codeSha256']);
});

test('a handler changed only in lambdas.yaml: not intact; $LATEST agrees (Terraform applied it): publish, code unchanged', () => {
  const d = desired({ handler: 'app.main' });
  const { plan } = decideWith(d, serving(config()), {
    alias: alias(),
    latest: config({ Version: '$LATEST', Handler: 'app.main' }),
  });
  assert.is(plan.action, 'PUBLISH');
  assert.not.ok(plan.code.update);
  assert.match(plan.reasons.join('\n'), /handler: the served version has app\.handler, lambdas\.yaml says app\.main/);
});

test('a handler changed only in lambdas.yaml and $LATEST has the old one: refused, both values named', () => {
  const { plan } = decideWith(desired({ handler: 'app.main' }), serving(config()), {
    alias: alias(),
    latest: config({ Version: '$LATEST' }),
  });
  assert.is(plan.action, 'REFUSED');
  assert.match(
    plan.refused[0]!,
    /handler: Terraform \(the live function\) says app\.handler, lambdas\.yaml says app\.main/,
  );
});

test('runtime and architecture of $LATEST are compared for a changed function: one line per field', () => {
  const { plan } = decideWith(desired({ fingerprint: '0'.repeat(20) }), serving(config()), {
    alias: alias(),
    codeSha256: 'new=',
    latest: config({ Version: '$LATEST', Runtime: 'python3.11', Architectures: ['arm64'] }),
  });
  assert.is(plan.action, 'REFUSED');
  const lines = plan.refused[0]!.split('\n');
  assert.ok(lines.some((l) => /runtime: .* says python3\.11, lambdas\.yaml says python3\.12/.test(l)));
  assert.ok(lines.some((l) => /architecture: .* says arm64, lambdas\.yaml says x86_64/.test(l)));
});

test('no alias yet: $LATEST is read and the alias is created, even when $LATEST has the code already', () => {
  const latest = config({ Version: '$LATEST', Description: '' });
  const { plan } = decideWith(desired(), serving(latest, false), { codeSha256: 'served=', latest });
  assert.is(plan.action, 'PUBLISH');
  assert.ok(plan.createAlias);
  assert.equal(plan.steps, []);
});

test('dependencies: no version carries the key: publish one; the layer slot is ours, to be published', () => {
  const { plan } = decideWith(desired({ depsKey: KEY }), serving(config()), {
    alias: alias(),
    ownLayer: null,
    latest: config({ Version: '$LATEST' }),
  });
  assert.is(plan.action, 'PUBLISH');
  assert.is(plan.deps.action, 'publish');
  assert.equal(plan.layers, [{ own: 'orders-qa-deps', arn: null }]);
  assert.match(plan.description, / deps a{32} /);
});

test('dependencies: an older version carries the key: attach it, publish nothing', () => {
  const v2: LayerState = { arn: LAYER('orders-qa-deps', 2), version: 2, description: layerDescription(KEY, 'x') };
  const { plan } = decideWith(
    desired({ depsKey: KEY }),
    serving(config({ Layers: [{ Arn: LAYER('orders-qa-deps', 5) }] })),
    {
      alias: alias(),
      ownLayer: v2,
      latest: config({ Version: '$LATEST', Layers: [{ Arn: LAYER('orders-qa-deps', 5) }] }),
    },
  );
  assert.is(plan.deps.action, 'attach');
  assert.equal(plan.layers, [{ own: 'orders-qa-deps', arn: v2.arn }]);
});

test('more than five layers: refused before anything, naming every layer', () => {
  const foreign = [0, 1, 2, 3, 4].map((i) => ({ Arn: LAYER(`other${i}`, 1) }));
  const { plan } = decideWith(desired({ depsKey: KEY }), serving(config({ Layers: foreign })), {
    alias: alias(),
    ownLayer: null,
    latest: config({ Version: '$LATEST', Layers: foreign }),
  });
  assert.is(plan.action, 'REFUSED');
  assert.match(plan.refused[0]!, /orders-qa would have 6 layers, Lambda allows 5: other0:1, .*orders-qa-deps \(lci\)/);
});

test('taking off a layer lci did not publish is refused; one lci published comes off', () => {
  const attached = [{ Arn: LAYER('orders-qa-deps', 3) }];
  const world = (description: string | null) => ({
    alias: alias(),
    latest: config({ Version: '$LATEST', Layers: attached }),
    layerDescriptions: { [LAYER('orders-qa-deps', 3)]: description },
  });
  const foreign = decideWith(desired(), serving(config({ Layers: attached })), world('built by hand'));
  assert.is(foreign.plan.action, 'REFUSED');
  assert.match(foreign.plan.refused[0]!, /which lci did not publish \(its description: "built by hand"\)/);
  const ours = decideWith(desired(), serving(config({ Layers: attached })), world(layerDescription(KEY, 'x')));
  assert.is(ours.plan.action, 'PUBLISH');
  assert.is(ours.plan.deps.action, 'detach');
  assert.equal(ours.plan.layers, []);
});

test('a shift left unfinished: --abort puts it back; the same source puts it back; new code resumes it', () => {
  const split = alias({ weights: { '4': 0.1 } });
  const marked = { [shiftMarkerKey('qa')]: '3:4' };
  const aborted = decideWith(desired({ abort: true }), serving(config(), true, marked), { alias: split });
  assert.is(aborted.plan.action, 'ABORT');
  assert.equal(aborted.plan.putBack, { to: '3', why: 'aborted' });
  const same = decideWith(desired(), serving(config(), true, marked), { alias: split });
  assert.is(same.plan.action, 'ABORT');
  assert.equal(same.plan.putBack, { to: '3', why: 'source-served' });
  const resumed = decideWith(
    desired({ fingerprint: '0'.repeat(20), strategy: parseStrategy('canary:10:5') }),
    serving(config(), true, marked),
    { alias: split, codeSha256: 'new=', latest: config({ Version: '$LATEST' }) },
  );
  assert.is(resumed.plan.action, 'RESUME');
  assert.equal(resumed.plan.unfinished, { from: '3', version: '4', weight: 0.1 });
  assert.equal(resumed.plan.steps, [{ weight: 0.1, holdMs: 300_000 }]);
  assert.ok(resumed.plan.read.shiftMarked);
});

test('a shift mark on the function reads the alias even when the record says nothing changed', () => {
  const decision = decideFunction(desired(), { serving: serving(config(), true, { [shiftMarkerKey('qa')]: '3:4' }) });
  assert.equal(decision, { need: ['alias'] });
});

test('shared layers: intact from the record; otherwise looked up, and one to publish gets a slot without a version', () => {
  const shared = [{ name: 'common', layerName: 'common-qa', key: KEY }];
  const d = desired({ shared, managed: ['common-qa'] });
  const { plan, asked } = decideWith(d, serving(config({ Layers: [{ Arn: LAYER('common-qa', 1) }] })), {
    alias: alias(),
    shared: [null],
    latest: config({ Version: '$LATEST', Layers: [{ Arn: LAYER('common-qa', 1) }] }),
  });
  assert.equal(asked, ['alias', 'shared', 'latest']);
  assert.is(plan.action, 'PUBLISH');
  assert.equal(plan.layers, [{ shared: 'common', arn: null }]);
  assert.equal(plan.sharedLayers, [{ name: 'common', awsName: 'common-qa' }]);
});

test.run();
