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
    const example = startExample(['--import', 'tsx/esm', 'examples/basic/src/main.ts'], {
      PORT: String(port),
      ADMIN_TOKEN: 'admin-s3cret',
    });
    child = example.child;
    await example.until(() => example.output.includes('example service listening'), 'example did not start');
    const { jobs } = (await (await fetch(`http://127.0.0.1:${port}/jobs`)).json()) as {
      jobs: { name: string; owner: string; runbook: string }[];
    };
    assert.deepEqual(
      jobs.map((j) => [j.name, j.owner]),
      [
        ['Reports.dailyDigest', 'data-team'],
        ['Inventory.sync', 'platform-team'],
        ['Billing.chargeInvoices', 'billing-team'],
      ],
    );
    assert.ok(jobs.every((j) => j.runbook.length > 10));
    const run = await fetch(`http://127.0.0.1:${port}/jobs/Billing.chargeInvoices/run`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-s3cret' },
    });
    assert.deepEqual(await run.json(), { outcome: 'success' });
    assert.match(example.output, /Billing.chargeInvoices attempt failed .*"attempt":1.*"willRetry":true/);
    assert.match(example.output, /invoices charged .*"attempt":2/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(example.output, /shutting down/);
    assert.match(example.output, /bye/);
  });

  it('POST …/run needs the admin token, refuses cross-site requests, and survives malformed URLs', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const example = startExample(['--import', 'tsx/esm', 'examples/basic/src/main.ts'], {
      PORT: String(port),
      ADMIN_TOKEN: 'admin-s3cret',
    });
    child = example.child;
    await example.until(() => example.output.includes('example service listening'), 'example did not start');
    const post = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', headers });
    const auth = { authorization: 'Bearer admin-s3cret' };

    const noToken = await post('/jobs/Inventory.sync/run');
    assert.equal(noToken.status, 401);
    assert.equal((await post('/jobs/Inventory.sync/run', { authorization: 'Bearer wrong' })).status, 401);
    const crossSite = await post('/jobs/Inventory.sync/run', { ...auth, 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    const otherOrigin = await post('/jobs/Inventory.sync/run', { ...auth, origin: 'https://evil.example' });
    assert.equal(otherOrigin.status, 403);
    assert.equal(otherOrigin.headers.get('access-control-allow-origin'), null, 'no CORS');
    assert.equal((await post('/jobs/Inventory.sync/run', { ...auth, origin: base })).status, 200, 'same origin');

    // The request that used to crash the example: a malformed percent-encoding in the job name.
    const malformed = await post('/jobs/%E0%A4%A/run', auth);
    assert.equal(malformed.status, 400);
    assert.equal((await post('/jobs/%E0%A4%A/run')).status, 401, 'and without a token it is refused first');
    assert.equal((await fetch(`${base}/jobs/%E0%A4%A`)).status, 404);
    assert.equal((await post('/jobs/no.such/run', auth)).status, 404);
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200, 'still serving');
    assert.equal(health.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(child.exitCode, null, example.output);
    assert.doesNotMatch(example.output, /admin-s3cret/, 'the token is never logged');
  });

  it('without ADMIN_TOKEN nobody may trigger runs over HTTP', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const example = startExample(['--import', 'tsx/esm', 'examples/basic/src/main.ts'], { PORT: String(port) });
    child = example.child;
    await example.until(() => example.output.includes('example service listening'), 'example did not start');
    const answer = await fetch(`http://127.0.0.1:${port}/jobs/Inventory.sync/run`, {
      method: 'POST',
      headers: { authorization: 'Bearer ' },
    });
    assert.equal(answer.status, 401);
    assert.match(((await answer.json()) as { error: string }).error, /set ADMIN_TOKEN/);
  });
});
