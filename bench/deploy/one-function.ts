import { GitRepo } from '../../test/harness/git-repo.js';

/** The handler of the one function, `n` telling releases apart; `padding` lines make the zip less trivial. */
export const handlerSource = (n: number, padding = 0) =>
  `def handler(event, context):\n    return ${n}\n${'# padding\n'.repeat(padding)}`;

/**
 * A repository of one python function, `fn`, released to the AWS function lci-fn in qa.
 * `otherFiles`: that many more tracked files outside the function (under other/), as in a monorepo
 * where the function is one of many: git's own work (status, ls-files) grows with them.
 * `namedDescriptor`: the function names its requirements.txt (which installs nothing), as the
 * documentation's first example does, instead of `descriptor: false`.
 */
export function oneFunctionRepo(padding = 0, otherFiles = 0, namedDescriptor = false): GitRepo {
  const others: Record<string, string> = {};
  for (let i = 0; i < otherFiles; i++) others[`other/d${Math.floor(i / 500)}/f${i}.txt`] = `${i}\n`;
  return GitRepo.create({
    ...others,
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
defaults: { runtime: python3.12, handler: app.handler, descriptor: false }
environments:
  qa: { branch: main }
functions:
  fn: { path: svc/fn, functionName: lci-fn${namedDescriptor ? ', descriptor: requirements.txt' : ''} }
`,
    'svc/fn/app.py': handlerSource(0, padding),
    ...(namedDescriptor ? { 'svc/fn/requirements.txt': '# nothing to install\n' } : {}),
    '.gitignore': '.lci/\n',
  });
}
