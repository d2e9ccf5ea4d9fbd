// What every case of the store contract kit works with: a fresh store, job names no other case
// uses, shorthands for the store's batch calls, and the timing rules that keep the cases honest on
// a loaded machine.
//
// Stores read real time, so the cases wait for leases and retentions to end. Two rules keep them
// from being flaky: a case only counts on something being over after it is over plus a generous
// margin (waiting longer never changes the answer), and a case only counts on something still
// holding when this process can prove it (the answer came back within the lease, measured from
// when the request that set it was sent). When the machine stalled so long that it cannot tell,
// the case starts again with fresh job names (`retryIfStalled`).

import assert from 'node:assert/strict';
import type {
  ClaimRequest,
  ClaimResult,
  ClaimStore,
  CompletionResult,
  HeldClaim,
  RunOutcome,
} from '../runtime/store.js';

/** A lease that must hold for a whole case without renewals: far longer than any stall. */
export const HELD_MS = 10_000;
/** A lease a case waits out. */
export const SHORT_LEASE_MS = 300;
/** A retention a case waits out. */
export const SHORT_RETAIN_MS = 1000;
/** A lease kept alive by renewals every RENEW_EVERY_MS in the long-run cases. */
export const RENEWED_LEASE_MS = 800;
export const RENEW_EVERY_MS = 200;
/** Waited past the end of a lease or a retention before counting on it being over. */
export const MARGIN_MS = 400;
/** The retention of claims whose retention a case does not look at. */
export const RETAIN_MS = 60_000;
/** How long a request's deadline leaves it (the store refuses it after that). */
const DEADLINE_MS = 10_000;
/** Store clocks count whole milliseconds, rounded either way: proofs of "still live" leave this much. */
const CLOCK_SLACK_MS = 50;

export const now = (): number => Date.now();
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
export const sleepUntil = (at: number): Promise<void> => sleep(at - now());

/** A claim the case holds: what renewals and completions name, and when its request was sent. */
export interface Held extends HeldClaim {
  readonly leaseUntil: number;
  /** This process's clock when the claim was sent: its lease holds at least until sentAt + leaseMs. */
  readonly sentAt: number;
  /** This process's clock when the answer came. */
  readonly answeredAt: number;
}

/** The machine stalled too long for the case to tell a store's fault from its own slowness. */
export class Stalled extends Error {
  override readonly name = 'Stalled';
}

/** What a claim answer says, in one word: `acquired` or the refusal's reason. */
export const verdict = (result: ClaimResult | undefined): string =>
  result === undefined ? 'no answer' : result.acquired ? 'acquired' : result.reason;

let cases = 0;

export class Harness {
  /** The job the case claims; braces, colons and non-ASCII, since job names go into keys and hash tags. */
  job = '';
  /** An hour ago, on the minute: ticks in the past, due by any store clock within the hour. */
  readonly base = Math.floor(now() / 60_000) * 60_000 - 3_600_000;

  constructor(
    readonly store: ClaimStore,
    private readonly hooks: StoreHooks,
  ) {
    this.newJob();
  }

  /** Fresh job names, for a case that starts again. */
  newJob(): void {
    this.job = `Job{with}braces:ü.${Math.random().toString(36).slice(2, 10)}.${++cases}`;
  }

  /** The job's tick `n` minutes after the base. */
  tick(n = 0): number {
    return this.base + n * 60_000;
  }

  request(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
    return {
      job: this.job,
      tick: this.tick(),
      leaseMs: HELD_MS,
      exclusive: false,
      retainMs: RETAIN_MS,
      takeoverOnly: false,
      ...overrides,
    };
  }

  claimAll(owner: string, requests: ClaimRequest[], deadline = now() + DEADLINE_MS): Promise<ClaimResult[]> {
    return this.store.claimTicks({ owner, deadline, maxEarlyMs: 250, requests });
  }

  async claim(owner: string, overrides: Partial<ClaimRequest> = {}): Promise<ClaimResult> {
    const results = await this.claimAll(owner, [this.request(overrides)]);
    assert.equal(results.length, 1, 'one result per request');
    return results[0] as ClaimResult;
  }

