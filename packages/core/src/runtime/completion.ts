// Step 6 of a tick: recording that it ran. A completion that does not reach the store leaves the
// tick "running" there, and once the lease ends another replica takes it over and runs it again:
// so a completion is retried, with backoff, for as long as the lease is held (the lease keeps
// being renewed meanwhile). Completions due together go in one round trip. The store accepts a
// completion again under the same fence, so a retry after a lost answer is harmless. A run
// cancelled by a shutdown or by remove() is not recorded: its claim is given back unfinished.

import type { ClaimReleaser } from './claim-release.js';
import { type Clock, sleep } from './clock.js';
import { type BatchLimits, Coalescer } from './coalescer.js';
import { withinDeadline } from './deadline.js';
import { isCancelledFor } from './errors.js';
import type { LeaseHandle } from './lease-keeper.js';
import type { Logger } from './logger.js';
import type { ClaimStore, CompletionResult, HeldClaim, RunOutcome, RunRecord } from './store.js';

/**
 * What became of a run's claim: `recorded` (the tick is done in the store), `rejected` (the tick
 * was taken over: another replica holds it), `unrecorded` (the store could not be reached before
 * the lease ended: the tick may run again elsewhere), `released` (given back unfinished at
 * shutdown), or `none` (a manual run, which holds no claim).
 */
export type CompletionStatus = 'recorded' | 'rejected' | 'unrecorded' | 'released' | 'none';

interface PendingCompletion {
  claim: HeldClaim;
  outcome: RunOutcome;
  /** For the fleet history (kept by the store when it records the completion). */
  record: RunRecord | undefined;
  /** How long this attempt may wait for the store. */
  waitMs: number;
  resolve: (result: CompletionResult | null) => void;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1000;
/** One attempt's wait: bounded so a hung store leaves time for retries within the lease. */
const MAX_WAIT_MS = 5000;
/** The wait of the one attempt made after the lease is gone (the store decides by the fence). */
const LAST_CHANCE_WAIT_MS = 1000;
/** Completions per round trip, and round trips in flight (a pool of 8 connections serves claims, renewals and these). */
export const COMPLETION_LIMITS: BatchLimits = { maxBatch: 1000, maxInFlight: 2 };

export class CompletionRecorder {
  private readonly queue: Coalescer<PendingCompletion>;

  constructor(
    private readonly store: ClaimStore,
    /** Store time. */
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly logger: Logger,
    limits: BatchLimits,
    private readonly releaser: Pick<ClaimReleaser, 'release'>,
  ) {
    this.queue = new Coalescer((items) => this.flush(items), limits.maxBatch, limits.maxInFlight);
  }

  /**
   * Ends a run's claim, then its lease (held until the store has the outcome): a run cancelled by
   * a shutdown or by remove() gives the tick back (`released`), so a replica still running may
   * take it over at once; any other outcome is recorded (record()).
   */
  async finish(
    lease: LeaseHandle,
    outcome: RunOutcome,
    abortReason: unknown,
    record?: RunRecord,
  ): Promise<CompletionStatus> {
    try {
      const given = isCancelledFor(abortReason, 'shutdown') || isCancelledFor(abortReason, 'removed');
      if (given && outcome === 'cancelled') {
        await this.releaser.release([lease.claim]);
        return 'released';
      }
      return await this.record(lease, outcome, record);
    } finally {
      lease.release();
    }
  }

  /**
   * Records the run's outcome, retrying until the lease held when the run ended would end (the
   * lease is renewed meanwhile, but a store that keeps refusing completions while it renews does
   * not get retried forever).
   */
  async record(lease: LeaseHandle, outcome: RunOutcome, record?: RunRecord): Promise<CompletionStatus> {
    const until = lease.abortAt;
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      const left = until - this.clock.now();
      const waitMs = lease.lost || left <= 0 ? LAST_CHANCE_WAIT_MS : Math.min(MAX_WAIT_MS, left);
      const result = await new Promise<CompletionResult | null>((resolve) =>
        this.queue.add({ claim: lease.claim, outcome, record, waitMs, resolve }),
      );
      if (result !== null) return result;
      if (lease.lost || this.clock.now() + delay >= until) return 'unrecorded';
      await sleep(this.clock, delay);
    }
  }

  /** One round trip; null for each completion whose fate is unknown (no answer, an error). */
  private async flush(items: PendingCompletion[]): Promise<void> {
    let waitMs = Number.POSITIVE_INFINITY;
    for (const item of items) waitMs = Math.min(waitMs, item.waitMs);
    const work = this.store.completeRuns({
      owner: this.owner,
      runs: items.map((item) =>
        item.record
          ? { claim: item.claim, outcome: item.outcome, record: item.record }
          : { claim: item.claim, outcome: item.outcome },
      ),
    });
    const answer = await withinDeadline(this.clock, work, waitMs);
    if (answer.kind === 'value' && answer.value.length === items.length) {
      for (let i = 0; i < items.length; i++) (items[i] as PendingCompletion).resolve(answer.value[i] ?? null);
      return;
    }
    const why = answer.kind === 'timeout' ? 'no answer in time' : answer.kind === 'error' ? answer.error : 'bad answer';
    this.logger.warn({ runs: items.length, err: why }, 'tickwise: could not record completions; retrying');
    for (const item of items) item.resolve(null);
  }
}
