// The claim store interface: step 4 of a tick. One winner per (job, tick) across every replica
// that shares the store. MemoryStore implements it in-process; @tickwise/redis and
// @tickwise/postgres implement it across processes.

export interface ClaimRequest {
  job: string;
  tick: Date;
  /** The claiming scheduler's instance id. */
  owner: string;
  /** How long the claim holds without renewal. */
  leaseMs: number;
  /**
   * When true, refuse the claim while another tick of the same job holds a live lease (overlap
   * policies that must not run two ticks at once across replicas).
   */
  exclusive: boolean;
  /** How long to keep the record after the tick, at least (the catch-up window). */
  retainMs: number;
  /**
   * Refuse (`early`) a claim made more than this long before the tick by the store's clock: a
   * replica whose clock runs fast waits for the store's time, so all replicas claim a tick at the
   * same moment and runs of neighbouring ticks do not collide.
   */
  maxEarlyMs: number;
}

export interface Claim {
  job: string;
  tick: Date;
  owner: string;
  /** Grows on every takeover of a tick; handlers that write elsewhere can use it as a fencing token. */
  fence: number;
  /** Until when the lease holds, by the store's clock. */
  leaseUntil: Date;
}

export type ClaimRefusal =
  /** Another instance holds a live lease on this tick. */
  | 'claimed-elsewhere'
  /** The tick already ran to completion (here or elsewhere). */
  | 'completed'
  /** Another tick of this job is running somewhere and the request was exclusive. */
  | 'overlap'
  /** The tick has not come yet by the store's clock (this replica's clock runs fast). */
  | 'early';

export type ClaimResult =
  | { acquired: true; claim: Claim }
  | {
      acquired: false;
      reason: ClaimRefusal;
      /**
       * For `claimed-elsewhere`: how long until the holder's lease ends; for `early`: how long
       * until the tick. By the store's clock, as a duration, so replicas with skewed clocks agree.
       * The scheduler asks again then (and takes the tick over if its holder has died).
       */
      retryAfterMs?: number;
    };

export type RunOutcome = 'success' | 'failure' | 'timeout' | 'cancelled';

/** For store implementations: the result of a granted claim (fence and lease end by the store). */
export function claimGranted(request: ClaimRequest, fence: number, leaseUntilMs: number): ClaimResult {
  return {
    acquired: true,
    claim: {
      job: request.job,
      tick: new Date(request.tick.getTime()),
      owner: request.owner,
      fence,
      leaseUntil: new Date(leaseUntilMs),
    },
  };
}

/** For store implementations: a refusal, with `retryAfterMs` only when the store gave one. */
export function claimRefused(reason: ClaimRefusal, retryAfterMs?: number | null): ClaimResult {
  return retryAfterMs === undefined || retryAfterMs === null
    ? { acquired: false, reason }
    : { acquired: false, reason, retryAfterMs };
}

export interface ClaimStore {
  /**
   * Claims a tick. A claim retried by the same owner for the same tick while its lease is live
   * returns the same fence (a request that timed out on the client may still have landed).
   * Rejects (throws) when the store cannot be reached.
   */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Extends the lease; false when the claim was taken over or finished (the run must stop). */
  renew(claim: Claim, leaseMs: number): Promise<boolean>;
  /** Records the outcome and keeps the record; false when the fence was superseded. */
  complete(claim: Claim, outcome: RunOutcome): Promise<boolean>;
  /** Gives the tick up unfinished so another replica may take it at once. */
  release(claim: Claim): Promise<void>;
  /** The latest tick of the job that completed (any outcome), for catch-up after a restart. */
  lastCompletedTick(job: string): Promise<Date | null>;
  /** Round trip to the store, for health checks. */
  ping(): Promise<void>;
  /** True when ticks survive a restart of the process (catch-up after restart needs it). */
  readonly durable: boolean;
  /**
   * Checks the connection, credentials and schema; called by Scheduler.start(), so that a
   * misconfigured store fails at start with a StoreError, not at 3 a.m.
   */
  init?(): Promise<void>;
  /** Releases connections the store opened itself. */
  close?(): Promise<void>;
}
