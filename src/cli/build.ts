import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { DependencyBuilder, buildFunction, type FunctionArtifacts } from '../build/build.js';
import { dockerClient } from '../build/docker.js';
import { buildTargets } from '../build/targets.js';
import { loadProject } from '../config/load.js';
import { ExitCode, LciError, UsageError } from '../errors.js';
import { humanBytes } from '../package/limits.js';
import type { Command, Io } from './command.js';
import { selectNames, workspaceOf } from './shared.js';
import { parseConcurrency, runTasks } from './tasks.js';

interface Values {
  config?: string;
  affected?: boolean;
  base?: string;
  head?: string;
  env?: string;
  concurrency?: string;
  json?: boolean;
}

export const buildCommand: Command<Values> = {
  usage: 'lci build [FUNCTION...] [--affected [--base REV] [--head REV]] [--env NAME] [--concurrency N] [--json]',
  allowPositionals: true,
  options: {
    affected: { type: 'boolean' },
    base: { type: 'string' },
    head: { type: 'string' },
    env: { type: 'string', short: 'e' },
    concurrency: { type: 'string', short: 'j' },
    json: { type: 'boolean' },
  },
  help: [
    ['FUNCTION...', 'build these functions (default: every function)'],
    ['--affected', 'only the functions `lci plan` finds affected (with --base/--head as for plan)'],
    ['-e, --env NAME', 'build as configured for this environment'],
    ['-j, --concurrency N', `functions built at once (default: number of cores, here ${availableParallelism()})`],
    ['--json', 'print the artifacts as JSON instead of progress'],
  ],
  async run(values, positionals, io) {
    const concurrency = parseConcurrency(values.concurrency);
    if ((values.base || values.head) && !values.affected) throw new UsageError('--base and --head only apply with --affected');
    const loaded = await loadProject({ cwd: io.cwd, config: values.config });
    const names = await selectNames(positionals, values.affected, { cwd: io.cwd, config: values.config, base: values.base, head: values.head, env: values.env, environ: io.env });
    if (names === null) {
      io.out(values.json ? JSON.stringify({ functions: [] }, null, 2) : 'nothing to build: no function is affected');
      return ExitCode.ok;
    }
    const targets = buildTargets(loaded.project, names, values.env);
    const ws = workspaceOf(loaded);
    const deps = new DependencyBuilder(ws, dockerClient);
    const built = new Map<string, FunctionArtifacts>();
    const failed = new Map<string, Error>();
    await runTasks(
      targets.map((r) => ({
        name: r.name,
        run: async (report) => {
          try {
            const a = await buildFunction(r, ws, deps, report);
            built.set(r.name, a);
            return describe(a);
          } catch (e) {
            failed.set(r.name, e as Error);
            throw e;
          }
        },
      })),
      { concurrency, failFast: false, json: values.json === true, env: io.env },
    );
    if (values.json) io.out(JSON.stringify(buildJson(targets.map((r) => r.name), built, failed, io), null, 2));
    else if (failed.size === 0) io.out(`built ${built.size} function${built.size === 1 ? '' : 's'} into ${relative(io.cwd, join(ws.stateDir, 'dist')) || '.'}`);
    for (const [name, e] of failed) io.err(`lci: function ${name}: ${e instanceof LciError ? e.message : `unexpected error: ${e.message}`}`);
    return failed.size > 0 ? ExitCode.failed : ExitCode.ok;
  },
};

function describe(a: FunctionArtifacts): string {
  const code = `code ${a.code.sha256.slice(0, 10)} ${humanBytes(a.code.bytes)}`;
  const deps = a.deps ? `deps ${a.deps.source} ${a.deps.key.slice(0, 10)} ${humanBytes(a.deps.bytes)}` : 'no dependencies';
  return `${code}, ${deps}`;
}

function buildJson(order: string[], built: Map<string, FunctionArtifacts>, failed: Map<string, Error>, io: Io) {
  const rel = (p: string) => relative(io.cwd, p);
  return {
    functions: order.map((name) => {
      const a = built.get(name);
      if (!a) return { name, status: 'failed', error: failed.get(name)?.message ?? 'not built' };
      const zip = (z: FunctionArtifacts['code']) => ({ path: rel(z.path), sha256: z.sha256, bytes: z.bytes, unzippedBytes: z.unzippedBytes, entries: z.entries });
      return {
        name,
        status: 'built',
        env: a.env,
        code: zip(a.code),
        deps: a.deps ? { ...zip(a.deps), key: a.deps.key, source: a.deps.source } : null,
        manifest: rel(a.manifest),
      };
    }),
  };
}
