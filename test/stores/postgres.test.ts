import assert from 'node:assert/strict';
import { StoreError } from '@tickwise/core';
import { migrate, migrationSql, PostgresStore } from '@tickwise/postgres';
import pg from 'pg';
import { DATABASE_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';
import { storeContract } from '../helpers/store-contract.js';
import { startThrowawayPostgres } from '../helpers/throwaway-postgres.js';

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

  describe('claim semantics', () => {
    storeContract(async () => {
      const schema = await freshSchema();
      const store = new PostgresStore({ pool: DATABASE_URL, schema });
      await store.init();
      return store;
    });
  });

  it('migrate() is idempotent and can run concurrently', async () => {
    const schema = await freshSchema();
    await Promise.all([migrate(pool, { schema }), migrate(pool, { schema }), migrate(pool, { schema })]);
    const { rows } = await pool.query(`SELECT version FROM "${schema}"."tickwise_claims_migrations"`);
    assert.deepEqual(rows, [{ version: 1 }]);
  });

  it('takes a custom table name and an existing pg.Pool (left open on close)', async () => {
    const schema = await freshSchema();
    await migrate(pool, { schema, table: 'jobs_claims' });
    const store = new PostgresStore({ pool, schema, table: 'jobs_claims' });
    await store.init();
    const claimed = await store.claim({
      job: 'j',
      tick: new Date(60_000),
      owner: 'a',
      leaseMs: 1000,
      exclusive: false,
      retainMs: 1000,
      maxEarlyMs: 250,
    });
    assert.ok(claimed.acquired);
    await store.close();
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
  });

  it('cleanup() deletes finished records past their retention, keeping the last completed tick', async () => {
    const schema = await freshSchema();
    const store = new PostgresStore({ pool: DATABASE_URL, schema });
    await store.init();
    const claimed = await store.claim({
      job: 'j',
      tick: new Date(60_000),
      owner: 'a',
      leaseMs: 1000,
      exclusive: false,
      retainMs: 1,
      maxEarlyMs: 250,
    });
    assert.ok(claimed.acquired);
    await store.complete(claimed.claim, 'success');
    await sleep(1100);
    assert.equal(await store.cleanup(), 1);
    assert.deepEqual(await store.lastCompletedTick('j'), new Date(60_000));
    await store.close();
  });

  it('ships the migration as SQL for teams that run their own migrations', () => {
    const sql = migrationSql({ schema: 'ops', table: 'claims' });
    assert.match(sql, /CREATE TABLE IF NOT EXISTS "ops"\."claims"/);
    assert.match(sql, /CREATE OR REPLACE FUNCTION "ops"\."claims_claim"/);
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
