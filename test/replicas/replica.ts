// One replica process for the multi-process store tests: a Scheduler with a shared store and an
// every-second job that counts its runs per tick in the store itself. Prints one JSON line per
// run, and 'ready' once started. Stops cleanly on SIGTERM.
//
// Usage: replica.ts <redis|postgres> <namespace> <instanceId> [leaseMs] [runMs] [clockSkewMs] [interval]

import { type ClaimStore, type Clock, every, Scheduler, SystemClock } from '@tickwise/core';
import { PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import { Redis } from 'ioredis';
import pg from 'pg';

const [kind, namespace, instanceId, leaseText = '3000', runText = '50', skewText = '0', interval = '1s'] =
  process.argv.slice(2) as string[];
const leaseMs = Number(leaseText);
const runMs = Number(runText);
const skewMs = Number(skewText);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A wall clock that is off by skewMs, as on a machine whose NTP is broken. */
class SkewedClock implements Clock {
  private readonly system = new SystemClock();
  now(): number {
    return Date.now() + skewMs;
  }
  setTimer(callback: () => void, delayMs: number) {
    return this.system.setTimer(callback, delayMs);
  }
  defer(callback: () => void) {
    this.system.defer(callback);
  }
}

let store: ClaimStore;
let count: (tick: number) => Promise<void>;
let close: () => Promise<void>;
if (kind === 'redis') {
  // TICKWISE_STORE_URL puts the claims on another server (a throwaway one the test can stop);
  // the run counts stay on the shared server.
  store = new RedisStore({ client: process.env.TICKWISE_STORE_URL ?? REDIS_URL, prefix: `${namespace}:` });
  const redis = new Redis(REDIS_URL);
  count = async (tick) => {
    await redis.incr(`${namespace}:count:${tick}`);
  };
  close = async () => redis.disconnect();
} else {
  store = new PostgresStore({ pool: process.env.TICKWISE_STORE_URL ?? DATABASE_URL, schema: namespace });
  const pool = new pg.Pool({ connectionString: DATABASE_URL });
  count = async (tick) => {
    await pool.query(
      `INSERT INTO "${namespace}".counts (tick, runs) VALUES ($1, 1) ON CONFLICT (tick) DO UPDATE SET runs = counts.runs + 1`,
      [tick],
    );
  };
  close = () => pool.end();
}

const scheduler = new Scheduler({ store, instanceId, clock: new SkewedClock(), env: {} });
scheduler.add({
  name: 'race',
  schedule: every(interval),
  lease: leaseMs,
  run: async (ctx) => {
    const started = Date.now();
    process.stdout.write(`${JSON.stringify({ instanceId, start: ctx.scheduledAt.getTime(), fence: ctx.fence })}\n`);
    await count(ctx.scheduledAt.getTime());
    const rest = runMs - (Date.now() - started);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    process.stdout.write(
      `${JSON.stringify({ instanceId, tick: ctx.scheduledAt.getTime(), fence: ctx.fence, aborted: ctx.signal.aborted })}\n`,
    );
  },
});
scheduler.on('tick:skipped', (e) => {
  if (e.reason === 'store-unavailable' || process.env.REPLICA_DEBUG)
    process.stdout.write(`${JSON.stringify({ instanceId, skipped: e.reason, tick: e.tick.getTime() })}\n`);
});
scheduler.on('run:failure', (e) => {
  const reason = (e.error as { reason?: string } | undefined)?.reason;
  const line = { instanceId, failed: e.outcome, reason, tick: e.tick.getTime(), fence: e.fence };
  process.stdout.write(`${JSON.stringify({ ...line, completion: e.completion })}\n`);
});
await scheduler.start();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await scheduler.stop({ graceMs: 5000 });
  await store.close?.();
  await close();
  process.exit(0);
});
