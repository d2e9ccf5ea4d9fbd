// The Scheduler: the facade a service uses. It owns the jobs and their state, and decides whether
// a tick runs: timer queue (step 2) -> gate: disabled, paused, shutting down, overlap (step 3).
// How a tick that passed the gate runs (claim, attempts, completion, report) is the TickRunner's;
// leases, batching and the heartbeat are their own modules.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SpanContext } from '@opentelemetry/api';
import { checkSchedulerOptions } from '../options/scheduler-options.js';
import { nextTickMs } from '../schedule/schedule.js';
import { type ErrorDetail, ErrorRecorder } from '../telemetry/error-detail.js';
import { Instrumentation, type TelemetryOptions } from '../telemetry/instrumentation.js';
import { activeSpanContext } from '../telemetry/otel-api.js';
import { AbortSource } from './abort-source.js';
import { planDueTicks } from './catch-up.js';
import { ClaimBatcher } from './claim-batcher.js';
import { type Clock, defer, SystemClock, type TimerHandle } from './clock.js';
import type { BatchLimits } from './coalescer.js';
import { CompletionRecorder } from './completion.js';
import { withinDeadline } from './deadline.js';
import { resolveLogger } from './default-logger.js';
import { JobDefinitionError, RunCancelledError, TickwiseError } from './errors.js';
import { EventHub, type SchedulerEventName, type SchedulerListener, type SkipReason } from './events.js';
import {
  expectationOf,
  type HealthOptions,
  type HealthSnapshot,
  type JobHealth,
  jobHealth,
  overallStatus,
  type StoreHealth,
} from './health.js';
import { jitterFor } from './jitter.js';
import type { JobDefinition, JobInfo, RunTrigger } from './job.js';
import {
  type BuiltJob,
  buildJob,
  type ConfigReader,
  sourceFromDefinition,
  sourcesFromInstance,
} from './job-registry.js';
import { drainRemovedJob, type RemoveOptions, type RemoveResult } from './job-removal.js';
import { type ActiveRun, type ClaimOverride, JobState, type LastRunSnapshot, type RunResult } from './job-state.js';
import { DISABLED_JOBS_ENV, matchesAny, parseDisabledList } from './kill-switch.js';
import { LeaseKeeper } from './lease-keeper.js';
import type { Logger } from './logger.js';
import { Membership } from './membership.js';
import { MemoryStore } from './memory-store.js';
import { runOnStart, START_CLAIM_SUFFIX, type StartHost } from './run-on-start.js';
import type { ClaimStore, HeldClaim } from './store.js';
import { StoreClock } from './store-clock.js';
import { type TakeoverAsk, TickRunner } from './tick-runner.js';
import { type QueueEntry, TimerQueue } from './timer-queue.js';

export type { RemoveOptions, RemoveResult } from './job-removal.js';
export type { RunResult } from './job-state.js';

export interface RegisterOptions {
  /** Reads the configuration keys named by `@Cron({ config })` and `@Every({ config })`; undefined = not set. */
  config?: ConfigReader;
}

export interface SchedulerOptions {
  /** Where claims live; default an in-process MemoryStore. */
  store?: ClaimStore;
  /** Default the system clock; tests pass a VirtualClock. */
  clock?: Clock;
  /**
   * Any object with debug/info/warn/error (pino works as is); a logger that throws cannot break
   * the scheduler. Default: warnings and errors to stderr, one line each. `false`: nothing at all.
   */
  logger?: Logger | false;
  /**
   * Identifies this replica in events, logs, telemetry and the store; default host-pid-random.
   * Must be unique among live schedulers sharing a store: start() fails (DUPLICATE_INSTANCE) when
   * another live scheduler already uses it.
   */
  instanceId?: string;
  /** Job names to disable (`*` wildcards allowed), in addition to TICKWISE_DISABLED_JOBS. */
  disabled?: string[];
  /** A tick reached later than this counts as missed (catch-up policy applies); default '60s'. */
  missedAfterMs?: number;
  /** Environment to read TICKWISE_DISABLED_JOBS from; default process.env. */
  env?: Record<string, string | undefined>;
  /** OpenTelemetry providers and span kind; default the global providers (no-op without an SDK). */
  telemetry?: TelemetryOptions;
  /**
   * What spans and log lines record of a failed run's error: 'redacted' (default: the class and
   * the message with secrets masked, no stack), 'class', 'full', or `(error) => string`.
   */
  errorDetail?: ErrorDetail;
  /**
   * Claims, renewals and completions sent to the store in one round trip, at most; default 1000.
   * 1 sends each on its own (the benchmark compares the two).
   */
  batchSize?: number;
}

