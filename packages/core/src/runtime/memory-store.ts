// The embedded default store: claims in a Map, in one process. Same contract as the shared stores
// (the kit in ../store-tests runs against all three), so code and tests written against it hold
// when a service moves to Redis or PostgreSQL.

import {
  checkPattern,
  type FleetControls,
  type FleetStore,
  type HistoryOptions,
  type PauseRecord,
  type ReplicaRecord,
  type RunQuery,
  resolveHistory,
  type TriggerRecord,
} from './fleet-store.js';
import { MemoryFleet } from './memory-fleet.js';
import type {
  BeatResult,
  ClaimBatch,
  ClaimResult,
  ClaimStore,
  CompletionBatch,
  CompletionResult,
  HeldClaim,
  InstanceBeat,
  RenewalBatch,
  RunRecord,
  StoreLimits,
} from './store.js';

interface ClaimRecord {
  tick: number;
  owner: string;
  fence: number;
  leaseUntil: number;
  state: 'running' | 'done' | 'released';
  expiresAt: number;
  retainMs: number;
}

/**
 * One job's claims. Records are found by job name, then by tick: no `job + tick` string key is
 * built per claim (a burst of 100,000 claims built, hashed and compared 300,000). A job holds few
 * records at a time (those within its retention) and claims mostly the newest tick, so they sit in
 * an array sorted by tick, searched from the end.
 */
interface JobLedger {
  records: ClaimRecord[];
  /** How many records are running: exclusive claims look for them only when there are some. */
  running: number;
  /** The latest completed tick; kept after its record is swept. */
  lastDone: number;
}

/** Where `tick` is, or would go, in the sorted records (new ticks are usually the latest: checked first). */
function indexOfTick(records: ClaimRecord[], tick: number): number {
  let high = records.length;
  if (high === 0 || (records[high - 1] as ClaimRecord).tick < tick) return high;
  let low = 0;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((records[middle] as ClaimRecord).tick < tick) low = middle + 1;
    else high = middle;
  }
  return low;
}

export interface MemoryStoreOptions {
  /**
   * Time source. Default: the clock of the first Scheduler the store is given to (a VirtualClock in
   * tests), or Date.now before that.
   */
  now?: () => number;
  /** The fleet history kept (runs per job, their age); `false` keeps none. Default 100 runs, 7 days. */
  history?: HistoryOptions | false;
}

interface Registration {
  session: string;
  lastSeen: number;
  expiresAt: number;
}

const MEMORY_LIMITS: StoreLimits = Object.freeze({ maxJobNameBytes: 1024 });

