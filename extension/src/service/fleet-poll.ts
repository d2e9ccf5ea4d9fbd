// When the editor reads the fleet's status again: every 30 s while jobs are on screen (a jobs view,
// or an editor showing jobs) and the window is focused; not at all otherwise, and at once when
// jobs come back into view after a while. Pure: takes the times.

/** How often the status is read while jobs are in view. */
export const POLL_MS = 30_000;

/**
 * Milliseconds until the next read: 0 when the last one is at least {@link POLL_MS} old (or there
 * was none), else what is left of it; undefined while no job is in view (no timer).
 */
export function nextPollDelay(lastPollAt: number | undefined, now: number, inView: boolean): number | undefined {
  if (!inView) return undefined;
  if (lastPollAt === undefined) return 0;
  return Math.max(0, lastPollAt + POLL_MS - now);
}
