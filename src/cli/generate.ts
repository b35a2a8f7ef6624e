import { generate } from '../commands/generate.js';
import { loadProject } from '../config/load.js';
import { ExitCode } from '../errors.js';
import { generateJson, generateText } from '../report/generate.js';
import type { Command } from './command.js';

interface Values {
  out?: string;
  env?: string[];
  function?: string[];
  'with-functions'?: boolean;
  check?: boolean;
}

export const generateCommand: Command<Values> = {
  name: 'generate',
  summary: 'Write the CodeBuild buildspec and the Terraform (CodeBuild, CodePipeline V2, IAM, notifications) that run lci deploy per function and environment.',
  usage: 'lci generate [--out DIR] [--env NAME...] [--function NAME...] [--with-functions] [--check] [--json]',
  options: {
    out: { type: 'string', short: 'o' },
    env: { type: 'string', short: 'e', multiple: true },
    function: { type: 'string', short: 'f', multiple: true },
    'with-functions': { type: 'boolean' },
    check: { type: 'boolean' },
  },
  help: [
    ['-o, --out DIR', 'where to write, relative to the config file (default infra/lambda-ci)'],
    ['-e, --env NAME', 'only these environments (repeatable)'],
    ['-f, --function NAME', 'only these functions (repeatable)'],
    ['--with-functions', 'also the functions and their aliases, codeless (Terraform never fights lci)'],
    ['--check', 'write nothing; exit 1 and list the files that would change (CI drift check)'],
  ],
  async run(ctx) {
    const { values, globals, io } = ctx;
    const loaded = await loadProject({ cwd: io.cwd, config: globals.config });
    const result = await generate(loaded, {
      out: values.out,
      envs: values.env ?? [],
      functions: values.function ?? [],
      withFunctions: values['with-functions'] === true,
      check: values.check === true,
    });
    for (const w of result.warnings) ctx.warn(w);
    io.out(globals.json ? generateJson(result, io.cwd) : generateText(result, io.cwd));
    const drift = result.written.length + result.removed.length > 0;
    return result.check && drift ? ExitCode.failed : ExitCode.ok;
  },
};
