// Step 5 of a tick: run the handler, retrying with backoff (p-retry), with a per-attempt timeout
// that aborts the attempt's signal. Delays and timeouts run on the scheduler's Clock, so a
// VirtualClock drives them in tests.

import isNetworkError from 'is-network-error';
import pRetry, { AbortError } from 'p-retry';
import { AbortSource } from './abort-source.js';
import { type Clock, sleep } from './clock.js';
import { JobTimeoutError, NonRetryableError, RunCancelledError } from './errors.js';
import type { NormalizedOptions } from './job-options.js';
import { isThenable } from './listener-guard.js';
import type { RunOutcome } from './store.js';

export interface AttemptsInput {
  job: string;
  clock: Clock;
  retry: NormalizedOptions['retry'];
  timeoutMs: number;
  /** Aborts every attempt and any wait between them (shutdown, lost lease, cancel-other). */
  run: AbortSource;
  /** Calls the handler; `abort.signal` is what it should see as ctx.signal; `startedAt` is the attempt's start. */
  invoke(attempt: number, abort: AbortSource, startedAt: number): unknown;
  onAttemptFailure(info: { attempt: number; error: unknown; willRetry: boolean; retryDelayMs?: number }): void;
  /** Called when a handler that outlived its aborted signal finally returns. */
  onStraySettled(): void;
  /** Observes each attempt (telemetry) from `at`: the handler runs inside wrap(); end() gets the error, if any. */
  startAttempt(attempt: number, at: number): AttemptObserver;
}

/** Watches one attempt (the attempt's trace): the handler runs inside wrap(); end() gets the error, if any. */
export interface AttemptObserver {
  wrap<T>(fn: () => T): T;
  end(error: unknown, at: number): void;
}

export interface AttemptsResult {
  outcome: RunOutcome;
  error?: unknown;
  attempts: number;
  /** The last handler ignored its aborted signal and is still running. */
  handlerStillRunning: boolean;
}

/** How long a handler has, after its signal aborts, to return before it is reported as still running. */
export const ABORT_SETTLE_MS = 1000;

async function settleOrTimeout(clock: Clock, work: Promise<unknown>, ms: number): Promise<void> {
  let timer: { cancel(): void } | null = null;
  const timeout = new Promise<void>((resolve) => {
    timer = clock.setTimer(resolve, ms);
  });
  await Promise.race([work.then(noop, noop), timeout]);
  (timer as { cancel(): void } | null)?.cancel();
}

const noop = () => {};

/** The result of one attempt that succeeded (shared: results are read, never changed). */
const SUCCEEDED_AT_ONCE: AttemptsResult = Object.freeze({
  outcome: 'success',
  attempts: 1,
  handlerStillRunning: false,
});

/** p-retry's formula, computed here so the wait can run on our clock. */
export function backoffDelay(retry: NormalizedOptions['retry'], failedAttempt: number, random = Math.random): number {
  const factor = retry.randomize ? 1 + random() : 1;
  return Math.min(Math.round(factor * retry.minTimeoutMs * retry.factor ** (failedAttempt - 1)), retry.maxTimeoutMs);
}

function outcomeOf(error: unknown): RunOutcome {
  if (error instanceof JobTimeoutError) return 'timeout';
  if (error instanceof RunCancelledError) return 'cancelled';
  return 'failure';
}

/**
 * Runs the attempts. A handler that returns without a promise (and needs no retry) is settled
 * synchronously: the result comes back as a value, with no promise to await.
 */
export function runAttempts(input: AttemptsInput): AttemptsResult | Promise<AttemptsResult> {
  return new AttemptRunner(input).run();
}

/** One run's attempts. A class rather than closures: a burst of trivial runs allocates one object each. */
class AttemptRunner {
  private attempts = 0;
  /** The last handler ignored its aborted signal: never retry over it. */
  private strayHandler = false;

  constructor(private readonly input: AttemptsInput) {}

  run(): AttemptsResult | Promise<AttemptsResult> {
    if (this.input.retry.retries > 0) return this.runWithRetries();
    // No retries: one attempt, without p-retry's bookkeeping (the common case, and the burst path).
    let pending: Promise<void> | undefined;
    try {
      pending = this.attempt(1);
    } catch (error) {
      return this.failedOnce(error);
    }
    if (!pending) return SUCCEEDED_AT_ONCE;
    return pending.then(
      () => SUCCEEDED_AT_ONCE,
      (error: unknown) => this.failedOnce(error),
    );
  }

