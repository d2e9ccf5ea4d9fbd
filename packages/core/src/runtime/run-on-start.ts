// The `runOnStart` option: one run right after start(), claimed in the store like a tick, so that
// of the replicas sharing a store that start together (a deploy, a restart of the fleet) one runs it.
//
// What is claimed: the job's start claim, `<job name>#start` (its own name, so it can never take
// the record of a scheduled tick, nor count as the job's last completed tick for catch-up), at the
// tick W = the start instant rounded down to the window (`runOnStart.window`, default 10 minutes),
// by the store's clock. Before claiming W, the replica asks whether the window before it (W - window)
// has a record: if it does (run, running, or done elsewhere), the replica does not run it. So two
// replicas that start less than one window apart never both run it (unless both ask within a claim's
// round trip of each other across a window boundary), and replicas that start more than two windows
// apart each run it: "once per deploy", for deploys that take less than a window and come more than
// two windows apart. A record abandoned by a replica that stopped or died while running it is taken
// over and run again.

import type { ClaimBatcher } from './claim-batcher.js';
import type { Clock } from './clock.js';
import type { SkipReason } from './events.js';
import type { ClaimOverride, JobState, RunResult } from './job-state.js';

/** The store's name for a job's start claim. */
export const START_CLAIM_SUFFIX = '#start';

export interface StartHost {
  /** Store time. */
  clock: Clock;
  claims: ClaimBatcher;
  /** Runs the tick with trigger `start`, claimed under `claimAs`. */
  execute(job: JobState, tick: number, claimAs: ClaimOverride): Promise<RunResult>;
  skip(job: JobState, tick: number, reason: SkipReason): void;
}

/** The start run of one job (a no-op for jobs without runOnStart); resolves when it has ended. */
export async function runOnStart(host: StartHost, job: JobState): Promise<RunResult | null> {
  const window = job.options.runOnStart?.windowMs;
  if (window === undefined) return null;
  const tick = Math.floor(host.clock.now() / window) * window;
  if (job.disabledReason) {
    host.skip(job, tick, 'disabled');
    return { outcome: 'skipped', reason: 'disabled' };
  }
  const claimAs: ClaimOverride = {
    job: `${job.info.name}${START_CLAIM_SUFFIX}`,
    // Kept through the next window, so a replica starting then still finds it.
    retainMs: 2 * window,
  };
  const previous = tick - window;
  const earlier = await host.claims.claim({
    job: claimAs.job,
    tick: previous,
    leaseMs: job.options.leaseMs,
    exclusive: false,
    retainMs: claimAs.retainMs,
    takeoverOnly: true,
  });
  switch (earlier.kind) {
    case 'granted':
      // A start run of the window before was abandoned (its replica stopped or died): run it here.
      // Claiming it again as its holder gives back the same fence.
      return host.execute(job, previous, claimAs);
    case 'refused':
      if (earlier.reason === 'unknown-tick') return host.execute(job, tick, claimAs);
      if (earlier.reason === 'completed' || earlier.reason === 'claimed-elsewhere') {
        host.skip(job, previous, earlier.reason);
        return { outcome: 'skipped', reason: earlier.reason };
      }
      host.skip(job, tick, 'store-slow');
      return { outcome: 'skipped', reason: 'store-slow' };
    case 'slow':
      host.skip(job, tick, 'store-slow');
      return { outcome: 'skipped', reason: 'store-slow' };
    case 'failed':
      host.skip(job, tick, 'store-unavailable');
      return { outcome: 'skipped', reason: 'store-unavailable', error: earlier.error };
    case 'cancelled':
      host.skip(job, tick, 'shutdown');
      return { outcome: 'skipped', reason: 'shutdown' };
  }
}
