// Registers N cron jobs with one library: Tickwise or a peer. Shared by the scale and burst workers.

import { cron, Scheduler } from '@tickwise/core';
import { Cron } from 'croner';
import nodeCron from 'node-cron';
import { CronJob, Task, ToadScheduler } from 'toad-scheduler';

export type Library = 'tickwise' | 'croner' | 'node-cron' | 'toad-scheduler' | 'empty';

export interface Registered {
  stop(): Promise<void> | void;
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
        scheduler.add({ name: `job-${i}`, schedule: cron(expr), run: () => handler(i) });
      });
      await scheduler.start();
      return { stop: () => scheduler.stop({ graceMs: 0 }).then(() => {}) };
    }
    case 'croner': {
      const jobs = expressions.map((expr, i) => new Cron(expr, { timezone: 'UTC' }, () => handler(i)));
      return {
        stop: () => {
          for (const job of jobs) job.stop();
        },
      };
    }
    case 'node-cron': {
      const tasks = expressions.map((expr, i) => nodeCron.schedule(expr, () => handler(i), { timezone: 'UTC' }));
      return {
        stop: () => {
          for (const task of tasks) task.stop();
        },
      };
    }
    case 'toad-scheduler': {
      const scheduler = new ToadScheduler();
      expressions.forEach((expr, i) => {
        scheduler.addCronJob(
          new CronJob({ cronExpression: expr, timezone: 'UTC' }, new Task(`t${i}`, () => handler(i)), { id: `j${i}` }),
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
