import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { releaseDecision } from '../../../src/deploy/release-gate.js';

const SHA = 'a'.repeat(40);
const prod = { name: 'prod', branch: null, tag: 'v*' };
const qa = { name: 'qa', branch: 'main', tag: null };
const release = { name: 'release', branch: 'release/*', tag: null };

test('a tag environment releases a commit that carries a matching tag, whatever the branch', () => {
  assert.equal(releaseDecision(prod, { commit: SHA, branch: 'main', tags: ['build-7', 'v1.2.0'] }), {
    release: true,
    ref: 'tag v1.2.0',
  });
});

test('a tag environment does not release the branch head it runs on when created, nor a commit with other tags', () => {
  assert.equal(releaseDecision(prod, { commit: SHA, branch: 'main', tags: [] }), {
    release: false,
    reason: `commit ${SHA.slice(0, 12)} carries no tag; prod releases tags matching v*`,
  });
  assert.equal(releaseDecision(prod, { commit: SHA, branch: null, tags: ['build-7'] }), {
    release: false,
    reason: `commit ${SHA.slice(0, 12)} carries only build-7; prod releases tags matching v*`,
  });
});

test('a branch environment releases a run for a matching branch, and nothing else', () => {
  assert.equal(releaseDecision(qa, { commit: SHA, branch: 'main', tags: [] }), { release: true, ref: 'branch main' });
  assert.equal(releaseDecision(release, { commit: SHA, branch: 'release/2.1', tags: [] }), {
    release: true,
    ref: 'branch release/2.1',
  });
  assert.equal(releaseDecision(release, { commit: SHA, branch: 'main', tags: ['v1'] }), {
    release: false,
    reason: 'branch main does not match release/*, the branch glob of release',
  });
  assert.equal(
    releaseDecision(qa, { commit: SHA, branch: null, tags: [] }).release,
    false,
    'no branch given: no release',
  );
});

test.run();
