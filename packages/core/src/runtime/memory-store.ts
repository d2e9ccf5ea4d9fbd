// The embedded default store: claims in a Map, in one process. Same semantics as the shared
// stores, so code and tests written against it hold when a service moves to Redis or PostgreSQL.

import {
  type Claim,
  type ClaimRequest,
  type ClaimResult,
  type ClaimStore,
  claimGranted,
  claimRefused,
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

function findRecord(ledger: JobLedger | undefined, tick: number): ClaimRecord | undefined {
  if (!ledger) return undefined;
  const record = ledger.records[indexOfTick(ledger.records, tick)];
  return record?.tick === tick ? record : undefined;
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
    if (tick - now > request.maxEarlyMs) return claimRefused('early', tick - now);
    let ledger = this.ledgers.get(request.job);
    if (!ledger) {
      ledger = { records: [], running: 0, lastDone: Number.NEGATIVE_INFINITY };
      this.ledgers.set(request.job, ledger);
    }
    const at = indexOfTick(ledger.records, tick);
    const found = ledger.records[at];
    const existing = found?.tick === tick ? found : undefined;
    if (existing?.state === 'done') return claimRefused('completed');
    if (existing?.state === 'running' && existing.leaseUntil > now) {
      if (existing.owner !== request.owner) {
        return claimRefused('claimed-elsewhere', existing.leaseUntil - now);
      }
      return claimGranted(request, existing.fence, existing.leaseUntil);
    }
    if (request.exclusive && hasLiveRun(ledger, tick, now)) return claimRefused('overlap');
    const record: ClaimRecord = {
      tick,
      owner: request.owner,
      fence: ++this.fence,
      leaseUntil: now + request.leaseMs,
      state: 'running',
      expiresAt: Math.max(tick, now) + request.retainMs + request.leaseMs,
      retainMs: request.retainMs,
    };
    if (existing) {
      // A takeover: the expired (or released) record gives way.
      if (existing.state === 'running') ledger.running--;
      ledger.records[at] = record;
    } else if (at === ledger.records.length) {
      ledger.records.push(record);
    } else {
      ledger.records.splice(at, 0, record);
    }
    ledger.running++;
    return claimGranted(request, record.fence, record.leaseUntil);
  }

  async renew(claim: Claim, leaseMs: number): Promise<boolean> {
    const record = this.current(claim);
    const now = this.now();
    if (record?.state !== 'running' || record.leaseUntil <= now) return false;
    record.leaseUntil = now + leaseMs;
    record.expiresAt = Math.max(record.expiresAt, record.leaseUntil + record.retainMs);
    return true;
  }

  async complete(claim: Claim, _outcome: RunOutcome): Promise<boolean> {
    const ledger = this.ledgers.get(claim.job);
    const record = this.current(claim, ledger);
    const now = this.now();
    if (!ledger || record?.state !== 'running' || record.leaseUntil <= now) return false;
    record.state = 'done';
    record.expiresAt = Math.max(record.expiresAt, now + record.retainMs);
    ledger.running--;
    if (record.tick > ledger.lastDone) ledger.lastDone = record.tick;
    return true;
  }

  async release(claim: Claim): Promise<void> {
    const ledger = this.ledgers.get(claim.job);
    const record = this.current(claim, ledger);
    if (!ledger || record?.state !== 'running') return;
    record.state = 'released';
    record.leaseUntil = 0;
    ledger.running--;
  }

  async lastCompletedTick(job: string): Promise<Date | null> {
    const tick = this.ledgers.get(job)?.lastDone;
    return tick === undefined || tick === Number.NEGATIVE_INFINITY ? null : new Date(tick);
  }

  async ping(): Promise<void> {}

  /** The claim's record, if the claim still holds it (same fence). */
  private current(claim: Claim, ledger = this.ledgers.get(claim.job)): ClaimRecord | undefined {
    const record = findRecord(ledger, claim.tick.getTime());
    return record?.fence === claim.fence ? record : undefined;
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
  }
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
