// A fleet of Tickwise replica processes (tickwise-replica.ts) sharing one store, for the store
// benchmark: runs, duplicates, misses and start lateness from the replicas' ledgers, store round
// trips per run from their counts. The same measures as the BullMQ peer (bullmq-peer.ts).

import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplicaArgs, ReplicaReport } from './tickwise-replica.js';

export interface FleetOptions {
  store: ReplicaArgs['store'];
  jobs: number;
  /** The jobs' period: every(periodMs), or, with `cron`, the cron's (60,000 for '* * * * *'). */
  periodMs: number;
  cron?: string;
  replicas: number;
  /** The measured window, from when every replica is up. */
  seconds: number;
  batchSize: number;
}

export interface FleetResult {
  runs: number;
  /** Job × tick pairs due inside the window (a margin of one second at the start, one period at the end). */
  expected: number;
  duplicates: number;
  misses: number;
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
  /** Store calls per run in the window, per replica (each call is one round trip). */
  roundTripsPerRunPerReplica: number;
  /** Calls by kind, summed over the replicas. */
  calls: Record<string, number>;
  skips: Record<string, number>;
  cpuMsPerRun: number;
  startupMs: number;
}

const REPLICA = fileURLToPath(new URL('./tickwise-replica.ts', import.meta.url));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function runTickwiseFleet(options: FleetOptions): Promise<FleetResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tickwise-bench-'));
  const started = Date.now();
  const children: ChildProcess[] = [];
  try {
    for (let r = 0; r < options.replicas; r++) {
      const args: ReplicaArgs = {
        id: `r${r}`,
        store: options.store,
        jobs: options.jobs,
        schedule: options.cron ? { cron: options.cron } : { everyMs: options.periodMs },
        batchSize: options.batchSize,
        ledger: join(dir, `r${r}.tsv`),
      };
      children.push(fork(REPLICA, [JSON.stringify(args)], { execArgv: ['--import', 'tsx/esm'], stdio: 'inherit' }));
    }
    await Promise.all(children.map((child) => waitFor(child, 'ready')));
    const windowStart = Date.now();
    const startupMs = windowStart - started;
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    const windowEnd = Date.now();
    const reports = await Promise.all(
      children.map(async (child) => {
        const report = waitFor(child, 'report') as Promise<{ report: ReplicaReport }>;
        child.send({ type: 'stop' });
        return (await report).report;
      }),
    );
    const counts = new Map<string, number>();
    const lateness: number[] = [];
    const from = windowStart + 1000;
    const to = windowEnd - options.periodMs;
    let runs = 0;
    for (let r = 0; r < options.replicas; r++) {
      const text = await readFile(join(dir, `r${r}.tsv`), 'utf8');
      for (const line of text.split('\n')) {
        if (!line) continue;
        const [job, tick, at] = line.split('\t').map(Number) as [number, number, number];
        if (tick < from || tick > to) continue;
        runs++;
        const key = `${job}@${tick}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        lateness.push(at - tick);
      }
    }
    let expected = 0;
    for (let tick = Math.ceil(from / options.periodMs) * options.periodMs; tick <= to; tick += options.periodMs) {
      expected += options.jobs;
    }
    const sum = (pick: (report: ReplicaReport) => Record<string, number>) => {
      const total: Record<string, number> = {};
      for (const report of reports) for (const [k, v] of Object.entries(pick(report))) total[k] = (total[k] ?? 0) + v;
      return total;
    };
    const calls = sum((report) => report.calls);
    const totalCalls = Object.values(calls).reduce((a, b) => a + b, 0);
    lateness.sort((a, b) => a - b);
    return {
      runs,
      expected,
      duplicates: [...counts.values()].filter((n) => n > 1).length,
      misses: expected - counts.size,
      latenessP50Ms: percentile(lateness, 50),
      latenessP99Ms: percentile(lateness, 99),
      latenessMaxMs: lateness.at(-1) ?? Number.NaN,
      // Calls over the whole life of the replicas (start-up included) against the runs of the window: an upper bound.
      roundTripsPerRunPerReplica: totalCalls / options.replicas / Math.max(1, runs),
      calls,
      skips: sum((report) => report.skips),
      cpuMsPerRun: reports.reduce((a, r) => a + r.cpuMs, 0) / Math.max(1, runs),
      startupMs,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

function waitFor(child: ChildProcess, type: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    void once(child, 'exit').then(([code]) => reject(new Error(`replica exited (${code}) before '${type}'`)));
  });
}
