// A job's schedule in plain English, from the schedule model (cronstrue behind it).

import type { JobDeclaration } from './model.js';
import { scheduleOf } from './schedule-of.js';

/** "At 09:00 AM, Monday through Friday (Europe/Berlin)"; for dynamic schedules, says so. */
export function describeJob(job: JobDeclaration): string {
  if (job.schedule.dynamic) return `Dynamic schedule: ${job.schedule.expression}`;
  return scheduleOf(job)?.describe() ?? `Invalid schedule: ${job.schedule.text}`;
}
