// A job's schedule and zone as `tickwise list` prints them, shared by the commands that show jobs.

import { isDynamic, type JobDeclaration } from './model.js';

/** '0 9 * * 1-5', 'every 60000 ms from start-up', or '(dynamic) <source> — <reason>'. */
export function scheduleText(job: JobDeclaration): string {
  const { schedule } = job;
  if (schedule.dynamic) return `(dynamic) ${schedule.expression} — ${schedule.reason}`;
  if (schedule.kind === 'interval') return `every ${schedule.text} ms from start-up`;
  if (schedule.kind === 'timeout') return `once, ${schedule.text} ms after start-up`;
  return schedule.text;
}

/** 'Europe/Berlin', 'Europe/Berlin (server local)', '(dynamic) <source>', or '-' for start-up timers (no calendar). */
export function zoneText(job: JobDeclaration): string {
  const timer = !job.schedule.dynamic && (job.schedule.kind === 'interval' || job.schedule.kind === 'timeout');
  if (timer) return '-';
  if (isDynamic(job.timezone)) return `(dynamic) ${job.timezone.dynamic}`;
  return job.zoneRule === 'server-local' ? `${job.timezone} (server local)` : job.timezone;
}

/** The zone a job's runs are printed in: its own, or UTC when it is not known from source. */
export function displayZone(job: JobDeclaration): string {
  return typeof job.timezone === 'string' ? job.timezone : 'UTC';
}
