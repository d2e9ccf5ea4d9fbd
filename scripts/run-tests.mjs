// Runs every test suite of the repository in one mocha run (TypeScript through tsx, workspace
// packages resolved to their sources), ending with the `N passed, N failed` line CI reads.
// TZ defaults to an odd zone (UTC+12:45/+13:45) so no test can lean on the machine's zone.
// Extra arguments go to mocha, e.g. `npm test -- packages/core/test/cron.test.ts`; `--quick` picks the
// fast subset (below).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mocha = require.resolve('mocha/bin/mocha.js');
// `--quick` (npm run test:quick): unit tests and the store contract tests only; no fault suite,
// no extension end-to-end test, no packed tarballs, no examples, no real Nest app builds, no Prometheus.
const quick = process.argv.includes('--quick');
const args = process.argv.slice(2).filter((a) => a !== '--quick');
const QUICK = ['packages/*/test/**/*.test.ts', 'extension/test/**/*.test.ts', 'test/stores/**/*.test.ts'];
const QUICK_IGNORE = ['packages/nestjs/test/nestjs.test.ts'];
const specs = args.some((a) => !a.startsWith('-'))
  ? []
  : quick
    ? QUICK
    : ['packages/*/test/**/*.test.ts', 'extension/test/**/*.test.ts', 'test/**/*.test.ts'];
const ignores = quick ? QUICK_IGNORE.flatMap((glob) => ['--ignore', glob]) : [];

const result = spawnSync(
  process.execPath,
  [
    // ESM only: tsx's CommonJS hook would load a second copy of each module when mocha require()s
    // a test file, so classes (errors, decorators' registry) would differ between copies.
    '--import',
    'tsx/esm',
    '--conditions=tickwise-source',
    mocha,
    '--reporter',
    './scripts/summary-reporter.cjs',
    '--timeout',
    '20000',
    '--forbid-only',
    // The e2e harness installs code-server into test/e2e/node_modules: never run its tests.
    '--ignore',
    'test/e2e/node_modules/**',
    ...ignores,
    ...specs,
    ...args,
  ],
  { stdio: 'inherit', env: { ...process.env, TZ: process.env.TZ ?? 'Pacific/Chatham' } },
);
process.exit(result.status ?? 1);
