// Keeps the leases of running claims alive: renews each every third of its length, and aborts the
// run when the store refuses a renewal or renewals fail until the lease runs out.
//
// Most runs end long before their first renewal, so holding and releasing a lease must cost next
// to nothing: a burst of 100,000 short runs must not arm 100,000 timers. Leases of one length come
// due for renewal in the order they were taken, so each length keeps a FIFO (a doubly linked list
// through the leases themselves: adding and removing are a few pointer writes, with no hashing of
// a fresh object as a Set would need) and one timer serves them all. Releasing the lease the timer
// was armed for leaves the timer alone: it wakes once, finds nothing due and re-arms — cheaper
// than re-arming on every release. A keeper that holds no lease holds no timer, but drops it a
// moment later (deferred), not at once: short runs one after another would otherwise arm and
// clear a timer each (a burst of 100,000 trivial runs did exactly that).

import { type Clock, defer, type TimerHandle } from './clock.js';
import type { Logger } from './logger.js';
import type { Claim, ClaimStore } from './store.js';

interface Lease {
  claim: Claim;
  leaseMs: number;
  /** When to renew next, by the clock. */
  renewAt: number;
  validUntil: number;
  /** Called with a reason when the lease is lost. */
  lose: (detail: string) => void;
  /** Called after each successful renewal (telemetry). */
  renewed: () => void;
  released: boolean;
  /** The FIFO the lease waits in (null while its renewal is in flight), and its neighbours there. */
  fifo: LeaseFifo | null;
  previous: Lease | null;
  next: Lease | null;
}

/** Leases of one length, oldest first. */
class LeaseFifo {
  first: Lease | null = null;
  last: Lease | null = null;

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

export class LeaseKeeper {
  /** Leases waiting for their next renewal, by lease length, oldest first. */
  private readonly waiting = new Map<number, LeaseFifo>();
  private waitingCount = 0;
  private timer: TimerHandle | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private closed = false;
  private disarmQueued = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: ClaimStore,
    private readonly logger: Logger,
  ) {}

  /** Keeps `claim` alive until the returned release() is called. */
  hold(claim: Claim, leaseMs: number, lose: (detail: string) => void, renewed: () => void = noop): () => void {
    const now = this.clock.now();
    const lease: Lease = {
      claim,
      leaseMs,
      renewAt: now + renewalInterval(leaseMs),
      validUntil: now + leaseMs,
      lose,
      renewed,
      released: false,
      fifo: null,
      previous: null,
      next: null,
    };
    this.wait(lease);
    return () => this.release(lease);
  }

  /** Stops the timer and renewals; leases still held are left to expire in the store. */
  close(): void {
    this.closed = true;
    this.disarm();
  }

  private wait(lease: Lease): void {
    if (this.closed) return;
    let fifo = this.waiting.get(lease.leaseMs);
    if (!fifo) {
      fifo = new LeaseFifo();
      this.waiting.set(lease.leaseMs, fifo);
    }
    fifo.push(lease);
    this.waitingCount++;
    if (lease.renewAt < this.armedFor) this.arm(lease.renewAt);
  }

  private release(lease: Lease): void {
    if (lease.released) return;
    lease.released = true;
    // A lease whose renewal is in flight is in no FIFO; renew() sees `released` when it returns.
    if (lease.fifo) {
      lease.fifo.remove(lease);
      this.waitingCount--;
    }
    if (this.waitingCount === 0) this.disarmSoon();
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

  /** Renews every lease that is due and re-arms for the earliest one left. */
  private fire(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const fifo of this.waiting.values()) {
      // In a FIFO renewal times only grow (each is `now + interval` when added), so the first lease
      // that is not due ends the walk. (A wall clock set back by X can delay a renewal by up to X,
      // as it delays every wall-clock timer of the scheduler.)
      for (let lease = fifo.first; lease; lease = fifo.first) {
        if (lease.renewAt > now) {
          earliest = Math.min(earliest, lease.renewAt);
          break;
        }
        fifo.remove(lease);
        this.waitingCount--;
        void this.renew(lease);
      }
    }
    if (earliest !== Number.POSITIVE_INFINITY && earliest < this.armedFor) this.arm(earliest);
  }

  private async renew(lease: Lease): Promise<void> {
    try {
      if (!(await this.store.renew(lease.claim, lease.leaseMs))) {
        if (!lease.released) lease.lose('the store refused the renewal');
        return;
      }
      lease.validUntil = this.clock.now() + lease.leaseMs;
      lease.renewed();
    } catch (error) {
      this.logger.warn({ job: lease.claim.job, err: error }, 'tickwise: lease renewal failed');
      if (this.clock.now() >= lease.validUntil) {
        if (!lease.released) lease.lose('renewals failed until the lease ran out');
        return;
      }
    }
    if (lease.released) return;
    lease.renewAt = this.clock.now() + renewalInterval(lease.leaseMs);
    this.wait(lease);
  }
}

function renewalInterval(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}
