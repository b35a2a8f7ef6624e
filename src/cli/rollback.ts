import { explain, getAlias, listVersions, moveAlias } from '../aws/lambda.js';
import { buildTargets } from '../build/targets.js';
import { loadProject } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Command } from './command.js';
import { AWS_HELP, AWS_OPTIONS, clientsFor, type AwsValues } from './shared.js';

interface Values extends AwsValues {
  config?: string;
  env?: string;
  to?: string;
}

export const rollbackCommand: Command<Values> = {
  usage: 'lci rollback FUNCTION --env NAME [--to VERSION] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  options: { env: { type: 'string', short: 'e' }, to: { type: 'string' }, ...AWS_OPTIONS },
  help: [
    ['FUNCTION', 'the function whose alias moves back'],
    ['-e, --env NAME', 'the environment (its alias)'],
    ['--to VERSION', 'this published version (default: the version published before the current one; during a traffic shift: stop it)'],
    ...AWS_HELP,
  ],
  async run(values, positionals, io) {
    if (positionals.length !== 1) throw new UsageError('rollback takes exactly one FUNCTION');
    if (!values.env) throw new UsageError('rollback needs --env NAME');
    if (values.to !== undefined && !/^[1-9]\d*$/.test(values.to)) throw new UsageError(`--to ${values.to}: give a published version number`);
    const { project } = await loadProject({ cwd: io.cwd, config: values.config });
    const [r] = buildTargets(project, positionals, values.env);
    const aws = await clientsFor(values, io.env, project.artifacts.region);
    const name = r!.functionName;
    const alias = await getAlias(aws.lambda, name, r!.alias);
    if (!alias) throw new UsageError(`${name} has no alias ${r!.alias}: nothing to roll back`);
    const shifting = Object.keys(alias.weights).length > 0;
    let target = values.to;
    if (target === undefined) {
      if (shifting) target = alias.version;
      else {
        const published = (await listVersions(aws.lambda, name)).map((v) => v.Version!).filter((v) => /^\d+$/.test(v)).map(Number);
        const earlier = published.filter((v) => v < Number(alias.version)).sort((a, b) => b - a)[0];
        if (earlier === undefined) throw new UsageError(`${name}: no version before ${alias.version} to roll back to`);
        target = String(earlier);
      }
    }
    try {
      await moveAlias(aws.lambda, name, r!.alias, target, {}, alias.revisionId);
    } catch (e) {
      throw explain(e, `moving alias ${r!.alias} of ${name} to version ${target}`);
    }
    const from = shifting ? `${alias.version} (shifting ${Object.entries(alias.weights).map(([v, w]) => `${Math.round(w * 1000) / 10}% to ${v}`).join(', ')})` : alias.version;
    io.out(`${name}: alias ${r!.alias} moved from ${from} to ${target}`);
    return ExitCode.ok;
  },
};
