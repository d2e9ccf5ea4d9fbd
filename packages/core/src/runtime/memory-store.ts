// The embedded default store: claims in a Map, in one process. Same semantics as the shared
// stores, so code and tests written against it hold when a service moves to Redis or PostgreSQL.

import {
  type Claim,
  type ClaimRequest,
  type ClaimResult,
  type ClaimStore,
  claimGranted,
  type RunOutcome,
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
 * One job's claims. Records are found by job name, then by tick as a number: no `job + tick`
 * string key is built per claim (a burst of 100,000 claims built, hashed and compared 300,000).
 */
interface JobLedger {
  records: Map<number, ClaimRecord>;
  /** Records of running claims, for exclusive claims (usually none or one). */
  running: ClaimRecord[];
  /** The latest completed tick; kept after its record is swept. */
  lastDone: number;
}

export interface MemoryStoreOptions {
  /** Time source; default Date.now. Pass the scheduler's clock when it is virtual. */
  now?: () => number;
}

export class MemoryStore implements ClaimStore {
  readonly durable = false;
  private readonly ledgers = new Map<string, JobLedger>();
  private fence = 0;
  private readonly now: () => number;
  private nextSweep = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const now = this.now();
    this.sweep(now);
    const tick = request.tick.getTime();
    if (tick - now > request.maxEarlyMs) return { acquired: false, reason: 'early', retryAfterMs: tick - now };
    let ledger = this.ledgers.get(request.job);
    if (!ledger) {
      ledger = { records: new Map(), running: [], lastDone: Number.NEGATIVE_INFINITY };
      this.ledgers.set(request.job, ledger);
    }
    const existing = ledger.records.get(tick);
    if (existing?.state === 'done') return { acquired: false, reason: 'completed' };
    if (existing?.state === 'running' && existing.leaseUntil > now) {
      if (existing.owner !== request.owner) {
        return { acquired: false, reason: 'claimed-elsewhere', retryAfterMs: existing.leaseUntil - now };
      }
      return claimGranted(request, existing.fence, existing.leaseUntil);
    }
    if (request.exclusive && hasLiveRun(ledger, tick, now)) return { acquired: false, reason: 'overlap' };
    if (existing?.state === 'running') forgetRunning(ledger, existing);
    const record: ClaimRecord = {
      tick,
      owner: request.owner,
      fence: ++this.fence,
      leaseUntil: now + request.leaseMs,
      state: 'running',
      expiresAt: Math.max(tick, now) + request.retainMs + request.leaseMs,
      retainMs: request.retainMs,
    };
    ledger.records.set(tick, record);
    ledger.running.push(record);
    return claimGranted(request, record.fence, record.leaseUntil);
  }

  async renew(claim: Claim, leaseMs: number): Promise<boolean> {
    const record = this.current(claim)?.record;
    if (record?.state !== 'running' || record.leaseUntil <= this.now()) return false;
    record.leaseUntil = this.now() + leaseMs;
    record.expiresAt = Math.max(record.expiresAt, record.leaseUntil + record.retainMs);
    return true;
  }

  async complete(claim: Claim, _outcome: RunOutcome): Promise<boolean> {
    const found = this.current(claim);
    if (!found) return false;
    const { ledger, record } = found;
    if (record.state !== 'running' || record.leaseUntil <= this.now()) return false;
    record.state = 'done';
    record.expiresAt = Math.max(record.expiresAt, this.now() + record.retainMs);
    forgetRunning(ledger, record);
    if (record.tick > ledger.lastDone) ledger.lastDone = record.tick;
    return true;
  }

  async release(claim: Claim): Promise<void> {
    const found = this.current(claim);
    if (found?.record.state !== 'running') return;
    found.record.state = 'released';
    found.record.leaseUntil = 0;
    forgetRunning(found.ledger, found.record);
  }

  async lastCompletedTick(job: string): Promise<Date | null> {
    const tick = this.ledgers.get(job)?.lastDone;
    return tick === undefined || tick === Number.NEGATIVE_INFINITY ? null : new Date(tick);
  }

  async ping(): Promise<void> {}

  /** The claim's record and ledger, if the claim still holds it (same fence). */
  private current(claim: Claim): { ledger: JobLedger; record: ClaimRecord } | undefined {
    const ledger = this.ledgers.get(claim.job);
    const record = ledger?.records.get(claim.tick.getTime());
    return ledger && record && record.fence === claim.fence ? { ledger, record } : undefined;
  }

  /** Drops records past their retention, at most once a minute. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const ledger of this.ledgers.values()) {
      for (const [tick, record] of ledger.records) {
        if (record.expiresAt <= now && record.state !== 'running') ledger.records.delete(tick);
      }
    }
  }
}

function forgetRunning(ledger: JobLedger, record: ClaimRecord): void {
  const index = ledger.running.indexOf(record);
  if (index >= 0) ledger.running.splice(index, 1);
}

/** Whether another tick of the job holds a live lease. */
function hasLiveRun(ledger: JobLedger, except: number, now: number): boolean {
  for (const record of ledger.running) {
    if (record.tick !== except && record.leaseUntil > now) return true;
  }
  return false;
}
