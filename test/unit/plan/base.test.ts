import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../../src/errors.js';
import { chooseBase, ZERO_SHA } from '../../../src/plan/base.js';

const event = (body: unknown) => (path: string) => {
  assert.is(path, '/event.json');
  return { ok: true as const, data: Buffer.from(JSON.stringify(body)) };
};

test('the flag wins over LCI_BASE, which wins over the CI variables', () => {
  const env = { LCI_BASE: 'lci', CODEBUILD_WEBHOOK_PREV_COMMIT: 'cb', GITHUB_EVENT_PATH: '/event.json' };
  assert.equal(chooseBase('flag', env, event({ before: 'gh' })), { rev: 'flag', from: '--base', typed: true });
  assert.equal(chooseBase(undefined, env, event({ before: 'gh' })), { rev: 'lci', from: 'LCI_BASE', typed: true });
  assert.equal(chooseBase(undefined, { ...env, LCI_BASE: '' }, event({ before: 'gh' })), {
    rev: 'cb',
    from: 'CODEBUILD_WEBHOOK_PREV_COMMIT',
    typed: false,
  });
});

test('GitHub: the pull request base first, else the push before', () => {
  const env = { GITHUB_EVENT_PATH: '/event.json' };
  assert.equal(chooseBase(undefined, env, event({ pull_request: { base: { sha: 'pr' } }, before: 'x' })), {
    rev: 'pr',
    from: 'GitHub pull_request base',
    typed: false,
  });
  assert.equal(chooseBase(undefined, env, event({ before: 'push' })), {
    rev: 'push',
    from: 'GitHub push before',
    typed: false,
  });
});

test('nothing: no base; an event without a base: no base', () => {
  assert.is(chooseBase(undefined, {}), null);
  assert.is(chooseBase(undefined, { GITHUB_EVENT_PATH: '/event.json' }, event({ inputs: {} })), null);
});

test('an event file that cannot be read, or is not JSON, is a usage error naming GITHUB_EVENT_PATH', () => {
  const env = { GITHUB_EVENT_PATH: '/event.json' };
  assert.throws(
    () => chooseBase(undefined, env, () => ({ ok: false, kind: 'missing', problem: 'does not exist' })),
    (e: Error) => e instanceof UsageError && /^GITHUB_EVENT_PATH=\/event\.json does not exist; /.test(e.message),
  );
  assert.throws(
    () => chooseBase(undefined, env, () => ({ ok: true, data: Buffer.from('{') })),
    (e: Error) => e instanceof UsageError && /^GITHUB_EVENT_PATH=\/event\.json is not JSON/.test(e.message),
  );
});

test('the all-zero sha of new branches, in SHA-1 and SHA-256 repositories', () => {
  assert.ok(ZERO_SHA.test('0'.repeat(40)));
  assert.ok(ZERO_SHA.test('0'.repeat(64)));
  assert.not.ok(ZERO_SHA.test(`${'0'.repeat(39)}1`));
});

test.run();
