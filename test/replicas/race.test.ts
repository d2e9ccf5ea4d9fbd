import assert from 'node:assert/strict';
import { migrate } from '@tickwise/postgres';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startReplica, stopReplicas } from '../helpers/replicas.js';
import { DATABASE_URL, REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';

/** 300 ticks by default, as the proof asks; TICKWISE_RACE_SECONDS shortens it for local runs. */
const SECONDS = Number(process.env.TICKWISE_RACE_SECONDS ?? 300);

/** Every whole second strictly between the replicas' start and stop must have exactly one run. */
function checkExactlyOnce(counts: Map<number, number>, from: number, to: number): void {
  const missing: string[] = [];
  const duplicated: string[] = [];
  for (let tick = Math.ceil(from / 1000) * 1000 + 1000; tick < to - 1000; tick += 1000) {
    const n = counts.get(tick) ?? 0;
    if (n === 0) missing.push(new Date(tick).toISOString());
    if (n > 1) duplicated.push(`${new Date(tick).toISOString()} x${n}`);
  }
  assert.deepEqual({ missing, duplicated }, { missing: [], duplicated: [] });
}

describe(`race: 5 replica processes × ${SECONDS} ticks of a 1-second job`, function () {
  this.timeout((SECONDS + 60) * 1000);

  it('Redis: every tick ran exactly once (counted in Redis)', async function () {
    await requireServer(this, 'Redis');
    const namespace = uniqueName('race');
    const replicas = await Promise.all([1, 2, 3, 4, 5].map((i) => startReplica('redis', namespace, `r${i}`)));
    const from = Date.now();
    await sleep(SECONDS * 1000);
    const to = Date.now();
    await stopReplicas(replicas);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${namespace}:count:*`);
    const counts = new Map<number, number>();
    for (const key of keys) counts.set(Number(key.split(':').at(-1)), Number(await redis.get(key)));
    redis.disconnect();
    checkExactlyOnce(counts, from, to);
    assert.ok(counts.size >= SECONDS - 3, `${counts.size} ticks counted`);
    const ranBy = new Set(
      replicas.flatMap((r) => r.events.filter((e) => e.start !== undefined).map((e) => e.instanceId)),
    );
    assert.ok(ranBy.size >= 2, `runs should spread over replicas, got ${[...ranBy].join(', ')}`);
  });

  it('PostgreSQL: every tick ran exactly once (counted in PostgreSQL)', async function () {
    await requireServer(this, 'PostgreSQL');
    const namespace = uniqueName('race').toLowerCase();
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    await migrate(pool, { schema: namespace });
    await pool.query(`CREATE TABLE "${namespace}".counts (tick bigint PRIMARY KEY, runs int NOT NULL)`);
    const replicas = await Promise.all([1, 2, 3, 4, 5].map((i) => startReplica('postgres', namespace, `p${i}`)));
    const from = Date.now();
    await sleep(SECONDS * 1000);
    const to = Date.now();
    await stopReplicas(replicas);
    const { rows } = await pool.query<{ tick: string; runs: number }>(`SELECT tick, runs FROM "${namespace}".counts`);
    await pool.query(`DROP SCHEMA "${namespace}" CASCADE`);
    await pool.end();
    const counts = new Map(rows.map((r) => [Number(r.tick), r.runs]));
    checkExactlyOnce(counts, from, to);
    assert.ok(counts.size >= SECONDS - 3, `${counts.size} ticks counted`);
  });
});

describe('clock skew: replicas whose clocks are off by -2 s, 0 and +2 s', function () {
  this.timeout(120_000);
  const seconds = 20;

  for (const kind of ['redis', 'postgres'] as const) {
    it(`${kind === 'redis' ? 'Redis' : 'PostgreSQL'}: every tick still runs exactly once`, async function () {
      await requireServer(this, kind === 'redis' ? 'Redis' : 'PostgreSQL');
      const namespace = uniqueName('skew').toLowerCase();
      const pool = kind === 'postgres' ? new pg.Pool({ connectionString: DATABASE_URL }) : null;
      if (pool) {
        await migrate(pool, { schema: namespace });
        await pool.query(`CREATE TABLE "${namespace}".counts (tick bigint PRIMARY KEY, runs int NOT NULL)`);
      }
      const replicas = await Promise.all(
        [-2000, 0, 2000].map((skew, i) => startReplica(kind, namespace, `s${i}`, { skewMs: skew })),
      );
      const from = Date.now() + 2000; // the fast clock has already run ticks up to 2 s ahead
      await sleep(seconds * 1000);
      const to = Date.now() - 2000; // the slow clock has not reached the last 2 s yet
      await stopReplicas(replicas);
      const counts = new Map<number, number>();
      if (pool) {
        const { rows } = await pool.query<{ tick: string; runs: number }>(
          `SELECT tick, runs FROM "${namespace}".counts`,
        );
        for (const r of rows) counts.set(Number(r.tick), r.runs);
        await pool.query(`DROP SCHEMA "${namespace}" CASCADE`);
        await pool.end();
      } else {
        const redis = new Redis(REDIS_URL);
        for (const key of await redis.keys(`${namespace}:count:*`)) {
          counts.set(Number(key.split(':').at(-1)), Number(await redis.get(key)));
        }
        redis.disconnect();
      }
      checkExactlyOnce(counts, from, to);
      assert.ok(
        [...counts.values()].every((n) => n === 1),
        'no tick ran twice, edges included',
      );
    });
  }
});
