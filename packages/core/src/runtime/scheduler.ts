// The Scheduler: wires the steps of a tick together — schedule -> timer queue -> gate -> claim ->
// attempts -> complete -> events. Each step lives in its own module; this one holds job state.

import { hostname } from 'node:os';
import { context as otelContext, type SpanContext, trace } from '@opentelemetry/api';
import { nextTickMs } from '../schedule/schedule.js';
import { EVENT_LEASE_RENEWED } from '../telemetry/attributes.js';
import { Instrumentation, type RunTrace, type TelemetryOptions } from '../telemetry/instrumentation.js';
import { AbortSource } from './abort-source.js';
import { runAttempts } from './attempts.js';
import { planDueTicks } from './catch-up.js';
import { type Clock, defer, SystemClock, type TimerHandle } from './clock.js';
import { RunCancelledError, TickwiseError } from './errors.js';
import {
  EventHub,
  type RunEventBase,
  type SchedulerEventName,
  type SchedulerEvents,
  type SkipReason,
} from './events.js';
import { type HealthOptions, type HealthSnapshot, jobHealth, overallStatus, type StoreHealth } from './health.js';
import { jitterFor } from './jitter.js';
import type { JobDefinition, JobInfo, RunTrigger } from './job.js';
import {
  type BuiltJob,
  buildJob,
  type ConfigReader,
  sourceFromDefinition,
  sourcesFromInstance,
} from './job-registry.js';
import { type ActiveRun, JobState, type LastRunSnapshot } from './job-state.js';
import { DISABLED_JOBS_ENV, matchesAny, parseDisabledList } from './kill-switch.js';
import { LeaseKeeper } from './lease-keeper.js';
import { type Logger, silentLogger, withBindings } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { HandlerContext } from './run-context.js';
import type { Claim, ClaimStore, RunOutcome } from './store.js';
import { type QueueEntry, TimerQueue } from './timer-queue.js';

export interface RegisterOptions {
  /** Reads the configuration keys named by `@Cron({ config })` and `@Every({ config })`; undefined = not set. */
  config?: ConfigReader;
}

export interface SchedulerOptions {
  /** Where claims live; default an in-process MemoryStore. */
  store?: ClaimStore;
  /** Default the system clock; tests pass a VirtualClock. */
  clock?: Clock;
  /** Any object with debug/info/warn/error (pino works as is). Default: silent. */
  logger?: Logger;
  /** Identifies this replica in claims and events; default host-pid-random. */
  instanceId?: string;
  /** Job names to disable (`*` wildcards allowed), in addition to TICKWISE_DISABLED_JOBS. */
  disabled?: string[];
  /** A tick reached later than this counts as missed (catch-up policy applies); default '60s'. */
  missedAfterMs?: number;
  /** Environment to read TICKWISE_DISABLED_JOBS from; default process.env. */
  env?: Record<string, string | undefined>;
  /** OpenTelemetry providers and span kind; default the global providers (no-op without an SDK). */
  telemetry?: TelemetryOptions;
}

export interface StopOptions {
  /** How long running jobs may take to finish before their signals abort; default 30 s. */
  graceMs?: number;
}

export interface StopResult {
  /** Jobs whose handlers ignored the aborted signal and were still running when stop() resolved. */
  stillRunning: string[];
}

export interface RunResult {
  outcome: RunOutcome | 'skipped';
  reason?: SkipReason;
  error?: unknown;
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
}

const BUFFER_LIMIT = 1000;
const BURST_SLICE = 100;
/** Asking again this long after a holder's lease would end leaves room for a late renewal. */
const TAKEOVER_MARGIN_MS = 250;
/** A claim up to this much before the tick (by the store's clock) is not early: timer jitter. */
const MAX_EARLY_MS = 250;

/** Resolves when every one of `runs` has ended. */
function settled(runs: ActiveRun[]): Promise<unknown> {
  return Promise.allSettled(runs.map((run) => run.done));
}

