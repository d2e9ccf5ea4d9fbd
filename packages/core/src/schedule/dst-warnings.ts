// DST notes for a fixed local time that a zone's transitions skip or repeat: structured for the
// CLI and the editor hover, and as warnings for validateSchedule().

import { formatWallClock, MS_PER_DAY } from './calendar.js';
import type { CronPattern } from './cron-pattern.js';
import { nextWallTime, wallTimeMatches } from './cron-search.js';
import { ScheduleCode, type ScheduleDiagnostic, warningDiagnostic } from './diagnostics.js';
import { durationInWords } from './duration.js';
import type { TimeZone } from './time-zone.js';

const LOOK_AHEAD_MS = 366 * MS_PER_DAY;

/** A transition day on which the schedule's fixed local time does not exist, or happens twice. */
export interface DstNote {
  /** 'gap': clocks spring forward over the time; 'overlap': clocks fall back and repeat it. */
  kind: 'gap' | 'overlap';
  /** The local date and time as written in the schedule, 'YYYY-MM-DD HH:MM'. */
  wallTime: string;
  /** The instant the run happens (for a gap, the shifted time; for an overlap, the first pass). */
  runsAt: Date;
  /** One sentence for people: "2026-03-29 02:30 does not exist in Europe/Berlin (…); it runs at 03:30 instead". */
  message: string;
}

/** Notes for every transition in [fromMs, toMs). Wildcard hours fire every real hour: no notes. */
export function dstNotes(pattern: CronPattern, zone: TimeZone, fromMs: number, toMs: number): DstNote[] {
  if (zone.isUtc || pattern.hourWildcard) return [];
  const notes: DstNote[] = [];
  for (const t of zone.transitionsBetween(fromMs, toMs)) {
    if (t.after > t.before) {
      const wall = nextWallTime(pattern, t.at + t.before, t.at + t.after);
      if (Number.isNaN(wall)) continue;
      const wallTime = formatWallClock(wall);
      const shifted = wall - t.before + t.after;
      notes.push({
        kind: 'gap',
        wallTime,
        runsAt: new Date(wall - t.before),
        message: gapMessage(pattern, zone.name, wall, shifted, t.after - t.before),
      });
    } else {
      const wall = nextWallTime(pattern, t.at + t.after, t.at + t.before);
      if (Number.isNaN(wall)) continue;
      const wallTime = formatWallClock(wall);
      notes.push({
        kind: 'overlap',
        wallTime,
        runsAt: new Date(wall - t.before),
        message: `${wallTime} happens twice in ${zone.name} (clocks fall back); it runs once, at the first`,
      });
    }
  }
  return notes;
}

/**
 * What happens to a wall time a spring-forward skips. Usually it runs an hour later the same day;
 * when the jump crosses midnight (Pacific/Apia skipped 2011-12-30 entirely), the run moves to
 * another day, and the message must say so and give the date.
 */
function gapMessage(pattern: CronPattern, zone: string, wall: number, shifted: number, jumpMs: number): string {
  const wallTime = formatWallClock(wall);
  const runsAt = formatWallClock(shifted);
  if (runsAt.slice(0, 10) === wallTime.slice(0, 10)) {
    return `${wallTime} does not exist in ${zone} (clocks spring forward); it runs at ${runsAt.slice(11)} instead`;
  }
  const jump = `clocks jump forward ${durationInWords(jumpMs)}${jumpMs >= MS_PER_DAY ? `, skipping ${wallTime.slice(0, 10)} entirely` : ''}`;
  const merged = wallTimeMatches(pattern, shifted) ? `, the same instant as that day's own run, so it runs once` : '';
  return `${wallTime} does not exist in ${zone} (${jump}); it runs at ${runsAt.slice(11)} on ${runsAt.slice(0, 10)} instead, the next day${merged}`;
}

/** One warning per affected transition in [fromMs, fromMs + 1 year), pointing at `range`. */
export function dstWarnings(
  pattern: CronPattern,
  zone: TimeZone,
  fromMs: number,
  range: { start: number; end: number },
): ScheduleDiagnostic[] {
  return dstNotes(pattern, zone, fromMs, fromMs + LOOK_AHEAD_MS).map((note) =>
    warningDiagnostic(
      note.kind === 'gap' ? ScheduleCode.DstGap : ScheduleCode.DstOverlap,
      note.message,
      range.start,
      range.end,
    ),
  );
}
