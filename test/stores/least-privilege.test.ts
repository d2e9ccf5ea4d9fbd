// The stores under the least privilege docs/security.md grants: a Redis ACL user and a PostgreSQL
// role created here with exactly the documented permissions, a scheduler that runs jobs through
// them, and a check that the user/role can do nothing much else. Both are dropped afterwards.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type ClaimStore, every, Scheduler } from '@tickwise/core';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DATABASE_URL, REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';

const doc = readFileSync('docs/security.md', 'utf8');

/** Runs a 1 s interval job on `store` until it has succeeded twice (real time, a few seconds). */
async function runsThrough(store: ClaimStore): Promise<void> {
  const scheduler = new Scheduler({ store, env: {} });
  let successes = 0;
  scheduler.add({ name: 'least-privilege', schedule: every('1s'), run: () => {} });
  scheduler.on('run:success', () => {
    successes++;
  });
  const failures: unknown[] = [];
  scheduler.on('run:failure', (event) => failures.push(event.error));
  await scheduler.start();
  try {
    const deadline = Date.now() + 15_000;
    while (successes < 2 && Date.now() < deadline) await sleep(100);
    assert.ok(successes >= 2, `runs: ${successes}, failures: ${failures.join('; ')}`);
    assert.equal((await scheduler.health()).store.reachable, true);
  } finally {
    await scheduler.stop();
  }
}

describe('least privilege (docs/security.md): Redis ACL user', () => {
  let admin: Redis | undefined;
  let user = '';
  before(async function () {
    await requireServer(this, 'Redis');
    admin = new Redis(REDIS_URL);
  });
  after(async () => {
    if (user) await admin?.call('ACL', 'DELUSER', user);
    admin?.disconnect();
  });

  it('the documented ACL is enough to run jobs, and forbids everything else', async function () {
    this.timeout(30_000);
    const line = /ACL SETUSER tickwise (.+)/.exec(doc)?.[1];
    assert.ok(line, 'docs/security.md has the ACL line');
    user = uniqueName('tw_acl');
    const prefix = `${uniqueName('lp')}:`;
    const rules = line
      .replace('>long-random-password', '>pw-for-test')
      .replace('~{tickwise:*', `~{${prefix}*`)
      .split(' ');
    await admin?.call('ACL', 'SETUSER', user, 'reset', ...rules);
    const url = new URL(REDIS_URL);
    url.username = user;
    url.password = 'pw-for-test';
    const store = new RedisStore({ client: url.toString(), prefix });
    try {
      await runsThrough(store);
    } finally {
      await store.close?.();
    }
    const restricted = new Redis(url.toString());
    try {
      await assert.rejects(restricted.call('FLUSHALL'), /NOPERM/);
      await assert.rejects(restricted.call('KEYS', '*'), /NOPERM/);
      await assert.rejects(restricted.call('SET', 'other-app:key', '1'), /NOPERM/);
    } finally {
      restricted.disconnect();
    }
  });
});

describe('least privilege (docs/security.md): PostgreSQL role', () => {
  let admin: pg.Pool | undefined;
  let role = '';
  let schema = '';
  before(async function () {
    await requireServer(this, 'PostgreSQL');
    admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  });
  after(async () => {
    if (schema) await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    if (role) {
      await admin?.query(`DROP OWNED BY "${role}"`).catch(() => {});
      await admin?.query(`DROP ROLE IF EXISTS "${role}"`);
    }
    await admin?.end();
  });

  it('the documented grants are enough to run jobs; the role cannot create or drop', async function () {
    this.timeout(30_000);
    role = uniqueName('tw_app').toLowerCase();
    schema = uniqueName('lp').toLowerCase();
    await migrate(admin as pg.Pool, { schema });
    await admin?.query(`CREATE ROLE "${role}" LOGIN`);
    const grants = [...doc.matchAll(/^\s*(GRANT .+ TO app;)$/gm)].map((m) => m[1] as string);
    assert.equal(grants.length, 4, 'docs/security.md lists four grants');
    for (const grant of grants) {
      await admin?.query(grant.replaceAll('tickwise', `"${schema}"`).replace(/TO app;$/, `TO "${role}"`));
    }
    const url = new URL(DATABASE_URL);
    url.username = role;
    url.password = '';
    const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
    const store = new PostgresStore({ pool, schema });
    try {
      await runsThrough(store);
      await assert.rejects(pool.query(`CREATE TABLE "${schema}".extra (x int)`), /permission denied/);
      await assert.rejects(
        pool.query(`DROP TABLE "${schema}".${'claims'}`),
        /must be owner|permission denied|does not exist/,
      );
    } finally {
      await store.close?.();
      await pool.end();
    }
  });
});
