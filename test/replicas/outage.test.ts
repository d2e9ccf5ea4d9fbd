import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { migrate } from '@tickwise/postgres';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type Replica, startReplica, stopReplicas } from '../helpers/replicas.js';
import { DATABASE_URL, freePort, REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';
import { startThrowawayPostgres } from '../helpers/throwaway-postgres.js';

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

interface Outage {
  downAt: number;
  upAt: number;
  endAt: number;
}

/** Lets the replicas run 5 s, stops the store for 10 s, restarts it, and lets them run 8 s more. */
async function outage(
  replicas: Replica[],
  stopStore: () => Promise<void>,
  startStore: () => Promise<void>,
): Promise<Outage> {
  await sleep(5000);
  const downAt = Date.now();
  await stopStore();
  await sleep(10_000);
  const upAt = Date.now();
  await startStore();
  await sleep(8000);
  const endAt = Date.now();
  for (const r of replicas) assert.equal(r.child.exitCode, null, 'a replica crashed during the outage');
  return { downAt, upAt, endAt };
}

/** Skips were reported, nothing ran twice or while the store was down, and runs resumed. */
function checkOutage(replicas: Replica[], counts: Map<number, number>, { downAt, upAt, endAt }: Outage): void {
  const unavailable = replicas.flatMap((r) => r.events).filter((e) => e.skipped === 'store-unavailable');
  assert.ok(unavailable.length >= 10, `only ${unavailable.length} store-unavailable skips reported`);
  const twice = [...counts].filter(([, n]) => n > 1).map(([t]) => new Date(t).toISOString());
  assert.deepEqual(twice, [], 'nothing ran twice');
  assert.deepEqual(
    [...counts.keys()].filter((t) => t > downAt + 1000 && t < upAt),
    [],
    'nothing ran while the store was down',
  );
  const after = [...counts.keys()].filter((t) => t > upAt + 3000 && t < endAt - 1000);
  assert.ok(after.length >= 3, `runs did not resume after the store came back (${after.length})`);
}

describe('store outage: the Redis server stops for 10 s during the run, then comes back', function () {
  this.timeout(120_000);

  it('no crash, skipped ticks reported with the reason, runs resume, nothing runs twice', async function () {
    await requireServer(this, 'Redis'); // the shared server keeps the run counts
    const port = await freePort();
    let server = await startRedis(port);
    const namespace = uniqueName('outage');
    const replicas = await Promise.all(
      ['o1', 'o2', 'o3'].map((id) => startReplica('redis', namespace, id, { storeUrl: `redis://127.0.0.1:${port}` })),
    );
    try {
      const window = await outage(
        replicas,
        async () => {
          server.kill('SIGKILL');
          await once(server, 'exit');
        },
        async () => {
          server = await startRedis(port);
        },
      );
      const redis = new Redis(REDIS_URL);
      const counts = new Map<number, number>();
      for (const key of await redis.keys(`${namespace}:count:*`)) {
        counts.set(Number(key.split(':').at(-1)), Number(await redis.get(key)));
      }
      redis.disconnect();
      checkOutage(replicas, counts, window);
    } finally {
      await stopReplicas(replicas);
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
      ['p1', 'p2', 'p3'].map((id) => startReplica('postgres', namespace, id, { storeUrl: server.url })),
    );
    try {
      const window = await outage(
        replicas,
        async () => server.stop('immediate'),
        async () => server.start(),
      );
      const { rows } = await shared.query<{ tick: string; runs: number }>(
        `SELECT tick, runs FROM "${namespace}".counts`,
      );
      checkOutage(replicas, new Map(rows.map((r) => [Number(r.tick), r.runs])), window);
    } finally {
      await stopReplicas(replicas);
      await shared.query(`DROP SCHEMA "${namespace}" CASCADE`);
      await shared.end();
      server.destroy();
    }
  });
});
