// Scheduler events: every run, attempt and skipped tick is announced, never silent.

import type { CompletionStatus } from './completion.js';
import type { JobInfo, RunTrigger } from './job.js';
import { isThenable, ReportLimiter } from './listener-guard.js';
import type { Logger } from './logger.js';
import type { RunOutcome } from './store.js';

/** Why a tick did not run. */
export type SkipReason =
  /** The job's previous run is still in its handler (overlap policy `skip`, or a full `buffer-one`). */
  | 'overlap'
  | 'claimed-elsewhere'
  | 'completed'
  | 'disabled'
  | 'paused'
  /** The store could not be reached. */
  | 'store-unavailable'
  /**
   * The store did not answer the claim before its deadline (frozen, overloaded), or got it too late;
   * or the previous run has returned but the store has not yet confirmed its completion.
   */
  | 'store-slow'
  | 'missed'
  | 'shutdown'
  | 'buffer-full'
  /** The job was removed (scheduler.remove) before the tick could run. */
  | 'removed'
  /** Internal: the store's clock says the tick has not come; the claim is retried (never emitted). */
  | 'early';

export interface RunEventBase {
  job: JobInfo;
  tick: Date;
  trigger: RunTrigger;
  runId: string;
  fence: number;
  instanceId: string;
}

export interface RunStartEvent extends RunEventBase {
  startedAt: Date;
  /** Start minus the tick, in ms (jitter included). */
  latenessMs: number;
}

export interface RunSuccessEvent extends RunEventBase {
  durationMs: number;
  attempts: number;
  /** Whether the store recorded the tick as done (see CompletionStatus). */
  completion: CompletionStatus;
  /** Present (true) when the run took longer than the job's `expect.duration`. */
  slow?: true;
}

export interface RunFailureEvent extends RunEventBase {
  outcome: Exclude<RunOutcome, 'success'>;
  error: unknown;
  durationMs: number;
  attempts: number;
  /** The handler ignored its aborted signal and has not returned yet. */
  handlerStillRunning: boolean;
  /** Whether the store recorded the tick as done (see CompletionStatus). */
  completion: CompletionStatus;
  /** Present (true) when the run took longer than the job's `expect.duration`. */
  slow?: true;
}

export interface AttemptFailureEvent extends RunEventBase {
  attempt: number;
  error: unknown;
  willRetry: boolean;
  /** Delay before the next attempt, when there is one. */
  retryDelayMs?: number;
}

export interface TickSkippedEvent {
  job: JobInfo;
  tick: Date;
  reason: SkipReason;
  /** How many ticks this event stands for (missed ticks are reported together). */
  count: number;
  instanceId: string;
}

/** A job was paused or resumed for the whole fleet (fleet controls), as this replica saw it. */
export interface JobControlEvent {
  job: JobInfo;
  /** The pause now in force; null when the job was resumed (or its pause ran out). */
  pause: { pattern: string; reason: string; by: string; at: Date; until: Date | null } | null;
  instanceId: string;
}

export interface SchedulerEvents {
  'run:start': RunStartEvent;
  'run:success': RunSuccessEvent;
  'run:failure': RunFailureEvent;
  'attempt:failure': AttemptFailureEvent;
  'tick:skipped': TickSkippedEvent;
  'job:paused': JobControlEvent;
  'job:resumed': JobControlEvent;
}

export type SchedulerEventName = keyof SchedulerEvents;

/** A listener: its return value is ignored, except that a rejected promise is caught and reported. */
export type SchedulerListener<E extends SchedulerEventName> = (event: SchedulerEvents[E]) => unknown;

type AnyListener = (event: never) => unknown;

/**
 * Listeners by event. A listener that throws or returns a rejected promise never breaks the
 * scheduler: the failure is logged (once a minute per listener, with the count held back) and the
 * other listeners and the run go on.
 */
export class EventHub {
  /** Per event: listener -> what emit() calls (the listener itself, or a once() wrapper). */
  private readonly listeners = new Map<SchedulerEventName, Map<AnyListener, AnyListener>>();
  private readonly limiter: ReportLimiter;

  constructor(
    private readonly logger: Logger,
    now: () => number,
  ) {
    this.limiter = new ReportLimiter(now);
  }

  on<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): () => void {
    const key = listener as AnyListener;
    const map = this.listenersOf(name);
    if (!map.has(key)) map.set(key, key);
    return () => this.off(name, listener);
  }

  once<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): () => void {
    const key = listener as AnyListener;
    this.listenersOf(name).set(key, ((event: SchedulerEvents[E]) => {
      this.off(name, listener);
      return listener(event);
    }) as AnyListener);
    return () => this.off(name, listener);
  }

  /** Removes a listener added by on() or once(); false when it was not subscribed. */
  off<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): boolean {
    return this.listeners.get(name)?.delete(listener as AnyListener) ?? false;
  }

  /** Whether anyone listens: lets the hot path skip building event objects nobody reads. */
  has(name: SchedulerEventName): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  emit<E extends SchedulerEventName>(name: E, event: SchedulerEvents[E]): void {
    const map = this.listeners.get(name);
    if (!map) return;
    for (const [listener, invoke] of map) {
      try {
        const result = (invoke as SchedulerListener<E>)(event);
        if (isThenable(result)) result.then(undefined, (error) => this.failed(name, listener, error, 'rejected'));
      } catch (error) {
        this.failed(name, listener, error, 'threw');
      }
    }
  }

  private listenersOf(name: SchedulerEventName): Map<AnyListener, AnyListener> {
    let map = this.listeners.get(name);
    if (!map) {
      map = new Map();
      this.listeners.set(name, map);
    }
    return map;
  }

  private failed(name: SchedulerEventName, listener: AnyListener, error: unknown, how: 'threw' | 'rejected'): void {
    const suppressed = this.limiter.take(listener);
    if (suppressed === null) return;
    const label = listener.name ? `'${name}' listener ${listener.name}()` : `'${name}' listener`;
    const more = suppressed > 0 ? ` (${suppressed} more failures of it in the last minute)` : '';
    // The logger is guarded: it does not throw.
    this.logger.error(
      { event: name, err: error, ...(suppressed > 0 && { suppressed }) },
      `tickwise: a ${label} ${how === 'threw' ? 'threw' : 'returned a rejected promise'}${more}; the scheduler goes on`,
    );
  }
}
