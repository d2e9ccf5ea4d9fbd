// Steps 4-7 of a tick, for one tick that passed the gate: claim (batched) -> attempts (with the
// lease kept alive) -> completion (retried until the lease ends) -> report (events, logs, traces).
// The Scheduler owns job state and decides *whether* a tick runs; this decides how it runs.

import type { SpanContext } from '@opentelemetry/api';
import { EVENT_LEASE_RENEWED } from '../telemetry/attributes.js';
import type { Instrumentation, RunTrace } from '../telemetry/instrumentation.js';
import { runAttempts } from './attempts.js';
import type { ClaimAnswer, ClaimBatcher } from './claim-batcher.js';
import type { Clock } from './clock.js';
import type { CompletionRecorder, CompletionStatus } from './completion.js';
import { RunCancelledError } from './errors.js';
import type { EventHub, RunEventBase, SkipReason } from './events.js';
import { checkResult, isSlow, keepingResult } from './expectation.js';
import type { RunTrigger } from './job.js';
import type { ActiveRun, JobState, RunResult } from './job-state.js';
import type { LeaseHandle, LeaseKeeper } from './lease-keeper.js';
import { type Logger, withBindings } from './logger.js';
import { HandlerContext } from './run-context.js';
import type { HeldClaim, RunOutcome } from './store.js';

const EXCLUSIVE_POLICIES = new Set(['skip', 'buffer-one', 'buffer-all']);

/**
 * A claim that may only take over an existing record: `reask` after another replica held the
 * tick, `probe` at start for the job's latest tick. `false`: a first claim. `recheck`: a first
 * claim asked once more after the store refused it as `overlap` (see `refused`).
 */
export type TakeoverAsk = false | 'reask' | 'probe' | 'recheck';

/**
 * How long after an `overlap` refusal a tick is asked about once more, when no run of the job is
 * going on here. The other tick may be a grant that reached its replica after that replica stopped
 * waiting (the store froze mid-answer): it is released one round trip later, and this tick then runs
 * a little late instead of being skipped as an overlap that is not one.
 */
const OVERLAP_RECHECK_MAX_MS = 1000;

/** What the runner needs from the scheduler that owns the job. */
export interface TickHost {
  skip(job: JobState, tick: number, reason: SkipReason, count?: number): void;
  /**
   * Claim the tick again after `retryAfterMs`: its holder may die (`takeover`), it was `early`, or
   * refused as `overlap` (asked once more). False when the tick would then be past its catch-up window.
   */
  askAgain(job: JobState, tick: number, retryAfterMs: number, ask: 'takeover' | 'early' | 'overlap'): boolean;
  /** Gives claims back unfinished (shutdown). */
  release(claims: HeldClaim[]): Promise<void>;
}

export interface TickRunnerParts {
  instanceId: string;
  /** Store time. */
  clock: Clock;
  logger: Logger;
  /** False with the default silent logger: per-run log fields are then not even built. */
  logging: boolean;
  events: EventHub;
  telemetry: Instrumentation;
  claims: ClaimBatcher;
  leases: LeaseKeeper;
  completions: CompletionRecorder;
  /** A tick reached later than this counts as missed (sizes the claim's retention). */
  missedAfterMs: number;
}

export class TickRunner {
  private runCounter = 0;

  constructor(
    private readonly parts: TickRunnerParts,
    private readonly host: TickHost,
  ) {}

  /** A run from claim to completion. */
  async run(
    job: JobState,
    run: ActiveRun,
    trigger: RunTrigger,
    link: SpanContext | undefined,
    takeover: TakeoverAsk,
  ): Promise<RunResult> {
    if (trigger === 'manual') return this.runClaimed(job, run, trigger, null, link);
    const claimed = await this.claim(job, run, takeover);
    if ('outcome' in claimed) return claimed;
    if (isRemoval(run.abort.reason)) {
      // remove() came while the claim was in flight: the handler never starts; the tick is given back.
      claimed.release();
      await this.host.release([claimed.claim]);
      this.host.skip(job, run.tick, 'removed');
      return { outcome: 'skipped', reason: 'removed' };
    }
    return this.runClaimed(job, run, trigger, claimed, link);
  }

