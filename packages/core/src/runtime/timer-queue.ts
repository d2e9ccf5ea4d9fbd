// One timer for many due times, armed for the earliest entry of a min-heap: the jobs' next ticks
// (tick-queue.ts, step 2 of a tick), the ticks to ask about again (ask-again.ts) and the leases at
// risk (lease-keeper.ts). No per-entry timers, no polling: 100,000 idle jobs cost one pending timer.

import type { Clock, TimerHandle } from './clock.js';
import { MinHeap } from './min-heap.js';

/**
 * The longest single wait. Waiting in steps of at most a minute lets the queue notice a wall
 * clock that jumped or a machine that slept (monotonic timers stop during suspend) within a
 * minute, at the cost of one wake-up per minute for the whole scheduler.
 */
export const MAX_WAIT_MS = 60_000;

export interface QueueEntry<T> {
  /** When to fire, epoch ms (the tick plus any jitter). */
  dueMs: number;
  /** Tie-break for equal due times (the scheduler passes the job's registration order). */
  seq: number;
  value: T;
  /** Set by remove(); the entry is dropped when it reaches the top. */
  cancelled: boolean;
}

export class TimerQueue<T> {
  private readonly heap = new MinHeap<QueueEntry<T>>(
    (a, b) => a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq),
  );
  private timer: TimerHandle | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private running = false;
  /** True while onDue runs: entries it adds are armed for once, afterwards (no timer churn in a burst). */
  private firing = false;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (entries: QueueEntry<T>[], nowMs: number) => void,
  ) {}

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  add(dueMs: number, value: T, order: number): QueueEntry<T> {
    const entry: QueueEntry<T> = { dueMs, seq: order, value, cancelled: false };
    this.heap.push(entry);
    if (this.running && !this.firing && dueMs < this.armedFor) this.arm();
    return entry;
  }

  remove(entry: QueueEntry<T>): void {
    entry.cancelled = true;
    // An idle queue keeps no timer: when the removed entry was next, re-arm for what follows.
    if (this.running && !this.firing && this.heap.peek() === entry) this.arm();
  }

  /** Re-arms for the earliest entry: after the clock the due times are read against was corrected. */
  refresh(): void {
    if (this.running && !this.firing) this.arm();
  }

  clear(): void {
    this.heap.clear();
    this.stop();
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    let head = this.heap.peek();
    while (head?.cancelled) {
      this.heap.pop();
      head = this.heap.peek();
    }
    if (!head || !this.running) return;
    const now = this.clock.now();
    const wait = Math.min(Math.max(head.dueMs - now, 0), MAX_WAIT_MS);
    this.armedFor = now + wait;
    this.timer = this.clock.setTimer(() => this.fire(), wait);
  }

  /** Never early: pops only entries whose due time has come by the clock, then re-arms. */
  private fire(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    const due: QueueEntry<T>[] = [];
    for (let head = this.heap.peek(); head && head.dueMs <= now; head = this.heap.peek()) {
      this.heap.pop();
      if (!head.cancelled) due.push(head);
    }
    this.firing = true;
    try {
      if (due.length > 0) this.onDue(due, now);
    } finally {
      this.firing = false;
      this.arm();
    }
  }
}
