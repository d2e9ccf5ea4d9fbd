// Deciding what to do with ticks that came due while nobody was looking: pure, no I/O.

import { nextTickMs, type TickSource } from '../schedule/schedule.js';
import type { RunTrigger } from './job.js';
import type { NormalizedOptions } from './job-options.js';

/**
 * Counting missed ticks stops here: an every-second job after a week asleep would otherwise walk
 * 600,000 ticks just to report a number. Events then say "at least".
 */
export const MISSED_COUNT_LIMIT = 10_000;

export interface DuePlan {
  /** Ticks to run now, oldest first. */
  runs: { tick: number; trigger: RunTrigger }[];
  /** Missed ticks that will not run: the first of them and how many. */
  skipped: { firstTick: number; count: number } | null;
  /** The latest tick that is due; the next tick to queue comes after it. */
  latestDue: number;
  /** The first tick after now, when planning already found it. */
  upcoming?: number;
}

/**
 * Plans the ticks of one job that are due at `nowMs`, starting at `firstDue` (<= now).
 * A tick is on time if it is the latest due tick and at most `missedAfterMs` late: it runs.
 * Every other due tick was missed (a stall, a sleep, a restart) and the catch-up policy decides.
 */
export function planDueTicks(
  schedule: TickSource,
  firstDue: number,
  nowMs: number,
  catchUp: NormalizedOptions['catchUp'],
  missedAfterMs: number,
): DuePlan {
  // Usually only firstDue is due: one next() call settles it, without the previous() search.
  const following = nextTickMs(schedule, firstDue);
  const onlyFirstDue = Number.isNaN(following) || following > nowMs;
  const latestDue = onlyFirstDue
    ? firstDue
    : Math.max(firstDue, schedule.previous(new Date(nowMs + 1))?.getTime() ?? firstDue);
  const onTime = nowMs - latestDue <= missedAfterMs;
  const lastMissed = !onTime
    ? latestDue
    : latestDue === firstDue
      ? undefined
      : schedule.previous(new Date(latestDue))?.getTime();
  const runs: DuePlan['runs'] = [];
  if (lastMissed === undefined || lastMissed < firstDue) {
    // Nothing was missed.
    if (onTime) runs.push({ tick: latestDue, trigger: 'schedule' });
    return onlyFirstDue && !Number.isNaN(following)
      ? { runs, skipped: null, latestDue, upcoming: following }
      : { runs, skipped: null, latestDue };
  }
  // Missed ticks are firstDue .. lastMissed. Which of them run is up to the policy.
  const windowStart = nowMs - catchUp.windowMs;
  const catchUpRuns: number[] = [];
  if (catchUp.policy === 'latest' && !onTime && lastMissed >= windowStart) {
    catchUpRuns.push(lastMissed);
  } else if (catchUp.policy === 'all') {
    // The newest `max` missed ticks inside the window, run oldest first.
    for (let t: number | undefined = lastMissed; t !== undefined && t >= Math.max(firstDue, windowStart); ) {
      catchUpRuns.unshift(t);
      if (catchUpRuns.length >= catchUp.max) break;
      t = schedule.previous(new Date(t))?.getTime();
    }
  }
  for (const tick of catchUpRuns) runs.push({ tick, trigger: 'catch-up' });
  if (onTime) runs.push({ tick: latestDue, trigger: 'schedule' });
  const skippedEnd = catchUpRuns.length > 0 ? (catchUpRuns[0] as number) : lastMissed + 1;
  let count = 0;
  for (let t: number | undefined = firstDue; t !== undefined && t < skippedEnd && count < MISSED_COUNT_LIMIT; ) {
    count++;
    t = schedule.next(new Date(t))?.getTime();
  }
  return { runs, skipped: count > 0 ? { firstTick: firstDue, count } : null, latestDue };
}