  private failedOnce(error: unknown): AttemptsResult {
    this.input.onAttemptFailure({ attempt: 1, error, willRetry: false });
    return { outcome: outcomeOf(error), error, attempts: 1, handlerStillRunning: this.strayHandler };
  }

  private async runWithRetries(): Promise<AttemptsResult> {
    const { input } = this;
    try {
      await pRetry((attemptNumber) => this.attempt(attemptNumber), {
        retries: input.retry.retries,
        // The delay is ours (below, on the scheduler's clock); p-retry's own wait stays at zero.
        minTimeout: 0,
        maxTimeout: 0,
        randomize: false,
        shouldRetry: ({ error }) => this.isRetryable(error),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const willRetry = retriesLeft > 0 && this.isRetryable(error);
          const retryDelayMs = willRetry ? backoffDelay(input.retry, attemptNumber) : undefined;
          input.onAttemptFailure({ attempt: attemptNumber, error, willRetry, ...(willRetry && { retryDelayMs }) });
          if (willRetry) await sleep(input.clock, retryDelayMs as number, input.run);
        },
      });
      return { outcome: 'success', attempts: this.attempts, handlerStillRunning: false };
    } catch (error) {
      return { outcome: outcomeOf(error), error, attempts: this.attempts, handlerStillRunning: this.strayHandler };
    }
  }

  private isRetryable(error: unknown): boolean {
    return (
      !this.input.run.aborted &&
      !this.strayHandler &&
      !(error instanceof NonRetryableError) &&
      !(error instanceof AbortError) &&
      !(error instanceof RunCancelledError) &&
      // p-retry does not retry programming errors (TypeError other than network failures).
      !(error instanceof TypeError && !isNetworkError(error)) &&
      error instanceof Error
    );
  }

  /** One attempt: undefined when the handler finished synchronously, else a promise of its end. Throws its error. */
  private attempt(attemptNumber: number): Promise<void> | undefined {
    const { input } = this;
    this.attempts = attemptNumber;
    // Without a timeout the attempt shares the run's abort source; with one it needs its own,
    // so that a timeout aborts this attempt only.
    const abort = input.timeoutMs > 0 ? new AbortSource() : input.run;
    const unlink = abort === input.run ? null : input.run.onAbort(() => abort.abort(input.run.reason));
    const timer =
      input.timeoutMs > 0
        ? input.clock.setTimer(() => abort.abort(new JobTimeoutError(input.job, input.timeoutMs)), input.timeoutMs)
        : null;
    const startedAt = input.clock.now();
    const observer = input.startAttempt(attemptNumber, startedAt);
    const cleanUp = () => {
      timer?.cancel();
      unlink?.();
    };
    let result: unknown;
    try {
      // Called directly: a handler that returns (or throws) without a promise is done at once,
      // with no race to set up.
      result = observer.wrap(() => input.invoke(attemptNumber, abort, startedAt));
    } catch (error) {
      observer.end(error, input.clock.now());
      cleanUp();
      throw error;
    }
    if (!isThenable(result)) {
      observer.end(undefined, input.clock.now());
      cleanUp();
      return undefined;
    }
    return this.raceAbort(result, abort).then(
      () => {
        observer.end(undefined, input.clock.now());
        cleanUp();
      },
      (error: unknown) => {
        observer.end(error, input.clock.now());
        cleanUp();
        throw error;
      },
    );
  }

  /** Waits for the handler's promise, or for the abort; a handler that ignores the abort is stray. */
  private async raceAbort(result: PromiseLike<unknown>, abort: AbortSource): Promise<void> {
    const { input } = this;
    let settled = false;
    const handler = Promise.resolve(result).finally(() => {
      settled = true;
    });
    let stopListening: (() => void) | null = null;
    const aborted = new Promise<never>((_, reject) => {
      stopListening = abort.onAbort(() => reject(abort.reason));
    });
    try {
      await Promise.race([handler, aborted]);
    } catch (error) {
      // Aborted: a handler that honours its signal returns promptly; give it that chance before
      // calling it stray.
      if (!settled) await settleOrTimeout(input.clock, handler, ABORT_SETTLE_MS);
      throw error;
    } finally {
      (stopListening as (() => void) | null)?.();
      if (!settled) {
        // The handler ignored its signal: report it, keep watching it, never retry over it.
        this.strayHandler = true;
        handler.then(input.onStraySettled, input.onStraySettled);
      }
      aborted.catch(() => {});
    }
  }
}
