// Store benchmark: Tickwise's batched claim path against its per-claim path (batchSize: 1) and
// BullMQ's job schedulers, side by side on the same loopback Redis and PostgreSQL, with real
// replica processes; then the query plans of the PostgreSQL statements on realistic data.
//
// Run: npm run bench:stores   (REDIS_URL, DATABASE_URL)
//   BENCH_PARTS=latency,fleet,minute,ten,plans   which parts (default all)
//   BENCH_MINUTE_SECONDS=240   the 100,000-jobs-on-one-minute window (3 minutes of ticks)
//   BENCH_TEN_SECONDS=300      the 10,000-jobs-every-10-s window
//   BENCH_PEERS=per-claim,bullmq   which comparisons to run beside the batched path

import { type ClaimStore, MemoryStore } from '@tickwise/core';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { runBullmqFleet } from './bullmq-peer.js';
import { fleetOverhead, historySize, OVERHEAD_HEADER, SIZE_HEADER } from './fleet-overhead.js';
import { explainPlans } from './plans.js';
import { type FleetResult, runTickwiseFleet } from './tickwise-fleet.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PARTS = new Set((process.env.BENCH_PARTS ?? 'latency,fleet,minute,ten,plans').split(','));
const PEERS = new Set((process.env.BENCH_PEERS ?? 'per-claim,bullmq').split(','));
const MINUTE_SECONDS = Number(process.env.BENCH_MINUTE_SECONDS ?? 240);
const TEN_SECONDS = Number(process.env.BENCH_TEN_SECONDS ?? 300);
const suffix = `${process.pid}_${Date.now().toString(36)}`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (n: number) =>
  Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString('en-US')} ms` : '–';
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Round trips of one claim + completion, and of a batch of 1,000 of each. */
async function latency(name: string, store: ClaimStore): Promise<void> {
  const single: number[] = [];
  const batch: number[] = [];
  const base = Date.UTC(2026, 0, 1);
  const request = (job: string, tick: number) => ({
    job,
    tick,
    leaseMs: 30_000,
    exclusive: true,
    retainMs: 60_000,
    takeoverOnly: false,
  });
  for (let i = 0; i < 500; i++) {
    const r = request(`single-${suffix}`, base + i * 1000);
    const t = performance.now();
    const [result] = await store.claimTicks({
      owner: 'a',
      deadline: Date.now() + 5000,
      maxEarlyMs: 250,
      requests: [r],
    });
    if (!result?.acquired) throw new Error(`claim refused: ${result && !result.acquired && result.reason}`);
    await store.completeRuns({ owner: 'a', runs: [{ claim: { ...r, fence: result.fence }, outcome: 'success' }] });
    single.push(performance.now() - t);
  }
  for (let round = 0; round < 20; round++) {
    const requests = Array.from({ length: 1000 }, (_, i) => request(`batch-${suffix}-${i}`, base + round * 1000));
    const t = performance.now();
    const results = await store.claimTicks({ owner: 'a', deadline: Date.now() + 10_000, maxEarlyMs: 250, requests });
    const runs = results.flatMap((result, i) =>
      result.acquired
        ? [
            {
              claim: { ...(requests[i] as (typeof requests)[number]), fence: result.fence },
              outcome: 'success' as const,
            },
          ]
        : [],
    );
    if (runs.length !== 1000) throw new Error(`batch: ${runs.length} of 1000 claims granted`);
    await store.completeRuns({ owner: 'a', runs });
    batch.push(performance.now() - t);
  }
  const perClaim = percentile(batch, 50) / 1000;
  console.log(
    `| ${name} | ${ms(percentile(single, 50))} | ${ms(percentile(single, 99))} | ${ms(percentile(batch, 50))} | ${ms(percentile(batch, 99))} | ${ms(perClaim)} | ${(percentile(single, 50) / perClaim).toFixed(0)}x |`,
  );
}

interface Row {
  name: string;
  result: Pick<
    FleetResult,
    'runs' | 'expected' | 'duplicates' | 'misses' | 'latenessP50Ms' | 'latenessP99Ms' | 'latenessMaxMs'
  > & {
    roundTrips: number | null;
    cpuMsPerRun: number;
    skips?: Record<string, number>;
  };
}

function printRows(rows: Row[]): void {
  console.log(
    '| path | runs | expected | ran twice | missed | lateness p50 | p99 | max | round trips per run per replica | CPU per run | skips |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const { name, result: r } of rows) {
    const skips = Object.entries(r.skips ?? {})
      .filter(([reason]) => reason !== 'claimed-elsewhere' && reason !== 'completed')
      .map(([reason, n]) => `${reason} ${int(n)}`)
      .join(', ');
    console.log(
      `| ${name} | ${int(r.runs)} | ${int(r.expected)} | ${int(r.duplicates)} | ${int(r.misses)} | ${ms(r.latenessP50Ms)} | ${ms(r.latenessP99Ms)} | ${ms(r.latenessMaxMs)} | ${r.roundTrips === null || r.runs === 0 ? '–' : r.roundTrips.toFixed(4)} | ${r.runs === 0 ? '–' : `${r.cpuMsPerRun.toFixed(3)} ms`} | ${skips || '–'} |`,
    );
  }
  const batched = rows.filter((row) => row.name.includes('batched'));
  for (const row of batched) {
    for (const other of rows.filter((o) => o !== row && !o.name.includes('batched') && sameStore(o.name, row.name))) {
      if (other.result.runs === 0) {
        console.log(`\n${other.name}: ran nothing within the window (it never caught up with the claims it owed)`);
        continue;
      }
      console.log(
        `\n${row.name} vs ${other.name}: p99 lateness ${(other.result.latenessP99Ms / row.result.latenessP99Ms).toFixed(1)}x lower` +
          (other.result.roundTrips !== null && row.result.roundTrips !== null
            ? `, ${(other.result.roundTrips / row.result.roundTrips).toFixed(0)}x fewer round trips per run`
            : '') +
          `, ${(other.result.cpuMsPerRun / row.result.cpuMsPerRun).toFixed(1)}x less CPU per run`,
      );
    }
  }
}

/** Redis rows compare with Redis rows (BullMQ runs on Redis), PostgreSQL with PostgreSQL. */
function sameStore(a: string, b: string): boolean {
  const store = (name: string) => (name.includes('PostgreSQL') ? 'pg' : 'redis');
  return store(a) === store(b);
}

async function fleetRows(options: {
  jobs: number;
  periodMs: number;
  cron?: string;
  replicas: number;
  seconds: number;
}): Promise<Row[]> {
  const rows: Row[] = [];
  const pool = new pg.Pool({ connectionString: DATABASE_URL });
  const paths: [string, number][] = [['batched', 1000]];
  if (PEERS.has('per-claim')) paths.push(['per-claim (batchSize: 1)', 1]);
  try {
    for (const [path, batchSize] of paths) {
      for (const kind of ['redis', 'postgres'] as const) {
        const schema = `bench_${suffix}_${kind}_${batchSize}`;
        if (kind === 'postgres') await migrate(pool, { schema });
        const store =
          kind === 'redis'
            ? { kind, url: REDIS_URL, prefix: `bench-${suffix}-${batchSize}:` }
            : { kind, url: DATABASE_URL, schema };
        const name = `Tickwise ${path}, ${kind === 'redis' ? 'Redis' : 'PostgreSQL'}`;
        console.error(`running: ${name}`);
        const result = await runTickwiseFleet({ store, ...options, batchSize });
        rows.push({ name, result: { ...result, roundTrips: result.roundTripsPerRunPerReplica } });
        if (kind === 'postgres') await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      }
    }
  } finally {
    await pool.end();
  }
  if (PEERS.has('bullmq')) {
    console.error('running: BullMQ job schedulers');
    const bull = await runBullmqFleet({
      redisUrl: REDIS_URL,
      jobs: options.jobs,
      ...(options.cron ? { pattern: '0 * * * * *' } : { every: options.periodMs }),
      workers: options.replicas,
      seconds: options.seconds,
      prefix: `bench-bull-${suffix}`,
    });
    rows.push({
      name: `BullMQ ${'6.7'} job schedulers, Redis (${options.replicas} workers)`,
      result: {
        runs: bull.runs,
        expected: bull.expected,
        duplicates: bull.duplicates,
        misses: bull.misses,
        latenessP50Ms: bull.latenessP50Ms,
        latenessP99Ms: bull.latenessP99Ms,
        latenessMaxMs: bull.latenessMaxMs,
        roundTrips: bull.redisScriptCallsPerRun === undefined ? null : bull.redisScriptCallsPerRun / options.replicas,
        cpuMsPerRun: bull.workerCpuMsPerRun,
      },
    });
  }
  return rows;
}

console.log(`node ${process.version}, ${new Date().toISOString()}, ${(await import('node:os')).cpus().length} cores\n`);

if (PARTS.has('latency')) {
  console.log('## Round trips: one claim + completion, and a batch of 1,000 of each\n');
  console.log(
    '| store | one, p50 | one, p99 | batch of 1,000, p50 | batch, p99 | per claim in a batch | batch vs one, per claim |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  await latency('MemoryStore (in process)', new MemoryStore());
  const redis = new RedisStore({ client: REDIS_URL, prefix: `bench-${suffix}:` });
  await redis.init();
  await latency('Redis (loopback)', redis);
  await redis.close();
  const pool = new pg.Pool({ connectionString: DATABASE_URL });
  const schema = `bench_${suffix}`;
  await migrate(pool, { schema });
  const postgres = new PostgresStore({ pool: DATABASE_URL, schema });
  await postgres.init();
  await latency('PostgreSQL (loopback)', postgres);
  await postgres.close();
  await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  await pool.end();
}

if (PARTS.has('fleet')) {
  console.log('\n## The fleet history on the hot path: claim + completion with the run record, and without\n');
  console.log(OVERHEAD_HEADER);
  await fleetOverhead('MemoryStore (in process)', new MemoryStore(), new MemoryStore({ history: false }), suffix);
  const on = new RedisStore({ client: REDIS_URL, prefix: `bench-on-${suffix}:` });
  const off = new RedisStore({ client: REDIS_URL, prefix: `bench-off-${suffix}:`, history: false });
  const pool = new pg.Pool({ connectionString: DATABASE_URL });
  const schemas = [`bench_on_${suffix}`, `bench_off_${suffix}`];
  for (const schema of schemas) await migrate(pool, { schema });
  const pgOn = new PostgresStore({ pool: DATABASE_URL, schema: schemas[0] });
  const pgOff = new PostgresStore({ pool: DATABASE_URL, schema: schemas[1], history: false });
  await Promise.all([on.init(), off.init(), pgOn.init(), pgOff.init()]);
  await fleetOverhead('Redis (loopback)', on, off, suffix);
  await fleetOverhead('PostgreSQL (loopback)', pgOn, pgOff, suffix);

  console.log(SIZE_HEADER);
  const sizer = new Redis(REDIS_URL);
  await historySize(
    'Redis (MEMORY USAGE of the job’s list)',
    on,
    async (job) => {
      const [key] = await sizer.keys(`{bench-on-${suffix}:*}:h:${job}`);
      return key ? ((await sizer.memory('USAGE', key)) ?? 0) : Number.NaN;
    },
    suffix,
  );
  sizer.disconnect();
  const runsTable = `'"${schemas[0]}".tickwise_claims_runs'`;
  const tableSize = async () =>
    Number((await pool.query(`SELECT pg_total_relation_size(${runsTable}) AS n`)).rows[0].n);
  // Page-granular: the growth as each job's 100 runs are added.
  let measured = await tableSize();
  await historySize(
    'PostgreSQL (growth of the runs table with its primary key and TOAST)',
    pgOn,
    async () => {
      const total = await tableSize();
      const grown = total - measured;
      measured = total;
      return grown;
    },
    suffix,
  );
  await Promise.all([on.close(), off.close(), pgOn.close(), pgOff.close()]);
  for (const schema of schemas) await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  await pool.end();
}

if (PARTS.has('minute')) {
  console.log(`\n## 100,000 jobs due on the same minute, 5 replica processes, ${MINUTE_SECONDS} s\n`);
  printRows(
    await fleetRows({ jobs: 100_000, periodMs: 60_000, cron: '* * * * *', replicas: 5, seconds: MINUTE_SECONDS }),
  );
}

if (PARTS.has('ten')) {
  console.log(`\n## 10,000 jobs every 10 s, 3 replica processes, ${TEN_SECONDS} s\n`);
  printRows(await fleetRows({ jobs: 10_000, periodMs: 10_000, replicas: 3, seconds: TEN_SECONDS }));
}

if (PARTS.has('plans')) {
  console.log('\n## PostgreSQL query plans: 100,000 jobs, a week of retained records\n');
  await explainPlans(DATABASE_URL, `bench_plans_${suffix}`);
}
process.exit(0);
