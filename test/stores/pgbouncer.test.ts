import assert from 'node:assert/strict';
import { every, Scheduler } from '@tickwise/core';
import { migrate, PostgresStore } from '@tickwise/postgres';
import pg from 'pg';
import { type PgBouncer, startPgBouncer } from '../helpers/pgbouncer.js';
import { DATABASE_URL, requireServer, requireTool, sleep, uniqueName } from '../helpers/services.js';
import { storeContract } from '../helpers/store-contract.js';

// PgBouncer in transaction pooling mode between the store and PostgreSQL: no session state, no
// named statements, so every statement may land on another server connection.
describe('PostgresStore through PgBouncer (transaction pooling)', function () {
  this.timeout(60_000);
  let bouncer: PgBouncer;
  let pool: pg.Pool;
  const schemas: string[] = [];
  const freshSchema = async () => {
    const schema = uniqueName('pgb').toLowerCase();
    schemas.push(schema);
    await migrate(pool, { schema });
    return schema;
  };

  before(async function () {
    await requireServer(this, 'PostgreSQL');
    requireTool(this, '/usr/sbin/pgbouncer', 'apt-get install pgbouncer');
    bouncer = await startPgBouncer({ poolSize: 3 });
    pool = new pg.Pool({ connectionString: DATABASE_URL });
  });
  after(async () => {
    for (const schema of schemas) await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool?.end();
    await bouncer?.stop();
  });

  const database = () => new URL(DATABASE_URL).pathname.slice(1);

  describe('claim semantics', () => {
    storeContract(async () => {
      const store = new PostgresStore({ pool: bouncer.url(database()), schema: await freshSchema() });
      await store.init();
      return store;
    });
  });

  it('three schedulers (30 client connections over 3 server connections) run each tick of 50 jobs exactly once', async () => {
    const schema = await freshSchema();
    const runs = new Map<string, number>();
    const stores: PostgresStore[] = [];
    const schedulers = [0, 1, 2].map((i) => {
      const store = new PostgresStore({ pool: bouncer.url(database()), schema });
      stores.push(store);
      const scheduler = new Scheduler({ store, instanceId: `r${i}`, env: {} });
      for (let j = 0; j < 50; j++) {
        scheduler.add({
          name: `job-${j}`,
          schedule: every('1s'),
          run: (ctx) => {
            const key = `${ctx.job.name}@${ctx.scheduledAt.getTime()}`;
            runs.set(key, (runs.get(key) ?? 0) + 1);
          },
        });
      }
      return scheduler;
    });
    await Promise.all(schedulers.map((s) => s.start()));
    await sleep(3500);
    await Promise.all(schedulers.map((s) => s.stop()));
    for (const store of stores) await store.close();
    assert.ok(runs.size >= 100, `${runs.size} runs`);
    assert.deepEqual(
      [...runs].filter(([, n]) => n > 1),
      [],
    );
  });
});
