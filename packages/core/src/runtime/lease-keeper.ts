// Keeps the leases of running claims alive, and gives them up before the store could: renews each
// every third of its length (all renewals due at once in one round trip), and aborts the run
// `leaseSafetyMs` before the lease could end in the store, counted from when the last successful
// renewal (or the claim) was *sent*. An answer that never comes (a partition, a frozen store, a
// client without command timeouts) cannot keep a run going: the abort is a timer, not a reaction
// to a failed request.
//
// Most runs end long before their first renewal, so holding and releasing a lease must cost next
// to nothing: a burst of 100,000 short runs must not arm 100,000 timers. Leases renewed at the same
// interval come due in the order they were taken, so each interval keeps a FIFO (a doubly linked
// list through the leases themselves) and one timer serves them all. A lease whose renewal failed
// is "at risk": only then does it get an entry in a timer queue at its abort time. A keeper that
// holds no lease holds no timer, but drops it a moment later (deferred), not at once: short runs
// one after another would otherwise arm and clear a timer each.

import { type Clock, defer, type TimerHandle } from './clock.js';
import { type BatchLimits, Coalescer } from './coalescer.js';
import { withinDeadline } from './deadline.js';
import { leaseSafetyMs, renewalIntervalMs, renewalRetryMs } from './lease-timing.js';
import type { Logger } from './logger.js';
import type { ClaimStore, HeldClaim } from './store.js';
import { type QueueEntry, TimerQueue } from './timer-queue.js';

/** A held lease, as the run sees it. */
export interface LeaseHandle {
  readonly claim: HeldClaim;
  /** When the run must stop believing in the claim (store time); moves on with each renewal. */
  readonly abortAt: number;
  /** The keeper gave the lease up (refused, or no renewal in time); the run's signal has aborted. */
  readonly lost: boolean;
  /** Stops renewing. */
  release(): void;
}

class Lease implements LeaseHandle {
  abortAt: number;
  /** When to renew next (store time). */
  renewAt = 0;
  released = false;
  lost = false;
  /** The FIFO the lease waits in (null while its renewal is in flight), and its neighbours there. */
  fifo: LeaseFifo | null = null;
  previous: Lease | null = null;
  next: Lease | null = null;
  /** Its entry in the at-risk queue, while a renewal has failed. */
  risk: QueueEntry<Lease> | null = null;

  constructor(
    private readonly keeper: LeaseKeeper,
    readonly claim: HeldClaim,
    sentAt: number,
    readonly lose: (detail: string) => void,
    readonly renewed: () => void,
  ) {
    this.abortAt = sentAt + claim.leaseMs - leaseSafetyMs(claim.leaseMs);
  }

  release(): void {
    this.keeper.release(this);
  }
}

/** Leases renewed at one interval, oldest first. */
class LeaseFifo {
  first: Lease | null = null;
  last: Lease | null = null;

  constructor(readonly intervalMs: number) {}

  push(lease: Lease): void {
    lease.fifo = this;
    lease.previous = this.last;
    lease.next = null;
    if (this.last) this.last.next = lease;
    else this.first = lease;
    this.last = lease;
  }

  remove(lease: Lease): void {
    if (lease.previous) lease.previous.next = lease.next;
    else this.first = lease.next;
    if (lease.next) lease.next.previous = lease.previous;
    else this.last = lease.previous;
    lease.fifo = null;
    lease.previous = null;
    lease.next = null;
  }
}

const noop = () => {};

/** Renewals per round trip, and round trips in flight. */
export const RENEWAL_LIMITS: BatchLimits = { maxBatch: 1000, maxInFlight: 1 };

export class LeaseKeeper {
  /** Leases waiting for their next renewal, by renewal interval, oldest first. */
  private readonly waiting = new Map<number, LeaseFifo>();
  private waitingCount = 0;
  private timer: TimerHandle | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private closed = false;
  private disarmQueued = false;
  private readonly renewals: Coalescer<Lease>;
  /** Leases whose last renewal failed, at their abort time. */
  private readonly atRisk: TimerQueue<Lease>;

  constructor(
    /** Store time. */
    private readonly clock: Clock,
    private readonly store: ClaimStore,
    private readonly owner: string,
    private readonly logger: Logger,
    limits: BatchLimits,
  ) {
    this.renewals = new Coalescer((leases) => this.renew(leases), limits.maxBatch, limits.maxInFlight);
    this.atRisk = new TimerQueue(clock, (entries, now) => this.expire(entries, now));
    this.atRisk.start();
  }

  /** Keeps `claim` (whose request was sent at `sentAt`, store time) alive until release(). */
  hold(claim: HeldClaim, sentAt: number, lose: (detail: string) => void, renewed: () => void = noop): LeaseHandle {
    const lease = new Lease(this, claim, sentAt, lose, renewed);
    // Counted from the send, like the lease itself (a slow answer leaves less of it).
    this.wait(lease, renewalIntervalMs(claim.leaseMs), sentAt);
    if (this.clock.now() >= lease.abortAt) this.lose(lease, 'the claim was granted too late to run');
    return lease;
  }

