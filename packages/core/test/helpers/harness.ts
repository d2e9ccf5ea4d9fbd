// A scheduler on a VirtualClock that records every event, for runtime tests.

import {
  type ClaimStore,
  type JobDefinition,
  Scheduler,
  type SchedulerEvents,
  type SchedulerOptions,
} from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

export type Recorded = { [E in keyof SchedulerEvents]: { type: E } & SchedulerEvents[E] }[keyof SchedulerEvents];

export interface Harness {
  clock: VirtualClock;
  scheduler: Scheduler;
  events: Recorded[];
  /** "type job tick" lines, compact for assertions. */
  lines(filter?: (e: Recorded) => boolean): string[];
  /** Resolves after `ms` of virtual time. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const T0 = '2026-01-05T00:00:00.000Z';

export interface HarnessOptions extends Omit<SchedulerOptions, 'clock' | 'store'> {
  /** A store, or one made on the harness's clock (a MemoryStore must read the same clock as the scheduler). */
  store?: ClaimStore | ((clock: VirtualClock) => ClaimStore);
}

export function harness(options: HarnessOptions = {}, start: string = T0): Harness {
  const clock = new VirtualClock(start);
  const { store, ...rest } = options;
  const scheduler = new Scheduler({
    env: {},
    instanceId: 'test',
    // Failures are asserted through events; the default stderr lines would only be noise here.
    logger: false,
    ...rest,
    ...(store && { store: typeof store === 'function' ? store(clock) : store }),
    clock,
  });
  const events: Recorded[] = [];
  for (const type of ['run:start', 'run:success', 'run:failure', 'attempt:failure', 'tick:skipped'] as const) {
    scheduler.on(type, (event) => events.push({ type, ...event } as Recorded));
  }
  const hhmmss = (d: Date) => d.toISOString().slice(11, 19);
  return {
    clock,
    scheduler,
    events,
    lines: (filter = () => true) =>
      events.filter(filter).map((e) => {
        const extra =
          e.type === 'tick:skipped'
            ? ` ${e.reason}${e.count > 1 ? ` x${e.count}` : ''}`
            : e.type === 'run:failure'
              ? ` ${e.outcome}`
              : '';
        if (e.type === 'job:paused' || e.type === 'job:resumed') return `${e.type} ${e.job.name}`;
        return `${e.type} ${e.job.name} ${hhmmss(e.tick)}${extra}`;
      }),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const timer = clock.setTimer(resolve, ms);
        signal?.addEventListener('abort', () => {
          timer.cancel();
          reject(signal.reason);
        });
      }),
  };
}

export function job(overrides: Partial<JobDefinition> & Pick<JobDefinition, 'schedule'>): JobDefinition {
  return { name: 'job', run: () => {}, ...overrides };
}
