// The runtime's Schedule for a schedule found in source or typed on the command line, built with
// the schedule model of @tickwise/core, so next runs here are the ones the scheduler will use.

import { at, type CronSchedule, cron, type DayMatch, every, type Schedule } from '@tickwise/core/schedule';
import type { JobDeclaration, ScheduleKind } from './model.js';

const YEAR_MS = 366 * 86_400_000;

/** The Schedule for a schedule's text; throws the model's ScheduleError when it does not compile. */
export function scheduleFromText(
  kind: ScheduleKind,
  text: string,
  options: { timezone?: string; dayMatch?: DayMatch; anchor?: string } = {},
): Schedule {
  if (kind === 'every') {
    // A bare number is milliseconds, as every(300000) in code.
    const duration = /^\d+$/.test(text.trim()) ? Number(text) : text;
    return every(duration, options.anchor ? { anchor: new Date(options.anchor) } : {});
  }
  if (kind === 'at') return at(text);
  return cron(text, {
    ...(options.timezone !== undefined && { timezone: options.timezone }),
    ...(options.dayMatch && { dayMatch: options.dayMatch }),
  });
}

/**
 * The job's Schedule, or undefined when it is dynamic, does not compile (its diagnostics say
 * why), runs relative to start-up (intervals, timeouts), or is another library's schedule the
 * analyzer does not predict (`unsupported` says why). Another library's cron job runs as the
 * equivalent expression in `model`, in the zone that library uses.
 */
export function scheduleOf(job: JobDeclaration): Schedule | undefined {
  const { schedule } = job;
  if (schedule.dynamic || typeof job.timezone !== 'string') return undefined;
  if (schedule.kind === 'interval' || schedule.kind === 'timeout') return undefined;
  if (job.framework !== 'tickwise') {
    if (!job.model || job.unsupported) return undefined;
    try {
      return cron(job.model.expression, { timezone: job.timezone, dayMatch: job.model.dayMatch });
    } catch {
      return undefined;
    }
  }
  const dayMatch = job.options.dayMatch;
  try {
    return scheduleFromText(schedule.kind, schedule.text, {
      timezone: job.timezone,
      ...((dayMatch === 'and' || dayMatch === 'or') && { dayMatch }),
      ...(schedule.anchor && { anchor: schedule.anchor }),
    });
  } catch {
    return undefined;
  }
}

/** The next `count` runs after `after`; empty when they cannot be known from source. */
export function nextRunsOf(job: JobDeclaration, count: number, after: Date): Date[] {
  return scheduleOf(job)?.nextRuns(count, after) ?? [];
}

export interface AnnotatedRun {
  run: Date;
  /** When a DST transition moves this run (or makes its local time happen twice): why. */
  note?: string;
}

/**
 * The next `count` runs, each with the note of a DST transition that affects it, and the notes
 * of transitions later in the coming year (for runs not listed). For the CLI and the editor.
 */
export function runsWithDstNotes(
  schedule: Schedule,
  count: number,
  after: Date,
): { runs: AnnotatedRun[]; laterNotes: string[] } {
  const runs = schedule.nextRuns(count, after);
  if (schedule.kind !== 'cron' || runs.length === 0) return { runs: runs.map((run) => ({ run })), laterNotes: [] };
  const notes = (schedule as CronSchedule).dstNotes(after, new Date(after.getTime() + YEAR_MS));
  const byInstant = new Map(notes.map((n) => [n.runsAt.getTime(), n.message]));
  const annotated = runs.map((run) => {
    const note = byInstant.get(run.getTime());
    return note ? { run, note } : { run };
  });
  const shown = new Set(annotated.map((r) => r.note));
  return { runs: annotated, laterNotes: notes.map((n) => n.message).filter((m) => !shown.has(m)) };
}
