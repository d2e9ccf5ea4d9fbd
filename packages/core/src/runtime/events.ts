// Scheduler events: every run, attempt and skipped tick is announced, never silent.

import type { CompletionStatus } from './completion.js';
import type { JobInfo, RunTrigger } from './job.js';
import type { Logger } from './logger.js';
import type { RunOutcome } from './store.js';

/** Why a tick did not run. */
export type SkipReason =
  | 'overlap'
  | 'claimed-elsewhere'
  | 'completed'
  | 'disabled'
  | 'paused'
  /** The store could not be reached. */
  | 'store-unavailable'
  /** The store did not answer the claim before its deadline (frozen, overloaded), or got it too late. */
  | 'store-slow'
  | 'missed'
  | 'shutdown'
  | 'buffer-full'
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

export interface SchedulerEvents {
  'run:start': RunStartEvent;
  'run:success': RunSuccessEvent;
  'run:failure': RunFailureEvent;
  'attempt:failure': AttemptFailureEvent;
  'tick:skipped': TickSkippedEvent;
}

export type SchedulerEventName = keyof SchedulerEvents;

export class EventHub {
  private readonly listeners = new Map<SchedulerEventName, Set<(event: never) => void>>();

  constructor(private readonly logger: Logger) {}

  on<E extends SchedulerEventName>(name: E, listener: (event: SchedulerEvents[E]) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    this.listeners.set(name, set);
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  /** Whether anyone listens: lets the hot path skip building event objects nobody reads. */
  has(name: SchedulerEventName): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  /** A listener that throws is logged, never allowed to break the scheduler. */
  emit<E extends SchedulerEventName>(name: E, event: SchedulerEvents[E]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (event: SchedulerEvents[E]) => void)(event);
      } catch (error) {
        this.logger.error({ event: name, err: error }, `tickwise: a '${name}' listener threw`);
      }
    }
  }
}
