// Waiting for the store no longer than a deadline, whatever the client does: a client passed in by
// the application may have no command timeout at all (ioredis's default), so the scheduler bounds
// every wait itself, on its Clock.

import type { Clock } from './clock.js';

export type Bounded<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

const TIMED_OUT: Bounded<never> = Object.freeze({ kind: 'timeout' });

/**
 * Resolves with the outcome of `work`, or after `waitMs`, whichever comes
 * first (`{ kind: 'timeout' }`). Never rejects. `work` goes on; a caller that cares about a late
 * answer keeps `work`.
 */
export function withinDeadline<T>(clock: Clock, work: Promise<T>, waitMs: number): Promise<Bounded<T>> {
  return new Promise((resolve) => {
    let done = false;
    const timer = clock.setTimer(
      () => {
        if (done) return;
        done = true;
        resolve(TIMED_OUT);
      },
      Math.max(0, waitMs),
    );
    work.then(
      (value) => {
        if (done) return;
        done = true;
        timer.cancel();
        resolve({ kind: 'value', value });
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        timer.cancel();
        resolve({ kind: 'error', error });
      },
    );
  });
}
