import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LayerState } from '../../../src/aws/lambda.js';
import { depsAction, intactFromRecord, recordedLayer } from '../../../src/release/decide.js';
import {
  arrangeLayers,
  attachedLayerVersion,
  isLayer,
  sharedLayersDigest,
  sharedLayersIntact,
} from '../../../src/release/layers.js';
import { keyOfLayer, layerDescription, parseVersionRecord } from '../../../src/aws/version-record.js';

const LAYER = (name: string, v: number) => `arn:aws:lambda:eu-west-1:123456789012:layer:${name}:${v}`;

const KEY = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);
const withKey = (v: number, key = KEY): LayerState => ({
  arn: LAYER('fn-deps', v),
  version: v,
  description: layerDescription(key, 'abc'),
});

test('own layer: the version with our key attached: intact; not attached: attach; none has it: publish', () => {
  assert.is(depsAction([LAYER('fn-deps', 4)], withKey(4), KEY, 'fn-deps'), 'intact');
  assert.is(depsAction([], withKey(2), KEY, 'fn-deps'), 'attach');
  assert.is(depsAction([LAYER('fn-deps', 1)], withKey(2), KEY, 'fn-deps'), 'attach');
  assert.is(depsAction([LAYER('fn-deps', 1)], null, KEY, 'fn-deps'), 'publish');
});

test('own layer: no dependencies and ours attached: detach; none attached: none', () => {
  assert.is(depsAction([LAYER('datadog', 1), LAYER('fn-deps', 2)], null, null, 'fn-deps'), 'detach');
  assert.is(depsAction([LAYER('datadog', 1)], null, null, 'fn-deps'), 'none');
});

test('layers: ours replaced in place, appended, or removed; others kept in order', () => {
  const current = [LAYER('datadog', 1), LAYER('fn-deps', 2), LAYER('insights', 9)];
  assert.equal(arrangeLayers(current, ['fn-deps'], [LAYER('fn-deps', 3)]), [
    LAYER('datadog', 1),
    LAYER('fn-deps', 3),
    LAYER('insights', 9),
  ]);
  assert.equal(arrangeLayers(current, ['fn-deps'], []), [LAYER('datadog', 1), LAYER('insights', 9)]);
  assert.equal(arrangeLayers([LAYER('datadog', 1)], ['fn-deps'], [LAYER('fn-deps', 1)]), [
    LAYER('datadog', 1),
    LAYER('fn-deps', 1),
  ]);
});

test("shared layers: lci's layers stay together where the first was, in lambdas.yaml's order, the function's own last; others keep their place", () => {
  const managed = ['common-qa', 'http-qa', 'fn-deps'];
  // an older shared version and the own layer around a foreign one: lci's come together at the first one's place
  assert.equal(
    arrangeLayers([LAYER('common-qa', 1), LAYER('datadog', 4), LAYER('fn-deps', 2)], managed, [
      LAYER('common-qa', 2),
      LAYER('http-qa', 7),
      LAYER('fn-deps', 2),
    ]),
    [LAYER('common-qa', 2), LAYER('http-qa', 7), LAYER('fn-deps', 2), LAYER('datadog', 4)],
  );
  // a shared layer the function no longer lists comes off; a function without lci layers gets them at the end
  assert.equal(arrangeLayers([LAYER('datadog', 4), LAYER('http-qa', 7)], managed, [LAYER('common-qa', 2)]), [
    LAYER('datadog', 4),
    LAYER('common-qa', 2),
  ]);
  assert.equal(arrangeLayers([LAYER('datadog', 4)], managed, [LAYER('common-qa', 2), LAYER('fn-deps', 1)]), [
    LAYER('datadog', 4),
    LAYER('common-qa', 2),
    LAYER('fn-deps', 1),
  ]);
});

test('shared layers are intact from the version alone: the same layers in the same order, and its record has their keys', () => {
  const managed = ['common-qa', 'http-qa'];
  const wanted = [
    { layerName: 'common-qa', key: KEY },
    { layerName: 'http-qa', key: OTHER },
  ];
  const serving = {
    Layers: [
      { Arn: LAYER('common-qa', 3) },
      { Arn: LAYER('datadog', 1) },
      { Arn: LAYER('http-qa', 5) },
      { Arn: LAYER('fn-deps', 2) },
    ],
  } as FunctionConfiguration;
  assert.ok(sharedLayersIntact(serving, sharedLayersDigest(wanted), wanted, managed));
  assert.not.ok(
    sharedLayersIntact(serving, undefined, wanted, managed),
    'an older record: the versions must be resolved',
  );
  assert.not.ok(
    sharedLayersIntact(serving, sharedLayersDigest([wanted[0]!, { layerName: 'http-qa', key: KEY }]), wanted, managed),
    'a key changed',
  );
  assert.not.ok(
    sharedLayersIntact(serving, sharedLayersDigest(wanted), [...wanted].reverse(), managed),
    'the order changed',
  );
  assert.not.ok(
    sharedLayersIntact(serving, sharedLayersDigest(wanted.slice(0, 1)), wanted.slice(0, 1), managed),
    'one more attached than wanted',
  );
  assert.ok(
    sharedLayersIntact({ Layers: [{ Arn: LAYER('datadog', 1) }] } as FunctionConfiguration, undefined, [], managed),
    'none wanted, none attached',
  );
  assert.is(sharedLayersDigest(wanted), sharedLayersDigest(wanted.map((w) => ({ ...w }))));
  assert.is.not(sharedLayersDigest(wanted), sharedLayersDigest([...wanted].reverse()));
});

