import assert from 'node:assert/strict';
import { type ClaimStore, every, Scheduler } from '@tickwise/core';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import pg from 'pg';
import { DATABASE_URL, REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';

/** Runs a job for a while, stops (a full restart), waits, starts a new scheduler on the same store. */
async function restart(makeStore: () => Promise<ClaimStore>) {
  const ran: { tick: number; trigger: string; generation: number }[] = [];
  const stores: ClaimStore[] = [];
  const make = async (generation: number) => {
    const store = await makeStore();
    stores.push(store);
    const scheduler = new Scheduler({ store, env: {}, instanceId: `gen-${generation}` });
    scheduler.add({
      name: 'nightly',
      schedule: every('1s'),
      catchUp: { policy: 'all', window: '1m', max: 10 },
      run: (ctx) => {
        ran.push({ tick: ctx.scheduledAt.getTime(), trigger: ctx.trigger, generation });
      },
    });
    return scheduler;
  };
  const first = await make(1);
  await first.start();
  await sleep(2500);
  await first.stop();
  const stoppedAt = Date.now();
  await sleep(3000); // the service is down: ticks come and go
  const second = await make(2);
  await second.start();
  await sleep(1500);
  await second.stop();
  for (const store of stores) await store.close?.();
  return { ran, stoppedAt };
}

function check(result: Awaited<ReturnType<typeof restart>>): void {
  const { ran, stoppedAt } = result;
  const caughtUp = ran.filter((r) => r.generation === 2 && r.trigger === 'catch-up');
  assert.ok(caughtUp.length >= 2, `missed ticks were not caught up: ${JSON.stringify(ran)}`);
  assert.ok(
    caughtUp.every((r) => r.tick >= stoppedAt - 1000),
    'only ticks after the last completed one',
  );
  const ticks = ran.map((r) => r.tick);
  assert.equal(new Set(ticks).size, ticks.length, 'no tick ran twice across the restart');
}

describe('catch-up after a full restart uses the store’s last completed tick', function () {
  this.timeout(30_000);

  it('Redis', async function () {
    await requireServer(this, 'Redis');
    const prefix = `${uniqueName('restart')}:`;
    check(await restart(async () => new RedisStore({ client: REDIS_URL, prefix })));
  });

  it('PostgreSQL', async function () {
    await requireServer(this, 'PostgreSQL');
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    const schema = uniqueName('restart').toLowerCase();
    await migrate(pool, { schema });
    try {
      check(await restart(async () => new PostgresStore({ pool: DATABASE_URL, schema })));
    } finally {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
