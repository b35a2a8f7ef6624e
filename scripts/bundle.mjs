// The runtime lci ships: bin/lci.js imports dist/run/, where esbuild bundles tsc's output (dist/)
// into chunks, split where lci imports lazily. Node's ESM loader then resolves, reads and
// links 58 of lci's files for a deploy instead of 142 (a one-function deploy ends 2-3 % sooner:
// docs/benchmarks.md). Packages stay external, loaded from node_modules as before. dist/run/ sits
// at the depth of dist/<dir>/, so templates/ and runtime/ resolve from a chunk as from the module;
// the source maps lead back to src/ (bin/lci.js turns them on for --debug).
import { build } from 'esbuild';

await build({
  entryPoints: {
    main: 'dist/cli/main.js',
    critical: 'dist/critical.js',
    errors: 'dist/errors.js',
    'compile-cache': 'dist/compile-cache.js',
  },
  outdir: 'dist/run',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
