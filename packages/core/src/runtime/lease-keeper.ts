// Keeps the leases of running claims alive: renews each every third of its length, and aborts the
// run when the store refuses a renewal or renewals fail until the lease runs out. One timer for
// all leases (a burst of 100,000 short runs must not create 100,000 timers).

import type { Clock, TimerHandle } from './clock.js';
import type { Logger } from './logger.js';
import { MinHeap } from './min-heap.js';
import type { Claim, ClaimStore } from './store.js';

interface Lease {
  claim: Claim;
  leaseMs: number;
  renewAt: number;
  validUntil: number;
  /** Called with a reason when the lease is lost. */
  lose: (detail: string) => void;
  /** Called after each successful renewal (telemetry). */
  renewed: () => void;
  released: boolean;
}

export class LeaseKeeper {
  private readonly leases = new MinHeap<Lease>((a, b) => a.renewAt < b.renewAt);
  private timer: TimerHandle | null = null;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly store: ClaimStore,
    private readonly logger: Logger,
  ) {}

  /** Keeps `claim` alive until the returned release() is called. */
  hold(claim: Claim, leaseMs: number, lose: (detail: string) => void, renewed: () => void = () => {}): () => void {
    const now = this.clock.now();
    const lease: Lease = {
      claim,
      leaseMs,
      renewAt: now + renewalInterval(leaseMs),
      validUntil: now + leaseMs,
      lose,
      renewed,
      released: false,
    };
    this.leases.push(lease);
    if (lease.renewAt < this.armedFor) this.arm();
    return () => {
      lease.released = true;
      // An idle scheduler keeps no lease timer: drop released leases from the top now.
      if (this.leases.peek() === lease) this.arm();
    };
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    let head = this.leases.peek();
    while (head?.released) {
      this.leases.pop();
      head = this.leases.peek();
    }
    if (!head) return;
    this.armedFor = head.renewAt;
    this.timer = this.clock.setTimer(() => this.renewDue(), Math.max(0, head.renewAt - this.clock.now()));
  }

  private renewDue(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (let head = this.leases.peek(); head && head.renewAt <= now; head = this.leases.peek()) {
      this.leases.pop();
      if (!head.released) void this.renew(head);
    }
    this.arm();
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
    this.leases.push(lease);
    if (lease.renewAt < this.armedFor) this.arm();
  }

  /** Stops the timer; leases still held are left to expire in the store. */
  close(): void {
    this.timer?.cancel();
    this.timer = null;
    this.leases.clear();
  }
}

function renewalInterval(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}
