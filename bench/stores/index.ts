// Store benchmark: claim and completion latency (p50/p99) and round trips per run on loopback
// Redis and PostgreSQL, then 1,000 jobs ticking every second on 3 replicas sharing each store.
// Run: npm run bench:stores   (REDIS_URL, DATABASE_URL; BENCH_SECONDS for the fleet run, default 10)

import { type ClaimStore, every, MemoryStore, Scheduler } from '@tickwise/core';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import pg from 'pg';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const suffix = `${process.pid}_${Date.now().toString(36)}`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** Counts calls to the store: each is one round trip for the Redis and PostgreSQL stores. */
function counting(store: ClaimStore): { store: ClaimStore; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(key)] = (calls[String(key)] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  return { store: wrapped, calls };
}

async function latency(name: string, store: ClaimStore): Promise<void> {
  const claims: number[] = [];
  const completes: number[] = [];
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 2000; i++) {
    const tick = base + i * 1000;
    const request = {
      job: `bench-${suffix}`,
      tick,
      leaseMs: 30_000,
      exclusive: true,
      retainMs: 60_000,
      takeoverOnly: false,
    };
    let t = performance.now();
    const [result] = await store.claimTicks({
      owner: 'a',
      deadline: Date.now() + 5000,
      maxEarlyMs: 250,
      requests: [request],
    });
    claims.push(performance.now() - t);
    if (!result?.acquired) throw new Error(`claim refused: ${result && !result.acquired && result.reason}`);
    t = performance.now();
    await store.completeRuns({
      owner: 'a',
      runs: [{ claim: { ...request, fence: result.fence }, outcome: 'success' }],
    });
    completes.push(performance.now() - t);
  }
  const f = (n: number) => `${n.toFixed(2)} ms`;
  console.log(
    `| ${name} | ${f(percentile(claims, 50))} | ${f(percentile(claims, 99))} | ${f(percentile(completes, 50))} | ${f(percentile(completes, 99))} |`,
  );
}

async function fleet(name: string, makeStore: () => Promise<ClaimStore>): Promise<void> {
  const runs = new Map<string, number>();
  const lateness: number[] = [];
  const counters: Record<string, number>[] = [];
  const schedulers: Scheduler[] = [];
  const stores: ClaimStore[] = [];
  for (let r = 0; r < 3; r++) {
    const { store, calls } = counting(await makeStore());
    stores.push(store);
    counters.push(calls);
    const scheduler = new Scheduler({ store, instanceId: `r${r}`, env: {} });
    for (let j = 0; j < 1000; j++) {
      scheduler.add({
        name: `job-${j}`,
        schedule: every('1s'),
        run: (ctx) => {
          const key = `${j}@${ctx.scheduledAt.getTime()}`;
          runs.set(key, (runs.get(key) ?? 0) + 1);
          lateness.push(Date.now() - ctx.scheduledAt.getTime());
        },
      });
    }
    schedulers.push(scheduler);
  }
  await Promise.all(schedulers.map((s) => s.start()));
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  await Promise.all(schedulers.map((s) => s.stop({ graceMs: 5000 })));
  for (const store of stores) await store.close?.();
  const duplicates = [...runs.values()].filter((n) => n > 1).length;
  const total = [...runs.values()].reduce((a, b) => a + b, 0);
  const claims = counters.reduce((a, c) => a + (c.claimTicks ?? 0), 0);
  const completes = counters.reduce((a, c) => a + (c.completeRuns ?? 0), 0);
  console.log(
    `| ${name} | ${Math.round(total / SECONDS).toLocaleString('en-US')} | ${duplicates} | ${percentile(lateness, 50)} ms | ${percentile(lateness, 99)} ms | ${(claims / total).toFixed(2)} | ${(completes / total).toFixed(2)} |`,
  );
}

console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
const pool = new pg.Pool({ connectionString: DATABASE_URL });
const schema = `bench_${suffix}`;
await migrate(pool, { schema });

console.log('## Claim and completion latency, one job, 2,000 ticks in a row (one round trip each)\n');
console.log('| store | claim p50 | claim p99 | complete p50 | complete p99 |');
console.log('|---|---:|---:|---:|---:|');
await latency('MemoryStore (in process)', new MemoryStore());
const redis = new RedisStore({ client: REDIS_URL, prefix: `bench-${suffix}:` });
await redis.init();
await latency('Redis (loopback)', redis);
await redis.close();
const postgres = new PostgresStore({ pool: DATABASE_URL, schema });
await postgres.init();
await latency('PostgreSQL (loopback)', postgres);
await postgres.close();

console.log(`\n## 1,000 jobs every second on 3 replicas sharing the store, ${SECONDS} s\n`);
console.log(
  '| store | runs/s | ticks run twice | lateness p50 | lateness p99 | claims per run | completions per run |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
const shared = new MemoryStore();
await fleet('MemoryStore (shared in process)', async () => shared);
await fleet('Redis', async () => new RedisStore({ client: REDIS_URL, prefix: `fleet-${suffix}:` }));
await fleet('PostgreSQL', async () => new PostgresStore({ pool: DATABASE_URL, schema }));
console.log('\n(claims per run > 1: the replicas that lose a tick ask too — 3 replicas, so about 3 claims per run.)');

await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
await pool.end();
process.exit(0);
