import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireServer } from '../helpers/services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

describe('examples/replicas (three processes sharing a store)', function () {
  this.timeout(60_000);

  for (const backend of ['redis', 'postgres'] as const) {
    it(`${backend}: prints each tick once, from one of the replicas`, async function () {
      await requireServer(this, backend === 'redis' ? 'Redis' : 'PostgreSQL');
      const args = [
        '--import',
        'tsx/esm',
        'examples/replicas/src/main.ts',
        '--seconds',
        '7',
        ...(backend === 'postgres' ? ['--postgres'] : []),
      ];
      const { stdout } = await run(process.execPath, args, { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } });
      const ticks = [...stdout.matchAll(/^(\S+Z) {2}ran on (replica-[abc]) \(fence (\d+)\)$/gm)].map((m) => m[1]);
      assert.ok(ticks.length >= 2, stdout);
      assert.equal(new Set(ticks).size, ticks.length, `a tick printed twice:\n${stdout}`);
      assert.match(stdout, /all replicas stopped/);
    });
  }
});
