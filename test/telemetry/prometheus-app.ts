// The app the Prometheus test scrapes: a Scheduler with the real OpenTelemetry metrics SDK and
// @opentelemetry/exporter-prometheus on PORT. Time is a VirtualClock driven by this script, so
// every histogram observation is exact: runs last 0.3 s (sync) and 40 min (report), each starts
// 12 s late, each claim takes 0.3 ms; a third job overlaps itself, so ticks are skipped too. Prints "ready" when the exporter listens and "done" after
// the given number of hourly ticks; then waits to be scraped until killed.

import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ClaimStore } from '@tickwise/core';
import { every, MemoryStore, Scheduler } from '@tickwise/core';
import type { ClaimBatch } from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import { TRUE_VALUES } from './prometheus-truth.js';

// Arguments: the exporter's port, the number of hourly ticks to run.
const port = Number(process.argv[2]);
const runs = Number(process.argv[3] ?? 20);
const exporter = new PrometheusExporter({ host: '127.0.0.1', port }, (error) => {
  if (error) throw error;
  console.log('ready');
});
const meterProvider = new MeterProvider({ readers: [exporter] });

const clock = new VirtualClock('2026-01-05T00:00:00Z');
const sleep = (seconds: number) => new Promise<void>((resolve) => clock.setTimer(resolve, seconds * 1000));

/** The in-memory store, with every claim round trip taking exactly TRUE_VALUES.claim (virtual). */
const memory = new MemoryStore();
memory.followClock(() => clock.now());
const store: ClaimStore = new Proxy(memory, {
  get(target, key) {
    if (key === 'claimTicks') {
      return async (batch: ClaimBatch) => {
        await sleep(TRUE_VALUES.claim);
        return target.claimTicks(batch);
      };
    }
    const value = Reflect.get(target, key, target);
    return typeof value === 'function' ? value.bind(target) : value;
  },
  // Not a MemoryStore to the scheduler: it must not re-point the store's clock.
  getPrototypeOf: () => Object.prototype,
});

const scheduler = new Scheduler({ clock, store, env: {}, telemetry: { meterProvider } });
scheduler.add({ name: 'sync', schedule: every('1h'), run: () => sleep(TRUE_VALUES.syncDuration) });
scheduler.add({ name: 'report', schedule: every('1h'), timeout: '2h', run: () => sleep(TRUE_VALUES.reportDuration) });
// Runs 90 minutes every hour: every other tick is skipped (overlap), for tickwise_job_skipped_total;
// and each run is slower than its expected hour, for tickwise_job_expectation_missed_total.
scheduler.add({
  name: 'long',
  schedule: every('1h'),
  timeout: '3h',
  expect: { duration: '1h' },
  run: () => sleep(5400),
});
await scheduler.start();

const HOUR = 3_600_000;
for (let i = 0; i < runs; i++) {
  const tick = Math.floor(clock.now() / HOUR) * HOUR + HOUR;
  await clock.runUntil(tick - 1);
  // The machine "sleeps" past the tick: its timer fires TRUE_VALUES.lateness late.
  clock.stall(TRUE_VALUES.lateness * 1000 + 1);
  await clock.advance(0);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await clock.advance(HOUR - 60_000);
console.log('done');
setInterval(() => {}, 60_000);