export interface StopOptions {
  /** How long running jobs may take to finish before their signals abort; default 30 s. */
  graceMs?: number;
}

export interface StopResult {
  /** Jobs whose handlers ignored the aborted signal and were still running when stop() resolved. */
  stillRunning: string[];
}

export interface JobSnapshot extends Omit<JobInfo, 'toJSON'> {
  enabled: boolean;
  /** Why the job is disabled, when it is. */
  disabledReason?: string;
  paused: boolean;
  nextRun: Date | null;
  running: number;
  /** Handlers that outlived their aborted signal (timeout, shutdown) and have not returned. */
  strayHandlers: number;
  lastRun?: LastRunSnapshot;
  lastSuccess?: Date;
  consecutiveFailures: number;
  /** The job's `expect` option (durations in ms; `result`: a result check is set). */
  expect?: JobHealth['expect'];
}

const BUFFER_LIMIT = 1000;
const BURST_SLICE = 100;
/** Asking again this long after a holder's lease would end leaves room for a late renewal. */
const TAKEOVER_MARGIN_MS = 250;
/** Store round trips: requests per batch, and batches in flight per kind (a pool of 8 connections serves them). */
const CLAIM_LIMITS: BatchLimits = { maxBatch: 1000, maxInFlight: 2 };
const RENEWAL_LIMITS: BatchLimits = { maxBatch: 1000, maxInFlight: 1 };
const COMPLETION_LIMITS: BatchLimits = { maxBatch: 1000, maxInFlight: 2 };
/** How long a release (shutdown, an orphaned grant) may wait for the store. */
const RELEASE_WAIT_MS = 2000;
/** A health check's ping waits this long: a frozen store must not hang the health endpoint. */
const PING_WAIT_MS = 2000;

/** Resolves when every one of `runs` has ended. */
function settled(runs: ActiveRun[]): Promise<unknown> {
  return Promise.allSettled(runs.map((run) => run.done));
}

type State = 'idle' | 'running' | 'stopping' | 'stopped';

/** A tick to claim again later: held by another replica (`takeover`), or not yet due by the store's clock (`early`). */
/** How many of a job's latest ticks a starting replica asks about (see probePreviousTick). */
const PROBED_TICKS = 2;

interface AskAgain {
  job: JobState;
  tick: number;
  ask: 'takeover' | 'early' | 'overlap';
}

export class Scheduler {
  readonly instanceId: string;
  private readonly store: ClaimStore;
  /** The local clock corrected to the store's: every time the scheduler reads is store time. */
  private readonly clock: StoreClock;
  private readonly logger: Logger;
  private readonly events: EventHub;
  private readonly queue: TimerQueue<JobState>;
  private readonly leases: LeaseKeeper;
  private readonly claims: ClaimBatcher;
  /** Ticks held by another replica, asked again when that holder's lease would end (takeover of a dead holder). */
  private readonly takeovers: TimerQueue<AskAgain>;
  private readonly telemetry: Instrumentation;
  private readonly membership: Membership;
  private readonly runner: TickRunner;
  /** This process's claims: the instance id plus a session, so two processes never share an owner. */
  private readonly owner: string;
  private readonly jobsByName = new Map<string, JobState>();
  private readonly disabledPatterns: string[];
  private readonly missedAfterMs: number;
  private state: State = 'idle';
  private startedAt: number | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<StopResult> | null = null;
  /** False without a logger of the application's: per-run info lines are then not even built. */
  private readonly logging: boolean;
  /** Jobs taken out by remove() whose runs have not ended yet: stop() waits for them, their names stay taken. */
  private readonly draining = new Set<JobState>();

