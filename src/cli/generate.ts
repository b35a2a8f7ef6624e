import { generate } from '../generate/write.js';
import { loadProject } from '../config/load.js';
import { MAX_SHARDS } from '../deploy/shard.js';
import { ExitCode, UsageError } from '../errors.js';
import { generateJson, generateText } from '../report/generate.js';
import type { Command } from './command.js';
import { parseWhole } from './numbers.js';

interface Values {
  out?: string;
  env?: string[];
  function?: string[];
  'with-functions'?: boolean;
  check?: boolean;
  layout?: string;
  shards?: string;
}

export const generateCommand: Command<Values> = {
  name: 'generate',
  summary:
    'Write the CodeBuild buildspec and the Terraform (CodeBuild, CodePipeline V2, IAM, notifications) that run lci deploy per function and environment, or per environment in shards.',
  usage:
    'lci generate [--out DIR] [--env NAME...] [--function NAME...] [--layout function|environment [--shards N]] [--with-functions] [--check] [--json]',
  options: {
    out: { type: 'string', short: 'o' },
    env: { type: 'string', short: 'e', multiple: true },
    function: { type: 'string', short: 'f', multiple: true },
    'with-functions': { type: 'boolean' },
    check: { type: 'boolean' },
    layout: { type: 'string' },
    shards: { type: 'string' },
  },
  help: [
    ['-o, --out DIR', 'where to write, relative to the config file (default infra/lambda-ci)'],
    ['-e, --env NAME', 'only these environments (repeatable)'],
    ['-f, --function NAME', 'only these functions (repeatable)'],
    [
      '--layout L',
      'function (default): a pipeline per function and environment; environment: one per environment, its functions deployed by a CodeBuild batch build',
    ],
    [
      '--shards N',
      `with --layout environment: the builds of each batch, each deploying every N-th function with 1/N of the Lambda request budget (default 4, at most ${MAX_SHARDS})`,
    ],
    ['--with-functions', 'also the functions and their aliases, codeless (Terraform never fights lci)'],
    ['--check', 'write nothing; exit 1 and list the files that would change (CI drift check)'],
  ],
  async run(ctx) {
    const { values, globals, io } = ctx;
    const layout = values.layout ?? 'function';
    if (layout !== 'function' && layout !== 'environment')
      throw new UsageError(`--layout ${layout}: function or environment`);
    const shards = values.shards === undefined ? undefined : parseWhole('--shards', values.shards, 1, MAX_SHARDS);
    const loaded = await loadProject({ cwd: io.cwd, config: globals.config });
    const result = await generate(loaded, {
      out: values.out,
      envs: values.env ?? [],
      functions: values.function ?? [],
      withFunctions: values['with-functions'] === true,
      check: values.check === true,
      layout,
      shards,
    });
    for (const w of result.warnings) ctx.warn(w);
    io.out(globals.json ? generateJson(result, io.cwd) : generateText(result, io.cwd));
    const drift = result.written.length + result.removed.length > 0;
    return result.check && drift ? ExitCode.failed : ExitCode.ok;
  },
};
