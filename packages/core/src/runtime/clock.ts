// Time as the scheduler sees it. The runtime never calls Date.now() or setTimeout directly, so a
// VirtualClock can drive it in tests.

import type { AbortSource } from './abort-source.js';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
  /** Calls `callback` once, no earlier than `delayMs` from now. */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  /** Runs `callback` soon, after pending promise callbacks (setImmediate); default setImmediate. */
  defer?(callback: () => void): void;
}

/** Node's timers cannot wait longer than 2^31-1 ms; longer waits are split (see SystemClock). */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** The real clock. Its timers are not unref'd: a started scheduler keeps its process alive. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  defer(callback: () => void): void {
    setImmediate(callback);
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    let timer: NodeJS.Timeout;
    let cancelled = false;
    const arm = (remaining: number) => {
      const step = Math.min(Math.max(remaining, 0), MAX_TIMER_DELAY_MS);
      timer = setTimeout(() => {
        if (cancelled) return;
        if (remaining > step) arm(remaining - step);
        else callback();
      }, step);
    };
    arm(delayMs);
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
      },
    };
  }
}

/** Runs `callback` after pending promise callbacks: the clock's defer(), else setImmediate. */
export function defer(clock: Clock, callback: () => void): void {
  if (clock.defer) clock.defer(callback);
  else setImmediate(callback);
}

/** Resolves after `delayMs` on `clock`, or rejects with the abort reason when `abort` fires. */
export function sleep(clock: Clock, delayMs: number, abort?: AbortSource): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abort?.aborted) {
      reject(abort.reason);
      return;
    }
    let unsubscribe: (() => void) | undefined;
    const handle = clock.setTimer(() => {
      unsubscribe?.();
      resolve();
    }, delayMs);
    unsubscribe = abort?.onAbort(() => {
      handle.cancel();
      reject(abort.reason);
    });
  });
}