  /** Step 4: the lease, or why the tick does not run here. */
  private async claim(job: JobState, run: ActiveRun, takeover: TakeoverAsk): Promise<LeaseHandle | RunResult> {
    const { clock, telemetry } = this.parts;
    const { tick } = run;
    // Timed only for the claim-duration metric.
    const claimStarted = telemetry.metered ? clock.now() : 0;
    const answer = await this.parts.claims.claim({
      job: run.claimAs?.job ?? job.info.name,
      tick,
      leaseMs: job.options.leaseMs,
      exclusive: EXCLUSIVE_POLICIES.has(job.options.overlap),
      retainMs: run.claimAs?.retainMs ?? this.retainMs(job),
      takeoverOnly: takeover === 'reask' || takeover === 'probe',
    });
    if (telemetry.metered) telemetry.claimFinished(job.info, clock.now() - claimStarted, claimResult(answer));
    switch (answer.kind) {
      case 'granted':
        run.claimed = true;
        // Held from the grant: the lease counts from the request's send, not from the run's start.
        return this.parts.leases.hold(
          answer.claim,
          answer.sentAt,
          (detail) => run.abort.abort(new RunCancelledError(job.info.name, 'lease-lost', detail)),
          () => run.leaseRenewed?.(),
        );
      case 'refused':
        return this.refused(job, run, takeover, answer.reason, answer.retryAfterMs);
      case 'slow':
        // (Logged once per batch by the batcher.) A takeover ask is about a tick already reported.
        if (reportsSkips(takeover)) this.host.skip(job, tick, 'store-slow');
        return { outcome: 'skipped', reason: 'store-slow' };
      case 'failed':
        if (reportsSkips(takeover)) this.host.skip(job, tick, 'store-unavailable');
        return { outcome: 'skipped', reason: 'store-unavailable', error: answer.error };
      case 'cancelled':
        if (reportsSkips(takeover)) this.host.skip(job, tick, 'shutdown');
        return { outcome: 'skipped', reason: 'shutdown' };
    }
  }

  /**
   * Long enough that no replica can still be about to claim the tick: the catch-up window, or,
   * without catch-up, twice the time after which a tick counts as missed.
   */
  private retainMs(job: JobState): number {
    const { catchUp, leaseMs } = job.options;
    return Math.max(leaseMs, catchUp.policy === 'none' ? 2 * this.parts.missedAfterMs : catchUp.windowMs);
  }

  private refused(
    job: JobState,
    run: ActiveRun,
    takeover: TakeoverAsk,
    reason: Extract<ClaimAnswer, { kind: 'refused' }>['reason'],
    retryAfterMs: number | undefined,
  ): RunResult {
    const { tick } = run;
    switch (reason) {
      case 'early':
        // The store's clock says the tick has not come (the offset estimate is a little off): ask then.
        this.host.askAgain(job, tick, retryAfterMs ?? 0, 'early');
        return { outcome: 'skipped', reason: 'early' };
      case 'late':
        if (reportsSkips(takeover)) this.host.skip(job, tick, 'store-slow');
        return { outcome: 'skipped', reason: 'store-slow' };
      case 'unknown-tick':
        // Asked again about a tick another replica held, and the store no longer knows it: it lost
        // its data. Running it now could run it twice. (A start-up probe finding nothing is normal.)
        if (takeover === 'reask') {
          this.parts.logger.warn(
            { job: job.info.name, tick: new Date(tick).toISOString() },
            'tickwise: the store has no record of a tick it reported held elsewhere (data lost?); not running it again',
          );
        }
        return { outcome: 'skipped', reason: 'claimed-elsewhere' };
      case 'overlap':
        if (takeover === false && job.runningCount === 0) {
          const recheckMs = Math.min(OVERLAP_RECHECK_MAX_MS, job.options.leaseMs / 10);
          if (this.host.askAgain(job, tick, recheckMs, 'overlap')) return { outcome: 'skipped', reason: 'early' };
        }
        if (reportsSkips(takeover)) this.host.skip(job, tick, reason);
        return { outcome: 'skipped', reason };
      default:
        // Reported once: asking again (a takeover, a probe) is silent.
        if (reportsSkips(takeover)) this.host.skip(job, tick, reason);
        // (A start claim is not asked again: runOnStart runs once, or not at all, per start.)
        if (reason === 'claimed-elsewhere' && retryAfterMs !== undefined && !run.claimAs) {
          this.host.askAgain(job, tick, retryAfterMs, 'takeover');
        }
        return { outcome: 'skipped', reason };
    }
  }