export class MemoryStore implements ClaimStore, FleetStore {
  readonly durable = false;
  readonly limits = MEMORY_LIMITS;
  private readonly ledgers = new Map<string, JobLedger>();
  private readonly instances = new Map<string, Registration>();
  private readonly epoch = Math.random().toString(36).slice(2, 10);
  /** One counter for the store: fences grow with every claim (the store lives and dies with the process). */
  private fence = 0;
  private now: () => number;
  private clockChosen: boolean;
  private nextSweep = 0;
  private readonly fleet: MemoryFleet;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.clockChosen = options.now !== undefined;
    this.fleet = new MemoryFleet(resolveHistory(options.history, 'MemoryStore'), () => this.now());
  }

  get history() {
    return this.fleet.history;
  }

  /**
   * Internal (called by Scheduler): reads the scheduler's clock, unless a clock was chosen. An
   * in-process store has no clock of its own to measure an offset from; deadlines and leases must
   * be read on the scheduler's.
   */
  followClock(now: () => number): void {
    if (this.clockChosen) return;
    this.now = now;
    this.clockChosen = true;
  }

  async claimTicks(batch: ClaimBatch): Promise<ClaimResult[]> {
    const now = this.now();
    this.sweep(now);
    const results: ClaimResult[] = new Array(batch.requests.length);
    for (let i = 0; i < batch.requests.length; i++) {
      const request = batch.requests[i] as ClaimBatch['requests'][number];
      results[i] = now > batch.deadline ? LATE : this.claimOne(batch, request, now);
    }
    return results;
  }

  private claimOne(batch: ClaimBatch, request: ClaimBatch['requests'][number], now: number): ClaimResult {
    const { tick } = request;
    if (tick - now > batch.maxEarlyMs) return { acquired: false, reason: 'early', retryAfterMs: tick - now };
    const ledger = this.ledger(request.job);
    const at = indexOfTick(ledger.records, tick);
    const found = ledger.records[at];
    const sameTick = found?.tick === tick ? found : undefined;
    // A record past its retention is gone, swept or not (as a Redis key past its TTL is).
    const existing = sameTick && !isExpired(sameTick, now) ? sameTick : undefined;
    if (existing?.state === 'done') return COMPLETED;
    if (existing?.state === 'running' && existing.leaseUntil > now) {
      if (existing.owner !== batch.owner) {
        return { acquired: false, reason: 'claimed-elsewhere', retryAfterMs: existing.leaseUntil - now };
      }
      return { acquired: true, fence: existing.fence, leaseUntil: existing.leaseUntil };
    }
    if (!existing && request.takeoverOnly) return UNKNOWN_TICK;
    if (request.exclusive && hasLiveRun(ledger, tick, now)) return OVERLAP;
    const record: ClaimRecord = {
      tick,
      owner: batch.owner,
      fence: ++this.fence,
      leaseUntil: now + request.leaseMs,
      state: 'running',
      expiresAt: Math.max(tick, now) + request.retainMs + request.leaseMs,
      retainMs: request.retainMs,
    };
    if (sameTick) {
      // A takeover: the expired (or released, or forgotten) record gives way.
      if (sameTick.state === 'running') ledger.running--;
      ledger.records[at] = record;
    } else {
      insertAt(ledger, at, record);
    }
    ledger.running++;
    return { acquired: true, fence: record.fence, leaseUntil: record.leaseUntil };
  }

  async renewLeases(batch: RenewalBatch): Promise<boolean[]> {
    const now = this.now();
    return batch.claims.map((claim) => {
      if (now > batch.deadline) return false;
      const ledger = this.ledger(claim.job);
      const at = indexOfTick(ledger.records, claim.tick);
      const record = ledger.records[at];
      if (record?.tick !== claim.tick) {
        // The store lost the record while the lease was live (it cannot expire before): write it again.
        insertAt(ledger, at, this.restored(claim, batch.owner, 'running', now));
        ledger.running++;
        return true;
      }
      if (record.fence !== claim.fence || record.state !== 'running' || record.leaseUntil <= now) return false;
      record.leaseUntil = now + claim.leaseMs;
      record.expiresAt = Math.max(record.expiresAt, record.leaseUntil + record.retainMs);
      return true;
    });
  }

  async completeRuns(batch: CompletionBatch): Promise<CompletionResult[]> {
    const now = this.now();
    return batch.runs.map(({ claim, record: run }): CompletionResult => {
      const ledger = this.ledger(claim.job);
      const at = indexOfTick(ledger.records, claim.tick);
      let record = ledger.records[at];
      if (record?.tick !== claim.tick) {
        record = this.restored(claim, batch.owner, 'done', now);
        insertAt(ledger, at, record);
      } else if (record.fence !== claim.fence || record.state === 'released') {
        return 'rejected';
      } else if (record.state === 'done') {
        return 'recorded';
      } else {
        record.state = 'done';
        ledger.running--;
      }
      record.expiresAt = Math.max(record.expiresAt, now + record.retainMs);
      if (record.tick > ledger.lastDone) ledger.lastDone = record.tick;
      // Only a first recording gets here (a repeated one returned above): the run is kept once.
      if (run) this.fleet.append(run);
      return 'recorded';
    });
  }

  async releaseClaims(owner: string, claims: readonly HeldClaim[]): Promise<void> {
    for (const claim of claims) {
      const ledger = this.ledgers.get(claim.job);
      const record = ledger?.records[indexOfTick(ledger.records, claim.tick)];
      if (!ledger || record?.tick !== claim.tick || record.fence !== claim.fence) continue;
      if (record.state !== 'running' || record.owner !== owner) continue;
      record.state = 'released';
      record.leaseUntil = 0;
      ledger.running--;
    }
  }

  async lastCompletedTick(job: string): Promise<number | null> {
    const tick = this.ledgers.get(job)?.lastDone;
    return tick === undefined || tick === Number.NEGATIVE_INFINITY ? null : tick;
  }

  async heartbeat(beat: InstanceBeat): Promise<BeatResult> {
    const now = this.now();
    const held = this.instances.get(beat.instanceId);
    if (held && held.session !== beat.session && held.expiresAt > now) {
      return { epoch: this.epoch, conflict: { session: held.session, ageMs: now - held.lastSeen } };
    }
    this.instances.set(beat.instanceId, { session: beat.session, lastSeen: now, expiresAt: now + beat.ttlMs });
    this.fleet.beat(beat.instanceId, beat.info, now);
    const live = [...this.instances].filter(([, r]) => r.expiresAt > now).map(([id]) => id);
    // No storeTime: this store reads the scheduler's own clock, so there is no offset to measure.
    return { epoch: this.epoch, live: live.sort() };
  }

  async leave(instanceId: string, session: string): Promise<void> {
    if (this.instances.get(instanceId)?.session === session) this.instances.delete(instanceId);
  }

  async ping(): Promise<void> {}

  async listRuns(query?: RunQuery): Promise<RunRecord[]> {
    return this.fleet.listRuns(query);
  }

  async listReplicas(): Promise<ReplicaRecord[]> {
    const now = this.now();
    return this.fleet.listReplicas((id) => (this.instances.get(id)?.expiresAt ?? 0) > now);
  }

  async readControls(): Promise<FleetControls> {
    return this.fleet.readControls();
  }

  async pauseJobs(pause: { pattern: string; reason: string; by: string; forMs: number | null }): Promise<PauseRecord> {
    checkPattern(pause.pattern);
    return this.fleet.pause(pause.pattern, pause.reason, pause.by, pause.forMs);
  }

  async resumeJobs(pattern: string): Promise<boolean> {
    return this.fleet.resume(pattern);
  }

  watchControls(changed: () => void): () => void {
    return this.fleet.watch(changed);
  }

  async requestTrigger(request: { job: string; by: string }): Promise<TriggerRecord> {
    checkPattern(request.job);
    return this.fleet.trigger(request.job, request.by);
  }

  private ledger(job: string): JobLedger {
    let ledger = this.ledgers.get(job);
    if (!ledger) {
      ledger = { records: [], running: 0, lastDone: Number.NEGATIVE_INFINITY };
      this.ledgers.set(job, ledger);
    }
    return ledger;
  }

  /** A record written again for a holder whose record was lost. */
  private restored(claim: HeldClaim, owner: string, state: 'running' | 'done', now: number): ClaimRecord {
    this.fence = Math.max(this.fence, claim.fence);
    return {
      tick: claim.tick,
      owner,
      fence: claim.fence,
      leaseUntil: now + claim.leaseMs,
      state,
      expiresAt: now + claim.leaseMs + claim.retainMs,
      retainMs: claim.retainMs,
    };
  }

  /** Drops records past their retention, at most once a minute. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const ledger of this.ledgers.values()) {
      if (!ledger.records.some((record) => isExpired(record, now))) continue;
      ledger.records = ledger.records.filter((record) => !isExpired(record, now));
      ledger.running = ledger.records.filter((record) => record.state === 'running').length;
    }
    for (const [id, registration] of this.instances) if (registration.expiresAt <= now) this.instances.delete(id);
  }
}

const LATE: ClaimResult = Object.freeze({ acquired: false, reason: 'late' });
const COMPLETED: ClaimResult = Object.freeze({ acquired: false, reason: 'completed' });
const OVERLAP: ClaimResult = Object.freeze({ acquired: false, reason: 'overlap' });
const UNKNOWN_TICK: ClaimResult = Object.freeze({ acquired: false, reason: 'unknown-tick' });

function insertAt(ledger: JobLedger, at: number, record: ClaimRecord): void {
  if (at === ledger.records.length) ledger.records.push(record);
  else ledger.records.splice(at, 0, record);
}

/** Past retention, and not held: a running record whose lease ran out is abandoned (its holder can no longer complete it). */
function isExpired(record: ClaimRecord, now: number): boolean {
  return record.expiresAt <= now && (record.state !== 'running' || record.leaseUntil <= now);
}

/** Whether another tick of the job holds a live lease. */
function hasLiveRun(ledger: JobLedger, except: number, now: number): boolean {
  if (ledger.running === 0) return false;
  return ledger.records.some(
    (record) => record.tick !== except && record.state === 'running' && record.leaseUntil > now,
  );
}
