// Fire lateness of a 1-second job, Tickwise and peers side by side in one process for the same
// seconds: start time minus the nominal second, p50/p99/max, and how many fired early.

import { cron, every, Scheduler } from '@tickwise/core';
import { CronJob as NestCronJob } from 'cron';
import { Cron } from 'croner';
import { CronJob, SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { percentile } from './peers.js';

export interface LatenessRow {
  library: string;
  fires: number;
  p50: number;
  p99: number;
  max: number;
  early: number;
}

export async function measureLateness(seconds: number): Promise<LatenessRow[]> {
  const samples: Record<string, number[]> = {
    'tickwise every(1s)': [],
    "tickwise cron('* * * * * *')": [],
    croner: [],
    'cron (the engine of @nestjs/schedule)': [],
    'toad-scheduler CronJob': [],
    'toad-scheduler SimpleIntervalJob (drift from start)': [],
  };
  const record = (name: string, nominal: number): void => {
    samples[name]?.push(Date.now() - nominal);
  };
  const scheduler = new Scheduler({ env: {} });
  scheduler.add({
    name: 'every',
    schedule: every('1s'),
    run: (ctx) => record('tickwise every(1s)', ctx.scheduledAt.getTime()),
  });
  scheduler.add({
    name: 'cron',
    schedule: cron('* * * * * *'),
    run: (ctx) => record("tickwise cron('* * * * * *')", ctx.scheduledAt.getTime()),
  });
  // croner and toad's CronJob have no nominal tick in the callback: the nominal time is the whole
  // second just passed (they fire on whole seconds; a fire before it shows as negative).
  const nearestSecond = () => Math.round(Date.now() / 1000) * 1000;
  const croner = new Cron('* * * * * *', () => record('croner', nearestSecond()));
  const nestCron = NestCronJob.from({
    cronTime: '* * * * * *',
    onTick: () => record('cron (the engine of @nestjs/schedule)', nearestSecond()),
    start: true,
  });
  const toad = new ToadScheduler();
  toad.addCronJob(
    new CronJob(
      { cronExpression: '* * * * * *' },
      new Task('c', () => record('toad-scheduler CronJob', nearestSecond())),
    ),
  );
  const intervalStart = Date.now();
  let intervalFires = 0;
  toad.addSimpleIntervalJob(
    new SimpleIntervalJob(
      { seconds: 1 },
      new Task('i', () => {
        intervalFires++;
        record('toad-scheduler SimpleIntervalJob (drift from start)', intervalStart + intervalFires * 1000);
      }),
    ),
  );
  await scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  await scheduler.stop({ graceMs: 0 });
  croner.stop();
  void nestCron.stop();
  toad.stop();
  return Object.entries(samples).map(([library, values]) => ({
    library,
    fires: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
    early: values.filter((v) => v < 0).length,
  }));
}
