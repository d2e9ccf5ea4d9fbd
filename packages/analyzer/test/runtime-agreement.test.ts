// The analyzer reads schedules from source; the scheduler runs them. For every static job of the
// runnable fixtures, the next runs `tickwise list` prints must be the ticks the real Scheduler
// fires on a virtual clock, one job at a time.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type JobDeclaration, scheduleOf } from '@tickwise/analyzer';
import { Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { cli, NOW, PROJECT } from './helpers.js';

/** Fixtures that import @tickwise/core only and export setup(scheduler). */
const RUNNABLE = ['src/reports.ts', 'src/aliases.ts', 'src/namespace.ts', 'src/constants.ts', 'src/add-calls.ts'];
const RUNS = 3;

type ListedJob = JobDeclaration & { describe: string; nextRuns: string[] };

describe('analyzer and runtime agree', () => {
  let listed: ListedJob[] = [];
  const setups = new Map<string, (scheduler: Scheduler) => void>();

  before(async () => {
    const { code, out } = await cli(
      PROJECT,
      'list',
      '--json',
      '-n',
      String(RUNS),
      `--now=${NOW.toISOString()}`,
      ...RUNNABLE,
    );
    assert.equal(code, 0);
    listed = JSON.parse(out).jobs;
    for (const file of RUNNABLE) {
      const module = (await import(pathToFileURL(join(PROJECT, file)).href)) as { setup: (s: Scheduler) => void };
      setups.set(file, module.setup);
    }
  });

  it('finds the same jobs, schedules, zones and descriptions the scheduler registers', () => {
    const scheduler = new Scheduler({ clock: new VirtualClock(NOW), env: {} });
    for (const setup of setups.values()) setup(scheduler);
    const registered = scheduler
      .jobs()
      .map((j) => [j.name, j.kind, j.schedule, j.timezone, j.describe].join(' | '))
      .sort();
    const analysed = listed
      .map((j) => [j.name, j.schedule.kind, scheduleOf(j)?.toString(), j.timezone, j.describe].join(' | '))
      .sort();
    assert.deepEqual(analysed, registered);
    assert.equal(listed.length, 14);
  });

  it('the next runs tickwise prints are the ticks the scheduler fires', async function () {
    this.timeout(60_000);
    for (const job of listed) {
      // A one-shot has one run; every other schedule has RUNS.
      assert.equal(job.nextRuns.length, job.schedule.kind === 'at' ? 1 : RUNS, `${job.name}: ${job.nextRuns}`);
      const clock = new VirtualClock(NOW);
      const others = listed.filter((j) => j.name !== job.name).map((j) => j.name);
      const scheduler = new Scheduler({ clock, env: {}, disabled: others });
      const fired: string[] = [];
      scheduler.on('run:start', (event) => {
        if (event.job.name === job.name) fired.push(event.tick.toISOString().replace('.000Z', 'Z'));
      });
      (setups.get(job.file) as (s: Scheduler) => void)(scheduler);
      await scheduler.start();
      await clock.runUntil(job.nextRuns.at(-1) as string);
      await scheduler.stop();
      assert.deepEqual(fired, job.nextRuns, job.name);
    }
  });
});
