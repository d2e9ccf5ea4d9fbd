// Runtime benchmark: fire lateness, scale (registration, heap, idle CPU), a 100k-job burst, and
// per-run overhead — Tickwise side by side with croner, node-cron, toad-scheduler and cron (the
// engine of @nestjs/schedule), in one command. Run: npm run bench:runtime
// Env: BENCH_LATENESS_SECONDS (30), BENCH_IDLE_SECONDS (10), BENCH_ONLY=lateness,scale,burst,overhead

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureLateness } from './lateness.js';
import { measureOverhead } from './overhead.js';

const here = dirname(fileURLToPath(import.meta.url));
const latenessSeconds = Number(process.env.BENCH_LATENESS_SECONDS ?? 30);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const only = process.env.BENCH_ONLY?.split(',');
const runs = (section: string) => !only || only.includes(section);

interface ScaleResult {
  library: string;
  count: number;
  registerMs: number;
  heapPerJob: number;
  idleCpuPercent: number;
}

interface BurstResult {
  library: string;
  count: number;
  registerMs: number;
  started: number;
  early: number;
  p50: number;
  p99: number;
  lastStartMs: number;
}

function worker<T>(file: string, args: (string | number)[]): T {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx/esm', join(here, file), ...args.map(String)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as T;
}

const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : `${Math.round(n)} ms`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function lateness(): Promise<void> {
  console.log(`## Fire lateness of a 1-second job, ${latenessSeconds} s, all in one process (ms; lower is better)\n`);
  console.log('| scheduler | fires | p50 | p99 | max | early fires |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of await measureLateness(latenessSeconds)) {
    console.log(`| ${row.library} | ${row.fires} | ${row.p50} | ${row.p99} | ${row.max} | ${row.early} |`);
  }
}

function scale(): void {
  console.log(`\n## Scale: N daily cron jobs, then ${idleSeconds} s idle (each row its own process)\n`);
  console.log('Expressions are ~72% distinct (nothing to share) unless the row says one shared expression.\n');
  console.log('| scheduler | jobs | register | heap per job | idle CPU |');
  console.log('|---|---:|---:|---:|---:|');
  const rows: [string, number, string][] = [
    ['empty', 0, 'distinct'],
    ['tickwise', 10_000, 'distinct'],
    ['tickwise', 100_000, 'distinct'],
    ['tickwise', 100_000, 'shared'],
    ['croner', 10_000, 'distinct'],
    ['node-cron', 10_000, 'distinct'],
    ['node-cron', 100_000, 'shared'],
    ['toad-scheduler', 10_000, 'distinct'],
    ['cron', 10_000, 'distinct'],
  ];
  for (const [library, count, variety] of rows) {
    const r = worker<ScaleResult>('scale-worker.ts', [library, count, idleSeconds, variety]);
    console.log(
      `| ${r.library} | ${fmt(r.count)} | ${ms(r.registerMs)} | ${fmt(r.heapPerJob)} B | ${r.idleCpuPercent.toFixed(2)}% |`,
    );
  }
}

function burst(): void {
  console.log('\n## Burst: N jobs due on the same second (each row its own process; trivial handlers)\n');
  console.log('| scheduler | jobs | register | started | early | p50 lateness | p99 lateness | all started after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  // Lead time per row: registration must end before the tick (toad-scheduler needs ~10 s for 10k).
  const rows: [string, number, number][] = [
    ['tickwise', 100_000, 5_000],
    ['tickwise', 10_000, 3_000],
    ['croner', 10_000, 10_000],
    ['node-cron', 10_000, 5_000],
    ['toad-scheduler', 10_000, 20_000],
    ['cron', 10_000, 15_000],
  ];
  for (const [library, count, leadMs] of rows) {
    const r = worker<BurstResult>('burst-worker.ts', [library, count, leadMs]);
    const all = r.started === r.count ? ms(r.lastStartMs) : `never (${fmt(r.count - r.started)} dropped)`;
    console.log(
      `| ${r.library} | ${fmt(r.count)} | ${ms(r.registerMs)} | ${fmt(r.started)} | ${r.early} | ${ms(r.p50)} | ${ms(r.p99)} | ${all} |`,
    );
  }
}

async function overhead(): Promise<void> {
  const result = await measureOverhead();
  console.log('\n## Per-run pipeline overhead\n');
  console.log(
    `${fmt(result.runs)} runs of trivial jobs (gate, MemoryStore claim, attempt, completion, events) on a VirtualClock: ${result.microsPerRun.toFixed(1)} µs per run, the virtual clock's own work included.`,
  );
}

console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
if (runs('lateness')) await lateness();
if (runs('scale')) scale();
if (runs('burst')) burst();
if (runs('overhead')) await overhead();
