import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateMarker, lambdaMarkerEnvironment } from '../../../src/config/markers.js';

const py311 = lambdaMarkerEnvironment('python3.11', 'x86_64')!;
const py313 = lambdaMarkerEnvironment('python3.13', 'x86_64')!;

// Each known answer is what pip's own `packaging` (pip 23.0.1, python 3.11.2) gives for that marker.
test('markers lambdas.yaml decides are evaluated as pip evaluates them', () => {
  const cases: [string, boolean][] = [
    ['python_version == "3.13"', false],
    ['python_version < "3.10"', false],
    ['python_version > "3.9"', true],
    ['"3.8" < python_version', true],
    ['python_version == "3.11.0"', true],
    ['python_version == "3.1*"', false],
    ['python_version ~= "3.9"', true],
    ['python_version === "3.11"', true],
    ['python_version in "3.10 3.11"', true],
    ['python_full_version < "3.12"', true],
    ['python_full_version == "3.11.*"', true],
    ['python_full_version ~= "3.10.2"', false],
    ['platform_machine == "x86_64"', true],
    ['sys_platform == "linux"', true],
    ['platform_system == "Linux"', true],
    ['os_name == "posix"', true],
    ['implementation_name == "cpython"', true],
    ['platform_python_implementation == "CPython"', true],
    ['sys_platform == "linux" and python_version == "3.13"', false],
    ['(python_version == "3.13" or platform_machine == "aarch64")', false],
  ];
  for (const [marker, expected] of cases) assert.is(evaluateMarker(marker, py311), expected, marker);
});

test('what lci cannot know is unknown, never false: extras, patch levels, pre-releases, nonsense', () => {
  for (const marker of [
    'extra == "pdf"',
    'extra == "pdf" or python_version == "3.13"',
    'python_full_version >= "3.11.4"',
    'python_full_version == "3.11.4"',
    'python_version > "3.11rc1"',
    'platform_release >= "5"',
    'garbage ((',
    'python_version ~= "bad"',
  ])
    assert.is(evaluateMarker(marker, py311), null, marker);
  assert.is(evaluateMarker('extra == "pdf" and python_version == "3.13"', py311), false, 'false whatever the extra');
});

test('python_full_version is decided over every patch release of the runtime when all agree', () => {
  assert.is(evaluateMarker('python_full_version >= "3.13.0"', py313), true);
  assert.is(evaluateMarker('python_full_version ~= "3.13.0"', py313), true);
  assert.is(evaluateMarker('python_full_version != "3.13.*"', py313), false);
  assert.is(evaluateMarker('python_full_version > "3.13"', py313), null, '3.13.0 is not, 3.13.1 is');
  assert.is(evaluateMarker('python_full_version ~= "3.13.4"', py313), null);
  assert.is(lambdaMarkerEnvironment('nodejs22.x', 'x86_64'), null);
  assert.is(evaluateMarker('platform_machine == "aarch64"', lambdaMarkerEnvironment('python3.12', 'arm64')!), true);
});

test.run();
