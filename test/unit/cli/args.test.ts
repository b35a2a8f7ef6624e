import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCommand } from '../../../src/cli/args.js';
import { isCI } from '../../../src/cli/progress/ci.js';

test('the command is the first word that is not an option or a global option value', () => {
  assert.equal(findCommand(['--debug', 'validate']), { name: 'validate', rest: ['--debug'] });
  assert.equal(findCommand(['-c', 'x.yaml', 'plan', '--base', 'main']), {
    name: 'plan',
    rest: ['-c', 'x.yaml', '--base', 'main'],
  });
  assert.equal(findCommand(['--config', 'plan', 'deploy']), { name: 'deploy', rest: ['--config', 'plan'] });
  assert.equal(findCommand(['--json']), { name: undefined, rest: ['--json'] });
});

test('CI: any truthy CI, or CodeBuild and GitHub Actions variables', () => {
  for (const env of [
    { CI: '1' },
    { CI: 'true' },
    { CI: 'TRUE' },
    { CI: 'yes' },
    { CODEBUILD_BUILD_ID: 'p:1' },
    { GITHUB_ACTIONS: 'true' },
  ])
    assert.ok(isCI(env), JSON.stringify(env));
  for (const env of [{}, { CI: '' }, { CI: '0' }, { CI: 'false' }]) assert.not.ok(isCI(env), JSON.stringify(env));
});

test.run();
