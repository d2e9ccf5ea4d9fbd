// A clock for tests: time moves only when the test says so, and every timer due on the way fires
// in order, with pending promise callbacks settled in between. Deterministic and instant.

import type { Clock, TimerHandle } from '../runtime/clock.js';
import { MinHeap } from '../runtime/min-heap.js';
import { parseDuration } from '../schedule/duration.js';

interface VirtualTimer {
  /** Monotonic due time: like Node's timers, unaffected by jumps of the wall clock. */
  due: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

function toMs(duration: string | number): number {
  if (duration === 0) return 0;
  const parsed = parseDuration(duration);
  if (Number.isNaN(parsed.ms)) throw new TypeError(`VirtualClock: ${parsed.diagnostics[0]?.message ?? 'bad duration'}`);
  return parsed.ms;
}

export class VirtualClock implements Clock {
  private monotonic = 0;
  private wallOffset: number;
  private seq = 0;
  private deferred: (() => void)[] = [];
  private readonly timers = new MinHeap<VirtualTimer>((a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq));

  /** Starts at `start` (default 2026-01-01T00:00:00Z). */
  constructor(start: Date | string | number = Date.UTC(2026, 0, 1)) {
    this.wallOffset = new Date(start).getTime();
  }

  now(): number {
    return this.monotonic + this.wallOffset;
  }

  /** The current time as a Date. */
  date(): Date {
    return new Date(this.now());
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: VirtualTimer = {
      due: this.monotonic + Math.max(0, delayMs),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  defer(callback: () => void): void {
    this.deferred.push(callback);
  }

  /** Lets queued promise callbacks and deferred work (and whatever they queue) run before time moves on. */
  private async settle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const work = this.deferred;
      this.deferred = [];
      for (const callback of work) callback();
      quiet = work.length === 0 ? quiet + 1 : 0;
    }
  }

  /** Timers still waiting to fire. */
  get pendingTimers(): number {
    let count = 0;
    for (const timer of this.timers.values()) if (!timer.cancelled) count++;
    return count;
  }

  /** Moves time forward by `duration` ('1h', '90s' or ms), firing every timer due on the way. */
  async advance(duration: string | number): Promise<void> {
    await this.runUntil(this.now() + toMs(duration));
  }

  /** Moves time forward to `date`, firing every timer due on the way, in order. */
  async runUntil(date: Date | string | number): Promise<void> {
    const targetMonotonic = new Date(date).getTime() - this.wallOffset;
    await this.settle();
    for (;;) {
      const next = this.timers.peek();
      if (!next || next.due > targetMonotonic) break;
      this.timers.pop();
      if (next.cancelled) continue;
      this.monotonic = Math.max(this.monotonic, next.due);
      next.callback();
      await this.settle();
    }
    this.monotonic = Math.max(this.monotonic, targetMonotonic);
    await this.settle();
  }

  /**
   * Sets the wall clock forward or back by `duration` without moving timers, as when NTP or a
   * person changes the system time (Node's timers run on a monotonic clock).
   */
  jump(duration: string | number, direction: 'forward' | 'back' = 'forward'): void {
    this.wallOffset += direction === 'forward' ? toMs(duration) : -toMs(duration);
  }

  /**
   * Time passes with no timer firing, as when the machine sleeps or the event loop is blocked;
   * timers that came due fire on the next advance()/runUntil().
   */
  stall(duration: string | number): void {
    this.monotonic += toMs(duration);
  }
}