  constructor(options: SchedulerOptions = {}) {
    checkSchedulerOptions(options as Record<string, unknown>);
    const local = options.clock ?? new SystemClock();
    this.clock = new StoreClock(local);
    this.store = options.store ?? new MemoryStore();
    if (this.store instanceof MemoryStore) this.store.followClock(() => local.now());
    const errors = new ErrorRecorder(options.errorDetail);
    ({ logger: this.logger, logging: this.logging } = resolveLogger(
      options.logger,
      () => local.now(),
      (logger) => errors.wrapLogger(logger),
    ));
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const session = randomBytes(6).toString('base64url');
    this.owner = `${this.instanceId}/${session}`;
    this.events = new EventHub(this.logger, () => local.now());
    this.queue = new TimerQueue(this.clock, (entries, now) => this.onDue(entries, now));
    const size = options.batchSize ?? 1000;
    const limits = (base: BatchLimits): BatchLimits => ({ ...base, maxBatch: Math.min(base.maxBatch, size) });
    this.leases = new LeaseKeeper(this.clock, this.store, this.owner, this.logger, limits(RENEWAL_LIMITS));
    this.takeovers = new TimerQueue(this.clock, (entries) => this.retryTakeovers(entries));
    this.claims = new ClaimBatcher(this.store, this.clock, this.owner, this.logger, limits(CLAIM_LIMITS), (claims) => {
      void this.release(claims);
    });
    this.membership = new Membership(this.store, this.clock, this.instanceId, session, this.logger, () => {
      // A clock was set: timers armed by the old estimate would fire early or late.
      this.queue.refresh();
      this.takeovers.refresh();
    });
    this.telemetry = new Instrumentation(
      this.instanceId,
      () => this.jobsByName.values(),
      { ...options.telemetry, errorDetail: options.errorDetail },
      () => this.membership.status().clockOffsetMs,
    );
    this.runner = new TickRunner(
      {
        instanceId: this.instanceId,
        clock: this.clock,
        logger: this.logger,
        logging: this.logging,
        events: this.events,
        telemetry: this.telemetry,
        claims: this.claims,
        leases: this.leases,
        completions: new CompletionRecorder(this.store, this.clock, this.owner, this.logger, limits(COMPLETION_LIMITS)),
        missedAfterMs: options.missedAfterMs ?? 60_000,
      },
      {
        skip: (job, tick, reason, count) => this.skip(job, tick, reason, count),
        askAgain: (job, tick, retryAfterMs, ask) => this.askAgain(job, tick, retryAfterMs, ask),
        release: (claims) => this.release(claims),
      },
    );
    const env = options.env ?? process.env;
    this.disabledPatterns = [...(options.disabled ?? []), ...parseDisabledList(env[DISABLED_JOBS_ENV])];
    this.missedAfterMs = options.missedAfterMs ?? 60_000;
  }

  // ---- registration -------------------------------------------------------------------------

  /** Adds a plain-function job. Throws a JobDefinitionError on a bad definition. */
  add(definition: JobDefinition): JobInfo {
    const job = buildJob(sourceFromDefinition(definition));
    this.checkNames([job]);
    this.insert(job);
    return job.info;
  }

  /**
   * Adds every @Cron/@Every/@Job method of `instance`, bound to it. `config` reads the keys that
   * `@Cron({ config })` / `@Every({ config })` name (e.g. `(key) => configService.get(key)`).
   */
  register(instance: object, options: RegisterOptions = {}): JobInfo[] {
    // All jobs are validated before any is added, so a bad one leaves the scheduler unchanged.
    const built = sourcesFromInstance(instance, options.config).map((source) => buildJob(source));
    this.checkNames(built);
    for (const job of built) this.insert(job);
    return built.map((job) => job.info);
  }

  /** Names must be unique here, and holdable by the store (checked now, not at the first claim). */
  private checkNames(built: BuiltJob[]): void {
    const names = built.length > 1 ? new Set<string>() : null;
    for (const job of built) {
      const { name } = job.info;
      checkStorableName(name, this.store.limits.maxJobNameBytes);
      if (job.options.runOnStart) checkStorableName(`${name}${START_CLAIM_SUFFIX}`, this.store.limits.maxJobNameBytes);
      if (this.jobsByName.has(name) || names?.has(name) || this.isDraining(name)) {
        throw new TickwiseError(
          'DUPLICATE_JOB',
          'a job with this name is already registered; give one of them { name }',
          {
            job: name,
          },
        );
      }
      names?.add(name);
    }
  }

  private insert(job: BuiltJob): void {
    const state = new JobState(job, this.jobsByName.size, this.disabledReasonFor(job));
    this.jobsByName.set(job.info.name, state);
    if (state.disabledReason)
      this.logger.warn({ job: job.info.name, reason: state.disabledReason }, 'tickwise: job disabled');
    // Before start() the next tick is computed on demand by jobs(); start() queues every job.
    if (this.state === 'running') this.queueFirstTick(state, this.clock.now());
  }

