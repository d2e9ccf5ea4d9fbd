// The scheduler's time: the local clock corrected by its measured offset from the store's clock.
// Claims are decided by the store's clock, so a replica whose clock is minutes off would otherwise
// fire its ticks minutes early (refused, asked again) or late (after the others ran them, or, for
// ticks whose records have expired, a second time). With the offset applied, every replica fires
// a tick when the store's clock reaches it.
//
// The offset is estimated NTP-style from heartbeats: the store reads its clock somewhere between
// sending and receiving, so offset = storeTime - (sent + received) / 2, with an error of at most
// half the round trip. Of the recent samples, the one with the shortest round trip wins.

import { type Clock, defer, type TimerHandle } from './clock.js';

/** Samples kept: enough to ride out a few slow round trips, few enough to follow a clock that moves. */
const SAMPLES = 8;
/** A reading this much further from the estimate than its round trip explains is a clock step. */
const STEP_MS = 1000;

interface Sample {
  roundTripMs: number;
  offsetMs: number;
}

export class StoreClock implements Clock {
  /** Store time minus local time, ms. */
  private offset = 0;
  private readonly samples: Sample[] = [];

  constructor(readonly local: Clock) {}

  now(): number {
    return this.local.now() + this.offset;
  }

  /** Timers wait for durations, which the offset does not change. */
  setTimer(callback: () => void, delayMs: number): TimerHandle {
    return this.local.setTimer(callback, delayMs);
  }

  defer(callback: () => void): void {
    defer(this.local, callback);
  }

  get offsetMs(): number {
    return this.offset;
  }

  /**
   * Adds a reading of the store's clock taken between `sentAt` and `receivedAt` (local clock) and
   * returns how far the estimate moved.
   */
  sample(sentAt: number, storeTime: number, receivedAt: number): number {
    const sample = { roundTripMs: receivedAt - sentAt, offsetMs: storeTime - (sentAt + receivedAt) / 2 };
    // A reading further from the estimate than its own error allows means a clock was set (NTP
    // step, a person): the older readings describe a clock that no longer exists.
    if (Math.abs(sample.offsetMs - this.offset) > sample.roundTripMs + STEP_MS) this.samples.length = 0;
    this.samples.push(sample);
    if (this.samples.length > SAMPLES) this.samples.shift();
    const previous = this.offset;
    this.offset = Math.round((this.best() as Sample).offsetMs);
    return this.offset - previous;
  }

  private best(): Sample | undefined {
    let best: Sample | undefined;
    for (const sample of this.samples) if (!best || sample.roundTripMs < best.roundTripMs) best = sample;
    return best;
  }
}
