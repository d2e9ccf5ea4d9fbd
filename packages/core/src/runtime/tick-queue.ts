// Step 2 of a tick, for the jobs: each job's next tick waits in the scheduler's one timer queue
// (timer-queue.ts), with its jitter added. Jobs due at the same instant fire in registration order,
// rotated per replica; a burst is handed on a slice at a time.

import { nextTickMs } from '../schedule/schedule.js';
import { type Clock, defer } from './clock.js';
import { jitterFor } from './jitter.js';
import type { JobState } from './job-state.js';
import type { Lifecycle } from './lifecycle.js';
import { type QueueEntry, TimerQueue } from './timer-queue.js';

/**
 * Due jobs handed on before yielding: trivial runs then finish before the next slice starts
 * (100,000 runs in flight at once cost ~700 MB and seconds of GC), and I/O such as health checks is
 * not starved.
 */
const BURST_SLICE = 100;

export class TickQueue {
  private readonly queue: TimerQueue<JobState>;

  constructor(
    /** Store time. */
    private readonly clock: Clock,
    private readonly lifecycle: Pick<Lifecycle, 'running' | 'state'>,
    /** This replica's place among the live ones sharing the store (Membership.position). */
    private readonly position: () => { rank: number; count: number },
    /** How many jobs are registered. */
    private readonly jobCount: () => number,
    /** Takes the job's due ticks (DueTicks.take); returns the tick to queue next. */
    private readonly due: (job: JobState, now: number) => number,
  ) {
    this.queue = new TimerQueue(clock, (entries, now) => this.fire(entries, now));
  }

  /** Queues the job's first tick after `now`. */
  queueFirst(job: JobState, now: number): void {
    this.set(job, nextTickMs(job.schedule, now));
  }

  /** Makes `tick` the job's next tick (NaN: none), queued while the scheduler runs. */
  set(job: JobState, tick: number): void {
    job.nextTick = tick;
    if (job.entry) this.queue.remove(job.entry);
    job.entry = null;
    if (Number.isNaN(tick) || !this.lifecycle.running) return;
    job.entry = this.queue.add(tick + jitterFor(job.info.name, tick, job.options.jitterMs), job, this.claimOrder(job));
  }

  /** Takes a removed job out: no tick of it fires any more. */
  unqueue(job: JobState): void {
    if (job.entry) this.queue.remove(job.entry);
    job.entry = null;
    job.nextTick = Number.NaN;
  }

  /** The queued next tick; before start(), the next tick from now. */
  nextRun(job: JobState): Date | null {
    const tick = this.lifecycle.state === 'idle' ? nextTickMs(job.schedule, this.clock.now()) : job.nextTick;
    return Number.isNaN(tick) ? null : new Date(tick);
  }

  start(): void {
    this.queue.start();
  }

  /** Re-arms the timer: the clock the due times are read against was corrected. */
  refresh(): void {
    this.queue.refresh();
  }

  /** stop(): nothing fires any more. */
  clear(jobs: Iterable<JobState>): void {
    this.queue.clear();
    for (const job of jobs) job.entry = null;
  }

  /**
   * Where a job goes among those due at the same instant: registration order, started at this
   * replica's share of the list. With N live replicas on a store, replica k begins k/N of the way
   * through, so every replica's first claims are ones nobody has asked for yet: the winners of a
   * burst are decided in the first Nth of it, instead of all replicas contending for the same jobs
   * in the same order. Alone, it is plain registration order.
   */
  private claimOrder(job: JobState): number {
    const { rank, count } = this.position();
    const jobs = this.jobCount();
    if (count <= 1 || job.order >= jobs) return job.order;
    const start = Math.floor((rank * jobs) / count);
    return (job.order - start + jobs) % jobs;
  }

  /** Called by the timer queue with every entry whose due time has come, in order; slices keep the order. */
  private fire(entries: QueueEntry<JobState>[], now: number, from = 0): void {
    const end = Math.min(entries.length, from + BURST_SLICE);
    if (end < entries.length) defer(this.clock, () => this.fire(entries, now, end));
    for (let index = from; index < end; index++) {
      const entry = entries[index] as QueueEntry<JobState>;
      const job = entry.value;
      if (job.entry !== entry || !this.lifecycle.running) continue;
      job.entry = null;
      this.set(job, this.due(job, now));
    }
  }
}