  private disabledReasonFor(job: BuiltJob): string | null {
    if (!job.options.enabled) return 'enabled: false';
    const pattern = matchesAny(job.info.name, this.disabledPatterns);
    return pattern ? `disabled by '${pattern}' (${DISABLED_JOBS_ENV} or the disabled option)` : null;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Starts firing ticks: checks the store, registers the instance id (failing with
   * DUPLICATE_INSTANCE if another live scheduler uses it), measures the clock's offset from the
   * store's, then queues every job. With a durable store, catches up from the last completed tick.
   * Calling it again returns the same promise.
   */
  start(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') {
      return Promise.reject(
        new TickwiseError(
          'SCHEDULER_STATE',
          'start() after stop(): a stopped scheduler cannot be restarted; create a new Scheduler',
        ),
      );
    }
    this.starting ??= this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    // A misconfigured store fails here, with a StoreError, before any tick.
    await this.store.init?.();
    await this.membership.join();
    this.state = 'running';
    const now = this.clock.now();
    this.startedAt = now;
    for (const job of this.jobsByName.values()) {
      let resumeFrom: number | null = null;
      if (this.store.durable && job.options.catchUp.policy !== 'none') {
        try {
          resumeFrom = await this.store.lastCompletedTick(job.info.name);
        } catch (error) {
          this.logger.warn(
            { job: job.info.name, err: error },
            'tickwise: could not read the last completed tick; no catch-up',
          );
        }
      }
      if (resumeFrom !== null) {
        job.lastTick = resumeFrom;
        this.setNextTick(job, nextTickMs(job.schedule, resumeFrom));
      } else {
        this.queueFirstTick(job, now);
        if (this.store.durable) this.probePreviousTick(job, now);
      }
    }
    this.queue.start();
    this.takeovers.start();
    this.logger.info({ jobs: this.jobsByName.size, instanceId: this.instanceId }, 'tickwise: scheduler started');
    const host = this.startHost();
    for (const job of this.jobsByName.values()) if (job.options.runOnStart) void runOnStart(host, job);
  }

  /** What the runOnStart runs need: they go through the gate's checks, then are claimed like ticks. */
  private startHost(): StartHost {
    return {
      clock: this.clock,
      claims: this.claims,
      execute: (job: JobState, tick: number, claimAs: ClaimOverride): Promise<RunResult> => {
        if (this.state !== 'running' || this.jobsByName.get(job.info.name) !== job) {
          return Promise.resolve({ outcome: 'skipped', reason: 'shutdown' });
        }
        if (job.paused) {
          this.skip(job, tick, 'paused');
          return Promise.resolve({ outcome: 'skipped', reason: 'paused' });
        }
        return this.execute(job, tick, 'start', undefined, false, claimAs);
      },
      skip: (job: JobState, tick: number, reason: SkipReason) => this.skip(job, tick, reason),
    };
  }

  /**
   * A replica that starts while another holds one of the job's latest ticks watches those ticks
   * too: if the holder dies (or released it at shutdown), the tick is taken over even when every
   * replica that saw it come has gone since (a rolling deploy). The two latest ticks: a replica
   * that comes up a little after the next tick (a slow start) still sees the one held before it.
   * Asks only about records that exist (takeover-only claims, in the start-up batch).
   */
  private probePreviousTick(job: JobState, now: number): void {
    let before = now + 1;
    for (let i = 0; i < PROBED_TICKS; i++) {
      const previous = job.schedule.previous(new Date(before))?.getTime();
      if (previous === undefined || now - previous > job.options.catchUp.windowMs) return;
      job.lastTick = Math.max(job.lastTick, previous);
      void this.execute(job, previous, 'catch-up', undefined, 'probe');
      before = previous;
    }
  }

  /**
   * Stops: no new ticks; running jobs get `graceMs` to finish, then their signals abort; claims
   * are completed or released, and the instance id is deregistered. Resolves when every run has
   * settled. Every call returns the same promise (the first call's grace period applies): a
   * second signal handler, or Nest's shutdown beside the application's own, cannot cut it short.
   */
  stop(options: StopOptions = {}): Promise<StopResult> {
    this.stopping ??= this.stopOnce(options.graceMs ?? 30_000);
    return this.stopping;
  }

