import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codebuildTimeoutMinutes } from '../../../src/generate/codebuild-timeout.js';
import { projectOf } from '../../harness/project.js';

const config = (fn: string, layer = '') => `version: 1
artifacts: { bucket: acme-artifacts }
environments: { qa: { branch: main } }
layers:
  common:
    path: layers/common
    runtimes: [python3.12]
${layer}
functions:
  fn:
    path: services/fn
${fn}
`;

const minutes = (fn: string, layer = '') =>
  codebuildTimeoutMinutes(projectOf(config(fn, layer)).functions.fn!.envs.qa!);

test('the default build.timeout (15m) keeps the 30 minutes every generated project had', () => {
  assert.equal(minutes(''), { minutes: 30, capped: false });
  assert.equal(minutes('    build: { timeout: 90s }'), { minutes: 30, capped: false });
});

test('the longest build.timeout of the function and its shared layers, plus 15 minutes', () => {
  assert.equal(minutes('    build: { timeout: 40m }'), { minutes: 55, capped: false });
  assert.equal(minutes('    build: { timeout: 1h }'), { minutes: 75, capped: false });
  // the layer's is longer, but only when the function uses the layer
  assert.equal(minutes('    build: { timeout: 20m }', '    build: { timeout: 2h }'), { minutes: 35, capped: false });
  assert.equal(minutes('    build: { timeout: 20m }\n    layers: [common]', '    build: { timeout: 2h }'), {
    minutes: 135,
    capped: false,
  });
  assert.equal(minutes('    build: { timeout: 1801s }'), { minutes: 46, capped: false }); // a started minute counts
});

test("CodeBuild's 36 hours are the most", () => {
  assert.equal(minutes('    build: { timeout: 36h }'), { minutes: 2160, capped: true });
  assert.equal(minutes('    build: { timeout: 2145m }'), { minutes: 2160, capped: false });
});

test.run();
