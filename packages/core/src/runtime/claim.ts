// Step 4 of a tick, for one run: asks the store for the tick (batched by claim-batcher.ts) and
// turns the answer into a lease kept alive by lease-keeper.ts, or into the reason the tick does not
// run here. The skip is reported once; where the answer may change later (a holder that may die,
// a tick the store's clock has not reached, an overlap that may not be one), the tick is asked
// about again.

import type { ClaimAnswer, ClaimBatcher } from './claim-batcher.js';
import type { Clock } from './clock.js';
import { RunCancelledError } from './errors.js';
import type { ActiveRun, JobState, RunResult } from './job-state.js';
import type { LeaseHandle, LeaseKeeper } from './lease-keeper.js';
import type { Logger } from './logger.js';
import type { RunReport } from './run-report.js';

const EXCLUSIVE_POLICIES = new Set(['skip', 'buffer-one', 'buffer-all']);

/**
 * A claim that may only take over an existing record: `reask` after another replica held the
 * tick, `probe` at start for the job's latest tick. `false`: a first claim. `recheck`: a first
 * claim asked once more after the store refused it as `overlap` (see `refused`).
 */
export type TakeoverAsk = false | 'reask' | 'probe' | 'recheck';

/** Why a tick is asked about again: its holder may die (`takeover`), it was `early`, or refused as `overlap`. */
export type AskKind = 'takeover' | 'early' | 'overlap';

/**
 * Claims the tick again after `retryAfterMs` (AskAgainQueue.add). False when the tick would then
 * be past its catch-up window (or the scheduler is stopping).
 */
export type AskAgain = (job: JobState, tick: number, retryAfterMs: number, ask: AskKind) => boolean;

/**
 * How long after an `overlap` refusal a tick is asked about once more, when no run of the job is
 * going on here. The other tick may be a grant that reached its replica after that replica stopped
 * waiting (the store froze mid-answer): it is released one round trip later, and this tick then runs
 * a little late instead of being skipped as an overlap that is not one.
 */
const OVERLAP_RECHECK_MAX_MS = 1000;

export interface ClaimParts {
  /** Store time. */
  clock: Clock;
  claims: Pick<ClaimBatcher, 'claim'>;
  leases: Pick<LeaseKeeper, 'hold'>;
  report: Pick<RunReport, 'skip' | 'timesClaims' | 'claimAnswered'>;
  logger: Logger;
  askAgain: AskAgain;
  /** A tick reached later than this counts as missed (sizes the claim's retention). */
  missedAfterMs: number;
}

export class TickClaim {
  constructor(private readonly parts: ClaimParts) {}

  /** The lease, or why the tick does not run here. */
  async claim(job: JobState, run: ActiveRun, takeover: TakeoverAsk): Promise<LeaseHandle | RunResult> {
    const { clock, report } = this.parts;
    const { tick } = run;
    // Timed only for the claim-duration metric.
    const claimStarted = report.timesClaims ? clock.now() : 0;
    const answer = await this.parts.claims.claim({
      job: run.claimAs?.job ?? job.info.name,
      tick,
      leaseMs: job.options.leaseMs,
      exclusive: EXCLUSIVE_POLICIES.has(job.options.overlap),
      retainMs: run.claimAs?.retainMs ?? this.retainMs(job),
      takeoverOnly: takeover === 'reask' || takeover === 'probe',
    });
    if (report.timesClaims) report.claimAnswered(job.info, clock.now() - claimStarted, claimResult(answer));
    switch (answer.kind) {
      case 'granted':
        run.claimed = true;
        // Held from the grant: the lease counts from the request's send, not from the run's start.
        return this.parts.leases.hold(
          answer.claim,
          answer.sentAt,
          (detail) => run.abort.abort(new RunCancelledError(job.info.name, 'lease-lost', detail)),
          () => run.leaseRenewed?.(),
        );
      case 'refused':
        return this.refused(job, run, takeover, answer.reason, answer.retryAfterMs);
      case 'slow':
        // (Logged once per batch by the batcher.) A takeover ask is about a tick already reported.
        if (reportsSkips(takeover)) report.skip(job, tick, 'store-slow');
        return { outcome: 'skipped', reason: 'store-slow' };
      case 'failed':
        if (reportsSkips(takeover)) report.skip(job, tick, 'store-unavailable');
        return { outcome: 'skipped', reason: 'store-unavailable', error: answer.error };
      case 'cancelled':
        if (reportsSkips(takeover)) report.skip(job, tick, 'shutdown');
        return { outcome: 'skipped', reason: 'shutdown' };
    }
  }

