import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('examples/basic (the README quick start)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('starts, lists its jobs with owners, retries the failing job, and stops cleanly on SIGTERM', async function () {
    this.timeout(30_000);
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx/esm', 'examples/basic/src/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const deadline = Date.now() + 20_000;
    while (!output.includes('example service listening')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`example did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const jobs = (await (await fetch(`http://127.0.0.1:${port}/jobs`)).json()) as {
      name: string;
      owner: string;
      runbook: string;
    }[];
    assert.deepEqual(
      jobs.map((j) => [j.name, j.owner]),
      [
        ['Reports.dailyDigest', 'data-team'],
        ['Inventory.sync', 'platform-team'],
        ['Billing.chargeInvoices', 'billing-team'],
      ],
    );
    assert.ok(jobs.every((j) => j.runbook.length > 10));
    const run = await fetch(`http://127.0.0.1:${port}/jobs/Billing.chargeInvoices/run`, { method: 'POST' });
    assert.deepEqual(await run.json(), { outcome: 'success' });
    assert.match(output, /Billing.chargeInvoices attempt failed .*"attempt":1.*"willRetry":true/);
    assert.match(output, /invoices charged .*"attempt":2/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(output, /shutting down/);
    assert.match(output, /bye/);
  });
});
