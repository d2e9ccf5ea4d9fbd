// tickwise next "<expr>" [--tz Zone] [-n 10]: the next runs of a schedule, in its zone and UTC,
// with DST notes on the runs a transition moves, and the schedule's diagnostics.

import { guessScheduleKind, validateSchedule } from '@tickwise/core/schedule';
import { runsWithDstNotes, scheduleFromText } from '../schedule-of.js';
import { formatInZone, formatRelative, isoSeconds } from '../time-format.js';
import type { CliIo } from './io.js';
import { renderTable } from './table.js';

export interface NextOptions {
  expression: string;
  timezone: string;
  count: number;
  now: Date;
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
  const schedule = scheduleFromText(kind, expression, { timezone });
  const { runs } = runsWithDstNotes(schedule, options.count, now);
  io.out(`${expression}  (${kind}${kind === 'cron' ? `, ${schedule.timezone}` : ''})`);
  io.out(schedule.describe());
  io.out('');
  if (runs.length === 0) {
    io.out(`No runs after ${isoSeconds(now)}.`);
    return 0;
  }
  const zone = schedule.timezone;
  const withNotes = runs.some((r) => r.note !== undefined);
  const header = ['#', ...(zone === 'UTC' ? [] : [zone]), 'UTC', 'WHEN', ...(withNotes ? ['NOTE'] : [])];
  const rows = runs.map(({ run, note }, index) => {
    const local = zone === 'UTC' ? [] : [formatInZone(run, zone)];
    return [String(index + 1), ...local, isoSeconds(run), formatRelative(run, now), ...(withNotes ? [note ?? ''] : [])];
  });
  io.out(renderTable(header, rows));
  // DST notes already shown beside their runs are not repeated; later transitions and other
  // warnings (e.g. an uneven step) follow the table.
  const shown = new Set(runs.map((r) => r.note));
  const rest = diagnostics.filter((d) => !shown.has(d.message));
  if (rest.length > 0) io.out('');
  for (const d of rest) io.out(`warning ${d.code}: ${d.message}`);
  return 0;
}
