import assert from 'node:assert/strict';
import { type ClaimStore, every, MemoryStore, Scheduler } from '@tickwise/core';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import pg from 'pg';
import { DATABASE_URL, REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';
import { storeContract } from '../helpers/store-contract.js';

describe('MemoryStore keeps the same claim contract (real time)', () => {
  storeContract(async () => new MemoryStore());
});

/** Three schedulers (replicas) share one store; an every-second job must run each tick once. */
async function threeReplicas(makeStore: () => Promise<ClaimStore>): Promise<Map<number, string[]>> {
  const runs = new Map<number, string[]>();
  const schedulers: Scheduler[] = [];
  for (let i = 0; i < 3; i++) {
    const scheduler = new Scheduler({ store: await makeStore(), instanceId: `replica-${i}`, env: {} });
    scheduler.add({
      name: 'tick',
      schedule: every('1s'),
      run: (ctx) => {
        const list = runs.get(ctx.scheduledAt.getTime()) ?? [];
        list.push(`replica-${i}#${ctx.fence}`);
        runs.set(ctx.scheduledAt.getTime(), list);
      },
    });
    schedulers.push(scheduler);
  }
  await Promise.all(schedulers.map((s) => s.start()));
  await sleep(3500);
  await Promise.all(schedulers.map((s) => s.stop({ graceMs: 1000 })));
  return runs;
}

describe('replicas sharing a store (three schedulers in one process)', function () {
  this.timeout(20_000);

  it('Redis: each tick runs exactly once', async function () {
    await requireServer(this, 'Redis');
    const prefix = `${uniqueName('rep')}:`;
    const stores: RedisStore[] = [];
    const runs = await threeReplicas(async () => {
      const store = new RedisStore({ client: REDIS_URL, prefix });
      stores.push(store);
      return store;
    });
    for (const store of stores) await store.close();
    assert.ok(runs.size >= 3, `only ${runs.size} ticks ran`);
    for (const [tick, who] of runs)
      assert.equal(who.length, 1, `${new Date(tick).toISOString()} ran ${who.join(', ')}`);
  });

  it('PostgreSQL: each tick runs exactly once', async function () {
    await requireServer(this, 'PostgreSQL');
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    const schema = uniqueName('rep').toLowerCase();
    await migrate(pool, { schema });
    const stores: PostgresStore[] = [];
    const runs = await threeReplicas(async () => {
      const store = new PostgresStore({ pool: DATABASE_URL, schema });
      stores.push(store);
      return store;
    });
    for (const store of stores) await store.close();
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    await pool.end();
    assert.ok(runs.size >= 3, `only ${runs.size} ticks ran`);
    for (const [tick, who] of runs)
      assert.equal(who.length, 1, `${new Date(tick).toISOString()} ran ${who.join(', ')}`);
  });
});
