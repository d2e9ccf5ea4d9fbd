// Test helpers: real toad-scheduler jobs under Node's fake timers (node:test's MockTimers, no
// sinon) to learn when toad-scheduler itself fires them, and a Tickwise scheduler on a VirtualClock.

import { mock } from 'node:test';
import { type Logger, MemoryStore, Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

/** Lets promise callbacks run (setImmediate is left real by toadTime()). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface ToadTime {
  /**
   * Moves fake time forward by `ms` in steps of `stepMs`, settling promises after each step.
   * MockTimers reports the end of a tick() as the time inside every callback it fires, so steps
   * must divide the instants a test looks at.
   */
  advance(ms: number, stepMs?: number): Promise<void>;
  now(): number;
  /** A sleep on the fake timers, for toad tasks that take time. */
  sleep(ms: number): Promise<void>;
}

/** Runs `body` with setTimeout, setInterval and Date faked from `start`; always restores them. */
export async function withToadTime<T>(start: Date | string, body: (time: ToadTime) => Promise<T>): Promise<T> {
  mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: new Date(start).getTime() });
  const time: ToadTime = {
    async advance(ms, stepMs = 1000) {
      for (let moved = 0; moved < ms; moved += stepMs) {
        mock.timers.tick(Math.min(stepMs, ms - moved));
        await flush();
      }
    },
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  try {
    return await body(time);
  } finally {
    mock.timers.reset();
  }
}

export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A Logger that keeps what it is told. */
export function recordingLogger(): Logger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A scheduler on a VirtualClock (its own MemoryStore unless one is given). */
export function tickwise(
  start: Date | string,
  options: { store?: MemoryStore; clock?: VirtualClock; id?: string } = {},
) {
  const clock = options.clock ?? new VirtualClock(start);
  const store = options.store ?? new MemoryStore({ now: () => clock.now() });
  const scheduler = new Scheduler({
    clock,
    store,
    env: {},
    ...(options.id !== undefined && { instanceId: options.id }),
  });
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimer(resolve, ms));
  return { clock, store, scheduler, sleep };
}

export function iso(ms: number | Date): string {
  return new Date(ms).toISOString();
}
