// Warnings for fixed local times that a time zone's DST transitions skip or repeat in the coming year.

import { formatWallClock, MS_PER_DAY } from './calendar.js';
import type { CronPattern } from './cron-pattern.js';
import { nextWallTime } from './cron-search.js';
import { ScheduleCode, type ScheduleDiagnostic, warningDiagnostic } from './diagnostics.js';
import type { TimeZone } from './time-zone.js';

const LOOK_AHEAD_MS = 366 * MS_PER_DAY;

/** One warning per affected transition in [fromMs, fromMs + 1 year), pointing at `range`. */
export function dstWarnings(
  pattern: CronPattern,
  zone: TimeZone,
  fromMs: number,
  range: { start: number; end: number },
): ScheduleDiagnostic[] {
  // Wildcard hours fire every real hour; only fixed hours have a time that can be skipped or doubled.
  if (zone.isUtc || pattern.hourWildcard) return [];
  const warnings: ScheduleDiagnostic[] = [];
  for (const t of zone.transitionsBetween(fromMs, fromMs + LOOK_AHEAD_MS)) {
    if (t.after > t.before) {
      const wall = nextWallTime(pattern, t.at + t.before, t.at + t.after);
      if (Number.isNaN(wall)) continue;
      const runsAt = formatWallClock(wall - t.before + t.after).slice(11);
      warnings.push(
        warningDiagnostic(
          ScheduleCode.DstGap,
          `${formatWallClock(wall)} does not exist in ${zone.name} (clocks spring forward); it runs at ${runsAt} instead`,
          range.start,
          range.end,
        ),
      );
    } else {
      const wall = nextWallTime(pattern, t.at + t.after, t.at + t.before);
      if (Number.isNaN(wall)) continue;
      warnings.push(
        warningDiagnostic(
          ScheduleCode.DstOverlap,
          `${formatWallClock(wall)} happens twice in ${zone.name} (clocks fall back); it runs once, at the first`,
          range.start,
          range.end,
        ),
      );
    }
  }
  return warnings;
}