const EXCLUSIVE_POLICIES = new Set(['skip', 'buffer-one', 'buffer-all']);

type State = 'idle' | 'running' | 'stopping' | 'stopped';

export class Scheduler {
  readonly instanceId: string;
  private readonly store: ClaimStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly events: EventHub;
  private readonly queue: TimerQueue<JobState>;
  private readonly leases: LeaseKeeper;
  /** Ticks held by another replica, asked again when that holder's lease would end (takeover of a dead holder). */
  private readonly takeovers: TimerQueue<{ job: JobState; tick: number }>;
  private readonly telemetry: Instrumentation;
  private readonly jobsByName = new Map<string, JobState>();
  private readonly disabledPatterns: string[];
  private readonly missedAfterMs: number;
  private state: State = 'idle';
  private startedAt: number | null = null;
  /** False with the default silent logger: per-run log fields are then not even built. */
  private readonly logging: boolean;
  private runCounter = 0;

  constructor(options: SchedulerOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.store = options.store ?? new MemoryStore({ now: () => this.clock.now() });
    this.logger = options.logger ?? silentLogger;
    this.logging = this.logger !== silentLogger;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.events = new EventHub(this.logger);
    this.queue = new TimerQueue(this.clock, (entries, now) => this.onDue(entries, now));
    this.leases = new LeaseKeeper(this.clock, this.store, this.logger);
    this.takeovers = new TimerQueue(this.clock, (entries, now) => this.retryTakeovers(entries, now));
    this.telemetry = new Instrumentation(this.instanceId, () => this.jobsByName.values(), options.telemetry);
    const env = options.env ?? process.env;
    this.disabledPatterns = [...(options.disabled ?? []), ...parseDisabledList(env[DISABLED_JOBS_ENV])];
    this.missedAfterMs = options.missedAfterMs ?? 60_000;
  }

  // ---- registration -------------------------------------------------------------------------

  /** Adds a plain-function job. Throws a JobDefinitionError on a bad definition. */
  add(definition: JobDefinition): JobInfo {
    const job = buildJob(sourceFromDefinition(definition));
    this.checkUnique([job]);
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
    this.checkUnique(built);
    for (const job of built) this.insert(job);
    return built.map((job) => job.info);
  }

