import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RUNTIME_TABLE, RUNTIMES, runtimeProblem, runtimeStatus } from '../../../src/config/runtimes.js';

test("lambda-ci.schema.json's runtime enum is the table, in its order", () => {
  const schema = JSON.parse(readFileSync(new URL('../../../lambda-ci.schema.json', import.meta.url), 'utf8')) as {
    definitions: { runtime: { enum: string[] } };
  };
  assert.equal(schema.definitions.runtime.enum, [...RUNTIMES]);
});

test('the current runtimes AWS lists are in, with dates in order: deprecated, then creates blocked, then updates', () => {
  for (const id of [
    'nodejs24.x',
    'python3.14',
    'nodejs22.x',
    'python3.13',
    'provided.al2023',
    'provided.al2',
    'python3.8',
    'nodejs16.x',
  ])
    assert.ok((RUNTIMES as readonly string[]).includes(id), id);
  for (const r of RUNTIME_TABLE) {
    assert.ok(r.deprecated <= r.blockCreate && r.blockCreate <= r.blockUpdate, r.id);
    assert.match(r.blockUpdate, /^\d{4}-\d{2}-\d{2}$/);
  }
});

test('supported until its deprecation date; deprecated (a warning naming the block date) until updates are blocked; then an error', () => {
  assert.equal(runtimeStatus('python3.8', '2024-10-13'), { state: 'supported' });
  assert.is(runtimeProblem('python3.14', '2026-12-01'), null);
  const warning = runtimeProblem('python3.8', '2026-12-01')!;
  assert.is(warning.severity, 'warning');
  assert.is(
    warning.message,
    'python3.8 is deprecated since 2024-10-14: AWS blocks updates of python3.8 functions from 2027-03-03 (new ones from 2027-02-01); move to python3.14',
  );
  assert.is(runtimeStatus('python3.8', '2027-03-02').state, 'deprecated');
  const error = runtimeProblem('python3.8', '2027-03-03')!;
  assert.is(error.severity, 'error');
  assert.is(
    error.message,
    'python3.8 can no longer be deployed: AWS blocks updates of python3.8 functions since 2027-03-03; move to python3.14',
  );
  assert.match(runtimeProblem('nodejs16.x', '2026-12-01')!.message, /move to nodejs24\.x$/);
  assert.match(runtimeProblem('provided.al2', '2026-12-01')!.message, /move to provided\.al2023$/);
});

test('the successor is the newest runtime of the family not deprecated that day, else the newest of the family', () => {
  assert.is((runtimeStatus('nodejs20.x', '2027-05-01') as { successor: string }).successor, 'nodejs24.x');
  const later = runtimeStatus('nodejs20.x', '2028-05-01'); // nodejs24.x itself is deprecated from 2028-04-30
  assert.is(later.state, 'blocked');
  assert.is((later as { successor: string }).successor, 'nodejs24.x');
});

test.run();
