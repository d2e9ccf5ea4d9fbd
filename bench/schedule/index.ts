// Schedule model benchmark: next-run throughput and heap per compiled schedule, Tickwise side by
// side with croner and cron-parser in one process, printing ratios. Run: npm run bench:schedule
// (builds first, so it measures the published dist/ code).

import { cron } from '@tickwise/core';
import { CronExpressionParser } from 'cron-parser';
import { Cron } from 'croner';
import { importTimeTable } from './import-time.js';

const START = new Date('2026-01-05T00:00:00Z');
const MEASURE_MS = 700;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

/** Occurrences per second of `step`, which computes `batch` occurrences per call. */
function throughput(step: () => number): number {
  for (let i = 0; i < 3; i++) step(); // warm up
  let count = 0;
  const began = performance.now();
  let elapsed = 0;
  while (elapsed < MEASURE_MS) {
    count += step();
    elapsed = performance.now() - began;
  }
  return (count / elapsed) * 1000;
}

const BATCH = 2000;

/**
 * How the occurrences are asked for. `repeat`: every batch starts again at START, so the same
 * weeks or years are computed over and over (what a scheduler does: one next() per tick, near now).
 * `walk`: each batch continues where the last one ended, so a daily schedule crosses into a new
 * year every few hundred calls and the time-zone work for each new year is part of the figure.
 */
type Mode = 'repeat' | 'walk';

function tickwise(expr: string, timezone: string, mode: Mode): () => number {
  const schedule = cron(expr, { timezone });
  let cursor: Date = START;
  return () => {
    let at: Date | null = mode === 'walk' ? cursor : START;
    for (let i = 0; i < BATCH && at; i++) at = schedule.next(at);
    cursor = at ?? START;
    return BATCH;
  };
}

function croner(expr: string, timezone: string, mode: Mode): () => number {
  const job = new Cron(expr, { timezone, paused: true });
  let cursor: Date = START;
  return () => {
    let at: Date | null = mode === 'walk' ? cursor : START;
    for (let i = 0; i < BATCH && at; i++) at = job.nextRun(at);
    cursor = at ?? START;
    return BATCH;
  };
}

function cronParser(expr: string, timezone: string, mode: Mode): () => number {
  let it = CronExpressionParser.parse(expr, { currentDate: START, tz: timezone });
  return () => {
    if (mode === 'repeat') it = CronExpressionParser.parse(expr, { currentDate: START, tz: timezone });
    try {
      for (let i = 0; i < BATCH; i++) it.next();
    } catch {
      it = CronExpressionParser.parse(expr, { currentDate: START, tz: timezone });
    }
    return BATCH;
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function throughputTable(): void {
  const cases: [string, string][] = [
    ['*/5 * * * *', 'UTC'],
    ['*/5 * * * *', 'America/New_York'],
    ['0 9 * * 1-5', 'Europe/Berlin'],
    ['30 2 * * *', 'America/New_York'],
    ['0 0 L * *', 'UTC'],
  ];
  console.log('## next() throughput (occurrences/s, higher is better)\n');
  console.log('repeat: each batch of 2,000 next() calls starts again at 2026-01-05; walk: each batch goes on');
  console.log('where the last ended (into new years, past 2037 into predicted zone tables).\n');
  console.log('| expression | zone | mode | tickwise | cron-parser | croner | vs cron-parser | vs croner |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|');
  for (const [expr, zone] of cases) {
    for (const mode of ['repeat', 'walk'] as const) {
      const ours = throughput(tickwise(expr, zone, mode));
      const parser = throughput(cronParser(expr, zone, mode));
      const theirs = throughput(croner(expr, zone, mode));
      console.log(
        `| \`${expr}\` | ${zone} | ${mode} | ${fmt(ours)} | ${fmt(parser)} | ${fmt(theirs)} | ${(ours / parser).toFixed(1)}x | ${(ours / theirs).toFixed(1)}x |`,
      );
    }
  }
}

/** Distinct, valid expressions, so nothing can be shared between instances. */
function distinctExpression(i: number): string {
  return `${i % 60} ${Math.floor(i / 60) % 24} ${1 + (Math.floor(i / 1440) % 28)} ${1 + (Math.floor(i / 40_320) % 12)} *`;
}

function heapPerInstance(count: number, make: (i: number) => unknown): { bytes: number; ms: number } {
  const keep: unknown[] = new Array(count);
  gc();
  const before = process.memoryUsage().heapUsed;
  const began = performance.now();
  for (let i = 0; i < count; i++) keep[i] = make(i);
  const ms = performance.now() - began;
  gc();
  const after = process.memoryUsage().heapUsed;
  if (keep.length !== count) throw new Error('unreachable');
  return { bytes: (after - before) / count, ms };
}

function heapTable(): void {
  console.log('\n## Heap per compiled schedule (distinct expressions; lower is better)\n');
  console.log('| library | instances | heap per schedule | total heap | construction time |');
  console.log('|---|---:|---:|---:|---:|');
  const rows: [string, number, (i: number) => unknown][] = [
    ['tickwise `cron()`', 100_000, (i) => cron(distinctExpression(i), { timezone: i % 2 ? 'Europe/Berlin' : 'UTC' })],
    [
      'cron-parser',
      20_000,
      (i) =>
        CronExpressionParser.parse(distinctExpression(i), { currentDate: START, tz: i % 2 ? 'Europe/Berlin' : 'UTC' }),
    ],
    [
      'croner (paused)',
      5_000,
      (i) => new Cron(distinctExpression(i), { paused: true, timezone: i % 2 ? 'Europe/Berlin' : 'UTC' }),
    ],
  ];
  const results: Record<string, number> = {};
  for (const [name, count, make] of rows) {
    const { bytes, ms } = heapPerInstance(count, make);
    results[name] = bytes;
    console.log(
      `| ${name} | ${fmt(count)} | ${fmt(bytes)} B | ${((bytes * count) / 1048576).toFixed(1)} MB | ${ms.toFixed(0)} ms |`,
    );
  }
  const ours = results['tickwise `cron()`'] as number;
  console.log(
    `\ncroner uses ${((results['croner (paused)'] as number) / ours).toFixed(0)}x and cron-parser ${((results['cron-parser'] as number) / ours).toFixed(0)}x the heap of a tickwise schedule.`,
  );
}

console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
throughputTable();
heapTable();
importTimeTable();
