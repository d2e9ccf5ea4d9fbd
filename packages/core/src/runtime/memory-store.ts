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
  owner: string;
  fence: number;
  leaseUntil: number;
  state: 'running' | 'done' | 'released';
  expiresAt: number;
  retainMs: number;
}

const key = (job: string, tick: number) => `${job}\u0000${tick}`;

export interface MemoryStoreOptions {
  /** Time source; default Date.now. Pass the scheduler's clock when it is virtual. */
  now?: () => number;
}

export class MemoryStore implements ClaimStore {
  readonly durable = false;
  private readonly records = new Map<string, ClaimRecord>();
  /** Keys of running claims per job, for exclusive claims (entries go when a job has none). */
  private readonly running = new Map<string, string[]>();
  private readonly lastDone = new Map<string, number>();
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
    const id = key(request.job, tick);
    const existing = this.records.get(id);
    if (existing?.state === 'done') return { acquired: false, reason: 'completed' };
    if (existing?.state === 'running' && existing.leaseUntil > now) {
      if (existing.owner !== request.owner) {
        return { acquired: false, reason: 'claimed-elsewhere', retryAfterMs: existing.leaseUntil - now };
      }
      return claimGranted(request, existing.fence, existing.leaseUntil);
    }
    if (request.exclusive && this.hasLiveRun(request.job, id, now)) return { acquired: false, reason: 'overlap' };
    const record: ClaimRecord = {
      owner: request.owner,
      fence: ++this.fence,
      leaseUntil: now + request.leaseMs,
      state: 'running',
      expiresAt: Math.max(tick, now) + request.retainMs + request.leaseMs,
      retainMs: request.retainMs,
    };
    this.records.set(id, record);
    const live = this.running.get(request.job);
    if (live) live.push(id);
    else this.running.set(request.job, [id]);
    return claimGranted(request, record.fence, record.leaseUntil);
  }

  async renew(claim: Claim, leaseMs: number): Promise<boolean> {
    const record = this.current(claim);
    if (record?.state !== 'running' || record.leaseUntil <= this.now()) return false;
    record.leaseUntil = this.now() + leaseMs;
    record.expiresAt = Math.max(record.expiresAt, record.leaseUntil + record.retainMs);
    return true;
  }

  async complete(claim: Claim, _outcome: RunOutcome): Promise<boolean> {
    const record = this.current(claim);
    if (record?.state !== 'running' || record.leaseUntil <= this.now()) return false;
    record.state = 'done';
    record.expiresAt = Math.max(record.expiresAt, this.now() + record.retainMs);
    this.forgetRunning(claim);
    const tick = claim.tick.getTime();
    if (tick > (this.lastDone.get(claim.job) ?? Number.NEGATIVE_INFINITY)) this.lastDone.set(claim.job, tick);
    return true;
  }

  async release(claim: Claim): Promise<void> {
    const record = this.current(claim);
    if (record?.state !== 'running') return;
    record.state = 'released';
    record.leaseUntil = 0;
    this.forgetRunning(claim);
  }

  async lastCompletedTick(job: string): Promise<Date | null> {
    const tick = this.lastDone.get(job);
    return tick === undefined ? null : new Date(tick);
  }

  async ping(): Promise<void> {}

  private forgetRunning(claim: Claim): void {
    const live = this.running.get(claim.job);
    if (!live) return;
    const index = live.indexOf(key(claim.job, claim.tick.getTime()));
    if (index >= 0) live.splice(index, 1);
    if (live.length === 0) this.running.delete(claim.job);
  }

  private current(claim: Claim): ClaimRecord | undefined {
    const record = this.records.get(key(claim.job, claim.tick.getTime()));
    return record && record.fence === claim.fence ? record : undefined;
  }

  private hasLiveRun(job: string, except: string, now: number): boolean {
    for (const id of this.running.get(job) ?? []) {
      const record = this.records.get(id);
      if (id !== except && record?.state === 'running' && record.leaseUntil > now) return true;
    }
    return false;
  }

  /** Drops records past their retention, at most once a minute. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const [id, record] of this.records) {
      if (record.expiresAt <= now && record.state !== 'running') this.records.delete(id);
    }
  }
}
