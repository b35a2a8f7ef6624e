import { availableParallelism } from 'node:os';
import { ExitCode, UsageError } from '../errors.js';
import { buildJson, buildText } from '../report/build.js';
import type { Command } from './command.js';
import { MAX_CONCURRENCY, parseConcurrency } from './concurrency.js';
import { reportFailures } from './failures.js';
import { loadWithProgress } from './load.js';

interface Values {
  affected?: boolean;
  base?: string;
  head?: string;
  env?: string;
  concurrency?: string;
}

export const buildCommand: Command<Values> = {
  name: 'build',
  summary:
    'Build code zips and dependency layers into .lci/dist/<function>/ (app.zip, deps.zip, manifest.json), without touching AWS.',
  usage: 'lci build [FUNCTION...] [--affected [--base REV] [--head REV]] [--env NAME] [--concurrency N] [--json]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: {
    affected: { type: 'boolean' },
    base: { type: 'string' },
    head: { type: 'string' },
    env: { type: 'string', short: 'e' },
    concurrency: { type: 'string', short: 'j' },
  },
  help: [
    ['FUNCTION...', 'build these functions (default: every function)'],
    ['--affected', 'only the functions `lci plan` finds affected (with --base/--head as for plan)'],
    ['-e, --env NAME', 'build as configured for this environment (LCI_ENV)'],
    [
      '-j, --concurrency N',
      `functions built at once, 1 to ${MAX_CONCURRENCY} (default: number of cores, here ${availableParallelism()})`,
    ],
  ],
  async run(ctx) {
    const { values, positionals, globals, io } = ctx;
    const concurrency = parseConcurrency(values.concurrency);
    if ((values.base || values.head) && !values.affected)
      throw new UsageError('--base and --head only apply with --affected');
    const progress = ctx.progress();
    const {
      loaded,
      modules: { build },
    } = await loadWithProgress(ctx, progress, () => import('../artifacts/build.js'));
    const affected = values.affected ? { base: values.base, head: values.head, environ: io.env } : null;
    const result = await build(
      loaded,
      { names: positionals, affected, env: values.env, concurrency, signal: io.signal },
      progress,
    );
    const failed = (result.functions ?? []).flatMap((f) =>
      f.status === 'FAILED' ? [{ name: f.name, error: f.error, cause: f.cause }] : [],
    );
    io.out(globals.json ? buildJson(result, io.cwd) : buildText(result, io.cwd));
    // A shared layer's failure once, before the functions it stopped.
    for (const l of result.layers) if (l.status === 'FAILED') io.err(`lci: shared layer ${l.name}: ${l.error}`);
    reportFailures(ctx, failed);
    return failed.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
};
