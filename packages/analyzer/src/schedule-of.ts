// The runtime's Schedule for a job found in source, built with the schedule model of
// @tickwise/core, so next runs here are the ones the scheduler will use.

import { at, cron, every, type Schedule } from '@tickwise/core/schedule';
import type { JobDeclaration } from './model.js';

/** The job's Schedule, or undefined when it is dynamic or does not compile (its diagnostics say why). */
export function scheduleOf(job: JobDeclaration): Schedule | undefined {
  const { schedule } = job;
  if (schedule.dynamic || typeof job.timezone !== 'string') return undefined;
  try {
    if (schedule.kind === 'every') {
      const duration = /^\d+$/.test(schedule.text) ? Number(schedule.text) : schedule.text;
      return every(duration, schedule.anchor ? { anchor: new Date(schedule.anchor) } : {});
    }
    if (schedule.kind === 'at') return at(schedule.text);
    const dayMatch = job.options.dayMatch;
    return cron(schedule.text, {
      timezone: job.timezone,
      ...((dayMatch === 'and' || dayMatch === 'or') && { dayMatch }),
    });
  } catch {
    return undefined;
  }
}

/** The next `count` runs after `after`; empty when they cannot be known from source. */
export function nextRunsOf(job: JobDeclaration, count: number, after: Date): Date[] {
  return scheduleOf(job)?.nextRuns(count, after) ?? [];
}
