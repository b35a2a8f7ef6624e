import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { awsProviderConstraint } from '../../../src/generate/provider-version.js';

test('functions on runtimes provider 5.x knows keep the lowest constraint', () => {
  assert.equal(awsProviderConstraint(['python3.13', 'nodejs22.x', 'provided.al2023']), {
    constraint: '>= 5.40, < 7',
    raisedBy: [],
  });
  assert.equal(awsProviderConstraint([]).constraint, '>= 5.40, < 7');
});

test('nodejs24.x or python3.14 raise it to the first provider that accepts them, and are named', () => {
  assert.equal(awsProviderConstraint(['nodejs24.x', 'python3.12', 'nodejs24.x', 'python3.14']), {
    constraint: '>= 6.20.0, < 7',
    raisedBy: ['nodejs24.x', 'python3.14'],
  });
});

test.run();
