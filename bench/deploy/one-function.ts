import { GitRepo } from '../../test/harness/git-repo.js';

/** The handler of the one function, `n` telling releases apart; `padding` lines make the zip less trivial. */
export const handlerSource = (n: number, padding = 0) =>
  `def handler(event, context):\n    return ${n}\n${'# padding\n'.repeat(padding)}`;

/** A repository of one python function, `fn`, released to the AWS function lci-fn in qa. */
export function oneFunctionRepo(padding = 0): GitRepo {
  return GitRepo.create({
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
defaults: { runtime: python3.12, handler: app.handler, descriptor: false }
environments:
  qa: { branch: main }
functions:
  fn: { path: svc/fn, functionName: lci-fn }
`,
    'svc/fn/app.py': handlerSource(0, padding),
    '.gitignore': '.lci/\n',
  });
}
