import assert from 'node:assert/strict';
import { MemoryStore } from '@tickwise/core';
import { storeContract } from '@tickwise/core/store-tests';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import pg from 'pg';
import { DATABASE_URL, REDIS_URL, requireServer, uniqueName } from '../helpers/services.js';
import { ranTwice, runSharedSchedulers } from '../helpers/shared-schedulers.js';

describe('MemoryStore keeps the same claim contract (real time)', () => {
  storeContract(() => new MemoryStore(), { describe, it, fleet: true });
});

describe('replicas sharing a store (three schedulers in one process)', function () {
  this.timeout(20_000);

  it('Redis: each tick runs exactly once', async function () {
    await requireServer(this, 'Redis');
    const prefix = `${uniqueName('rep')}:`;
    const stores: RedisStore[] = [];
    const runs = await runSharedSchedulers(async () => {
      const store = new RedisStore({ client: REDIS_URL, prefix });
      stores.push(store);
      return store;
    });
    for (const store of stores) await store.close();
    assert.ok(runs.size >= 3, `only ${runs.size} ticks ran`);
    assert.deepEqual(ranTwice(runs), []);
  });

  it('PostgreSQL: each tick runs exactly once', async function () {
    await requireServer(this, 'PostgreSQL');
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    const schema = uniqueName('rep').toLowerCase();
    await migrate(pool, { schema });
    const stores: PostgresStore[] = [];
    const runs = await runSharedSchedulers(async () => {
      const store = new PostgresStore({ pool: DATABASE_URL, schema });
      stores.push(store);
      return store;
    });
    for (const store of stores) await store.close();
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    await pool.end();
    assert.ok(runs.size >= 3, `only ${runs.size} ticks ran`);
    assert.deepEqual(ranTwice(runs), []);
  });
});
