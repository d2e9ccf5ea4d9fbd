// A run as the fleet history keeps it (fleet-store.ts): sent to the store with the run's
// completion, in the same round trip. The error is recorded as `errorDetail` says (redacted by
// default), never with a stack.

import type { ErrorRecorder } from '../telemetry/error-detail.js';
import { errorType } from '../telemetry/error-detail.js';
import type { RunTrigger } from './job.js';
import type { RunOutcome, RunRecord } from './store.js';

export interface RunHistory {
  /** SchedulerOptions.serviceVersion. */
  version: string | undefined;
  errors: ErrorRecorder;
}

export interface FinishedRun {
  job: string;
  tick: number;
  instanceId: string;
  trigger: RunTrigger;
  outcome: RunOutcome;
  startedAt: number;
  /** When the handler returned (before the completion's round trip). */
  endedAt: number;
  attempts: number;
  fence: number;
  error: unknown;
}

export function runRecord(history: RunHistory, run: FinishedRun): RunRecord {
  const message = run.error === undefined ? undefined : history.errors.message(run.error);
  return {
    job: run.job,
    tick: run.tick,
    instanceId: run.instanceId,
    trigger: run.trigger,
    outcome: run.outcome,
    startedAt: run.startedAt,
    durationMs: Math.max(0, run.endedAt - run.startedAt),
    lateMs: run.startedAt - run.tick,
    attempts: run.attempts,
    fence: run.fence,
    ...(history.version === undefined ? {} : { version: history.version }),
    ...(run.error === undefined
      ? {}
      : { error: { type: errorType(run.error), ...(message === undefined ? {} : { message }) } }),
  };
}
