// A toad interval ({ days, hours, minutes, seconds, milliseconds }) as a Tickwise every() schedule.

import { type EverySchedule, every } from '@tickwise/core';
import { DURATION_UNIT_MS as UNIT_MS } from '@tickwise/core/schedule';
import type { SimpleIntervalSchedule } from 'toad-scheduler';
import { ToadJobError } from './errors.js';

// toad-scheduler's field names (SimpleIntervalSchedule), with core's unit sizes.
const UNITS = [
  ['days', UNIT_MS.d],
  ['hours', UNIT_MS.h],
  ['minutes', UNIT_MS.m],
  ['seconds', UNIT_MS.s],
  ['milliseconds', UNIT_MS.ms],
] as const;

/** The interval in ms, summed as toad-scheduler's toMsecs() does (missing fields count as 0). */
export function intervalMs(schedule: SimpleIntervalSchedule, job: string): number {
  let total = 0;
  for (const [unit, ms] of UNITS) {
    const value = schedule[unit] ?? 0;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ToadJobError('UNSUPPORTED_SCHEDULE', `interval ${unit} must be a finite number, got ${String(value)}`, {
        job,
      });
    }
    total += value * ms;
  }
  if (!Number.isInteger(total) || total < 1) {
    // toad-scheduler hands such a value to setInterval, which runs it every millisecond.
    throw new ToadJobError(
      'UNSUPPORTED_SCHEDULE',
      `the interval adds up to ${total} ms; it must be a whole number of milliseconds, at least 1`,
      { job },
    );
  }
  return total;
}

/**
 * Ticks every interval from `anchor` (default the Unix epoch), so every replica computes the same
 * ticks. toad-scheduler counts from when the job started; pass that instant as `anchor` to match it.
 */
export function intervalSchedule(schedule: SimpleIntervalSchedule, job: string, anchor?: Date): EverySchedule {
  return every(intervalMs(schedule, job), anchor === undefined ? {} : { anchor });
}
