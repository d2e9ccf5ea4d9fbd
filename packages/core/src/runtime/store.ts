// The claim store contract: one winner per (job, tick) across every replica that shares the store.
// MemoryStore implements it in-process; @tickwise/redis and @tickwise/postgres across processes.
// `@tickwise/core/store-tests` checks a store against every rule below (docs/store-authors.md).
//
// Every operation takes a batch: a scheduler sends all the ticks due at one instant in one round
// trip (and the renewals and completions likewise), so a fleet with 100,000 jobs on the same
// minute makes hundreds of round trips a minute, not hundreds of thousands. Times are epoch ms.
// Decisions are made by the store's clock; a request carries a deadline by that clock, after which
// the store must refuse it, so a store that was frozen or slow never acts on requests whose sender
// has stopped waiting.
//
// The rules, written once (each one is a case of the contract kit):
//
// Records. One record per (job, tick): `running` (held under a fence until its lease ends),
// `done` (an outcome was recorded) or `released` (given up unfinished). A job's fence and its last
// completed tick live beside its records and outlive them.
//
// Lifetime. A record has an expiry, the earliest instant the store may forget it:
// - a claim or a takeover sets it to max(tick, now) + leaseMs + retainMs: a tick is kept for its
//   retention (the catch-up window) after its lease could have ended;
// - a renewal moves it to at least the new lease end + retainMs (a long run outlives the
//   retention set when it was claimed);
// - a completion moves it to at least now + retainMs (a replica that asks late, within the
//   catch-up window, still finds the tick done);
// - a release leaves it as it was.
// Before its expiry the store must keep the record, and a running record whose lease is live is
// kept whatever its expiry. After it the store may forget the record at any moment: Redis drops
// it at once (a key TTL), the MemoryStore treats it as absent at once, PostgreSQL deletes it at
// its next cleanup(). A forgotten tick is as if it had never been claimed: a claim gets a new
// record with a larger fence, a takeover-only claim gets `unknown-tick`.
//
// cleanup(). Not part of ClaimStore (a store may forget by itself). A store that deletes on a
// schedule (PostgresStore.cleanup()) deletes the records past their expiry that are not running
// under a live lease (done, released, and abandoned by a holder that died) and the expired
// instance registrations; never a job's fence or its last completed tick.
//
// Batches. One answer per item, in the order of the items, each decided as if the items had been
// handled one after another: an item sees what the items before it did (an exclusive tick after
// another tick of the same job in the batch is refused as `overlap`; the same (job, tick) twice
// gets the first one's grant twice). A store may split a batch into several round trips (per
// shard, per repeated tick) as long as the answers keep that meaning and that order. A claim or
// renewal batch past its deadline refuses every item and changes nothing.
//
// Exclusive claims. Refused (`overlap`) while another tick of the job holds a live lease, whether
// that claim was exclusive or not; renewals keep the lease live, so a long run renewed past many
// lease lengths keeps refusing the job's other ticks. The run's completion, its release, or its
// lease running out (a holder that died or stalled) lets the next exclusive claim through; an
// exclusive takeover of the same tick is not blocked by the record it takes over. Non-exclusive
// claims never check.
//
// Stale holders. A renewal or completion names its fence: once another owner took the tick over,
// the old holder's renewal is refused and extends nothing (the new holder's lease and fence stay
// as they were), and its completion is rejected and records nothing. A renewal after the lease
// ended is refused even when no one took the tick over (the holder has been told to stop); a
// completion then is still recorded (the run did finish, and no one else ran the tick).
//
// Out-of-order completion. Completing tick T after T+1 was claimed or completed records T as
// usual; the last completed tick is the latest completed tick, in whatever order they completed,
// and T's completion changes nothing about T+1 (its lease, its exclusivity).
//
// Data loss. A renewal or a completion for a record the store does not have at all writes it again
// (running under the renewal's fence and a new lease, or done): the store lost it while the lease
// was live. (A store cannot tell a lost record from one it forgot after its expiry; the scheduler
// never renews after the lease's end, since every renewal's deadline is before it.)

import type { RunTrigger } from './job.js';

export interface ClaimRequest {
  readonly job: string;
  /** The tick, epoch ms. */
  readonly tick: number;
  /** How long the claim holds without renewal, from the store's now when it decides. */
  readonly leaseMs: number;
  /**
   * Refuse the claim (`overlap`) while another tick of the same job holds a live lease, exclusive
   * or not, granted earlier in the same batch included: overlap policies that must not run two
   * ticks at once across replicas.
   */
  readonly exclusive: boolean;
  /**
   * How long to keep the record after its lease could end, and after its completion, at least
   * (the catch-up window): see "Lifetime" above.
   */
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
  /** Store time after which the store must refuse every request of the batch (`late`), and record nothing. */
  readonly deadline: number;
  /** Refuse (`early`) a claim made more than this long before its tick, by the store's clock. */
  readonly maxEarlyMs: number;
  readonly requests: readonly ClaimRequest[];
}

