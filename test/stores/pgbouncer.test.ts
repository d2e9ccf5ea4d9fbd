import assert from 'node:assert/strict';
import { storeContract } from '@tickwise/core/store-tests';
import { migrate, PostgresStore } from '@tickwise/postgres';
import pg from 'pg';
import { type PgBouncer, startPgBouncer } from '../helpers/pgbouncer.js';
import { DATABASE_URL, requireServer, requireTool, uniqueName } from '../helpers/services.js';
import { ranTwice, runSharedSchedulers } from '../helpers/shared-schedulers.js';

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
    storeContract(
      async () => {
        const store = new PostgresStore({ pool: bouncer.url(database()), schema: await freshSchema() });
        await store.init();
        return store;
      },
      { describe, it, cleanup: (store) => store.cleanup(), fleet: true },
    );
  });

  it('three schedulers (30 client connections over 3 server connections) run each tick of 50 jobs exactly once', async () => {
    const schema = await freshSchema();
    const stores: PostgresStore[] = [];
    const runs = await runSharedSchedulers(
      () => {
        const store = new PostgresStore({ pool: bouncer.url(database()), schema });
        stores.push(store);
        return store;
      },
      { jobs: 50 },
    );
    for (const store of stores) await store.close();
    assert.ok(runs.size >= 100, `${runs.size} runs`);
    assert.deepEqual(ranTwice(runs), []);
  });
});
