import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, requireServer } from '../helpers/services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const main = resolve(root, 'examples/nestjs/dist/main.js');

describe('examples/nestjs (compiled with tsc, as Nest apps are)', () => {
  let child: ChildProcess | undefined;
  let output = '';
  afterEach(() => child?.kill('SIGKILL'));
  before(() => {
    if (!existsSync(main)) throw new Error('examples/nestjs/dist is missing: run `npm run build` (npm test does it)');
  });

  function startExample(env: Record<string, string>): ChildProcess {
    output = '';
    const spawned = spawn(process.execPath, [main], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.stdout?.on('data', (chunk) => (output += chunk));
    spawned.stderr?.on('data', (chunk) => (output += chunk));
    return spawned;
  }

  async function until(text: string, process: ChildProcess): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!output.includes(text)) {
      if (Date.now() > deadline || process.exitCode !== null) throw new Error(`waiting for '${text}':\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  for (const store of ['memory', 'redis'] as const) {
    it(`${store} store: jobs discovered with owners, health up, run on demand, clean stop on SIGTERM`, async function () {
      this.timeout(30_000);
      if (store === 'redis') await requireServer(this, 'Redis');
      const port = await freePort();
      child = startExample({ PORT: String(port), ...(store === 'redis' && { TICKWISE_STORE: 'redis' }) });
      await until('nestjs example listening', child);
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
      assert.match(output, /inventory synced: 99 units/);
      child.kill('SIGTERM');
      const [code, signal] = await once(child, 'exit');
      // Nest's shutdown hooks close the app, then re-raise the signal.
      assert.ok(code === 0 || signal === 'SIGTERM', `exit ${code} ${signal}\n${output}`);
      assert.match(output, /tickwise: scheduler stopped \{"stillRunning":\[\]\}/);
    });
  }

  it('an invalid configured schedule stops the app at start, naming the job and the field', async function () {
    this.timeout(30_000);
    child = startExample({ PORT: String(await freePort()), DIGEST_CRON: '0 25 * * *' });
    const [code] = await once(child, 'exit');
    assert.notEqual(code, 0);
    assert.match(output, /Job 'JobsService\.digest': .*hour 25 is out of range 0-23/);
  });
});
