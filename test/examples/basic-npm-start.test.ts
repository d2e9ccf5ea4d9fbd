import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/services.js';

// `npm start` from the repository root, the way a user runs it in a terminal: its own process
// group, and Ctrl-C is SIGINT to the whole group (every npm, the shell between them, the app).
// Each npm forwards the signal once more, so the app sees it two or three times within
// milliseconds; under tsx, tsx's relay also SIGKILLed the app when it did not answer within 30 ms.
// The stop must still finish: exit code 0, the stop message printed. Repeated, since it was
// intermittent (5 of 8 under tsx).

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = 3;

describe('examples/basic under `npm start` (the README quick start)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    // The whole group: npm, its shell and the service.
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
  });

  it(`stops cleanly on Ctrl-C (SIGINT to the process group) while a job runs, ${ROUNDS} times in a row`, async function () {
    this.timeout(60_000 + ROUNDS * 30_000);
    for (let round = 1; round <= ROUNDS; round++) {
      const port = await freePort();
      const token = 'npm-start-test';
      const proc = spawn('npm', ['start'], {
        cwd: root,
        detached: true, // a new process group, as a terminal's foreground job
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '', PORT: String(port), ADMIN_TOKEN: token },
      });
      child = proc;
      let output = '';
      proc.stdout?.on('data', (chunk) => {
        output += chunk;
      });
      proc.stderr?.on('data', (chunk) => {
        output += chunk;
      });
      const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const until = async (pattern: RegExp, what: string) => {
        const deadline = Date.now() + 60_000;
        while (!pattern.test(output)) {
          if (Date.now() > deadline || proc.exitCode !== null || proc.signalCode !== null) {
            assert.fail(`round ${round}: ${what}:\n${output}`);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await until(/example service listening/, 'the example did not start');
      // Billing.chargeInvoices fails its first attempt and retries after about a second: a run in progress.
      fetch(`http://127.0.0.1:${port}/jobs/Billing.chargeInvoices/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }).catch(() => {});
      await until(/Billing\.chargeInvoices attempt failed/, 'the job did not start');
      process.kill(-(proc.pid as number), 'SIGINT');
      const [code, signal] = await exited;
      assert.deepEqual({ round, code, signal }, { round, code: 0, signal: null }, output);
      assert.match(output, /shutting down/);
      assert.match(output, /invoices charged/, 'the running job finished within the grace period');
      assert.match(output, /bye/, `round ${round}: the stop did not finish:\n${output}`);
      assert.doesNotMatch(output, /second signal/);
    }
  });
});
