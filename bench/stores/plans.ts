// The PostgreSQL store's statements, run on realistic data with their plans printed: 100,000 daily
// jobs with a week of retained records (700,000 rows), plus 1,000 every-minute jobs with an hour of
// them. Plans come from auto_explain (ANALYZE, BUFFERS, nested statements), so the statements
// inside the claim function are shown as the store really runs them.

import type { ClaimRequest, HeldClaim } from '@tickwise/core/store';
import { migrate, PostgresStore } from '@tickwise/postgres';
import pg from 'pg';

const DAY = 86_400_000;

export async function explainPlans(databaseUrl: string, schema: string): Promise<void> {
  const setup = new pg.Pool({ connectionString: databaseUrl });
  await migrate(setup, { schema });
  const t = `"${schema}".tickwise_claims`;
  const now = Date.now();
  const today = Math.floor(now / DAY) * DAY;
  const started = performance.now();
  // A week of finished daily runs (kept for the 7-day catch-up window), and an hour of minute jobs.
  await setup.query(
    `INSERT INTO ${t} (job, tick, owner, fence, lease_until, state, outcome, expires_at, retain_ms)
     SELECT 'daily-' || j, $1::bigint - d * ${DAY}, 'r', j * 10 + d, 0, 'done', 'success', $1::bigint - d * ${DAY} + 7 * ${DAY}, 7 * ${DAY}
       FROM generate_series(0, 99999) j, generate_series(1, 7) d`,
    [today],
  );
  await setup.query(
    `INSERT INTO ${t} (job, tick, owner, fence, lease_until, state, outcome, expires_at, retain_ms)
     SELECT 'minute-' || j, $1::bigint - m * 60000, 'r', j * 100 + m, 0, 'done', 'success', $1::bigint - m * 60000 + 3600000, 3600000
       FROM generate_series(0, 999) j, generate_series(1, 60) m`,
    [Math.floor(now / 60_000) * 60_000],
  );
  await setup.query(
    `INSERT INTO "${schema}".tickwise_claims_last (job, tick) SELECT 'daily-' || j, $1::bigint - ${DAY} FROM generate_series(0, 99999) j`,
    [today],
  );
  await setup.query(
    `INSERT INTO "${schema}".tickwise_claims_jobs (job) SELECT 'daily-' || j FROM generate_series(0, 99999) j`,
  );
  await setup.query(`VACUUM ANALYZE ${t}`);
  const { rows } = await setup.query<{ n: string; size: string }>(
    `SELECT count(*) AS n, pg_size_pretty(pg_total_relation_size('${t}')) AS size FROM ${t}`,
  );
  console.log(
    `Data: ${Number(rows[0]?.n).toLocaleString('en-US')} claim records (${rows[0]?.size} with indexes), generated in ${Math.round(performance.now() - started)} ms.\n`,
  );

  // One connection, with auto_explain logging every statement (nested ones too) back to it.
  const plans: string[] = [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on('connect', (client) => {
    client.on('notice', (notice) => plans.push(notice.message ?? ''));
  });
  const client = await pool.connect();
  await client.query(`LOAD 'auto_explain'`);
  await client.query(
    `SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on;
     SET auto_explain.log_nested_statements = on; SET auto_explain.log_timing = on; SET client_min_messages = log`,
  );
  client.release();
  const store = new PostgresStore({ pool, schema });
  await store.init();
  plans.length = 0;

  const requests: ClaimRequest[] = Array.from({ length: 1000 }, (_, i) => ({
    job: `daily-${i * 100}`,
    tick: today,
    leaseMs: 30_000,
    exclusive: true,
    retainMs: 7 * DAY,
    takeoverOnly: false,
  }));
  const show = async (title: string, work: () => Promise<unknown>) => {
    plans.length = 0;
    const began = performance.now();
    const result = await work();
    const what = typeof result === 'number' ? `, ${result.toLocaleString('en-US')}` : '';
    console.log(`### ${title} (${(performance.now() - began).toFixed(1)} ms${what})\n`);
    console.log('```');
    for (const plan of plans) console.log(plan.trim(), '\n');
    console.log('```\n');
  };
  const batch = (owner: string) => ({ owner, deadline: Date.now() + 10_000, maxEarlyMs: 250, requests });
  let held: HeldClaim[] = [];
  await show('claimTicks: 1,000 exclusive first claims of today’s tick (the winner)', async () => {
    const results = await store.claimTicks(batch('winner'));
    held = results.flatMap((r, i) => (r.acquired ? [{ ...(requests[i] as ClaimRequest), fence: r.fence }] : []));
  });
  await show('claimTicks: the same 1,000 from another replica (claimed elsewhere)', () =>
    store.claimTicks(batch('loser')),
  );
  await show('renewLeases: 1,000', () =>
    store.renewLeases({ owner: 'winner', deadline: Date.now() + 10_000, claims: held }),
  );
  await show('completeRuns: 1,000', () =>
    store.completeRuns({ owner: 'winner', runs: held.map((claim) => ({ claim, outcome: 'success' as const })) }),
  );
  await show('lastCompletedTick', async () => {
    await store.lastCompletedTick('daily-4200');
  });
  await setup.query(`UPDATE ${t} SET expires_at = 0 WHERE job LIKE 'minute-%' AND tick < $1`, [now - 1_800_000]);
  // A week and a day on: the oldest day of the daily records is past its retention, as is half an hour of minute records.
  await show('cleanup: deletes the records past their retention, 10,000 per statement (returns how many)', () =>
    store.cleanup(),
  );
  await store.close();
  await pool.end();
  await setup.query(`DROP SCHEMA "${schema}" CASCADE`);
  await setup.end();
}