  /**
   * Long enough that no replica can still be about to claim the tick: the catch-up window, or,
   * without catch-up, twice the time after which a tick counts as missed.
   */
  private retainMs(job: JobState): number {
    const { catchUp, leaseMs } = job.options;
    return Math.max(leaseMs, catchUp.policy === 'none' ? 2 * this.parts.missedAfterMs : catchUp.windowMs);
  }

  private refused(
    job: JobState,
    run: ActiveRun,
    takeover: TakeoverAsk,
    reason: Extract<ClaimAnswer, { kind: 'refused' }>['reason'],
    retryAfterMs: number | undefined,
  ): RunResult {
    const { report, askAgain } = this.parts;
    const { tick } = run;
    switch (reason) {
      case 'early':
        // The store's clock says the tick has not come (the offset estimate is a little off): ask then.
        askAgain(job, tick, retryAfterMs ?? 0, 'early');
        return { outcome: 'skipped', reason: 'early' };
      case 'late':
        if (reportsSkips(takeover)) report.skip(job, tick, 'store-slow');
        return { outcome: 'skipped', reason: 'store-slow' };
      case 'unknown-tick':
        // Asked again about a tick another replica held, and the store no longer knows it: it lost
        // its data. Running it now could run it twice. (A start-up probe finding nothing is normal.)
        if (takeover === 'reask') {
          this.parts.logger.warn(
            { job: job.info.name, tick: new Date(tick).toISOString() },
            'tickwise: the store has no record of a tick it reported held elsewhere (data lost?); not running it again',
          );
        }
        return { outcome: 'skipped', reason: 'claimed-elsewhere' };
      case 'overlap':
        // (A tick claimed under another name, a start or a fleet trigger, is not asked again: the
        // queue asks under the job's own name.)
        if (takeover === false && job.runningCount === 0 && !run.claimAs) {
          const recheckMs = Math.min(OVERLAP_RECHECK_MAX_MS, job.options.leaseMs / 10);
          if (askAgain(job, tick, recheckMs, 'overlap')) return { outcome: 'skipped', reason: 'early' };
        }
        if (reportsSkips(takeover)) report.skip(job, tick, reason);
        return { outcome: 'skipped', reason };
      default:
        // Reported once: asking again (a takeover, a probe) is silent.
        if (reportsSkips(takeover)) report.skip(job, tick, reason);
        // (A start claim is not asked again: runOnStart runs once, or not at all, per start.)
        if (reason === 'claimed-elsewhere' && retryAfterMs !== undefined && !run.claimAs) {
          askAgain(job, tick, retryAfterMs, 'takeover');
        }
        return { outcome: 'skipped', reason };
    }
  }
}

/** The claim-duration metric's `tickwise.claim.result`. */
function claimResult(answer: ClaimAnswer): string {
  switch (answer.kind) {
    case 'granted':
      return 'acquired';
    case 'refused':
      return answer.reason;
    case 'slow':
      return 'timeout';
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'shutdown';
  }
}

/** First asks report why a tick does not run here; a takeover or a probe is about a tick already reported. */
function reportsSkips(takeover: TakeoverAsk): boolean {
  return takeover === false || takeover === 'recheck';
}
