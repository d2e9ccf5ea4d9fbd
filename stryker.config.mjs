// Stryker configuration for `npm run mutation` (scripts/mutation.mjs); not part of CI.
// One group of source files per Stryker run, each with the few test files that exercise it: the
// `command` runner (see docs/decisions.md) runs the whole command once per mutant, so the smaller
// the test set, the faster the run. Pick a group with TICKWISE_MUTATION_GROUP.
import { MUTATION_GROUPS } from './scripts/mutation-groups.mjs';

const name = process.env.TICKWISE_MUTATION_GROUP ?? 'steps';
const group = MUTATION_GROUPS[name];
if (!group) throw new Error(`unknown mutation group "${name}": ${Object.keys(MUTATION_GROUPS).join(', ')}`);
// `npm run mutation -- --survivors` re-tests only the mutants that survived last time (ranges).
const mutate = process.env.TICKWISE_MUTATION_MUTATE ? JSON.parse(process.env.TICKWISE_MUTATION_MUTATE) : group.mutate;
const reportName = process.env.TICKWISE_MUTATION_REPORT ?? name;

// The build command runs in the sandbox and reads the repository root from here.
process.env.TICKWISE_MUTATION_ROOT = process.cwd();

export default {
  testRunner: 'command',
  // --bail: a killed mutant needs only its first failing test. --timeout 3000 (the suite's is 20 s):
  // these tests run on a VirtualClock in milliseconds, and a mutant that leaves a promise pending
  // should fail fast rather than wait for Stryker's timeout.
  commandRunner: { command: `node scripts/run-tests.mjs --bail --timeout 3000 ${group.tests.join(' ')}` },
  mutate,
  // The sandbox gets its own node_modules whose @tickwise/* point at the sandbox's packages.
  symlinkNodeModules: false,
  buildCommand: 'node scripts/mutation-sandbox.mjs',
  ignorePatterns: [
    '/extension',
    '/examples',
    '/bench',
    '/docs',
    '/api',
    '/test/e2e',
    '/test/apps',
    '/test-results',
    'dist',
  ],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  coverageAnalysis: 'off',
  concurrency: 1,
  // A mutant that loops (e.g. a retry delay that stops growing on a VirtualClock) is cut short.
  timeoutMS: 4000,
  reporters: ['clear-text', 'json', 'html', 'progress-append-only'],
  jsonReporter: { fileName: `reports/mutation/${reportName}.json` },
  htmlReporter: { fileName: `reports/mutation/${reportName}.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
};
