// One Tickwise replica process for the store benchmark (forked by tickwise-fleet.ts): N jobs on a
// shared Redis or PostgreSQL, each run appended to a ledger (buffered: a benchmark, not a crash
// test), every store call counted. On 'stop' it stops the scheduler and reports its counts.

import { createWriteStream } from 'node:fs';
import { type ClaimStore, cron, every, Scheduler } from '@tickwise/core';
import { PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';

export interface ReplicaArgs {
  id: string;
  store: { kind: 'redis'; url: string; prefix: string } | { kind: 'postgres'; url: string; schema: string };
  jobs: number;
  /** every(periodMs), or a cron expression (e.g. '* * * * *': every minute on the minute). */
  schedule: { everyMs: number } | { cron: string };
  /** Claims per round trip; 1 is the per-claim path. */
  batchSize: number;
  ledger: string;
}

export interface ReplicaReport {
  id: string;
  /** Store calls by method: each is one round trip (per slot on a Redis Cluster). */
  calls: Record<string, number>;
  skips: Record<string, number>;
  cpuMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ReplicaArgs;

/** Counts calls to the store's methods. */
function counting(store: ClaimStore, calls: Record<string, number>): ClaimStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...parameters: unknown[]) => {
        calls[String(key)] = (calls[String(key)] ?? 0) + 1;
        return value.apply(target, parameters);
      };
    },
  });
}

const calls: Record<string, number> = {};
const skips: Record<string, number> = {};
const raw =
  args.store.kind === 'redis'
    ? new RedisStore({ client: args.store.url, prefix: args.store.prefix })
    : new PostgresStore({ pool: args.store.url, schema: args.store.schema });
const store = counting(raw, calls);
const scheduler = new Scheduler({ store, env: {}, batchSize: args.batchSize });
const ledger = createWriteStream(args.ledger);
let buffered: string[] = [];
const flush = () => {
  if (buffered.length === 0) return;
  ledger.write(buffered.join(''));
  buffered = [];
};
const flusher = setInterval(flush, 1000);
const schedule = 'everyMs' in args.schedule ? every(args.schedule.everyMs) : cron(args.schedule.cron);
for (let i = 0; i < args.jobs; i++) {
  scheduler.add({
    name: `job-${i}`,
    schedule,
    run: (ctx) => {
      buffered.push(`${i}\t${ctx.scheduledAt.getTime()}\t${Date.now()}\n`);
    },
  });
}
scheduler.on('tick:skipped', (e) => {
  skips[e.reason] = (skips[e.reason] ?? 0) + e.count;
});
await scheduler.start();
process.send?.({ type: 'ready' });

process.on('message', async (message: { type?: string }) => {
  if (message.type !== 'stop') return;
  await scheduler.stop({ graceMs: 10_000 });
  await raw.close?.();
  clearInterval(flusher);
  flush();
  await new Promise<void>((resolve) => ledger.end(resolve));
  const cpu = process.cpuUsage();
  const report: ReplicaReport = { id: args.id, calls, skips, cpuMs: (cpu.user + cpu.system) / 1000 };
  process.send?.({ type: 'report', report }, undefined, {}, () => process.exit(0));
});