  /** Steps 5-7: attempts, completion in the store, telemetry and events. */
  private async runClaimed(
    job: JobState,
    run: ActiveRun,
    trigger: RunTrigger,
    lease: LeaseHandle | null,
    link: SpanContext | undefined,
  ): Promise<RunResult> {
    const { clock, events, telemetry, instanceId } = this.parts;
    const name = job.info.name;
    const runNumber = ++this.runCounter;
    const fence = lease?.claim.fence ?? 0;
    const tick = new Date(run.tick);
    // The fields every event of this run shares; built only if an event or a log line needs them.
    let base: RunEventBase | null = null;
    const eventBase = (): RunEventBase => {
      base ??= { job: job.info, tick, trigger, runId: `${instanceId}:${runNumber}`, fence, instanceId };
      return base;
    };
    const startedAt = clock.now();
    run.startedAt = startedAt;
    const runTrace: RunTrace = telemetry.runStarted({
      job: job.info,
      functionName: job.functionName,
      tick: run.tick,
      startedAt,
      trigger,
      fence,
      link,
    });
    // Built on first use: most runs of a quiet scheduler never log.
    let boundLogger: Logger | null = null;
    const logger = () => {
      boundLogger ??= withBindings(this.parts.logger, {
        job: name,
        tick: tick.toISOString(),
        runId: eventBase().runId,
        ...(runTrace.traceId !== undefined && { traceId: runTrace.traceId }),
      });
      return boundLogger;
    };
    if (events.has('run:start')) {
      events.emit('run:start', { ...eventBase(), startedAt: new Date(startedAt), latenessMs: startedAt - run.tick });
    }
    if (lease) run.leaseRenewed = () => runTrace.event(EVENT_LEASE_RENEWED, undefined, clock.now());

    // expect.result: the handler's return value is kept only when a check will read it.
    const expectation = job.options.expect;
    const check = expectation?.result ?? null;
    let returned: unknown;
    const attempted = runAttempts({
      job: name,
      clock,
      retry: job.options.retry,
      timeoutMs: job.options.timeoutMs,
      run: run.abort,
      invoke: (attempt, abort, attemptStartedAt) => {
        const context = new HandlerContext(
          { job: job.info, scheduledAt: tick, startedAt: new Date(attemptStartedAt), attempt, fence, trigger },
          abort,
          logger,
        );
        const value = job.run(context);
        return check ? keepingResult(value, (result) => (returned = result)) : value;
      },
      onAttemptFailure: (info) => {
        if (events.has('attempt:failure')) events.emit('attempt:failure', { ...eventBase(), ...info });
        logger().warn(
          { attempt: info.attempt, err: info.error, willRetry: info.willRetry },
          `tickwise: ${name} attempt failed`,
        );
      },
      startAttempt: (attempt, at) => runTrace.attempt(attempt, at),
      onStraySettled: () => {
        job.strayHandlers = Math.max(0, job.strayHandlers - 1);
        logger().warn({}, `tickwise: ${name} handler returned after its run was given up`);
      },
    });
    // A handler that finished synchronously gives its result at once: no promise to wait for.
    const result = attempted instanceof Promise ? await attempted : attempted;
    if (result.handlerStillRunning) job.strayHandlers++;
    const unexpected = check && result.outcome === 'success' ? checkResult(name, check, returned) : null;
    const outcome: RunOutcome = unexpected ? 'unexpected' : result.outcome;
    const error = unexpected ?? result.error;

    run.recording = true;
    const completion = lease ? await this.finish(lease, run, outcome, logger) : 'none';
    const finishedAt = clock.now();
    const durationMs = finishedAt - startedAt;
    const slow = isSlow(expectation, durationMs);
    runTrace.end(outcome, error, durationMs, result.attempts, finishedAt, completion, slow);
    job.finished(run.tick, outcome, durationMs, finishedAt, trigger, slow);
    if (outcome === 'success') {
      if (events.has('run:success')) {
        events.emit('run:success', {
          ...eventBase(),
          durationMs,
          attempts: result.attempts,
          completion,
          ...(slow && { slow }),
        });
      }
      if (slow) {
        logger().warn(
          { outcome, durationMs, expectedMs: expectation?.durationMs, fence, completion },
          `tickwise: ${name} was slow: ${durationMs} ms, expected at most ${expectation?.durationMs} ms`,
        );
      } else if (this.parts.logging) {
        logger().info(
          { outcome: 'success', durationMs, attempts: result.attempts, fence, completion },
          `tickwise: ${name} succeeded`,
        );
      }
    } else {
      events.emit('run:failure', {
        ...eventBase(),
        outcome,
        error,
        durationMs,
        attempts: result.attempts,
        handlerStillRunning: result.handlerStillRunning,
        completion,
        ...(slow && { slow }),
      });
      logger().error(
        { outcome, durationMs, attempts: result.attempts, fence, completion, err: error, ...(slow && { slow }) },
        `tickwise: ${name} ${outcome}`,
      );
    }
    return error === undefined ? { outcome } : { outcome, error };
  }

  /** Step 6: completes (or, cancelled by a shutdown, releases) the claim; the lease is held until then. */
  private async finish(
    lease: LeaseHandle,
    run: ActiveRun,
    outcome: RunOutcome,
    logger: () => Logger,
  ): Promise<CompletionStatus> {
    try {
      const { reason } = run.abort;
      const shutdown = reason instanceof RunCancelledError && reason.reason === 'shutdown';
      if ((shutdown || isRemoval(reason)) && outcome === 'cancelled') {
        await this.host.release([lease.claim]);
        return 'released';
      }
      const status = await this.parts.completions.record(lease, outcome);
      if (status === 'unrecorded') {
        logger().error(
          {},
          `tickwise: ${lease.claim.job} could not record its completion before the lease ran out; another replica may run the tick again`,
        );
      }
      return status;
    } finally {
      lease.release();
    }
  }
}

/** The run's signal was aborted by scheduler.remove(name, { cancel: true }) (or before its handler started). */
function isRemoval(reason: unknown): boolean {
  return reason instanceof RunCancelledError && reason.reason === 'removed';
}

function claimResult(answer: ClaimAnswer): string {
  switch (answer.kind) {
    case 'granted':
      return 'acquired';
    case 'refused':
      return answer.reason;
    case 'slow':
      return 'timeout';
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'shutdown';
  }
}

/** First asks report why a tick does not run here; a takeover or a probe is about a tick already reported. */
function reportsSkips(takeover: TakeoverAsk): boolean {
  return takeover === false || takeover === 'recheck';
}
