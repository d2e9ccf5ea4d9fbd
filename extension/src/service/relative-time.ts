// The short "in 3s" / "in 2h 13m" labels of the tree and the CodeLens, and when they need redrawing:
// one module, so the refresh timer and the labels agree on when a label's text changes.
// Pure: takes the time, never reads a clock or starts a timer.

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The smallest unit a label for `ms` ahead shows: seconds under a minute, minutes under a day, else hours. */
function step(ms: number): number {
  return ms < MINUTE ? SECOND : ms < DAY ? MINUTE : HOUR;
}

/**
 * "in 42s" under a minute, "in 12m" under an hour, "in 13h 10m" / "in 14h" under a day, "in 3d 4h"
 * / "in 3d" beyond; "now" under a second. Units are rounded down, as a countdown is.
 */
export function shortRelative(next: Date, now: Date): string {
  const ms = next.getTime() - now.getTime();
  if (ms < SECOND) return 'now';
  if (ms < MINUTE) return `in ${Math.floor(ms / SECOND)}s`;
  if (ms < HOUR) return `in ${Math.floor(ms / MINUTE)}m`;
  const [big, small, bigUnit, smallUnit] =
    ms < DAY
      ? [Math.floor(ms / HOUR), Math.floor((ms % HOUR) / MINUTE), 'h', 'm']
      : [Math.floor(ms / DAY), Math.floor((ms % DAY) / HOUR), 'd', 'h'];
  return small > 0 ? `in ${big}${bigUnit} ${small}${smallUnit}` : `in ${big}${bigUnit}`;
}

/** The longest wait between refreshes while any run is ahead. */
export const MAX_REFRESH_MS = MINUTE;

/**
 * Milliseconds until the relative labels of these runs should be redrawn: just after the soonest
 * label's text changes (so every second while the soonest run is under a minute away), and at
 * most {@link MAX_REFRESH_MS}. Later runs' labels are at most that late. 0 when a run is not ahead
 * of `now` (its label is already stale); undefined when there is no run (no timer needed).
 */
export function nextRefreshDelay(runs: Iterable<Date | undefined>, now: Date): number | undefined {
  let soonest = Number.POSITIVE_INFINITY;
  for (const run of runs) if (run && run.getTime() < soonest) soonest = run.getTime();
  if (soonest === Number.POSITIVE_INFINITY) return undefined;
  const ms = soonest - now.getTime();
  if (ms <= 0) return 0;
  // The label rounds down, so it changes once `ms` drops below the next multiple of its unit: 1 ms past that.
  return Math.min((ms % step(ms)) + 1, MAX_REFRESH_MS);
}