  private async stopOnce(graceMs: number): Promise<StopResult> {
    // A start() under way finishes first, so that what it sets up is torn down.
    await this.starting?.catch(() => {});
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.queue.clear();
    this.takeovers.clear();
    this.claims.cancelPending();
    for (const job of this.jobsByName.values()) {
      job.entry = null;
      for (const waiting of job.buffer?.splice(0) ?? []) this.skip(job, waiting.tick, 'shutdown');
    }
    const running = this.activeRuns();
    if (running.length > 0) {
      let graceTimer: TimerHandle | null = null;
      const graceOver = new Promise<void>((resolve) => {
        graceTimer = this.clock.setTimer(resolve, graceMs);
      });
      await Promise.race([settled(running), graceOver]);
      (graceTimer as TimerHandle | null)?.cancel();
      for (const job of [...this.jobsByName.values(), ...this.draining]) {
        for (const run of job.active ?? []) run.abort.abort(new RunCancelledError(job.info.name, 'shutdown'));
      }
      for (let runs = this.activeRuns(); runs.length > 0; runs = this.activeRuns()) await settled(runs);
    }
    this.leases.close();
    if (wasRunning) await this.membership.leave();
    this.state = 'stopped';
    const stillRunning = this.strayJobNames();
    this.logger.info({ stillRunning }, 'tickwise: scheduler stopped');
    return { stillRunning };
  }

  /** Every run in progress: each is in its job's `active` list from execute() until it has ended. */
  private activeRuns(): ActiveRun[] {
    const runs: ActiveRun[] = [];
    for (const job of this.jobsByName.values()) if (job.active) runs.push(...job.active);
    for (const job of this.draining) if (job.active) runs.push(...job.active);
    return runs;
  }

  private strayJobNames(): string[] {
    return [...this.jobsByName.values()].filter((job) => job.strayHandlers > 0).map((job) => job.info.name);
  }

  // ---- control ------------------------------------------------------------------------------

