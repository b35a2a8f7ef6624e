import type { LoadedProject } from '../config/load.js';
import { formatDiagnostic } from '../errors.js';
import type { ProgressSink } from '../progress.js';
import { plural } from '../report/table.js';
import type { RunContext } from './command.js';

/**
 * The config, for a command that shows progress: a first line at once (a large config takes a
 * second to read, the AWS SDK as long to load), another when it is read, then its warnings.
 * The loader and `load` (the command's own modules) are imported meanwhile.
 */
export async function loadWithProgress<T>(
  ctx: RunContext<unknown>,
  progress: ProgressSink,
  load: () => Promise<T>,
): Promise<{ loaded: LoadedProject; modules: T }> {
  progress.status(`reading ${ctx.globals.config ?? 'lambdas.yaml'}`);
  const [loaded, modules] = await Promise.all([
    import('../config/load.js').then(({ loadProject }) => loadProject({ cwd: ctx.io.cwd, config: ctx.globals.config })),
    load(),
  ]);
  for (const w of loaded.warnings()) ctx.warn(formatDiagnostic(w));
  const { functions, environments } = loaded.project;
  progress.status(
    `${loaded.source.displayPath}: ${plural(Object.keys(functions).length, 'function')}, ${plural(Object.keys(environments).length, 'environment')}`,
  );
  return { loaded, modules };
}
