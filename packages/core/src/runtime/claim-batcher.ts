// The claims' round trips (step 4 of a tick; claim.ts sends each run's claim here): every tick
// due at one instant is claimed in one round trip per batch. Each batch carries a deadline by the
// store's clock; the store refuses it after that (`late`), and the scheduler stops waiting shortly
// after, so a store that was frozen or slow never grants ticks to a scheduler that already
// reported them skipped. If such a grant still arrives (the store handled the batch just before
// its deadline, the answer came late), it is released at once, so another replica can take the
// tick over.

import type { Clock } from './clock.js';
import { type BatchLimits, Coalescer } from './coalescer.js';
import { withinDeadline } from './deadline.js';
import { ANSWER_GRACE_MS, claimWaitMs, MAX_EARLY_MS } from './lease-timing.js';
import type { Logger } from './logger.js';
import type { ClaimRefusal, ClaimRequest, ClaimResult, ClaimStore, HeldClaim } from './store.js';

export type ClaimAnswer =
  /** Ours; the lease counts from `sentAt` (store time), when the request left. */
  | { kind: 'granted'; claim: HeldClaim; sentAt: number }
  | { kind: 'refused'; reason: ClaimRefusal; retryAfterMs?: number }
  /** The store could not be reached (or answered nonsense). */
  | { kind: 'failed'; error: unknown }
  /** No answer within the deadline: the store is frozen or overloaded. */
  | { kind: 'slow' }
  /** Never sent: the scheduler stopped first. */
  | { kind: 'cancelled' };

/** Claims per round trip, and round trips in flight (a pool of 8 connections serves claims, renewals and completions). */
export const CLAIM_LIMITS: BatchLimits = { maxBatch: 1000, maxInFlight: 2 };

interface PendingClaim {
  request: ClaimRequest;
  resolve: (answer: ClaimAnswer) => void;
}

export class ClaimBatcher {
  private readonly queue: Coalescer<PendingClaim>;

  constructor(
    private readonly store: ClaimStore,
    /** Store time. */
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly logger: Logger,
    limits: BatchLimits,
    /** Hands back grants that arrived after the scheduler stopped waiting. */
    private readonly releaseOrphans: (claims: HeldClaim[]) => void,
  ) {
    this.queue = new Coalescer((items) => this.flush(items), limits.maxBatch, limits.maxInFlight);
  }

  claim(request: ClaimRequest): Promise<ClaimAnswer> {
    return new Promise((resolve) => this.queue.add({ request, resolve }));
  }

  /** Answers the claims not yet sent with `cancelled` (stop(): a burst still queued is not claimed). */
  cancelPending(): void {
    for (const item of this.queue.drop()) item.resolve(CANCELLED);
  }

  private async flush(items: PendingClaim[]): Promise<void> {
    let waitMs = Number.POSITIVE_INFINITY;
    for (const item of items) waitMs = Math.min(waitMs, claimWaitMs(item.request.leaseMs));
    const sentAt = this.clock.now();
    const requests = items.map((item) => item.request);
    const work = this.store.claimTicks({
      owner: this.owner,
      deadline: sentAt + waitMs,
      maxEarlyMs: MAX_EARLY_MS,
      requests,
    });
    const answer = await withinDeadline(this.clock, work, waitMs + ANSWER_GRACE_MS);
    if (answer.kind === 'timeout') {
      this.logger.warn(
        { claims: items.length, waitedMs: waitMs + ANSWER_GRACE_MS },
        'tickwise: the claim store did not answer in time; the ticks are skipped (store-slow)',
      );
      for (const item of items) item.resolve(SLOW);
      work.then(
        (results) => this.orphaned(requests, results),
        () => {},
      );
      return;
    }
    if (answer.kind === 'error' || answer.value.length !== items.length) {
      const error =
        answer.kind === 'error'
          ? answer.error
          : new Error(`the store answered ${answer.value.length} results for ${items.length} claims`);
      this.logger.warn(
        { claims: items.length, err: error },
        'tickwise: claim store unavailable; the ticks are skipped (store-unavailable)',
      );
      for (const item of items) item.resolve({ kind: 'failed', error });
      return;
    }
    const results = answer.value;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as PendingClaim;
      item.resolve(toAnswer(item.request, results[i] as ClaimResult, sentAt));
    }
  }

  /** Grants in an answer that came after the scheduler had stopped waiting: nobody runs them here. */
  private orphaned(requests: ClaimRequest[], results: ClaimResult[]): void {
    const claims: HeldClaim[] = [];
    for (let i = 0; i < requests.length; i++) {
      const result = results[i];
      if (result?.acquired) claims.push(heldClaim(requests[i] as ClaimRequest, result.fence));
    }
    if (claims.length === 0) return;
    this.logger.warn(
      { claims: claims.length },
      'tickwise: the store granted claims after the scheduler stopped waiting; releasing them',
    );
    this.releaseOrphans(claims);
  }
}

const SLOW: ClaimAnswer = Object.freeze({ kind: 'slow' });
const CANCELLED: ClaimAnswer = Object.freeze({ kind: 'cancelled' });

function heldClaim(request: ClaimRequest, fence: number): HeldClaim {
  return {
    job: request.job,
    tick: request.tick,
    fence,
    leaseMs: request.leaseMs,
    retainMs: request.retainMs,
    exclusive: request.exclusive,
  };
}

function toAnswer(request: ClaimRequest, result: ClaimResult, sentAt: number): ClaimAnswer {
  if (result.acquired) return { kind: 'granted', claim: heldClaim(request, result.fence), sentAt };
  return result.retryAfterMs === undefined
    ? { kind: 'refused', reason: result.reason }
    : { kind: 'refused', reason: result.reason, retryAfterMs: result.retryAfterMs };
}
