// A job's schedule in plain English, from the schedule model (cronstrue behind it).

import { formatDuration } from '@tickwise/core/schedule';
import { FRAMEWORK_LABEL } from './library-semantics.js';
import type { JobDeclaration } from './model.js';
import { scheduleOf } from './schedule-of.js';

/** "At 09:00 AM, Monday through Friday (Europe/Berlin)"; for dynamic schedules, says so and why. */
export function describeJob(job: JobDeclaration): string {
  const { schedule } = job;
  if (schedule.dynamic) return `Dynamic schedule: ${schedule.expression} (${schedule.reason})`;
  if (schedule.kind === 'interval' || schedule.kind === 'timeout') {
    const ms = Number(schedule.text);
    const every = Number.isFinite(ms) && ms > 0 ? formatDuration(ms) : `${schedule.text} ms`;
    return schedule.kind === 'interval'
      ? `Every ${every}, counted from when the app starts`
      : `Once, ${every} after the app starts`;
  }
  if (job.unsupported)
    return `${FRAMEWORK_LABEL[job.framework]} schedule ${schedule.text}: next runs not predicted (${job.unsupported})`;
  const described = scheduleOf(job)?.describe();
  if (!described) return `Invalid schedule: ${schedule.text}`;
  return job.zoneRule === 'server-local'
    ? described.replace(/\(([^()]*)\)$/, "($1, the server's local zone)")
    : described;
}
