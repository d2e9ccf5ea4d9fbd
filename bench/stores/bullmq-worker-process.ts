// One replica of the BullMQ peer fleet (started by bullmq-peer.ts with fork): a BullMQ Worker that
// runs the job schedulers' iterations and appends one ledger line per run to its own file.
// Usage: bullmq-worker-process.ts --redis URL --prefix P --queue Q --concurrency N --ledger FILE

import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';

/** What the parent sends: stop taking jobs, finish the active ones, report and exit. */
export interface StopMessage {
  type: 'stop';
}

/** What this process sends: once when its Worker is connected, once after it has closed. */
export type WorkerMessage =
  | { type: 'ready' }
  | {
      type: 'stopped';
      /** Ledger lines written, one per processor call. */
      runs: number;
      /** BullMQ 'stalled' events seen by this worker's stalled-job checker (jobs it moved back to wait). */
      stalled: number;
      failed: number;
      errors: string[];
      /** Runs whose job.opts.prevMillis was set and differed from the time in the job id. */
      prevMillisMismatches: number;
      /** This process's CPU time (user + system) from ready to stopped, in ms. */
      cpuMs: number;
    };

/**
 * A job scheduler's iteration carries its due time in its id, `repeat:<scheduler id>:<due ms>`
 * (bullmq addJobScheduler-11.lua and updateJobScheduler-12.lua build it so); null for other jobs.
 */
export function scheduledAtOf(job: Pick<Job, 'id' | 'repeatJobKey'>): number | null {
  const schedulerId = job.repeatJobKey;
  if (job.id === undefined || schedulerId === undefined) return null;
  const head = `repeat:${schedulerId}:`;
  if (!job.id.startsWith(head)) return null;
  const millis = Number(job.id.slice(head.length));
  return Number.isFinite(millis) ? millis : null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      redis: { type: 'string' },
      prefix: { type: 'string' },
      queue: { type: 'string' },
      concurrency: { type: 'string' },
      ledger: { type: 'string' },
    },
  });
  const { redis, prefix, queue, ledger } = values;
  const concurrency = Number(values.concurrency);
  if (!redis || !prefix || !queue || !ledger || !(concurrency >= 1)) {
    throw new Error('bullmq-worker-process: --redis, --prefix, --queue, --concurrency and --ledger are required');
  }

  // Unbuffered appends: a line is in the kernel's page cache as soon as the processor returns, so a
  // replica killed mid-run still has its runs counted. At a few thousand runs/s, the syscall is cheap.
  const fd = openSync(ledger, 'a');
  let runs = 0;
  let prevMillisMismatches = 0;
  let cpuAtReady = process.cpuUsage();
  // BullMQ needs maxRetriesPerRequest: null on the connection its blocking client is duplicated from.
  const connection = new Redis(redis, { maxRetriesPerRequest: null });
  const worker = new Worker(
    queue,
    async (job: Job) => {
      const startedAt = Date.now();
      const scheduledAt = scheduledAtOf(job) ?? Number.NaN;
      const prevMillis = job.opts.prevMillis;
      if (prevMillis !== undefined && prevMillis !== scheduledAt) prevMillisMismatches++;
      writeSync(fd, `${job.repeatJobKey ?? job.id}\t${scheduledAt}\t${startedAt}\n`);
      runs++;
    },
    { connection, prefix, concurrency, autorun: false },
  );
  let stalled = 0;
  let failed = 0;
  const errors: string[] = [];
  worker.on('stalled', () => stalled++);
  worker.on('failed', () => failed++);
  // Keep the first few messages only: a Redis outage repeats the same one for as long as it lasts.
  worker.on('error', (error) => {
    if (errors.length < 5) errors.push(error.message);
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await worker.close();
      await connection.quit();
      closeSync(fd);
      const cpu = process.cpuUsage(cpuAtReady);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      // Disconnect only once the report is out, so the parent never sees an exit without it. When
      // the parent has gone already, there is no one to report to.
      if (!process.connected) return;
      const report: WorkerMessage = { type: 'stopped', runs, stalled, failed, errors, prevMillisMismatches, cpuMs };
      process.send?.(report, undefined, undefined, () => {
        if (process.connected) process.disconnect?.();
      });
    })();
    return stopping;
  };
  process.on('message', (message: StopMessage) => {
    if (message.type === 'stop') void stop();
  });
  // An orphaned replica would keep taking the fleet's jobs: leave when the parent goes away.
  process.on('disconnect', () => void stop());

  void worker.run();
  await worker.waitUntilReady();
  cpuAtReady = process.cpuUsage();
  process.send?.({ type: 'ready' } satisfies WorkerMessage);
}

// bullmq-peer.ts imports scheduledAtOf from here; only a forked replica runs the worker.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
