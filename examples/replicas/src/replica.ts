// One replica: a Scheduler on the shared store with one every-2-seconds job. Every replica
// registers the same job; the store lets exactly one of them run each tick.

import { type ClaimStore, every, Scheduler } from '@tickwise/core';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import pg from 'pg';

// A label for the output. The scheduler's instance id is left to its default (host-pid-random):
// an id must be unique among live replicas, and start() fails if another live one has it.
const [id = 'replica', backend = 'redis'] = process.argv.slice(2);

let store: ClaimStore;
if (backend === 'postgres') {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await migrate(pool, { schema: 'tickwise_example' }); // idempotent; normally run at deploy time
  store = new PostgresStore({ pool, schema: 'tickwise_example' });
} else {
  store = new RedisStore({ client: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: 'tickwise-example:' });
}

const scheduler = new Scheduler({ store });
scheduler.add({
  name: 'report',
  schedule: every('2s'),
  owner: 'example',
  description: 'Prints which replica ran the tick',
  runbook: 'Harmless to rerun',
  run: (ctx) => {
    console.log(`${ctx.scheduledAt.toISOString()}  ran on ${id} (fence ${ctx.fence})`);
  },
});
await scheduler.start();
process.send?.('ready');

process.once('SIGTERM', async () => {
  await scheduler.stop({ graceMs: 5000 });
  await store.close?.();
  process.exit(0);
});
