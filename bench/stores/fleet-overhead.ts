// What the fleet history costs on the hot path: a claim, then a completion with the run's record
// (history on), against the same without (a store built with `history: false`, and no record sent), side by
// side and interleaved on one store server, one at a time and in batches of 1,000. Round trips are
// counted by wrapping the store: the record rides on the completion, so both sides make the same
// number. Also a heartbeat with the replica's details and catalog against a bare one.

import type { ClaimStore, CompletionBatch, FleetStore, RunRecord } from '@tickwise/core/store';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

interface Side {
  store: ClaimStore;
  calls: number;
  withRecord: boolean;
}

function counted(store: ClaimStore, withRecord: boolean): Side {
  const side: Side = { store, calls: 0, withRecord };
  for (const method of ['claimTicks', 'completeRuns', 'heartbeat', 'renewLeases', 'releaseClaims'] as const) {
    const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      side.calls++;
      return original(...args);
    };
  }
  return side;
}

const record = (job: string, tick: number, fence: number): RunRecord => ({
  job,
  tick,
  instanceId: 'bench-replica-1',
  trigger: 'schedule',
  outcome: 'success',
  startedAt: tick + 12,
  durationMs: 230,
  lateMs: 12,
  attempts: 1,
  fence,
  version: '1.4.2',
});

/** [claim ms, completion ms] of one round of `jobs` at `tick`. */
async function claimAndComplete(side: Side, jobs: string[], tick: number): Promise<[number, number]> {
  const requests = jobs.map((job) => ({
    job,
    tick,
    leaseMs: 30_000,
    exclusive: true,
    retainMs: 60_000,
    takeoverOnly: false,
  }));
  const t0 = performance.now();
  const results = await side.store.claimTicks({ owner: 'a', deadline: Date.now() + 10_000, maxEarlyMs: 250, requests });
  const t1 = performance.now();
  const runs: CompletionBatch['runs'][number][] = [];
  results.forEach((result, i) => {
    if (!result.acquired) throw new Error(`claim refused: ${result.reason}`);
    const claim = { ...(requests[i] as (typeof requests)[number]), fence: result.fence };
    runs.push(
      side.withRecord
        ? { claim, outcome: 'success', record: record(claim.job, tick, result.fence) }
        : { claim, outcome: 'success' },
    );
  });
  const t2 = performance.now();
  await side.store.completeRuns({ owner: 'a', runs });
  return [t1 - t0, performance.now() - t2];
}

export interface OverheadResult {
  /** [history on, off], claim then completion. */
  claimP50: [number, number];
  completeP50: [number, number];
  batchClaimP50: [number, number];
  batchCompleteP50: [number, number];
  callsPerRun: [number, number];
  beatP50: [number, number];
}

