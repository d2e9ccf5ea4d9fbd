// Ticks to claim again later, in one timer queue of their own: a tick another replica holds is
// asked about just after that holder's lease would end (a dead holder's tick becomes ours, with a
// larger fence, and still runs — within the job's catch-up window; a live holder renews, so asking
// again only finds it still held, or done, and waits once more); a tick the store's clock had not
// reached (`early`) is claimed again then; one refused as `overlap` is asked once more.

import type { AskKind, TakeoverAsk } from './claim.js';
import type { Clock } from './clock.js';
import type { RunTrigger } from './job.js';
import type { JobState } from './job-state.js';
import type { Lifecycle } from './lifecycle.js';
import { type QueueEntry, TimerQueue } from './timer-queue.js';

/** Asking again this long after a holder's lease would end leaves room for a late renewal. */
const TAKEOVER_MARGIN_MS = 250;

interface Ask {
  job: JobState;
  tick: number;
  ask: AskKind;
}

export class AskAgainQueue {
  private readonly queue: TimerQueue<Ask>;

  constructor(
    /** Store time. */
    private readonly clock: Clock,
    private readonly lifecycle: Pick<Lifecycle, 'running'>,
    /** Whether the job is still registered (JobTable.has): a removed job's ticks are not asked about. */
    private readonly registered: (job: JobState) => boolean,
    /** Starts a run of the tick, claimed as `takeover` says (TickRunner.start). */
    private readonly run: (job: JobState, tick: number, trigger: RunTrigger, takeover: TakeoverAsk) => void,
  ) {
    this.queue = new TimerQueue(clock, (entries) => this.due(entries));
  }

  /** Asks about the tick again after `retryAfterMs`; false when that would be past its catch-up window. */
  add(job: JobState, tick: number, retryAfterMs: number, ask: AskKind): boolean {
    if (!this.lifecycle.running) return false;
    const at = this.clock.now() + Math.max(0, retryAfterMs) + (ask === 'takeover' ? TAKEOVER_MARGIN_MS : 0);
    if (at - tick > job.options.catchUp.windowMs) return false;
    this.queue.add(at, { job, tick, ask }, job.order);
    return true;
  }

  start(): void {
    this.queue.start();
  }

  /** Re-arms the timer: the clock the due times are read against was corrected. */
  refresh(): void {
    this.queue.refresh();
  }

  /** stop(): nothing is asked again. */
  clear(): void {
    this.queue.clear();
  }

  private due(entries: QueueEntry<Ask>[]): void {
    for (const { value } of entries) {
      const { job, tick, ask } = value;
      if (!this.lifecycle.running || job.disabledReason || job.paused || !this.registered(job)) continue;
      if (job.active?.some((run) => run.tick === tick)) continue;
      // A takeover is reported as a catch-up run: it starts late, for a tick another replica had.
      if (ask === 'takeover') this.run(job, tick, 'catch-up', 'reask');
      else this.run(job, tick, 'schedule', ask === 'overlap' ? 'recheck' : false);
    }
  }
}
