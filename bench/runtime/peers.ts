// Registers N cron jobs with one library: Tickwise or a peer. Shared by the scale and burst workers.

import { cron, Scheduler } from '@tickwise/core';
import { CronJob as NestCronJob } from 'cron';
import { Cron } from 'croner';
import nodeCron from 'node-cron';
import { CronJob, Task, ToadScheduler } from 'toad-scheduler';

/** `cron` is the engine of @nestjs/schedule (each @Cron method becomes one CronJob). */
export type Library = 'tickwise' | 'croner' | 'node-cron' | 'toad-scheduler' | 'cron' | 'empty';

export interface Registered {
  stop(): Promise<void> | void;
}

/**
 * The handler of job i. Made here rather than as `run: () => handler(i)` at each call site: tsx
 * (esbuild keepNames) wraps every arrow that gets a name from its property in a `__name()` call
 * that defines `.name`, which cost ~40 ms per 100,000 registrations — the transpiler's cost, not
 * the library's. Every library gets handlers the same way.
 */
function handlerOf(handler: (i: number) => void, i: number): () => void {
  return () => handler(i);
}

/** Registers `expressions.length` jobs (6-field cron, seconds first) that call `handler(i)`. */
export async function registerJobs(
  library: Library,
  expressions: string[],
  handler: (i: number) => void,
): Promise<Registered> {
  switch (library) {
    case 'tickwise': {
      const scheduler = new Scheduler({ env: {} });
      expressions.forEach((expr, i) => {
        scheduler.add({ name: `job-${i}`, schedule: cron(expr), run: handlerOf(handler, i) });
      });
      await scheduler.start();
      return { stop: () => scheduler.stop({ graceMs: 0 }).then(() => {}) };
    }
    case 'croner': {
      const jobs = expressions.map((expr, i) => new Cron(expr, { timezone: 'UTC' }, handlerOf(handler, i)));
      return {
        stop: () => {
          for (const job of jobs) job.stop();
        },
      };
    }
    case 'node-cron': {
      const tasks = expressions.map((expr, i) => nodeCron.schedule(expr, handlerOf(handler, i), { timezone: 'UTC' }));
      return {
        stop: () => {
          for (const task of tasks) task.stop();
        },
      };
    }
    case 'cron': {
      const jobs = expressions.map((expr, i) =>
        NestCronJob.from({ cronTime: expr, onTick: handlerOf(handler, i), start: true, timeZone: 'UTC' }),
      );
      return {
        stop: () => {
          for (const job of jobs) job.stop();
        },
      };
    }
    case 'toad-scheduler': {
      const scheduler = new ToadScheduler();
      expressions.forEach((expr, i) => {
        scheduler.addCronJob(
          new CronJob({ cronExpression: expr, timezone: 'UTC' }, new Task(`t${i}`, handlerOf(handler, i)), {
            id: `j${i}`,
          }),
        );
      });
      return { stop: () => scheduler.stop() };
    }
    case 'empty':
      return { stop: () => {} };
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}