  /** Claims and returns what renewals and completions name; fails the case if refused. */
  async hold(owner: string, overrides: Partial<ClaimRequest> = {}): Promise<Held> {
    const request = this.request(overrides);
    const sentAt = now();
    const [result] = await this.claimAll(owner, [request]);
    assert.ok(result?.acquired, `the claim of tick ${request.tick} was refused: ${verdict(result)}`);
    return held(request, result, sentAt, now());
  }

  /** Every request of one batch, held; fails the case if any is refused. */
  async holdAll(owner: string, requests: ClaimRequest[]): Promise<Held[]> {
    const sentAt = now();
    const results = await this.claimAll(owner, requests);
    const answeredAt = now();
    return requests.map((request, i) => {
      const result = results[i];
      assert.ok(result?.acquired, `the claim of tick ${request.tick} was refused: ${verdict(result)}`);
      return held(request, result, sentAt, answeredAt);
    });
  }

  async renew(owner: string, claim: HeldClaim, deadline = now() + DEADLINE_MS): Promise<boolean> {
    const results = await this.store.renewLeases({ owner, deadline, claims: [claim] });
    assert.equal(results.length, 1, 'one answer per renewal');
    return results[0] as boolean;
  }

  async complete(owner: string, claim: HeldClaim, outcome: RunOutcome = 'success'): Promise<CompletionResult> {
    const results = await this.store.completeRuns({ owner, runs: [{ claim, outcome }] });
    assert.equal(results.length, 1, 'one answer per completion');
    return results[0] as CompletionResult;
  }

  release(owner: string, ...claims: HeldClaim[]): Promise<void> {
    return this.store.releaseClaims(owner, claims);
  }

  /** Lets a store that forgets on a schedule (PostgreSQL) forget what is past its expiry now. */
  async cleanup(): Promise<void> {
    await this.hooks.cleanup?.();
  }

  /** Makes the store lose everything, as a restart without persistence does. */
  async wipe(): Promise<void> {
    assert.ok(this.hooks.wipe, 'the data-loss cases run only with the wipe option');
    await this.hooks.wipe();
  }
}

/** The options of storeContract() that act on a case's store, bound to it. */
export interface StoreHooks {
  cleanup?: () => Promise<unknown>;
  wipe?: () => Promise<void>;
}

/** How a file of cases registers them: a group, and a case that gets its own store. */
export interface Suite {
  describe(name: string, body: () => void): void;
  case(name: string, body: (t: Harness) => Promise<void>): void;
}

function held(request: ClaimRequest, result: ClaimResult, sentAt: number, answeredAt: number): Held {
  assert.ok(result.acquired);
  assert.ok(Number.isSafeInteger(result.fence) && result.fence > 0, `fence ${result.fence}`);
  return {
    job: request.job,
    tick: request.tick,
    fence: result.fence,
    leaseMs: request.leaseMs,
    retainMs: request.retainMs,
    exclusive: request.exclusive,
    leaseUntil: result.leaseUntil,
    sentAt,
    answeredAt,
  };
}

/**
 * What this process can prove about a lease: it holds at least until `leaseMs` after the send of
 * the last request that set it (the claim, or a renewal that succeeded), since the store decided
 * after the send. Durations only, so a store whose clock is offset from this one does not matter.
 */
export class LeaseWatch {
  private from: number;

  constructor(
    private readonly leaseMs: number,
    sentAt: number,
  ) {
    this.from = sentAt;
  }

  renewed(sentAt: number): void {
    this.from = sentAt;
  }

  /** True when an answer that came at `at` was certainly decided while the lease was live. */
  live(at = now()): boolean {
    return at - this.from < this.leaseMs - CLOCK_SLACK_MS;
  }

  /** For messages. */
  age(at = now()): number {
    return at - this.from;
  }
}

/** True when an answer that came at `at` was certainly decided before `sentAt + ms` by the store's clock. */
export const within = (sentAt: number, ms: number, at = now()): boolean => at - sentAt < ms - CLOCK_SLACK_MS;

/**
 * Runs a case that depends on a lease or a retention still holding; when the machine stalled so
 * long that the case could not tell (it threw Stalled), runs it again with fresh job names, up to
 * three times.
 */
export async function retryIfStalled(harness: Harness, body: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await body();
      return;
    } catch (error) {
      if (!(error instanceof Stalled) || attempt === 3) throw error;
      harness.newJob();
    }
  }
}
