import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@tickwise/postgres';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DATABASE_URL, REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';
import { startThrowawayPostgres } from '../helpers/throwaway-postgres.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** A throwaway redis-server on its own port, so the test can kill and restart it by PID. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // refused while the server boots: expected
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return child;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await sleep(100);
    }
  }
}

describe('store outage: the Redis server stops for 10 s during the run, then comes back', function () {
  this.timeout(120_000);

  it('no crash, skipped ticks reported with the reason, runs resume, nothing runs twice', async function () {
    await requireServer(this, 'Redis'); // the shared server keeps the run counts
    const port = await freePort();
    let server = await startRedis(port);
    const namespace = uniqueName('outage');
    const replicas = await Promise.all(
      ['o1', 'o2', 'o3'].map(async (id) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx/esm', '--conditions=tickwise-source', 'test/replicas/replica.ts', 'redis', namespace, id],
          {
            cwd: root,
            env: { ...process.env, NODE_OPTIONS: '', TICKWISE_STORE_URL: `redis://127.0.0.1:${port}` },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        const lines: string[] = [];
        child.stdout?.on('data', (chunk) => lines.push(...String(chunk).split('\n').filter(Boolean)));
        const deadline = Date.now() + 20_000;
        while (!lines.includes('ready')) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`replica ${id} did not start`);
          await sleep(50);
        }
        return { child, lines };
      }),
    );
    try {
      await sleep(5000);
      const downAt = Date.now();
      server.kill('SIGKILL');
      await once(server, 'exit');
      await sleep(10_000);
      const upAt = Date.now();
      server = await startRedis(port);
      await sleep(8000);
      const endAt = Date.now();
      for (const r of replicas) assert.equal(r.child.exitCode, null, 'a replica crashed during the outage');

      const events = replicas.flatMap((r) => r.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)));
      const unavailable = events.filter((e) => e.skipped === 'store-unavailable');
      assert.ok(unavailable.length >= 10, `only ${unavailable.length} store-unavailable skips reported`);

      const redis = new Redis(REDIS_URL);
      const counts = new Map<number, number>();
      for (const key of await redis.keys(`${namespace}:count:*`))
        counts.set(Number(key.split(':').at(-1)), Number(await redis.get(key)));
      redis.disconnect();
      const twice = [...counts].filter(([, n]) => n > 1).map(([t]) => new Date(t).toISOString());
      assert.deepEqual(twice, [], 'nothing ran twice');
      const during = [...counts.keys()].filter((t) => t > downAt + 1000 && t < upAt);
      assert.deepEqual(during, [], 'nothing ran while the store was down');
      const after = [...counts.keys()].filter((t) => t > upAt + 3000 && t < endAt - 1000);
      assert.ok(after.length >= 3, `runs did not resume after the store came back (${after.length})`);
    } finally {
      for (const r of replicas) {
        r.child.kill('SIGTERM');
        await once(r.child, 'exit');
      }
      server.kill('SIGKILL');
    }
  });
});

describe('store outage: the PostgreSQL server stops for 10 s during the run, then comes back', function () {
  this.timeout(120_000);

  it('no crash, skipped ticks reported with the reason, runs resume, nothing runs twice', async function () {
    await requireServer(this, 'PostgreSQL'); // the shared server keeps the run counts
    const server = await startThrowawayPostgres();
    const namespace = uniqueName('outage').toLowerCase();
    const storePool = new pg.Pool({ connectionString: server.url });
    await migrate(storePool, { schema: namespace });
    await storePool.end();
    const shared = new pg.Pool({ connectionString: DATABASE_URL });
    await shared.query(`CREATE SCHEMA "${namespace}"`);
    await shared.query(`CREATE TABLE "${namespace}".counts (tick bigint PRIMARY KEY, runs int NOT NULL)`);
    const replicas = await Promise.all(
      ['p1', 'p2', 'p3'].map(async (id) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx/esm',
            '--conditions=tickwise-source',
            'test/replicas/replica.ts',
            'postgres',
            namespace,
            id,
          ],
          {
            cwd: root,
            env: { ...process.env, NODE_OPTIONS: '', TICKWISE_STORE_URL: server.url },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        const lines: string[] = [];
        child.stdout?.on('data', (chunk) => lines.push(...String(chunk).split('\n').filter(Boolean)));
        const deadline = Date.now() + 20_000;
        while (!lines.includes('ready')) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`replica ${id} did not start`);
          await sleep(50);
        }
        return { child, lines };
      }),
    );
    try {
      await sleep(5000);
      const downAt = Date.now();
      server.stop('immediate');
      await sleep(10_000);
      const upAt = Date.now();
      server.start();
      await sleep(8000);
      const endAt = Date.now();
      for (const r of replicas) assert.equal(r.child.exitCode, null, 'a replica crashed during the outage');
      const events = replicas.flatMap((r) => r.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)));
      const unavailable = events.filter((e) => e.skipped === 'store-unavailable');
      assert.ok(unavailable.length >= 10, `only ${unavailable.length} store-unavailable skips reported`);
      const { rows } = await shared.query<{ tick: string; runs: number }>(
        `SELECT tick, runs FROM "${namespace}".counts`,
      );
      const counts = new Map(rows.map((r) => [Number(r.tick), r.runs]));
      assert.deepEqual(
        [...counts].filter(([, n]) => n > 1),
        [],
        'nothing ran twice',
      );
      assert.deepEqual(
        [...counts.keys()].filter((t) => t > downAt + 1000 && t < upAt),
        [],
        'nothing ran while the store was down',
      );
      const after = [...counts.keys()].filter((t) => t > upAt + 3000 && t < endAt - 1000);
      assert.ok(after.length >= 3, `runs did not resume after the store came back (${after.length})`);
    } finally {
      for (const r of replicas) {
        r.child.kill('SIGTERM');
        await once(r.child, 'exit');
      }
      await shared.query(`DROP SCHEMA "${namespace}" CASCADE`);
      await shared.end();
      server.destroy();
    }
  });
});
