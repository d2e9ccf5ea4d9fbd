// Keeps the leases of running claims alive: renews each every third of its length, and aborts the
// run when the store refuses a renewal or renewals fail until the lease runs out. Leases wait in a
// TimerQueue: one timer for all of them (a burst of 100,000 short runs must not create 100,000).

import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Claim, ClaimStore } from './store.js';
import { type QueueEntry, TimerQueue } from './timer-queue.js';

interface Lease {
  claim: Claim;
  leaseMs: number;
  validUntil: number;
  /** Called with a reason when the lease is lost. */
  lose: (detail: string) => void;
  /** Called after each successful renewal (telemetry). */
  renewed: () => void;
  /** The lease's place in the queue; null while a renewal is in flight. */
  entry: QueueEntry<Lease> | null;
  released: boolean;
}

export class LeaseKeeper {
  private readonly queue: TimerQueue<Lease>;

  constructor(
    private readonly clock: Clock,
    private readonly store: ClaimStore,
    private readonly logger: Logger,
  ) {
    this.queue = new TimerQueue(clock, (due) => {
      for (const { value } of due) void this.renew(value);
    });
    this.queue.start();
  }

  /** Keeps `claim` alive until the returned release() is called. */
  hold(claim: Claim, leaseMs: number, lose: (detail: string) => void, renewed: () => void = () => {}): () => void {
    const lease: Lease = {
      claim,
      leaseMs,
      validUntil: this.clock.now() + leaseMs,
      lose,
      renewed,
      entry: null,
      released: false,
    };
    this.schedule(lease);
    return () => {
      lease.released = true;
      if (lease.entry) this.queue.remove(lease.entry);
    };
  }

  private schedule(lease: Lease): void {
    lease.entry = this.queue.add(this.clock.now() + renewalInterval(lease.leaseMs), lease, 0);
  }

  private async renew(lease: Lease): Promise<void> {
    lease.entry = null;
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
    if (!lease.released) this.schedule(lease);
  }

  /** Stops the timer; leases still held are left to expire in the store. */
  close(): void {
    this.queue.clear();
  }
}

function renewalInterval(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}