  private checkUnique(built: BuiltJob[]): void {
    const names = built.length > 1 ? new Set<string>() : null;
    for (const job of built) {
      const { name } = job.info;
      if (this.jobsByName.has(name) || names?.has(name)) {
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

  /** Starts firing ticks. With a durable store, catches up from the last completed tick. */
  async start(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') {
      throw new TickwiseError(
        'SCHEDULER_STATE',
        'start() after stop(): a stopped scheduler cannot be restarted; create a new Scheduler',
      );
    }
    if (this.state === 'running') return;
    // A misconfigured store fails here, with a StoreError, before any tick.
    await this.store.init?.();
    this.state = 'running';
    const now = this.clock.now();
    this.startedAt = now;
    for (const job of this.jobsByName.values()) {
      let resumeFrom: number | null = null;
      if (this.store.durable && job.options.catchUp.policy !== 'none') {
        try {
          resumeFrom = (await this.store.lastCompletedTick(job.info.name))?.getTime() ?? null;
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
      }
    }
    this.queue.start();
    this.takeovers.start();
    this.logger.info({ jobs: this.jobsByName.size, instanceId: this.instanceId }, 'tickwise: scheduler started');
  }

  /**
   * Stops: no new ticks; running jobs get `graceMs` to finish, then their signals abort; claims
   * are completed or released. Resolves when every run has settled.
   */
  async stop(options: StopOptions = {}): Promise<StopResult> {
    const graceMs = options.graceMs ?? 30_000;
    if (this.state === 'stopped') return { stillRunning: this.strayJobNames() };
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.queue.clear();
    this.takeovers.clear();
    for (const job of this.jobsByName.values()) {
      job.entry = null;
      for (const waiting of job.buffer?.splice(0) ?? []) this.skip(job, waiting.tick, 'shutdown');
    }
    const running = wasRunning ? this.activeRuns() : [];
    if (running.length > 0) {
      let graceTimer: TimerHandle | null = null;
      const graceOver = new Promise<void>((resolve) => {
        graceTimer = this.clock.setTimer(resolve, graceMs);
      });
      await Promise.race([settled(running), graceOver]);
      (graceTimer as TimerHandle | null)?.cancel();
      for (const job of this.jobsByName.values()) {
        for (const run of job.active ?? []) run.abort.abort(new RunCancelledError(job.info.name, 'shutdown'));
      }
      for (let runs = this.activeRuns(); runs.length > 0; runs = this.activeRuns()) await settled(runs);
    }
    this.leases.close();
    this.state = 'stopped';
    const stillRunning = this.strayJobNames();
    this.logger.info({ stillRunning }, 'tickwise: scheduler stopped');
    return { stillRunning };
  }

  /** Every run in progress: each is in its job's `active` list from execute() until it has ended. */
  private activeRuns(): ActiveRun[] {
    const runs: ActiveRun[] = [];
    for (const job of this.jobsByName.values()) if (job.active) runs.push(...job.active);
    return runs;
  }

  private strayJobNames(): string[] {
    return [...this.jobsByName.values()].filter((job) => job.strayHandlers > 0).map((job) => job.info.name);
  }

  // ---- control ------------------------------------------------------------------------------

  /** Subscribes to an event; returns an unsubscribe function. */
  on<E extends SchedulerEventName>(name: E, listener: (event: SchedulerEvents[E]) => void): () => void {
    return this.events.on(name, listener);
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
    if (job.activeCount > 0) {
      if (job.options.overlap === 'cancel-other') this.cancelActive(job);
      else if (job.options.overlap !== 'allow') return { outcome: 'skipped', reason: 'overlap' };
    }
    // The manual run's trace links to the caller's span (an HTTP request, a CLI command).
    return this.execute(job, this.clock.now(), 'manual', trace.getSpanContext(otelContext.active()));
  }

  /** Job definitions with their state and next run. */
  jobs(): JobSnapshot[] {
    return [...this.jobsByName.values()].map((job) => ({
      ...job.info.toJSON(),
      enabled: job.disabledReason === null,
      ...(job.disabledReason !== null && { disabledReason: job.disabledReason }),
      paused: job.paused,
      nextRun: this.nextRunOf(job),
      running: job.activeCount,
      strayHandlers: job.strayHandlers,
      ...(job.lastRun && { lastRun: job.lastRun.snapshot() }),
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
    let store: StoreHealth;
    try {
      await this.store.ping();
      store = { reachable: true, roundTripMs: this.clock.now() - pingStarted };
    } catch (error) {
      store = { reachable: false, roundTripMs: null, error: error instanceof Error ? error.message : String(error) };
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
          running: job.activeCount,
          strayHandlers: job.strayHandlers,
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
    job.entry = this.queue.add(tick + jitterFor(job.info.name, tick, job.options.jitterMs), job, job.order);
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
    if (job.activeCount > 0) {
      switch (job.options.overlap) {
        case 'skip': {
          this.skip(job, tick, 'overlap');
          return;
        }
        case 'buffer-one':
          if ((job.buffer?.length ?? 0) > 0) {
            this.skip(job, tick, 'overlap');
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

  // ---- claim, attempts, completion -----------------------------------------------------------

  /** Steps 4-6 for one tick; kept in the job's `active` list so stop() can wait for it. */
  private execute(
    job: JobState,
    tick: number,
    trigger: RunTrigger,
    link?: SpanContext,
    retry = false,
  ): Promise<RunResult> {
    const run: ActiveRun = { abort: new AbortSource(), tick, done: null };
    job.addActive(run);
    run.done = this.runTick(job, run, trigger, link, retry);
    return run.done;
  }

  /**
   * Another replica holds this tick. Ask again just after its lease would end: if the holder
   * died, the claim is then ours (with a larger fence) and the tick still runs — as long as it is
   * within the job's catch-up window. A live holder renews its lease, so asking again only
   * finds it still held (or done) and waits once more.
   */
  private watchTakeover(job: JobState, tick: number, retryAfterMs: number): void {
    const at = this.clock.now() + Math.max(0, retryAfterMs) + TAKEOVER_MARGIN_MS;
    if (at - tick > job.options.catchUp.windowMs) return;
    this.takeovers.add(at, { job, tick }, job.order);
  }

  private retryTakeovers(entries: QueueEntry<{ job: JobState; tick: number }>[], _now: number): void {
    for (const { value } of entries) {
      const { job, tick } = value;
      if (this.state !== 'running' || job.disabledReason || job.paused) continue;
      if (job.active?.some((run) => run.tick === tick)) continue;
      // A takeover is reported as a catch-up run: it starts late, for a tick another replica had.
      void this.execute(job, tick, 'catch-up', undefined, true);
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

  /** A run from claim to completion; cleans up after itself (the overlap gate and stop() rely on it). */
  private async runTick(
    job: JobState,
    run: ActiveRun,
    trigger: RunTrigger,
    link?: SpanContext,
    retry = false,
  ): Promise<RunResult> {
    try {
      let claim: Claim | null = null;
      if (trigger !== 'manual') {
        const claimed = await this.claimTick(job, run.tick, retry);
        if ('outcome' in claimed) return claimed;
        claim = claimed;
      }
      return await this.runClaimed(job, run, trigger, claim, link);
    } finally {
      job.removeActive(run);
      this.drainBuffer(job);
    }
  }

  /** Step 4: the claim, or why the tick does not run here. */
  private async claimTick(job: JobState, tick: number, retry: boolean): Promise<Claim | RunResult> {
    // Timed only for the claim-duration metric.
    const claimStarted = this.telemetry.metered ? this.clock.now() : 0;
    try {
      const result = await this.store.claim({
        job: job.info.name,
        tick: new Date(tick),
        owner: this.instanceId,
        leaseMs: job.options.leaseMs,
        exclusive: EXCLUSIVE_POLICIES.has(job.options.overlap),
        // Long enough that no replica can still be about to claim the tick: the catch-up window,
        // or, without catch-up, twice the time after which a tick counts as missed.
        retainMs: Math.max(
          job.options.leaseMs,
          job.options.catchUp.policy === 'none' ? 2 * this.missedAfterMs : job.options.catchUp.windowMs,
        ),
        maxEarlyMs: MAX_EARLY_MS,
      });
      this.claimFinished(job, claimStarted, result.acquired ? 'acquired' : result.reason);
      if (result.acquired) return result.claim;
      if (result.reason === 'early') {
        // This replica's clock runs ahead of the store's: claim when the store says it is time.
        this.watchTakeover(job, tick, result.retryAfterMs ?? 0);
        return { outcome: 'skipped', reason: 'early' };
      }
      // Reported once; asking again for a takeover is silent.
      if (!retry) this.skip(job, tick, result.reason);
      if (result.reason === 'claimed-elsewhere' && result.retryAfterMs !== undefined) {
        this.watchTakeover(job, tick, result.retryAfterMs);
      }
      return { outcome: 'skipped', reason: result.reason };
    } catch (error) {
      this.claimFinished(job, claimStarted, 'error');
      this.logger.warn({ job: job.info.name, err: error }, 'tickwise: claim store unavailable');
      this.skip(job, tick, 'store-unavailable');
      return { outcome: 'skipped', reason: 'store-unavailable', error };
    }
  }

  private claimFinished(job: JobState, claimStarted: number, result: string): void {
    if (this.telemetry.metered) this.telemetry.claimFinished(job.info, this.clock.now() - claimStarted, result);
  }

  /** Steps 5-6: attempts, completion in the store, telemetry and events. */
  private async runClaimed(
    job: JobState,
    run: ActiveRun,
    trigger: RunTrigger,
    claim: Claim | null,
    link: SpanContext | undefined,
  ): Promise<RunResult> {
    const name = job.info.name;
    const runNumber = ++this.runCounter;
    const fence = claim?.fence ?? 0;
    const tick = new Date(run.tick);
    // The fields every event of this run shares; built only if an event or a log line needs them.
    let base: RunEventBase | null = null;
    const eventBase = (): RunEventBase => {
      base ??= {
        job: job.info,
        tick,
        trigger,
        runId: `${this.instanceId}:${runNumber}`,
        fence,
        instanceId: this.instanceId,
      };
      return base;
    };
    const startedAt = this.clock.now();
    const runTrace: RunTrace = this.telemetry.runStarted({
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
      boundLogger ??= withBindings(this.logger, {
        job: name,
        tick: tick.toISOString(),
        runId: eventBase().runId,
        ...(runTrace.traceId !== undefined && { traceId: runTrace.traceId }),
      });
      return boundLogger;
    };
    if (this.events.has('run:start')) {
      this.events.emit('run:start', {
        ...eventBase(),
        startedAt: new Date(startedAt),
        latenessMs: startedAt - run.tick,
      });
    }
    const releaseLease = claim
      ? this.leases.hold(
          claim,
          job.options.leaseMs,
          (detail) => run.abort.abort(new RunCancelledError(name, 'lease-lost', detail)),
          () => runTrace.event(EVENT_LEASE_RENEWED, undefined, this.clock.now()),
        )
      : null;

    const attempted = runAttempts({
      job: name,
      clock: this.clock,
      retry: job.options.retry,
      timeoutMs: job.options.timeoutMs,
      run: run.abort,
      invoke: (attempt, abort, attemptStartedAt) => {
        const context = new HandlerContext(
          { job: job.info, scheduledAt: tick, startedAt: new Date(attemptStartedAt), attempt, fence, trigger },
          abort,
          logger,
        );
        return job.run(context);
      },
      onAttemptFailure: (info) => {
        if (this.events.has('attempt:failure')) this.events.emit('attempt:failure', { ...eventBase(), ...info });
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
    releaseLease?.();

    let completionRejected = false;
    if (claim) {
      try {
        const shutdown = run.abort.reason instanceof RunCancelledError && run.abort.reason.reason === 'shutdown';
        if (shutdown && result.outcome === 'cancelled') await this.store.release(claim);
        else completionRejected = !(await this.store.complete(claim, result.outcome));
      } catch (error) {
        logger().warn({ err: error }, `tickwise: ${name} could not record completion in the store`);
      }
    }
    const finishedAt = this.clock.now();
    const durationMs = finishedAt - startedAt;
    runTrace.end(result.outcome, result.error, durationMs, result.attempts, finishedAt);
    job.finished(run.tick, result.outcome, durationMs, finishedAt, trigger);
    if (result.outcome === 'success') {
      if (this.events.has('run:success')) {
        this.events.emit('run:success', { ...eventBase(), durationMs, attempts: result.attempts, completionRejected });
      }
      if (this.logging) {
        logger().info(
          { outcome: 'success', durationMs, attempts: result.attempts, fence },
          `tickwise: ${name} succeeded`,
        );
      }
    } else {
      this.events.emit('run:failure', {
        ...eventBase(),
        outcome: result.outcome,
        error: result.error,
        durationMs,
        attempts: result.attempts,
        handlerStillRunning: result.handlerStillRunning,
        completionRejected,
      });
      logger().error(
        { outcome: result.outcome, durationMs, attempts: result.attempts, fence, err: result.error },
        `tickwise: ${name} ${result.outcome}`,
      );
    }
    return result.error === undefined ? { outcome: result.outcome } : { outcome: result.outcome, error: result.error };
  }
}
