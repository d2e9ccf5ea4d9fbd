import assert from 'node:assert/strict';
import { every, Scheduler, StoreError } from '@tickwise/core';
import type { ClaimBatch, ClaimRequest } from '@tickwise/core/store';
import { storeContract } from '@tickwise/core/store-tests';
import { migrate, migrationSql, PostgresStore, SCHEMA_VERSION } from '@tickwise/postgres';
import pg from 'pg';
import { DATABASE_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';
import { startThrowawayPostgres } from '../helpers/throwaway-postgres.js';

/** A claim batch of one owner, with defaults for what the test does not care about. */
function batchOf(...requests: Partial<ClaimRequest>[]): ClaimBatch {
  return {
    owner: 'a',
    deadline: Date.now() + 10_000,
    maxEarlyMs: 250,
    requests: requests.map((r) => ({
      job: 'j',
      tick: 60_000,
      leaseMs: 1000,
      exclusive: false,
      retainMs: 60_000,
      takeoverOnly: false,
      ...r,
    })),
  };
}

/** What @tickwise/postgres 0.1 (schema version 1) created, for the upgrade test. */
const V1_SQL = (schema: string) => `CREATE SCHEMA "${schema}";
CREATE TABLE "${schema}".tickwise_claims (job text NOT NULL, tick bigint NOT NULL, owner text NOT NULL, fence bigint NOT NULL,
  lease_until bigint NOT NULL, state text NOT NULL, outcome text, expires_at bigint NOT NULL, retain_ms bigint NOT NULL,
  PRIMARY KEY (job, tick));
CREATE INDEX tickwise_claims_expires ON "${schema}".tickwise_claims (expires_at);
CREATE SEQUENCE "${schema}".tickwise_claims_fence;
CREATE TABLE "${schema}".tickwise_claims_last (job text PRIMARY KEY, tick bigint NOT NULL);
CREATE TABLE "${schema}".tickwise_claims_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION "${schema}".tickwise_claims_claim(p_job text, p_tick bigint, p_owner text, p_lease bigint, p_exclusive boolean, p_retain bigint, p_max_early bigint)
  RETURNS TABLE (out_acquired boolean, out_reason text, out_fence bigint, out_lease_until bigint) LANGUAGE sql AS 'SELECT true, NULL::text, 1::bigint, 1::bigint';
INSERT INTO "${schema}".tickwise_claims_migrations (version) VALUES (1);`;

describe('PostgresStore on a real PostgreSQL', () => {
  let pool: pg.Pool;
  const schemas: string[] = [];
  const freshSchema = async () => {
    const schema = uniqueName('tw').toLowerCase();
    schemas.push(schema);
    await migrate(pool, { schema });
    return schema;
  };

  before(async function () {
    await requireServer(this, 'PostgreSQL');
    pool = new pg.Pool({ connectionString: DATABASE_URL });
  });
  after(async () => {
    for (const schema of schemas) await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool?.end();
  });

  it('a scheduler with the fleet view never waits for a connection of the pool the store made (claims, renewals, completions, beats, controls and fleet reads at once)', async function () {
    this.timeout(30_000);
    const store = new PostgresStore({ pool: DATABASE_URL, schema: await freshSchema() });
    const scheduler = new Scheduler({ store, env: {}, logger: false });
    for (let i = 0; i < 300; i++) {
      scheduler.add({
        name: `busy-${i}`,
        schedule: every('1s'),
        lease: '2s',
        run: () => new Promise((resolve) => setTimeout(resolve, i % 3 === 0 ? 900 : 5)),
      });
    }
    await scheduler.start();
    // The pool the store made from the URL (not a public member: what the test watches).
    const made = (store as unknown as { pool: pg.Pool }).pool;
    let mostWaiting = 0;
    const sampler = setInterval(() => {
      mostWaiting = Math.max(mostWaiting, made.waitingCount);
    }, 2);
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      await Promise.all([scheduler.health({ scope: 'fleet' }), scheduler.health()]);
    }
    clearInterval(sampler);
    await scheduler.stop();
    await store.close();
    assert.equal(mostWaiting, 0, `up to ${mostWaiting} statements waited for a connection`);
  });

  describe('claim semantics', () => {
    storeContract(
      async () => {
        const schema = await freshSchema();
        const store = new PostgresStore({ pool: DATABASE_URL, schema });
        await store.init();
        return store;
      },
      {
        describe,
        it,
        fleet: true,
        cleanup: (store) => store.cleanup(),
        // As a restore from an old backup, or a recreated database, does: the records and the
        // data set's identity are gone (the fence sequence is too: fences then come from the clock).
        wipe: async (store) => {
          const { names } = store;
          await pool.query(
            `TRUNCATE ${names.claims}, ${names.last}, ${names.instances};
             UPDATE ${names.meta} SET value = md5(random()::text) WHERE key = 'epoch';
             ALTER SEQUENCE ${names.fence} RESTART`,
          );
        },
      },
    );
  });

  it('migrate() is idempotent and can run concurrently', async () => {
    const schema = await freshSchema();
    await Promise.all([migrate(pool, { schema }), migrate(pool, { schema }), migrate(pool, { schema })]);
    const { rows } = await pool.query(`SELECT version FROM "${schema}"."tickwise_claims_migrations"`);
    assert.deepEqual(rows, [{ version: SCHEMA_VERSION }]);
  });

  it('takes a custom table name and an existing pg.Pool (left open on close)', async () => {
    const schema = await freshSchema();
    await migrate(pool, { schema, table: 'jobs_claims' });
    const store = new PostgresStore({ pool, schema, table: 'jobs_claims' });
    await store.init();
    const [claimed] = await store.claimTicks(batchOf({ job: 'j', retainMs: 1000 }));
    assert.ok(claimed?.acquired);
    await store.close();
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
  });

  it('cleanup() deletes finished and abandoned records past their retention, keeping the last completed tick', async () => {
    const schema = await freshSchema();
    const store = new PostgresStore({ pool: DATABASE_URL, schema });
    await store.init();
    const [done, abandoned, live] = await store.claimTicks(
      batchOf(
        { job: 'j', retainMs: 1, leaseMs: 1000 },
        { job: 'crashed', retainMs: 1, leaseMs: 1000 },
        { job: 'long', retainMs: 1, leaseMs: 60_000 },
      ),
    );
    assert.ok(done?.acquired && abandoned?.acquired && live?.acquired);
    const claim = { job: 'j', tick: 60_000, fence: done.fence, leaseMs: 1000, retainMs: 1, exclusive: false };
    assert.deepEqual(await store.completeRuns({ owner: 'a', runs: [{ claim, outcome: 'success' }] }), ['recorded']);
    await sleep(1100);
    // The finished one and the one whose holder died (its lease long over); not the live one.
    assert.equal(await store.cleanup(), 2);
    const { rows } = await pool.query(`SELECT job FROM "${schema}".tickwise_claims`);
    assert.deepEqual(rows, [{ job: 'long' }]);
    assert.equal(await store.lastCompletedTick('j'), 60_000);
    await store.close();
  });

  it('init() refuses a database migrated by another version, or whose claim function does not match', async () => {
    const schema = await freshSchema();
    const store = new PostgresStore({ pool: DATABASE_URL, schema });
    await pool.query(`DELETE FROM "${schema}".tickwise_claims_migrations WHERE version = $1`, [SCHEMA_VERSION]);
    await pool.query(`INSERT INTO "${schema}".tickwise_claims_migrations (version) VALUES (1)`);
    await assert.rejects(store.init(), {
      code: 'STORE_SCHEMA',
      message: new RegExp(`at version 1, this store needs ${SCHEMA_VERSION}: run migrate`),
    });
    await pool.query(`INSERT INTO "${schema}".tickwise_claims_migrations (version) VALUES ($1)`, [SCHEMA_VERSION + 1]);
    await assert.rejects(store.init(), { code: 'STORE_SCHEMA', message: /newer than this store/ });
    await migrate(pool, { schema });
    await pool.query(`DELETE FROM "${schema}".tickwise_claims_migrations WHERE version > $1`, [SCHEMA_VERSION]);
    // Same version number, another signature (what an older build's migration left behind).
    await pool.query(`DROP FUNCTION "${schema}".tickwise_claims_claim_batch`);
    await pool.query(
      `CREATE FUNCTION "${schema}".tickwise_claims_claim_batch(p text) RETURNS int LANGUAGE sql AS 'SELECT 1'`,
    );
    await assert.rejects(store.init(), {
      code: 'STORE_SCHEMA',
      message: /claim_batch"\(text, bigint, bigint, text\[\].*is missing/,
    });
    await migrate(pool, { schema });
    await store.init();
    await store.close();
  });

  it('upgrades a version-1 database in place: records kept, fences keep growing', async () => {
    const schema = uniqueName('v1').toLowerCase();
    schemas.push(schema);
    await pool.query(V1_SQL(schema));
    await pool.query(
      `INSERT INTO "${schema}".tickwise_claims VALUES ('old', 60000, 'x', 41, 0, 'done', 'success', $1, 60000)`,
      [Date.now() + 60_000],
    );
    await pool.query(`SELECT setval('"${schema}".tickwise_claims_fence', 41)`);
    await migrate(pool, { schema });
    const store = new PostgresStore({ pool: DATABASE_URL, schema });
    await store.init();
    const [old, next] = await store.claimTicks(batchOf({ job: 'old' }, { job: 'old', tick: 120_000 }));
    assert.deepEqual(old, { acquired: false, reason: 'completed' });
    assert.ok(next?.acquired && next.fence > 41);
    await store.close();
  });

  it('claims a batch of 1,000 in one statement, and serialises exclusive batches of the same jobs across stores', async () => {
    const schema = await freshSchema();
    const stores = [0, 1, 2].map(() => new PostgresStore({ pool: DATABASE_URL, schema }));
    const requests = Array.from({ length: 1000 }, (_, i) => ({ job: `job-${i}`, exclusive: true }));
    const results = await Promise.all(
      stores.map((store, r) => store.claimTicks({ ...batchOf(...requests), owner: `r${r}` })),
    );
    for (let i = 0; i < 1000; i++) {
      assert.equal(results.filter((batch) => batch[i]?.acquired).length, 1, `job-${i}: one winner`);
    }
    // Two *different* ticks of the same exclusive jobs, claimed at the same moment by two stores:
    // for each job exactly one may run (the row lock on the job decides; a snapshot alone would
    // let both through).
    for (let round = 0; round < 5; round++) {
      const tick = (t: number) => requests.map((r) => ({ ...r, job: `${r.job}.${round}`, tick: t }));
      const [first, second] = await Promise.all([
        stores[0]?.claimTicks({ ...batchOf(...tick(120_000)), owner: 'x' }),
        stores[1]?.claimTicks({ ...batchOf(...tick(180_000)), owner: 'y' }),
      ]);
      for (let i = 0; i < 1000; i++) {
        const granted = [first?.[i], second?.[i]].filter((r) => r?.acquired).length;
        assert.equal(granted, 1, `round ${round}, job-${i}: ${JSON.stringify([first?.[i], second?.[i]])}`);
      }
    }
    for (const store of stores) await store.close();
  });

  it('ships the migration as SQL for teams that run their own migrations', () => {
    const sql = migrationSql({ schema: 'ops', table: 'claims' });
    assert.match(sql, /CREATE TABLE IF NOT EXISTS "ops"\."claims"/);
    assert.match(sql, /CREATE OR REPLACE FUNCTION "ops"\."claims_claim_batch"/);
    assert.match(sql, new RegExp(`schema version ${SCHEMA_VERSION}`));
  });

  describe('bad input fails at start with a typed error', () => {
    it('a missing table says to run the migration', async () => {
      const store = new PostgresStore({ pool: DATABASE_URL, schema: uniqueName('none').toLowerCase() });
      await assert.rejects(store.init(), (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.equal(error.code, 'STORE_SCHEMA');
        assert.match(error.message, /does not exist: run migrate\(pool\)/);
        return true;
      });
      await store.close();
    });

    it('a schema or table name that is not a plain identifier', () => {
      assert.throws(() => new PostgresStore({ schema: 'Robert"); DROP TABLE x;--' }), { code: 'STORE_CONFIG' });
      assert.throws(() => new PostgresStore({ table: 'My Table' }), { code: 'STORE_CONFIG' });
    });

    it('a connection string that is not PostgreSQL', () => {
      assert.throws(() => new PostgresStore({ pool: 'mysql://localhost/db' }), { code: 'STORE_CONFIG' });
    });

    it('nothing listening: init() says so', async () => {
      const store = new PostgresStore({ pool: 'postgres://postgres@127.0.0.1:1/test' });
      await assert.rejects(store.init(), { code: 'STORE_UNAVAILABLE', message: /cannot reach PostgreSQL/ });
      await store.close();
    });

    it('a password PostgreSQL rejects: STORE_AUTH (on a throwaway cluster with password auth)', async function () {
      this.timeout(30_000);
      const server = await startThrowawayPostgres({ password: 's3cret' });
      try {
        const store = new PostgresStore({ pool: server.url.replace('s3cret', 'wrong') });
        await assert.rejects(store.init(), (error: unknown) => {
          assert.ok(error instanceof StoreError);
          assert.equal(error.code, 'STORE_AUTH');
          assert.match(error.message, /rejected the credentials/);
          return true;
        });
        await store.close();
      } finally {
        server.destroy();
      }
    });

    it('a database that does not exist', async () => {
      const url = new URL(DATABASE_URL);
      url.pathname = `/${uniqueName('nodb')}`;
      const store = new PostgresStore({ pool: url.toString() });
      await assert.rejects(store.init(), { name: 'StoreError' });
      await store.close();
    });
  });
});
