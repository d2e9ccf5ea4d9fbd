// tickwise next "<expr>" [--tz Zone] [-n 10]: the next runs of a schedule, in its zone and UTC,
// with DST notes on the runs a transition moves, and the schedule's diagnostics.

import {
  at,
  type CronSchedule,
  cron,
  every,
  guessScheduleKind,
  type Schedule,
  validateSchedule,
} from '@tickwise/core/schedule';
import { formatInZone, formatRelative, isoSeconds } from '../time-format.js';
import type { CliIo } from './io.js';
import { renderTable } from './table.js';

export interface NextOptions {
  expression: string;
  timezone: string;
  count: number;
  now: Date;
}

function build(expression: string, kind: 'cron' | 'every' | 'at', timezone: string): Schedule {
  if (kind === 'every') return every(/^\d+$/.test(expression.trim()) ? Number(expression) : expression);
  if (kind === 'at') return at(expression);
  return cron(expression, { timezone });
}

export function nextCommand(options: NextOptions, io: CliIo): number {
  const { expression, timezone, now } = options;
  const kind = guessScheduleKind(expression);
  const diagnostics = validateSchedule(expression, { kind, timezone, from: now });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    for (const d of errors) {
      io.err(`error ${d.code}: ${d.message}`);
      if (d.target !== 'timezone') {
        io.err(`  ${expression}`);
        io.err(`  ${' '.repeat(d.start)}${'^'.repeat(Math.max(1, d.end - d.start))}`);
      }
    }
    return 1;
  }
  const schedule = build(expression, kind, timezone);
  const runs = schedule.nextRuns(options.count, now);
  io.out(`${expression}  (${kind}${kind === 'cron' ? `, ${schedule.timezone}` : ''})`);
  io.out(schedule.describe());
  io.out('');
  if (runs.length === 0) {
    io.out(`No runs after ${isoSeconds(now)}.`);
    return 0;
  }
  const last = runs[runs.length - 1] as Date;
  const notes = kind === 'cron' ? (schedule as CronSchedule).dstNotes(now, new Date(last.getTime() + 1)) : [];
  const noteAt = new Map(notes.map((note) => [note.runsAt.getTime(), note]));
  const zone = schedule.timezone;
  const withNotes = runs.some((run) => noteAt.has(run.getTime()));
  const header = ['#', ...(zone === 'UTC' ? [] : [zone]), 'UTC', 'WHEN', ...(withNotes ? ['NOTE'] : [])];
  const rows = runs.map((run, index) => {
    const local = zone === 'UTC' ? [] : [formatInZone(run, zone)];
    const note = withNotes ? [noteAt.get(run.getTime())?.message ?? ''] : [];
    return [String(index + 1), ...local, isoSeconds(run), formatRelative(run, now), ...note];
  });
  io.out(renderTable(header, rows));
  // DST notes already shown beside their runs are not repeated; later transitions and other
  // warnings (e.g. an uneven step) follow the table.
  const shown = new Set(notes.map((note) => note.message));
  const rest = diagnostics.filter((d) => !shown.has(d.message));
  if (rest.length > 0) io.out('');
  for (const d of rest) io.out(`warning ${d.code}: ${d.message}`);
  return 0;
}
