import assert from 'node:assert/strict';
import { every } from '@tickwise/core';
import { DueTicks } from '../../../src/runtime/due-ticks.js';
import type { JobState } from '../../../src/runtime/job-state.js';
import { hms, jobState, recordingReport, T0 } from './fixtures.js';

const MINUTE = 60_000;

/** DueTicks with a gate that records what it is handed. */
function setup(missedAfterMs = 60_000) {
  const report = recordingReport();
  const gate = {
    pass: (_job: JobState, tick: number, trigger: string) => report.lines.push(`pass ${hms(tick)} ${trigger}`),
    drain: (job: JobState) => {
      const waiting = job.buffer?.shift();
      if (waiting) report.lines.push(`drain ${hms(waiting.tick)} ${waiting.trigger}`);
    },
  };
  return { due: new DueTicks(missedAfterMs, gate, report), lines: report.lines };
}

describe('due ticks: the tick on time', () => {
  it('hands the tick to the gate and returns the next one', () => {
    const { due, lines } = setup();
    const job = jobState({ name: 'j', schedule: every('1m') });
    job.nextTick = T0 + MINUTE;
    const next = due.take(job, T0 + MINUTE);
    assert.deepEqual(lines, ['pass 00:01:00 schedule']);
    assert.equal(job.lastTick, T0 + MINUTE);
    assert.equal(next, T0 + 2 * MINUTE);
  });

  it('never hands a tick on twice (a wall clock set back): only the next tick after the last one', () => {
    const { due, lines } = setup();
    const job = jobState({ name: 'j', schedule: every('1m') });
    job.lastTick = T0 + 5 * MINUTE;
    job.nextTick = T0 + 3 * MINUTE;
    assert.equal(due.take(job, T0 + 3 * MINUTE), T0 + 6 * MINUTE);
    assert.deepEqual(lines, []);
  });

  it('nor the very tick it handed on last, and it queues the tick after now when that is later', () => {
    const { due, lines } = setup();
    const job = jobState({ name: 'j', schedule: every('1m') });
    job.lastTick = T0 + 3 * MINUTE;
    job.nextTick = T0 + 3 * MINUTE;
    assert.equal(due.take(job, T0 + 7 * MINUTE + 1), T0 + 8 * MINUTE);
    assert.deepEqual(lines, []);
  });

  it('after a stall, returns the first tick after now, not one already past', () => {
    const { due } = setup();
    const job = jobState({ name: 'j', schedule: every('1m') });
    job.nextTick = T0 + MINUTE;
    assert.equal(due.take(job, T0 + 5 * MINUTE + 30_000), T0 + 6 * MINUTE);
  });
});

describe('due ticks: missed ticks (catchUp)', () => {
  it('catchUp none: the missed ticks are one report with their count; the tick on time still runs', () => {
    const { due, lines } = setup();
    const job = jobState({ name: 'j', schedule: every('1m') });
    job.nextTick = T0 + MINUTE;
    // Asleep from 00:01 to 00:05: 00:01..00:04 were missed, 00:05 is on time.
    const next = due.take(job, T0 + 5 * MINUTE);
    assert.deepEqual(lines, ['skip j 00:01:00 missed x4', 'pass 00:05:00 schedule']);
    assert.equal(next, T0 + 6 * MINUTE);
  });

  it('catchUp all: the missed ticks wait in the buffer and go through one after another, oldest first', () => {
    const { due, lines } = setup();
    const job = jobState({ name: 'j', schedule: every('1m'), catchUp: { policy: 'all', window: '1h' } });
    job.nextTick = T0 + MINUTE;
    due.take(job, T0 + 3 * MINUTE);
    assert.deepEqual(lines, ['drain 00:01:00 catch-up']);
    assert.deepEqual(
      job.buffer?.map((waiting) => `${hms(waiting.tick)} ${waiting.trigger}`),
      ['00:02:00 catch-up', '00:03:00 schedule'],
    );
  });

  it('a tick reached later than missedAfterMs is missed even when it is the latest', () => {
    const { due, lines } = setup(10_000);
    const job = jobState({ name: 'j', schedule: every('1m') });
    job.nextTick = T0 + MINUTE;
    due.take(job, T0 + MINUTE + 30_000);
    assert.deepEqual(lines, ['skip j 00:01:00 missed']);
    assert.equal(job.lastTick, T0 + MINUTE);
  });
});
