// The Schedule interface every kind of schedule implements, and helpers built on next().

import { MS_PER_SECOND } from './calendar.js';

export type ScheduleKind = 'cron' | 'every' | 'at';

/** When a job runs. Pure: no timers, no I/O; every method takes the reference time as an argument. */
export interface Schedule {
  readonly kind: ScheduleKind;
  /** IANA time zone the schedule is read in ('UTC' for intervals and one-shots). */
  readonly timezone: string;
  /**
   * The first tick strictly after `after`, or null when there is none (a past one-shot, or none
   * before the end of representable time, 275760-09-13). An Invalid Date throws InvalidDateError
   * (in every zone): null would read as "the schedule has ended".
   */
  next(after: Date): Date | null;
  /** The next `count` ticks strictly after `after` (fewer if the schedule ends). Invalid Date: InvalidDateError. */
  nextRuns(count: number, after: Date): Date[];
  /** The last tick strictly before `before`, or null when there is none. Invalid Date: InvalidDateError. */
  previous(before: Date): Date | null;
  /**
   * next() in epoch ms, NaN when there is none: the scheduler's hot path (one call per tick, and a
   * burst of 100,000 jobs) then allocates no Dates. Optional: without it, nextTickMs() calls next().
   */
  nextMs?(afterMs: number): number;
  /** Plain English, with the time zone: "At 09:00, Monday through Friday (Europe/Berlin)". */
  describe(): string;
  /** The schedule as written (cron expression, duration or ISO date). */
  toString(): string;
}

/** nextRuns on top of next(). */
export function collectNextRuns(schedule: Schedule, count: number, after: Date): Date[] {
  const runs: Date[] = [];
  let cursor: Date | null = after;
  while (runs.length < count) {
    cursor = schedule.next(cursor);
    if (!cursor) break;
    runs.push(cursor);
  }
  return runs;
}

/** The longest look-back of previous(): beyond the 400-year calendar cycle nothing new can match. */
const LOOKBACK_LIMIT_MS = 401 * 366 * 86_400_000;

/**
 * previous() on top of next(): widen a window backwards until it holds a tick, then narrow down
 * to the last tick before `before` by halving (O(log range) calls of next()).
 */
export function findPrevious(next: (afterMs: number) => number, beforeMs: number): number {
  const upper = Math.ceil(beforeMs / MS_PER_SECOND) * MS_PER_SECOND;
  let tick = Number.NaN;
  for (let width = MS_PER_SECOND; width <= LOOKBACK_LIMIT_MS * 2; width *= 2) {
    const candidate = next(upper - width - 1);
    if (!Number.isNaN(candidate) && candidate < beforeMs) {
      tick = candidate;
      break;
    }
    if (width > LOOKBACK_LIMIT_MS) return Number.NaN;
  }
  if (Number.isNaN(tick)) return Number.NaN;
  // Invariant: `tick` is a tick before `beforeMs`; no tick lies in [high, beforeMs).
  let high = beforeMs;
  for (;;) {
    const following = next(tick);
    if (Number.isNaN(following) || following >= high) return tick;
    tick = following;
    const middle = tick + Math.floor((high - tick) / 2);
    const probe = next(middle);
    if (!Number.isNaN(probe) && probe < high) tick = probe;
    else high = middle + 1;
  }
}

/** What the scheduler reads of a schedule to find ticks: next() (or nextMs()), and previous() for missed ticks. */
export type TickSource = Pick<Schedule, 'next' | 'nextMs' | 'previous'>;

/** next() in epoch ms (NaN when there is none), through nextMs() when the schedule has it. */
export function nextTickMs(schedule: Pick<Schedule, 'next' | 'nextMs'>, afterMs: number): number {
  // typeof, not `!== undefined`: a schedule written in JavaScript may carry anything there.
  if (typeof schedule.nextMs === 'function') return schedule.nextMs(afterMs);
  return schedule.next(new Date(afterMs))?.getTime() ?? Number.NaN;
}
