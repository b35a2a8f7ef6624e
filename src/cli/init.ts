import { ExitCode, UsageError } from '../errors.js';
import { init } from '../init/init.js';
import type { EnvChoice } from '../init/map.js';
import { SOURCE_KINDS, type SourceKind } from '../init/model.js';
import { initJson, initText } from '../report/init.js';
import { AWS_HELP, AWS_OPTIONS, type AwsValues, awsOptions } from './aws-flags.js';
import type { Command } from './command.js';

interface Values extends AwsValues {
  'dry-run'?: boolean;
  force?: boolean;
  from?: string;
  'qa-branch'?: string;
  'prod-tag'?: string;
  'env-names'?: string;
  bucket?: string;
  aws?: boolean;
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,31}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

export const initCommand: Command<Values> = {
  name: 'init',
  summary:
    'Write a first lambdas.yaml from the SAM/CloudFormation templates, serverless.yml or Terraform the repository has, and validate it.',
  usage:
    'lci init [--dry-run] [--force] [--from sam|serverless|terraform|auto] [--qa-branch main] [--prod-tag "v*"] [--env-names qa,prod] [--bucket NAME] [--aws [--profile P] [--region R] [--endpoint-url URL]] [--json]',
  options: {
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    from: { type: 'string' },
    'qa-branch': { type: 'string' },
    'prod-tag': { type: 'string' },
    'env-names': { type: 'string' },
    bucket: { type: 'string' },
    aws: { type: 'boolean' },
    ...AWS_OPTIONS,
  },
  help: [
    ['--dry-run', 'print the config on stdout (the report on stderr) and write nothing'],
    ['-c, --config FILE', 'where to write (a global option; default lambdas.yaml in the working directory)'],
    ['--force', 'replace an existing config (without it, an existing one is an error, exit 2)'],
    ['--from KIND', 'sam, serverless or terraform: read only that kind (default auto: every kind found)'],
    ['--qa-branch B', 'the branch the first environment deploys from (default main)'],
    ['--prod-tag T', 'the tag glob the second environment deploys from (default v*)'],
    ['--env-names A[,B]', "the environments' names (default qa,prod); one name: only the branch environment"],
    ['--bucket NAME', "artifacts.bucket (default: the sources' deployment bucket, else a placeholder to change)"],
    [
      '--aws',
      'read the account: real function names per environment (ListFunctions; ListTags for CloudFormation names)',
    ],
    ...AWS_HELP,
  ],
  async run({ values, globals, io }) {
    const from = values.from ?? 'auto';
    if (from !== 'auto' && !(SOURCE_KINDS as readonly string[]).includes(from))
      throw new UsageError(`--from ${from}: one of ${[...SOURCE_KINDS, 'auto'].join(', ')}`);
    if (values.aws !== true && (values.profile || values['endpoint-url']))
      throw new UsageError('--profile and --endpoint-url are for --aws; add --aws to read the account');
    const result = await init({
      cwd: io.cwd,
      config: globals.config,
      from: from as SourceKind | 'auto',
      force: values.force === true,
      dryRun: values['dry-run'] === true,
      envs: envChoice(values),
      bucket: values.bucket ?? null,
      region: values.region ?? null,
      aws: values.aws ? awsOptions(values, io.env) : null,
    });
    if (globals.json) io.out(initJson(result));
    else if (result.dryRun) {
      if (result.plan.functions.length > 0) io.out(result.text.trimEnd());
      io.err(initText(result));
    } else io.out(initText(result));
    return result.plan.functions.length === 0 || result.problems.length > 0 ? ExitCode.badInput : ExitCode.ok;
  },
};

function envChoice(values: Values): EnvChoice {
  const names = (values['env-names'] ?? 'qa,prod').split(',').map((n) => n.trim());
  if (names.length < 1 || names.length > 2 || names.some((n) => !ENV_NAME.test(n)) || names[0] === names[1])
    throw new UsageError(
      `--env-names ${values['env-names']}: one or two different names (lowercase letters, digits, dashes; e.g. qa,prod)`,
    );
  if (!names[1] && values['prod-tag'] !== undefined)
    throw new UsageError(`--prod-tag: --env-names ${values['env-names']} declares no tag environment; give two names`);
  const branch = values['qa-branch'] ?? 'main';
  const tag = values['prod-tag'] ?? 'v*';
  for (const [flag, v] of [
    ['--qa-branch', branch],
    ['--prod-tag', tag],
  ] as const)
    if (v === '' || v.length > 255 || CONTROL.test(v))
      throw new UsageError(`${flag}: a glob of 1 to 255 characters without control characters`);
  return { branch: { name: names[0]!, branch }, tag: names[1] ? { name: names[1], tag } : null };
}