/**
 * Why a claim was refused. A store decides in this order: `late`, `early`, `completed`,
 * `claimed-elsewhere` (a live lease of another owner; the owner's own live lease is granted again),
 * `unknown-tick`, `overlap`; a request none of them refuses is granted: a new record, or a takeover
 * of a released record or of one whose lease ran out, under a larger fence.
 */
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
       * For `claimed-elsewhere`: how long until the holder's lease ends (more than 0, at most what
       * is left of it); for `early`: how long until the tick. A duration by the store's clock, so
       * replicas with skewed clocks agree. Absent for the other reasons.
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
  /**
   * `record`: the run for the fleet history (fleet-store.ts), appended when this completion is
   * recorded, once; a store without history ignores it.
   */
  readonly runs: readonly { readonly claim: HeldClaim; readonly outcome: RunOutcome; readonly record?: RunRecord }[];
}

/**
 * `recorded`: the tick is done under this fence (also when an earlier attempt of the same
 * completion had already landed). `rejected`: the tick was taken over (another fence holds it) or
 * released; nothing was recorded.
 */
export type CompletionResult = 'recorded' | 'rejected';

export interface InstanceBeat {
  readonly instanceId: string;
  /** Unique per process: two processes with the same instance id have different sessions. */
  readonly session: string;
  /** How long the registration holds without another beat. */
  readonly ttlMs: number;
  /** The replica's details for the fleet view (fleet-store.ts); a store without fleet state ignores them. */
  readonly info?: ReplicaInfo;
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
   * One result per request, in order (see "Batches" above). A claim asked again by the same owner
   * for the same tick while its lease is live returns the same fence and lease end, not extended
   * (the first answer may have been lost). Rejects (throws) when the store cannot be reached.
   */
  claimTicks(batch: ClaimBatch): Promise<ClaimResult[]>;
  /**
   * Extends each lease to the store's now + leaseMs (and the record's expiry with it); one answer
   * per claim, in order. False, extending nothing, where the batch is late, the tick was taken
   * over (another fence), finished, released, or its lease already ran out: the run must stop.
   * A running record the store no longer has (it lost its data) is written again (true).
   */
  renewLeases(batch: RenewalBatch): Promise<boolean[]>;
  /**
   * Records each outcome (any outcome completes the tick) and keeps the record for its retention
   * from now; one answer per run, in order. Idempotent by (job, tick, fence); accepted after the
   * lease ran out as long as no one took the tick over; no deadline (the scheduler retries it
   * until its lease would end). A record the store no longer has is written again, done.
   */
  completeRuns(batch: CompletionBatch): Promise<CompletionResult[]>;
  /**
   * Gives the ticks up unfinished so another replica may take them at once (with a larger fence).
   * Only the owner's running claims under their fences are released; anything else is left alone.
   * The record keeps its expiry: a takeover-only claim may take it until then.
   */
  releaseClaims(owner: string, claims: readonly HeldClaim[]): Promise<void>;
  /**
   * The latest tick of the job that completed (any outcome, in whatever order ticks completed),
   * for catch-up after a restart; null when none did. Outlives the records.
   */
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

/** One run of a job, as the fleet history keeps it. Times are epoch ms by the store's clock. */
export interface RunRecord {
  readonly job: string;
  /** The tick the run was for (a trigger's: when it was requested). */
  readonly tick: number;
  readonly instanceId: string;
  readonly trigger: RunTrigger;
  readonly outcome: RunOutcome;
  readonly startedAt: number;
  readonly durationMs: number;
  /** Start minus tick (jitter included). */
  readonly lateMs: number;
  readonly attempts: number;
  readonly fence: number;
  /** The service version of the replica that ran it (SchedulerOptions.serviceVersion). */
  readonly version?: string;
  /** For an outcome other than success: the error's class and message, as `errorDetail` records it. */
  readonly error?: { readonly type: string; readonly message?: string };
}

/** What a replica tells the fleet about one of its jobs (sent when its jobs change). */
export interface CatalogEntry {
  readonly name: string;
  readonly kind: 'cron' | 'every' | 'at';
  /** As written: the cron expression, the interval, the ISO date. */
  readonly schedule: string;
  readonly timezone: string;
  /** A cron schedule built with `dayMatch: 'and'` (absent: 'or'). */
  readonly dayMatch?: 'and';
  /** An interval's anchor, epoch ms (absent: the Unix epoch). */
  readonly anchorMs?: number;
  readonly describe: string;
  readonly owner?: string;
  readonly description?: string;
  readonly runbook?: string;
  readonly timeoutMs: number;
  /** `expect.duration` in ms, when set. */
  readonly expectMs?: number;
  /** Disabled on this replica (TICKWISE_DISABLED_JOBS, `disabled` option), with the reason. */
  readonly disabledReason?: string;
}

/** What a heartbeat says about the replica beside its registration. */
export interface ReplicaInfo {
  readonly host: string;
  readonly pid: number;
  readonly version?: string;
  /** When this scheduler started, epoch ms (store clock). */
  readonly startedAt: number;
  /** Jobs registered. */
  readonly jobs: number;
  /** Store clock minus the replica's, ms; null before it was measured. */
  readonly clockOffsetMs: number | null;
  /** The replica's jobs: sent on the first beat and whenever they change; kept by the store until replaced. */
  readonly catalog?: readonly CatalogEntry[];
}
