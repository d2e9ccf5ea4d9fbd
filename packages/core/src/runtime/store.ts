// The claim store contract: one winner per (job, tick) across every replica that shares the store.
// MemoryStore implements it in-process; @tickwise/redis and @tickwise/postgres across processes.
//
// Every operation takes a batch: a scheduler sends all the ticks due at one instant in one round
// trip (and the renewals and completions likewise), so a fleet with 100,000 jobs on the same
// minute makes hundreds of round trips a minute, not hundreds of thousands. Times are epoch ms.
// Decisions are made by the store's clock; a request carries a deadline by that clock, after which
// the store must refuse it, so a store that was frozen or slow never acts on requests whose sender
// has stopped waiting.

export interface ClaimRequest {
  readonly job: string;
  /** The tick, epoch ms. */
  readonly tick: number;
  /** How long the claim holds without renewal. */
  readonly leaseMs: number;
  /**
   * Refuse the claim (`overlap`) while another tick of the same job holds a live lease: overlap
   * policies that must not run two ticks at once across replicas.
   */
  readonly exclusive: boolean;
  /** How long to keep the record after the tick, at least (the catch-up window). */
  readonly retainMs: number;
  /**
   * Take over an existing record only (a lease that ran out, a released tick), never create one
   * (`unknown-tick`). Used to ask again about a tick another replica held: if the store has no
   * record of it any more, it lost its data, and running the tick again could run it twice.
   */
  readonly takeoverOnly: boolean;
}

export interface ClaimBatch {
  /** The claiming scheduler: its instance id and a per-process session, unique across processes. */
  readonly owner: string;
  /** Store time after which the store must refuse every request of the batch (`late`). */
  readonly deadline: number;
  /** Refuse (`early`) a claim made more than this long before its tick, by the store's clock. */
  readonly maxEarlyMs: number;
  readonly requests: readonly ClaimRequest[];
}

export type ClaimRefusal =
  /** Another scheduler holds a live lease on this tick. */
  | 'claimed-elsewhere'
  /** The tick already ran to completion (here or elsewhere). */
  | 'completed'
  /** Another tick of this job is running somewhere and the request was exclusive. */
  | 'overlap'
  /** The tick has not come yet by the store's clock. */
  | 'early'
  /** The batch reached the store after its deadline: the sender had stopped waiting. */
  | 'late'
  /** A takeover-only request for a tick the store has no record of. */
  | 'unknown-tick';

export type ClaimResult =
  | {
      readonly acquired: true;
      /** Grows with every claim of the job and every takeover, also across a store restart. */
      readonly fence: number;
      /** Until when the lease holds, by the store's clock. */
      readonly leaseUntil: number;
    }
  | {
      readonly acquired: false;
      readonly reason: ClaimRefusal;
      /**
       * For `claimed-elsewhere`: how long until the holder's lease ends; for `early`: how long
       * until the tick. A duration by the store's clock, so replicas with skewed clocks agree.
       */
      readonly retryAfterMs?: number;
    };

/** A claim a scheduler holds: what renewals, completions and releases name. */
export interface HeldClaim {
  readonly job: string;
  readonly tick: number;
  readonly fence: number;
  readonly leaseMs: number;
  readonly retainMs: number;
  readonly exclusive: boolean;
}

export interface RenewalBatch {
  readonly owner: string;
  /** Store time after which the store must refuse the renewals. */
  readonly deadline: number;
  readonly claims: readonly HeldClaim[];
}

/**
 * How a run ended. `unexpected`: the handler returned, but its result failed the job's
 * `expect.result` check (not retried).
 */
export type RunOutcome = 'success' | 'failure' | 'timeout' | 'cancelled' | 'unexpected';

export interface CompletionBatch {
  readonly owner: string;
  readonly runs: readonly { readonly claim: HeldClaim; readonly outcome: RunOutcome }[];
}

/**
 * `recorded`: the tick is done under this fence (also when an earlier attempt of the same
 * completion had already landed). `rejected`: the tick was taken over (another fence holds it).
 */
export type CompletionResult = 'recorded' | 'rejected';

export interface InstanceBeat {
  readonly instanceId: string;
  /** Unique per process: two processes with the same instance id have different sessions. */
  readonly session: string;
  /** How long the registration holds without another beat. */
  readonly ttlMs: number;
}

export interface BeatResult {
  /** The store's clock when it handled the beat; absent when the store shares the scheduler's clock (in process). */
  readonly storeTime?: number;
  /** Another live session holds this instance id; it last beat `ageMs` ago, by the store's clock. */
  readonly conflict?: { readonly session: string; readonly ageMs: number };
  /** Identifies the store's data: it changes when the store loses everything (a restart without persistence). */
  readonly epoch: string;
  /**
   * The instance ids of the live schedulers on this store, sorted (this one's included once it is
   * registered). Replicas use it to claim the ticks due at one instant in different orders.
   */
  readonly live?: readonly string[];
}

export interface StoreLimits {
  /** The longest job name the store can hold, in UTF-8 bytes. */
  readonly maxJobNameBytes: number;
}

export interface ClaimStore {
  /**
   * One result per request, in order. A claim asked again by the same owner for the same tick
   * while its lease is live returns the same fence (the first answer may have been lost).
   * Rejects (throws) when the store cannot be reached.
   */
  claimTicks(batch: ClaimBatch): Promise<ClaimResult[]>;
  /**
   * Extends each lease from the store's now; false where the claim was taken over or finished (the
   * run must stop). A running record the store no longer has (it lost its data) is written again.
   */
  renewLeases(batch: RenewalBatch): Promise<boolean[]>;
  /**
   * Records each outcome and keeps the record for its retention. Idempotent by (job, tick, fence);
   * accepted after the lease ran out as long as no one took the tick over.
   */
  completeRuns(batch: CompletionBatch): Promise<CompletionResult[]>;
  /** Gives the ticks up unfinished so another replica may take them at once. */
  releaseClaims(owner: string, claims: readonly HeldClaim[]): Promise<void>;
  /** The latest tick of the job that completed (any outcome), for catch-up after a restart. */
  lastCompletedTick(job: string): Promise<number | null>;
  /**
   * Registers or refreshes the scheduler's instance id. Does not take over an id another live
   * session holds: reports the conflict instead.
   */
  heartbeat(beat: InstanceBeat): Promise<BeatResult>;
  /** Drops the registration (a clean stop), so the id is free at once. */
  leave(instanceId: string, session: string): Promise<void>;
  /** Round trip to the store, for health checks. */
  ping(): Promise<void>;
  /** True when ticks survive a restart of the process (catch-up after restart needs it). */
  readonly durable: boolean;
  readonly limits: StoreLimits;
  /**
   * Checks the connection, credentials and schema; called by Scheduler.start(), so that a
   * misconfigured store fails at start with a StoreError, not at 3 a.m.
   */
  init?(): Promise<void>;
  /** Releases connections the store opened itself. */
  close?(): Promise<void>;
}
