import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExampleProcess, startExample } from '../helpers/example-process.js';
import { freePort, requireServer } from '../helpers/services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = resolve(root, 'examples/nestjs/dist/main.js');

describe('examples/nestjs (compiled with tsc, as Nest apps are)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));
  before(() => {
    if (!existsSync(main)) throw new Error('examples/nestjs/dist is missing: run `npm run build` (npm test does it)');
  });

  function start(env: Record<string, string>): ExampleProcess {
    const example = startExample([main], env);
    child = example.child;
    return example;
  }

  for (const store of ['memory', 'redis'] as const) {
    it(`${store} store: jobs discovered with owners, health up, run on demand, clean stop on SIGTERM`, async function () {
      this.timeout(30_000);
      if (store === 'redis') await requireServer(this, 'Redis');
      const port = await freePort();
      const example = start({ PORT: String(port), ...(store === 'redis' && { TICKWISE_STORE: 'redis' }) });
      await example.until(
        () => example.output.includes('nestjs example listening'),
        "waiting for 'nestjs example listening'",
      );
      const base = `http://127.0.0.1:${port}`;
      const jobs = (await (await fetch(`${base}/jobs`)).json()) as { name: string; owner: string; schedule: string }[];
      assert.deepEqual(
        jobs.map((j) => [j.name, j.owner, j.schedule]),
        [
          ['JobsService.digest', 'data-team', '0 9 * * 1-5'],
          ['JobsService.syncInventory', 'platform-team', '30s'],
        ],
      );
      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      const run = await fetch(`${base}/jobs/JobsService.syncInventory/run`, { method: 'POST' });
      assert.deepEqual(await run.json(), { outcome: 'success' });
      assert.match(example.output, /inventory synced: 99 units/);
      example.child.kill('SIGTERM');
      const [code, signal] = await once(example.child, 'exit');
      // Nest's shutdown hooks close the app, then re-raise the signal.
      assert.ok(code === 0 || signal === 'SIGTERM', `exit ${code} ${signal}\n${example.output}`);
      assert.match(example.output, /tickwise: scheduler stopped \{"stillRunning":\[\]\}/);
    });
  }

  it('an invalid configured schedule stops the app at start, naming the job and the field', async function () {
    this.timeout(30_000);
    const example = start({ PORT: String(await freePort()), DIGEST_CRON: '0 25 * * *' });
    const [code] = await once(example.child, 'exit');
    assert.notEqual(code, 0);
    assert.match(example.output, /Job 'JobsService\.digest': .*hour 25 is out of range 0-23/);
  });
});