test('layer names and keys read back from ARNs and Descriptions', () => {
  assert.ok(isLayer(LAYER('fn-deps', 12), 'fn-deps'));
  assert.not.ok(isLayer(LAYER('fn-deps-old', 12), 'fn-deps'));
  assert.is(keyOfLayer(layerDescription(KEY, 'v1.2')), KEY);
  assert.is(keyOfLayer('built by hand'), null);
});

const FP = 'f'.repeat(20);
const served = (description: string, layers: string[] = []) =>
  ({ Description: description, Layers: layers.map((Arn) => ({ Arn })) }) as FunctionConfiguration;
const fromRecord = (config: FunctionConfiguration, desired: { fingerprint?: string; depsKey: string | null }) =>
  intactFromRecord(config, parseVersionRecord(config.Description), {
    fingerprint: desired.fingerprint ?? FP,
    depsKey: desired.depsKey,
    layerName: 'fn-deps',
  });

test('one read decides a no-op: same fingerprint, the recorded deps key is ours, our layer is attached', () => {
  assert.ok(
    fromRecord(served(`abc (lci code ${FP} deps ${KEY})`, [LAYER('datadog', 3), LAYER('fn-deps', 4)]), {
      depsKey: KEY,
    }),
  );
  assert.ok(
    fromRecord(served(`abc (lci code ${FP} deps ${KEY} prev 7)`, [LAYER('fn-deps', 4)]), { depsKey: KEY }),
    'other fields of the record do not matter',
  );
  assert.ok(
    fromRecord(served(`abc (lci code ${FP})`, [LAYER('datadog', 3)]), { depsKey: null }),
    'no dependencies and none of ours attached',
  );
});

test('anything else reads more: other files, another key, no key recorded (an older lci), our layer missing or still attached', () => {
  assert.not.ok(
    fromRecord(served(`abc (lci code ${'0'.repeat(20)} deps ${KEY})`, [LAYER('fn-deps', 4)]), { depsKey: KEY }),
    'other files',
  );
  assert.not.ok(
    fromRecord(served(`abc (lci code ${FP} deps ${OTHER})`, [LAYER('fn-deps', 4)]), { depsKey: KEY }),
    'other deps',
  );
  assert.not.ok(fromRecord(served(`abc (lci code ${FP})`, [LAYER('fn-deps', 4)]), { depsKey: KEY }), 'no key recorded');
  assert.not.ok(
    fromRecord(served(`abc (lci code ${FP} deps ${KEY})`, [LAYER('datadog', 3)]), { depsKey: KEY }),
    'our layer is not attached',
  );
  assert.not.ok(
    fromRecord(served(`abc (lci code ${FP} deps ${KEY})`, [LAYER('fn-deps', 4)]), { depsKey: null }),
    'dependencies gone: take it off',
  );
  assert.not.ok(fromRecord(served('published by hand'), { depsKey: null }), 'no record');
});

test('a changed function whose record names our key: its attached layer stands for the layer list, and decide keeps it', () => {
  const config = served(`abc (lci code ${FP} deps ${KEY})`, [LAYER('fn-deps', 4)]);
  const layer = recordedLayer(config, parseVersionRecord(config.Description), KEY, 'fn-deps')!;
  assert.equal([layer.arn, layer.version, keyOfLayer(layer.description)], [LAYER('fn-deps', 4), 4, KEY]);
  assert.is(depsAction(['x', LAYER('fn-deps', 4)], layer, KEY, 'fn-deps'), 'intact');
  assert.is(
    recordedLayer(config, parseVersionRecord(config.Description), OTHER, 'fn-deps'),
    null,
    'another key: list the layer',
  );
  assert.is(
    recordedLayer(
      served(`abc (lci code ${FP} deps ${KEY})`),
      parseVersionRecord(`abc (lci code ${FP} deps ${KEY})`),
      KEY,
      'fn-deps',
    ),
    null,
    'not attached',
  );
});

test('the attached version of our layer', () => {
  assert.is(attachedLayerVersion(served('', [LAYER('datadog', 3), LAYER('fn-deps', 12)]), 'fn-deps'), 12);
  assert.is(attachedLayerVersion(served('', [LAYER('fn-deps-old', 3)]), 'fn-deps'), null);
});

test.run();
