import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startExample } from '../helpers/example-process.js';
import { freePort } from '../helpers/services.js';

describe('examples/basic (the README quick start)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('starts, lists its jobs with owners, retries the failing job, and stops cleanly on SIGTERM', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const example = startExample(['--import', 'tsx/esm', 'examples/basic/src/main.ts'], { PORT: String(port) });
    child = example.child;
    await example.until(() => example.output.includes('example service listening'), 'example did not start');
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
    assert.match(example.output, /Billing.chargeInvoices attempt failed .*"attempt":1.*"willRetry":true/);
    assert.match(example.output, /invoices charged .*"attempt":2/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(example.output, /shutting down/);
    assert.match(example.output, /bye/);
  });
});
