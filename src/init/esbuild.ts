import type { RepoFacts } from './plan.js';
import { type DeclaredFunction, repoJoin } from './model.js';

/** SAM's and serverless-esbuild's bundling, as one build.command run in lci's build container. */
export function esbuildCommand(
  df: DeclaredFunction,
  facts: RepoFacts,
): { command: string; output: string } | { problem: string } {
  const b = df.build!;
  if (b.entryPoints.length === 0)
    return { problem: 'built with esbuild, but no entry point lci init can read (BuildProperties.EntryPoints)' };
  const here = (f: string) => repoJoin(df.codeDir, f);
  if (!facts.isTracked(here('package.json')))
    return { problem: 'built with esbuild, but there is no package.json beside the code to install esbuild from' };
  const values = [...b.entryPoints, ...b.external, b.target ?? ''];
  if (values.some((v) => /[\r\n\0]/.test(v))) return { problem: 'an esbuild setting holds a line break' };
  const output = facts.subdirs(df.codeDir).includes('dist') ? '.lci-dist' : 'dist';
  const install = facts.isTracked(here('package-lock.json'))
    ? 'npm ci --no-audit --no-fund'
    : 'npm install --no-audit --no-fund';
  const args = [
    ...b.entryPoints.map(shellWord),
    '--bundle',
    '--platform=node',
    `--outdir=${output}`,
    ...(b.keepPaths ? ['--outbase=.'] : []),
    ...(b.target ? [`--target=${shellWord(b.target)}`] : []),
    ...(b.minify ? ['--minify'] : []),
    ...(b.sourcemap ? ['--sourcemap'] : []),
    ...b.external.map((x) => `--external:${shellWord(x)}`),
  ];
  return { command: `${install} && npx --no-install esbuild ${args.join(' ')}`, output };
}

/** One word for sh: as it is when plain, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
