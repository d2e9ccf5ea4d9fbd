// Mocha reporter: the spec reporter's output, then one closing line `N passed, N failed, N skipped`
// that CI reads (mocha's own summary is not in that form).
'use strict';
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    runner.on(EVENT_TEST_PASS, () => passed++);
    runner.on(EVENT_TEST_FAIL, () => failed++);
    runner.on(EVENT_TEST_PENDING, () => skipped++);
    // After the spec reporter's epilogue (registered first), so this is the last line printed.
    runner.once(EVENT_RUN_END, () => {
      process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
      watchForLeftovers();
    });
  }
}

// A test that leaves a socket, a child process or a timer behind keeps Node alive after the run,
// and CI then hangs until its time limit with every test green. Name what is left and fail fast
// instead. The timer is unref'd, so it fires only when something else holds the process open.
const LEFTOVER_GRACE_MS = 10_000;

function watchForLeftovers() {
  setTimeout(() => {
    const described = process._getActiveHandles().map(describeHandle).filter(Boolean);
    process.stderr.write(
      `\nThe test run ended ${LEFTOVER_GRACE_MS / 1000} s ago but Node is still held open by:\n` +
        `  resources: ${process.getActiveResourcesInfo().join(', ')}\n` +
        described.map((line) => `  ${line}\n`).join('') +
        'A test did not close what it opened (a store, a server, a child process). Exiting with failure.\n',
    );
    // Mocha sets the exit code to its failure count in an 'exit' listener; this one runs after it.
    process.on('exit', () => {
      process.exitCode = 1;
    });
    process.exit(1);
  }, LEFTOVER_GRACE_MS).unref();
}

function describeHandle(handle) {
  const kind = handle?.constructor?.name ?? typeof handle;
  if (kind === 'ChildProcess') return `child process ${handle.pid}: ${handle.spawnargs.join(' ')}`;
  if (kind === 'Socket') {
    if (handle.remotePort) return `socket to ${handle.remoteAddress}:${handle.remotePort}`;
    if (handle.fd === 1 || handle.fd === 2) return null;
    return `socket (fd ${handle._handle?.fd ?? '?'})`;
  }
  if (kind === 'Server') return `server listening on ${JSON.stringify(handle.address())}`;
  return kind;
}

module.exports = SummaryReporter;