  /** Stops the timers and renewals; leases still held are left to expire in the store. */
  close(): void {
    this.closed = true;
    this.disarm();
    this.atRisk.clear();
  }

  release(lease: Lease): void {
    if (lease.released) return;
    lease.released = true;
    this.unqueue(lease);
    if (this.waitingCount === 0) this.disarmSoon();
  }

  private wait(lease: Lease, intervalMs: number, from: number): void {
    if (this.closed || lease.released || lease.lost) return;
    let fifo = this.waiting.get(intervalMs);
    if (!fifo) {
      fifo = new LeaseFifo(intervalMs);
      this.waiting.set(intervalMs, fifo);
    }
    lease.renewAt = from + intervalMs;
    fifo.push(lease);
    this.waitingCount++;
    if (lease.renewAt < this.armedFor) this.arm(lease.renewAt);
  }

  /** Takes the lease out of its FIFO and the at-risk queue. */
  private unqueue(lease: Lease): void {
    if (lease.fifo) {
      lease.fifo.remove(lease);
      this.waitingCount--;
    }
    if (lease.risk) {
      this.atRisk.remove(lease.risk);
      lease.risk = null;
    }
  }

  private lose(lease: Lease, detail: string): void {
    if (lease.lost || lease.released) return;
    lease.lost = true;
    this.unqueue(lease);
    lease.lose(detail);
  }

  /** Drops the timer after pending work, if no lease is held by then. */
  private disarmSoon(): void {
    if (this.disarmQueued || this.timer === null) return;
    this.disarmQueued = true;
    defer(this.clock, () => {
      this.disarmQueued = false;
      if (this.waitingCount === 0) this.disarm();
    });
  }

  private arm(at: number): void {
    this.timer?.cancel();
    this.armedFor = at;
    this.timer = this.clock.setTimer(() => this.fire(), Math.max(0, at - this.clock.now()));
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  /** Sends every renewal that is due and re-arms for the earliest one left. */
  private fire(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const fifo of this.waiting.values()) {
      // In a FIFO renewal times only grow (each is `from + interval` when added), so the first
      // lease that is not due ends the walk.
      for (let lease = fifo.first; lease; lease = fifo.first) {
        if (lease.renewAt > now) {
          earliest = Math.min(earliest, lease.renewAt);
          break;
        }
        fifo.remove(lease);
        this.waitingCount--;
        this.renewals.add(lease);
      }
    }
    if (earliest !== Number.POSITIVE_INFINITY && earliest < this.armedFor) this.arm(earliest);
  }

  /** One round trip for every renewal due together; never rejects. */
  private async renew(leases: Lease[]): Promise<void> {
    const live = leases.filter((lease) => !lease.released && !lease.lost);
    if (live.length === 0 || this.closed) return;
    const sentAt = this.clock.now();
    // The store must not extend a lease its holder has already given up on.
    let waitMs = Number.POSITIVE_INFINITY;
    for (const lease of live) waitMs = Math.min(waitMs, lease.abortAt - sentAt);
    waitMs = Math.max(1, waitMs);
    const work = this.store.renewLeases({
      owner: this.owner,
      deadline: sentAt + waitMs,
      claims: live.map((l) => l.claim),
    });
    const answer = await withinDeadline(this.clock, work, waitMs);
    if (answer.kind === 'value' && answer.value.length === live.length) {
      for (let i = 0; i < live.length; i++) {
        const lease = live[i] as Lease;
        if (answer.value[i]) this.renewed(lease, sentAt);
        else this.lose(lease, 'the store refused the renewal: the tick was taken over or finished');
      }
      return;
    }
    const why = answer.kind === 'timeout' ? 'no answer in time' : answer.kind === 'error' ? answer.error : 'bad answer';
    this.logger.warn({ leases: live.length, err: why }, 'tickwise: lease renewal failed');
    for (const lease of live) this.failed(lease);
  }

  private renewed(lease: Lease, sentAt: number): void {
    if (lease.released || lease.lost) return;
    lease.abortAt = Math.max(lease.abortAt, sentAt + lease.claim.leaseMs - leaseSafetyMs(lease.claim.leaseMs));
    if (lease.risk) {
      this.atRisk.remove(lease.risk);
      lease.risk = null;
    }
    lease.renewed();
    this.wait(lease, renewalIntervalMs(lease.claim.leaseMs), sentAt);
  }

  /** A renewal that did not get through: try again soon, and give the lease up at its abort time. */
  private failed(lease: Lease): void {
    if (lease.released || lease.lost) return;
    const now = this.clock.now();
    if (now >= lease.abortAt) {
      this.lose(lease, 'renewals failed until the lease would end');
      return;
    }
    if (!lease.risk && !this.closed) lease.risk = this.atRisk.add(lease.abortAt, lease, 0);
    this.wait(lease, renewalRetryMs(lease.claim.leaseMs), now);
  }

  private expire(entries: QueueEntry<Lease>[], now: number): void {
    for (const { value: lease } of entries) {
      lease.risk = null;
      if (now >= lease.abortAt) this.lose(lease, 'renewals failed until the lease would end');
      else if (!lease.released && !lease.lost) lease.risk = this.atRisk.add(lease.abortAt, lease, 0);
    }
  }
}
