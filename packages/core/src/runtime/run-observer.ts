// Step 7 of a tick, the report: what is told about runs and skipped ticks, and to whom. Events
// (run-events.ts), log lines (run-log.ts) and telemetry (telemetry/instrumentation.ts) each
// implement RunObserver; run-report.ts tells them all. Telemetry implements it by shape, without
// importing it: telemetry imports nothing of the runtime, so the two never form a cycle.

import type { SpanContext } from '@opentelemetry/api';
import type { AttemptObserver } from './attempts.js';
import type { CompletionStatus } from './completion.js';
import type { SkipReason } from './events.js';
import type { JobInfo, RunTrigger } from './job.js';
import { type Logger, withBindings } from './logger.js';
import type { HeldClaim, RunOutcome } from './store.js';

/** A tick that did not run. */
export interface SkippedTick {
  readonly job: JobInfo;
  readonly tick: number;
  readonly reason: SkipReason;
  /** How many ticks it stands for (missed ticks are reported together). */
  readonly count: number;
  /** When it was skipped (store time). */
  readonly at: number;
  /** Written by the observer that traces the skip (telemetry, told first), for the log line. */
  traceId: string | undefined;
}

/** A failed attempt, as the attempts step reports it. */
export interface AttemptFailure {
  attempt: number;
  error: unknown;
  willRetry: boolean;
  retryDelayMs?: number;
}

/** How a run ended. */
export interface RunEnd {
  readonly outcome: RunOutcome;
  readonly error: unknown;
  readonly durationMs: number;
  readonly attempts: number;
  /** The last handler ignored its aborted signal and has not returned. */
  readonly handlerStillRunning: boolean;
  readonly completion: CompletionStatus;
  readonly finishedAt: number;
  /** It took longer than the job's `expect.duration` (`expectedMs`). */
  readonly slow: boolean;
  readonly expectedMs: number | undefined;
}

/**
 * One run, as every observer of it sees it: built once per run, when its handler is about to
 * start. It stands in for what the run used to keep in closures: a burst of 100,000 runs
 * allocates one of these per run, and nothing per observer unless the observer needs it (a span).
 */
export class ObservedRun {
  /** Written by the observer that traces the run (telemetry, told first): log lines carry it. */
  traceId: string | undefined = undefined;
  readonly scheduledAt: Date;
  #runId: string | null = null;
  #logger: Logger | null = null;

  constructor(
    readonly job: JobInfo,
    readonly functionName: string,
    readonly tick: number,
    readonly trigger: RunTrigger,
    /** The claim's fence (0 for a manual run, which holds none). */
    readonly fence: number,
    readonly startedAt: number,
    /** The caller's span, for a manual run. */
    readonly link: SpanContext | undefined,
    readonly instanceId: string,
    private readonly runNumber: number,
    private readonly schedulerLogger: Logger,
  ) {
    this.scheduledAt = new Date(tick);
  }

  /** `<instanceId>:<n>`; built on first use (most runs of a quiet scheduler are never named). */
  get runId(): string {
    this.#runId ??= `${this.instanceId}:${this.runNumber}`;
    return this.#runId;
  }

  /** The scheduler's logger bound to this run (the handler's ctx.logger too); built on first use. */
  logger(): Logger {
    this.#logger ??= withBindings(this.schedulerLogger, {
      job: this.job.name,
      tick: this.scheduledAt.toISOString(),
      runId: this.runId,
      ...(this.traceId !== undefined && { traceId: this.traceId }),
    });
    return this.#logger;
  }
}

/**
 * What one observer makes of one run, from its start to its end (and a stray handler after).
 * Each call names the run, so an observer that keeps nothing per run (events, log lines) is its
 * own observation; one that does (telemetry: the run's span) returns an object per run.
 */
export interface RunObservation {
  leaseRenewed(run: ObservedRun, at: number): void;
  /** Watches the attempt (its handler runs inside the observer's wrap()); undefined: not watched here. */
  attemptStarted(run: ObservedRun, attempt: number, at: number): AttemptObserver | undefined;
  attemptFailed(run: ObservedRun, failure: AttemptFailure): void;
  /** A handler that outlived its aborted signal has returned at last. */
  strayReturned(run: ObservedRun): void;
  /** The store could not be told the outcome before the lease ran out: the tick may run again elsewhere. */
  completionUnrecorded(run: ObservedRun, claim: HeldClaim): void;
  runEnded(run: ObservedRun, end: RunEnd): void;
}

export interface RunObserver {
  tickSkipped(skip: SkippedTick): void;
  /** Whether claimAnswered() wants each claim's round trip (timing it costs two clock reads). */
  readonly timesClaims: boolean;
  /** `result`: `acquired`, the refusal reason, `timeout`, `error` or `shutdown`. */
  claimAnswered(job: JobInfo, durationMs: number, result: string): void;
  runStarted(run: ObservedRun): RunObservation;
}
