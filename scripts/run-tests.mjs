// Runs every test suite of the repository in one mocha run (TypeScript through tsx, workspace
// packages resolved to their sources), ending with the `N passed, N failed` line CI reads.
// TZ defaults to an odd zone (UTC+12:45/+13:45) so no test can lean on the machine's zone.
// Extra arguments go to mocha, e.g. `npm test -- packages/core/test/cron.test.ts`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mocha = require.resolve('mocha/bin/mocha.js');
const args = process.argv.slice(2);
const specs = args.some((a) => !a.startsWith('-'))
  ? []
  : ['packages/*/test/**/*.test.ts', 'extension/test/**/*.test.ts', 'test/**/*.test.ts'];

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
    ...specs,
    ...args,
  ],
  { stdio: 'inherit', env: { ...process.env, TZ: process.env.TZ ?? 'Pacific/Chatham' } },
);
process.exit(result.status ?? 1);