  /**
   * Subscribes to an event; returns an unsubscribe function. A listener that throws or returns a
   * rejected promise is reported (at most once a minute per listener), never breaks a run.
   */
  on<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): () => void {
    return this.events.on(name, listener);
  }

  /** Like on(), for the next event only. */
  once<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): () => void {
    return this.events.once(name, listener);
  }

  /** Unsubscribes a listener added by on() or once(); false when it was not subscribed. */
  off<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): boolean {
    return this.events.off(name, listener);
  }

  /**
   * Takes a job out: none of its ticks starts after this call. A run in progress finishes (or,
   * with `{ cancel: true }`, its signal aborts with RunCancelledError `removed` and its claim is
   * released). Resolves when the job's runs have ended; then the name can be added again. An
   * unknown name rejects with a TickwiseError `UNKNOWN_JOB`.
   */
  async remove(name: string, options: RemoveOptions = {}): Promise<RemoveResult> {
    const job = this.job(name);
    this.jobsByName.delete(name);
    if (job.entry) this.queue.remove(job.entry);
    job.entry = null;
    job.nextTick = Number.NaN;
    this.draining.add(job);
    try {
      return await drainRemovedJob(job, options, (removed, tick, reason) => this.skip(removed, tick, reason));
    } finally {
      this.draining.delete(job);
      this.logger.info({ job: name }, 'tickwise: job removed');
    }
  }

  private isDraining(name: string): boolean {
    for (const job of this.draining) if (job.info.name === name) return true;
    return false;
  }

  /** Skips the job's ticks (recorded with reason `paused`) until resume(). */
  pause(name: string): void {
    this.job(name).paused = true;
  }

  resume(name: string): void {
    this.job(name).paused = false;
  }

  /**
   * Runs a job now, outside its schedule (trigger `manual`, not claimed in the store). The
   * overlap policy applies: with `skip` or a buffer policy, a job that is running is not started.
   */
  async trigger(name: string): Promise<RunResult> {
    const job = this.job(name);
    if (this.state === 'stopping' || this.state === 'stopped') return { outcome: 'skipped', reason: 'shutdown' };
    if (job.disabledReason) return { outcome: 'skipped', reason: 'disabled' };
    if (job.runningCount > 0) {
      if (job.options.overlap === 'cancel-other') this.cancelActive(job);
      else if (job.options.overlap !== 'allow') return { outcome: 'skipped', reason: 'overlap' };
    }
    // The manual run's trace links to the caller's span (an HTTP request, a CLI command).
    return this.execute(job, this.clock.now(), 'manual', activeSpanContext());
  }

  /** Job definitions with their state and next run. */
  jobs(): JobSnapshot[] {
    return [...this.jobsByName.values()].map((job) => ({
      ...job.info.toJSON(),
      enabled: job.disabledReason === null,
      ...(job.disabledReason !== null && { disabledReason: job.disabledReason }),
      paused: job.paused,
      nextRun: this.nextRunOf(job),
      running: job.runningCount,
      strayHandlers: job.strayHandlers,
      ...(job.lastRun && { lastRun: job.lastRun.snapshot() }),
      ...(job.options.expect && { expect: expectationOf(job.options.expect) }),
      ...(job.lastSuccess !== undefined && { lastSuccess: new Date(job.lastSuccess) }),
      consecutiveFailures: job.consecutiveFailures,
    }));
  }

  /**
   * A health snapshot: overall status, the store's reachability and round trip, and per job its
   * schedule, next and last run, last success, consecutive failures, overdue flag and owner.
   */
  async health(options: HealthOptions = {}): Promise<HealthSnapshot> {
    const pingStarted = this.clock.now();
    const member = this.membership.status();
    const shared = {
      clockOffsetMs: member.clockOffsetMs,
      dataLossDetectedAt: member.dataLossDetectedAt === null ? null : new Date(member.dataLossDetectedAt),
      instanceIdConflict: member.instanceIdConflict,
    };
    let store: StoreHealth;
    const pinged = await withinDeadline(this.clock, this.store.ping(), PING_WAIT_MS);
    if (pinged.kind === 'value') {
      store = { reachable: true, roundTripMs: this.clock.now() - pingStarted, ...shared };
    } else {
      const error = pinged.kind === 'error' ? pinged.error : `no answer within ${PING_WAIT_MS} ms`;
      store = {
        reachable: false,
        roundTripMs: null,
        error: error instanceof Error ? error.message : String(error),
        ...shared,
      };
    }
    const now = this.clock.now();
    const jobs = [...this.jobsByName.values()].map((job) =>
      jobHealth(
        {
          info: job.info,
          schedule: job.schedule,
          timeoutMs: job.options.timeoutMs,
          disabledReason: job.disabledReason,
          paused: job.paused,
          nextTick: this.nextRunOf(job)?.getTime() ?? Number.NaN,
          lastRun: job.lastRun?.snapshot(),
          lastSuccess: job.lastSuccess,
          lastSuccessTick: job.lastSuccessTick,
          consecutiveFailures: job.consecutiveFailures,
          running: job.runningCount,
          runningForMs: job.runningForMs(now),
          strayHandlers: job.strayHandlers,
          expect: job.options.expect,
        },
        now,
        this.startedAt,
        options,
      ),
    );
    return {
      status: overallStatus(this.state, store, jobs, options),
      checkedAt: new Date(now),
      instanceId: this.instanceId,
      scheduler: this.state,
      store,
      jobs,
    };
  }

  /** The queued next tick; before start(), the next tick from now. */
  private nextRunOf(job: JobState): Date | null {
    const tick = this.state === 'idle' ? nextTickMs(job.schedule, this.clock.now()) : job.nextTick;
    return Number.isNaN(tick) ? null : new Date(tick);
  }

  private job(name: string): JobState {
    const job = this.jobsByName.get(name);
    if (!job) throw new TickwiseError('UNKNOWN_JOB', `no job named '${name}' is registered`, { job: name });
    return job;
  }

  // ---- timer queue --------------------------------------------------------------------------

  private queueFirstTick(job: JobState, now: number): void {
    this.setNextTick(job, nextTickMs(job.schedule, now));
  }

  private setNextTick(job: JobState, tick: number): void {
    job.nextTick = tick;
    if (job.entry) this.queue.remove(job.entry);
    job.entry = null;
    if (Number.isNaN(tick) || this.state !== 'running') return;
    job.entry = this.queue.add(tick + jitterFor(job.info.name, tick, job.options.jitterMs), job, this.claimOrder(job));
  }

  /**
   * Where a job goes among those due at the same instant: registration order, started at this
   * replica's share of the list. With N live replicas on a store, replica k begins k/N of the way
   * through, so every replica's first claims are ones nobody has asked for yet: the winners of a
   * burst are decided in the first Nth of it, instead of all replicas contending for the same jobs
   * in the same order. Alone, it is plain registration order.
   */
  private claimOrder(job: JobState): number {
    const { rank, count } = this.membership.position();
    const jobs = this.jobsByName.size;
    if (count <= 1 || job.order >= jobs) return job.order;
    const start = Math.floor((rank * jobs) / count);
    return (job.order - start + jobs) % jobs;
  }

  /** Called by the timer queue with every entry whose due time has come, in order. */
  private onDue(entries: QueueEntry<JobState>[], now: number, from = 0): void {
    // A burst is handled a slice at a time, yielding between slices, so that trivial runs finish
    // before the next slice starts (100,000 runs in flight at once cost ~700 MB and seconds of GC)
    // and I/O such as health checks is not starved. Order is kept.
    const end = Math.min(entries.length, from + BURST_SLICE);
    if (end < entries.length) defer(this.clock, () => this.onDue(entries, now, end));
    for (let index = from; index < end; index++) {
      const entry = entries[index] as QueueEntry<JobState>;
      const job = entry.value;
      if (job.entry !== entry || this.state !== 'running') continue;
      job.entry = null;
      if (job.nextTick <= job.lastTick) {
        // Defensive: never handle a tick twice (e.g. after the wall clock was set back).
        this.setNextTick(job, nextTickMs(job.schedule, Math.max(job.lastTick, now)));
        continue;
      }
      const plan = planDueTicks(job.schedule, job.nextTick, now, job.options.catchUp, this.missedAfterMs);
      if (plan.skipped) this.skip(job, plan.skipped.firstTick, 'missed', plan.skipped.count);
      job.lastTick = plan.latestDue;
      if (plan.runs.length === 1) {
        const [run] = plan.runs as [{ tick: number; trigger: RunTrigger }];
        this.gate(job, run.tick, run.trigger);
      } else if (plan.runs.length > 1) {
        // Catch-up runs go one after another, oldest first, whatever the overlap policy.
        job.enqueue(...plan.runs);
        this.drainBuffer(job);
      }
      this.setNextTick(job, plan.upcoming ?? nextTickMs(job.schedule, Math.max(plan.latestDue, now)));
    }
  }

  // ---- gate ---------------------------------------------------------------------------------

  /** Step 3: disabled, paused, shutting down, or overlapping — or on to the claim. */
  private gate(job: JobState, tick: number, trigger: RunTrigger): void {
    if (job.disabledReason) {
      this.skip(job, tick, 'disabled');
      return;
    }
    if (job.paused) {
      this.skip(job, tick, 'paused');
      return;
    }
    if (this.state !== 'running') {
      this.skip(job, tick, 'shutdown');
      return;
    }
    if (job.runningCount > 0) {
      // A previous run that has returned but whose outcome the store has not yet confirmed blocks the
      // tick too (its record still holds the job), but then the store is what the tick waits for.
      const blockedBy: SkipReason = job.onlyRecording ? 'store-slow' : 'overlap';
      switch (job.options.overlap) {
        case 'skip': {
          this.skip(job, tick, blockedBy);
          return;
        }
        case 'buffer-one':
          if ((job.buffer?.length ?? 0) > 0) {
            this.skip(job, tick, blockedBy);
            return;
          }
          job.enqueue({ tick, trigger });
          return;
        case 'buffer-all':
          if ((job.buffer?.length ?? 0) >= BUFFER_LIMIT) {
            this.skip(job, tick, 'buffer-full');
            return;
          }
          job.enqueue({ tick, trigger });
          return;
        case 'cancel-other':
          this.cancelActive(job);
          break;
        case 'allow':
          break;
      }
    }
    void this.execute(job, tick, trigger);
  }

  private cancelActive(job: JobState): void {
    for (const run of job.active ?? []) run.abort.abort(new RunCancelledError(job.info.name, 'cancel-other'));
  }

  private skip(job: JobState, tick: number, reason: SkipReason, count = 1): void {
    const traceId = this.telemetry.tickSkipped(job.info, tick, reason, count, this.clock.now());
    if (this.events.has('tick:skipped')) {
      this.events.emit('tick:skipped', {
        job: job.info,
        tick: new Date(tick),
        reason,
        count,
        instanceId: this.instanceId,
      });
    }
    if (this.logging) {
      this.logger.info(
        {
          job: job.info.name,
          tick: new Date(tick).toISOString(),
          reason,
          count,
          ...(traceId !== undefined && { traceId }),
        },
        `tickwise: ${job.info.name} tick skipped (${reason}${count > 1 ? `, ${count} ticks` : ''})`,
      );
    }
  }

  // ---- runs ---------------------------------------------------------------------------------

  /** Hands a tick to the runner; the run is kept in the job's `active` list so stop() can wait for it. */
  private execute(
    job: JobState,
    tick: number,
    trigger: RunTrigger,
    link?: SpanContext,
    takeover: TakeoverAsk = false,
    claimAs: ClaimOverride | null = null,
  ): Promise<RunResult> {
    const run: ActiveRun = {
      abort: new AbortSource(),
      tick,
      done: null,
      leaseRenewed: null,
      claimed: trigger === 'manual',
      recording: false,
      startedAt: Number.NaN,
      claimAs,
    };
    job.addActive(run);
    run.done = this.runAndCleanUp(job, run, trigger, link, takeover);
    return run.done;
  }

  /** A run, cleaned up after itself whatever happens (the overlap gate and stop() rely on it). */
  private async runAndCleanUp(
    job: JobState,
    run: ActiveRun,
    trigger: RunTrigger,
    link: SpanContext | undefined,
    takeover: TakeoverAsk,
  ): Promise<RunResult> {
    try {
      return await this.runner.run(job, run, trigger, link, takeover);
    } finally {
      job.removeActive(run);
      this.drainBuffer(job);
    }
  }

  /**
   * Asks about a tick again after `retryAfterMs`. `takeover`: another replica holds it; just after
   * its lease would end, a dead holder's tick becomes ours (with a larger fence) and still runs —
   * within the job's catch-up window. A live holder renews its lease, so asking again only finds
   * it still held (or done) and waits once more. `early`: the store's clock had not reached the
   * tick; the claim is made again then.
   */
  private askAgain(job: JobState, tick: number, retryAfterMs: number, ask: AskAgain['ask']): boolean {
    if (this.state !== 'running') return false;
    const at = this.clock.now() + Math.max(0, retryAfterMs) + (ask === 'takeover' ? TAKEOVER_MARGIN_MS : 0);
    if (at - tick > job.options.catchUp.windowMs) return false;
    this.takeovers.add(at, { job, tick, ask }, job.order);
    return true;
  }

  private retryTakeovers(entries: QueueEntry<AskAgain>[]): void {
    for (const { value } of entries) {
      const { job, tick, ask } = value;
      if (this.state !== 'running' || job.disabledReason || job.paused || this.jobsByName.get(job.info.name) !== job)
        continue;
      if (job.active?.some((run) => run.tick === tick)) continue;
      // A takeover is reported as a catch-up run: it starts late, for a tick another replica had.
      if (ask === 'takeover') void this.execute(job, tick, 'catch-up', undefined, 'reask');
      else void this.execute(job, tick, 'schedule', undefined, ask === 'overlap' ? 'recheck' : false);
    }
  }

  /** Gives claims back unfinished, so another replica may take them at once. */
  private async release(claims: HeldClaim[]): Promise<void> {
    const released = await withinDeadline(this.clock, this.store.releaseClaims(this.owner, claims), RELEASE_WAIT_MS);
    if (released.kind !== 'value') {
      this.logger.warn(
        { claims: claims.length, err: released.kind === 'error' ? released.error : 'no answer in time' },
        'tickwise: could not release claims; they expire with their leases',
      );
    }
  }

  private drainBuffer(job: JobState): void {
    if (job.activeCount > 0) return;
    const waiting = job.buffer?.shift();
    if (!waiting) return;
    const { tick, trigger } = waiting;
    if (this.state !== 'running') {
      this.skip(job, tick, 'shutdown');
      return;
    }
    this.gate(job, tick, trigger);
  }
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Job names go into the store's keys: no NUL (PostgreSQL cannot hold it), no broken UTF-16, within the store's limit. */
function checkStorableName(name: string, maxBytes: number): void {
  if (name.includes('\u0000') || UNPAIRED_SURROGATE.test(name)) {
    throw new JobDefinitionError(
      'INVALID_JOB_NAME',
      'a job name must not contain NUL characters or unpaired surrogates (the claim store could not hold it)',
      { job: JSON.stringify(name) },
    );
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > maxBytes) {
    throw new JobDefinitionError(
      'INVALID_JOB_NAME',
      `the job name is ${bytes} bytes long; this claim store holds names of at most ${maxBytes} bytes (UTF-8)`,
      { job: `${name.slice(0, 40)}…` },
    );
  }
}
