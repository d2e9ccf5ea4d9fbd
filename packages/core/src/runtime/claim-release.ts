// Giving claims back unfinished (a shutdown, a removed job, a grant that came after the scheduler
// stopped waiting), so another replica may take the ticks over at once instead of after the lease.

import type { Clock } from './clock.js';
import { withinDeadline } from './deadline.js';
import type { Logger } from './logger.js';
import type { ClaimStore, HeldClaim } from './store.js';

/** How long a release may wait for the store: a claim not released in time expires with its lease. */
const RELEASE_WAIT_MS = 2000;

export class ClaimReleaser {
  constructor(
    private readonly store: ClaimStore,
    /** Store time. */
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the store has answered, or after RELEASE_WAIT_MS (logged: the claims then expire). */
  async release(claims: HeldClaim[]): Promise<void> {
    const released = await withinDeadline(this.clock, this.store.releaseClaims(this.owner, claims), RELEASE_WAIT_MS);
    if (released.kind !== 'value') {
      this.logger.warn(
        { claims: claims.length, err: released.kind === 'error' ? released.error : 'no answer in time' },
        'tickwise: could not release claims; they expire with their leases',
      );
    }
  }
}