/** `on` keeps history, `off` was built with history: false. Prints one table row per measure. */
export async function fleetOverhead(
  name: string,
  on: FleetStore,
  off: FleetStore,
  suffix: string,
): Promise<OverheadResult> {
  const sides = [counted(on, true), counted(off, false)] as const;
  const claim: [number[], number[]] = [[], []];
  const complete: [number[], number[]] = [[], []];
  const batchClaim: [number[], number[]] = [[], []];
  const batchComplete: [number[], number[]] = [[], []];
  const beat: [number[], number[]] = [[], []];
  const base = Date.UTC(2026, 0, 1);
  let runs = 0;
  // Interleaved: A then B, round after round, so drift of the machine's load hits both alike.
  for (let round = 0; round < 20; round++) {
    for (const [s, side] of sides.entries()) {
      for (let i = 0; i < 50; i++) {
        const [c, d] = await claimAndComplete(side, [`ov-single-${s}-${suffix}`], base + (round * 50 + i) * 1000);
        (claim[s] as number[]).push(c);
        (complete[s] as number[]).push(d);
      }
      const jobs = Array.from({ length: 1000 }, (_, i) => `ov-batch-${s}-${suffix}-${i}`);
      const [c, d] = await claimAndComplete(side, jobs, base + round * 1000);
      (batchClaim[s] as number[]).push(c);
      (batchComplete[s] as number[]).push(d);
      const catalog = Array.from({ length: 100 }, (_, i) => ({
        name: `job-${i}`,
        kind: 'cron' as const,
        schedule: '*/5 * * * *',
        timezone: 'Europe/Berlin',
        describe: 'Every 5 minutes (Europe/Berlin)',
        owner: 'team-data',
        timeoutMs: 60_000,
      }));
      const info = { host: 'bench', pid: 1, version: '1.4.2', startedAt: Date.now(), jobs: 100, clockOffsetMs: 0 };
      const b = performance.now();
      await side.store.heartbeat({
        instanceId: `ov-${s}-${suffix}`,
        session: 's',
        ttlMs: 12_000,
        ...(side.withRecord && { info: round === 0 ? { ...info, catalog } : info }),
      });
      (beat[s] as number[]).push(performance.now() - b);
    }
    runs += 50 + 1000;
  }
  const callsPerRun: [number, number] = [(sides[0].calls - 20) / runs, (sides[1].calls - 20) / runs];
  const p50 = ([a, b]: [number[], number[]]): [number, number] => [percentile(a, 50), percentile(b, 50)];
  const result: OverheadResult = {
    claimP50: p50(claim),
    completeP50: p50(complete),
    batchClaimP50: p50(batchClaim),
    batchCompleteP50: p50(batchComplete),
    callsPerRun,
    beatP50: p50(beat),
  };
  const f = (n: number) => `${n.toFixed(2)} ms`;
  const ratio = ([a, b]: [number, number]) => `${a >= b ? '+' : ''}${((a / b - 1) * 100).toFixed(1)} %`;
  const both = (pair: [number, number]) => `${f(pair[0])} / ${f(pair[1])} (${ratio(pair)})`;
  console.log(
    `| ${name} | ${both(result.claimP50)} | ${both(result.completeP50)} | ${both(result.batchClaimP50)} | ${both(result.batchCompleteP50)} | ${callsPerRun[0].toFixed(4)} / ${callsPerRun[1].toFixed(4)} | ${both(result.beatP50)} |`,
  );
  return result;
}

export const OVERHEAD_HEADER = `p50 of 1,000 single rounds and 20 batches, history on / off (difference):

| store | claim | completion | claim, batch of 1,000 | completion, batch of 1,000 | store calls per run, on / off | heartbeat with details / bare |
|---|---:|---:|---:|---:|---:|---:|`;

/**
 * Fills one job's history to the default limit (100 runs) with successes, and another's with
 * failures that carry a message; `measure(job)` reads what the store's server says the job takes.
 */
export async function historySize(
  name: string,
  store: FleetStore,
  measure: (job: string) => Promise<number>,
  suffix: string,
): Promise<void> {
  const base = Date.now() - 3_600_000;
  const sizes: string[] = [];
  for (const [job, failing] of [
    [`size-ok-${suffix}`, false],
    [`size-failing-${suffix}`, true],
  ] as const) {
    const requests = Array.from({ length: 100 }, (_, i) => ({
      job,
      tick: base + i * 1000,
      leaseMs: 30_000,
      exclusive: false,
      retainMs: 60_000,
      takeoverOnly: false,
    }));
    const results = await store.claimTicks({ owner: 'a', deadline: Date.now() + 10_000, maxEarlyMs: 250, requests });
    await store.completeRuns({
      owner: 'a',
      runs: results.map((result, i) => {
        const request = requests[i] as (typeof requests)[number];
        const fence = result.acquired ? result.fence : 0;
        const run = record(job, request.tick, fence);
        return {
          claim: { ...request, fence },
          outcome: failing ? ('failure' as const) : ('success' as const),
          record: failing
            ? {
                ...run,
                outcome: 'failure' as const,
                error: { type: 'TimeoutError', message: 'the export to s3://bucket/path did not finish within 5m' },
              }
            : run,
        };
      }),
    });
    sizes.push(`${((await measure(job)) / 1024).toFixed(1)} KB`);
  }
  console.log(`| ${name} | ${sizes[0]} | ${sizes[1]} |`);
}

export const SIZE_HEADER = `\n100 runs of one job (the default limit), as the store's server counts them:

| store | successes | failures with a message |
|---|---:|---:|`;
