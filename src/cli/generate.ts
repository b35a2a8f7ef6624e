import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadProject } from '../config/load.js';
import { ExitCode } from '../errors.js';
import { generate, writeGenerated } from '../generate/generate.js';
import type { Command } from './command.js';

interface Values {
  config?: string;
  out?: string;
  env?: string[];
  function?: string[];
  'with-functions'?: boolean;
  check?: boolean;
}

export const generateCommand: Command<Values> = {
  usage: 'lci generate [--out DIR] [--env NAME...] [--function NAME...] [--with-functions] [--check]',
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
  async run(values, _positionals, io) {
    const loaded = await loadProject({ cwd: io.cwd, config: values.config });
    const outDir = resolve(loaded.project.dir, values.out ?? 'infra/lambda-ci');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const { files, warnings } = await generate(loaded, { envs: values.env ?? [], functions: values.function ?? [], withFunctions: values['with-functions'] === true, lciVersion: pkg.version });
    for (const w of warnings) io.err(`lci: warning: ${w}`);
    const result = await writeGenerated(outDir, files, values.check === true);
    const shown = relative(io.cwd, outDir) || '.';
    const changes = [...result.written.map((f) => `${values.check ? 'would write' : 'wrote'} ${shown}/${f}`), ...result.removed.map((f) => `${values.check ? 'would remove' : 'removed'} ${shown}/${f}`)];
    if (values.check) {
      if (changes.length === 0) io.out(`${shown}: up to date (${files.length} files)`);
      else io.out([`${shown}: ${changes.length} file(s) out of date; run lci generate`, ...changes].join('\n'));
      return changes.length === 0 ? ExitCode.ok : ExitCode.failed;
    }
    io.out([...changes, `${shown}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed`].join('\n'));
    return ExitCode.ok;
  },
};
