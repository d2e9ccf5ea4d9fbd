// Bundles core's entry points (., ./schedule, ./options, ./testing, ./store-tests, ./telemetry, ./store) into dist/
// with esbuild, code shared between them split into dist/chunks/ so each class exists once (a
// ScheduleError from '@tickwise/core/schedule' is the one '@tickwise/core' exports). Why: Node's
// ESM loader pays per module file, and core is ~60 small modules: one file per entry point plus
// shared chunks halves import time (measured in bench/schedule/import-time.ts; docs/decisions.md).
// tsc still writes the declarations (tsconfig.build.json, emitDeclarationOnly). Not minified: stack
// traces stay readable.
import { build } from 'esbuild';

await build({
  entryPoints: [
    'src/index.ts',
    'src/schedule/index.ts',
    'src/options/index.ts',
    'src/testing/index.ts',
    'src/store-tests/index.ts',
    'src/telemetry/index.ts',
    'src/store/index.ts',
  ],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies (p-retry, @opentelemetry/api) and the copied cronstrue stay imports of their own.
  packages: 'external',
  external: ['#cronstrue'],
  // ES modules have no `require`: the lazy loads (cronstrue, @opentelemetry/api) then take their
  // createRequire branch instead of esbuild's require shim, which would throw.
  define: { require: 'undefined' },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
