// The Scheduler: the facade a service uses. It owns the jobs and the scheduler's state and keeps
// the public API; scheduler-parts.ts builds the steps of a tick and connects them, each step its
// own module: tick-queue (the timer) -> due-ticks (missed ticks, catch-up) -> gate -> tick-runner:
// claim -> attempts -> completion -> run-report (events, logs, telemetry). start() and stop() are
// startup.ts and shutdown.ts; jobs() and health() are job-snapshot.ts and health-check.ts.

import { activeSpanContext } from '../telemetry/otel-api.js';
import { TickwiseError } from './errors.js';
import type { SchedulerEventName, SchedulerListener } from './events.js';
import type { Fleet } from './fleet.js';
import type { FleetHealth, FleetStatusOptions } from './fleet-status.js';
import type { HealthOptions, HealthSnapshot } from './health.js';
import type { JobDefinition, JobInfo } from './job.js';
import {
  type BuiltJob,
  buildJob,
  type ConfigReader,
  sourceFromDefinition,
  sourcesFromInstance,
} from './job-registry.js';
import { drainRemovedJob, type RemoveOptions, type RemoveResult } from './job-removal.js';
import { type JobSnapshot, jobSnapshot } from './job-snapshot.js';
import type { RunResult } from './job-state.js';
import type { StopOptions, StopResult } from './lifecycle.js';
import { buildSchedulerParts, type SchedulerOptions, type SchedulerParts } from './scheduler-parts.js';

export type { RemoveOptions, RemoveResult } from './job-removal.js';
export type { JobSnapshot } from './job-snapshot.js';
export type { RunResult } from './job-state.js';
export type { StopOptions, StopResult } from './lifecycle.js';
export type { SchedulerOptions } from './scheduler-parts.js';

export interface RegisterOptions {
  /** Reads the configuration keys named by `@Cron({ config })` and `@Every({ config })`; undefined = not set. */
  config?: ConfigReader;
}

export class Scheduler {
  readonly instanceId: string;
  private readonly parts: SchedulerParts;

  /** Throws a SchedulerOptionError on an unknown or invalid option. */
  constructor(options: SchedulerOptions = {}) {
    this.parts = buildSchedulerParts(options);
    this.instanceId = this.parts.instanceId;
  }

  // ---- registration -------------------------------------------------------------------------

  /** Adds a plain-function job. Throws a JobDefinitionError on a bad definition. */
  add(definition: JobDefinition): JobInfo {
    const job = buildJob(sourceFromDefinition(definition));
    this.insert([job]);
    return job.info;
  }

  /**
   * Adds every @Cron/@Every/@Job method of `instance`, bound to it. `config` reads the keys that
   * `@Cron({ config })` / `@Every({ config })` name (e.g. `(key) => configService.get(key)`).
   */
  register(instance: object, options: RegisterOptions = {}): JobInfo[] {
    // All jobs are validated before any is added, so a bad one leaves the scheduler unchanged.
    const built = sourcesFromInstance(instance, options.config).map((source) => buildJob(source));
    this.insert(built);
    return built.map((job) => job.info);
  }

  /** Names must be unique here, and holdable by the store (checked now, not at the first claim). */
  private insert(built: BuiltJob[]): void {
    const { jobs, lifecycle, ticks, clock } = this.parts;
    jobs.checkNames(built);
    for (const job of built) {
      const state = jobs.insert(job);
      // Before start() the next tick is computed on demand by jobs(); start() queues every job.
      if (lifecycle.running) ticks.queueFirst(state, clock.now());
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Starts firing ticks: checks the store, registers the instance id (failing with
   * DUPLICATE_INSTANCE if another live scheduler uses it), measures the clock's offset from the
   * store's, then queues every job. With a durable store, catches up from the last completed tick.
   * Calling it again returns the same promise.
   */
  start(): Promise<void> {
    return this.parts.lifecycle.start(() => this.parts.startup.run());
  }

  /**
   * Stops: no new ticks; running jobs get `graceMs` to finish, then their signals abort; claims
   * are completed or released, and the instance id is deregistered. Resolves when every run has
   * settled. Every call returns the same promise (the first call's grace period applies): a
   * second signal handler, or Nest's shutdown beside the application's own, cannot cut it short.
   */
  stop(options: StopOptions = {}): Promise<StopResult> {
    return this.parts.lifecycle.stop(() => this.parts.shutdown.run(options.graceMs ?? 30_000));
  }

  // ---- control ------------------------------------------------------------------------------

  /**
   * Subscribes to an event; returns an unsubscribe function. A listener that throws or returns a
   * rejected promise is reported (at most once a minute per listener), never breaks a run.
   */
  on<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): () => void {
    return this.parts.events.on(name, listener);
  }

  /** Like on(), for the next event only. */
  once<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): () => void {
    return this.parts.events.once(name, listener);
  }

  /** Unsubscribes a listener added by on() or once(); false when it was not subscribed. */
  off<E extends SchedulerEventName>(name: E, listener: SchedulerListener<E>): boolean {
    return this.parts.events.off(name, listener);
  }

  /**
   * Takes a job out: none of its ticks starts after this call. A run in progress finishes (or,
   * with `{ cancel: true }`, its signal aborts with RunCancelledError `removed` and its claim is
   * released). Resolves when the job's runs have ended; then the name can be added again. An
   * unknown name rejects with a TickwiseError `UNKNOWN_JOB`.
   */
  async remove(name: string, options: RemoveOptions = {}): Promise<RemoveResult> {
    const { jobs, ticks, report, logger } = this.parts;
    const job = jobs.remove(name);
    ticks.unqueue(job);
    try {
      return await drainRemovedJob(job, options, (removed, tick, reason) => report.skip(removed, tick, reason));
    } finally {
      jobs.drained(job);
      logger.info({ job: name }, 'tickwise: job removed');
    }
  }

  /** Skips the job's ticks (recorded with reason `paused`) until resume(). */
  pause(name: string): void {
    this.parts.jobs.get(name).localPaused = true;
  }

  resume(name: string): void {
    this.parts.jobs.get(name).localPaused = false;
  }

  /**
   * Runs a job now, outside its schedule (trigger `manual`, not claimed in the store). The
   * overlap policy applies: with `skip` or a buffer policy, a job that is running is not started.
   */
  async trigger(name: string): Promise<RunResult> {
    const job = this.parts.jobs.get(name);
    const refused = this.parts.gate.manual(job);
    if (refused) return refused;
    // The manual run's trace links to the caller's span (an HTTP request, a CLI command).
    return this.parts.runner.start(job, this.parts.clock.now(), 'manual', activeSpanContext());
  }

  /** Job definitions with their state and next run. */
  jobs(): JobSnapshot[] {
    return [...this.parts.jobs.values()].map((job) => jobSnapshot(job, this.parts.ticks.nextRun(job)));
  }

  /**
   * A health snapshot: overall status, the store's reachability and round trip, and per job its
   * schedule, next and last run, last success, consecutive failures, overdue flag and owner.
   * `{ scope: 'fleet' }`: the same questions answered for every replica sharing the store, from
   * its run history and heartbeats (FleetHealth; docs/fleet.md); rejects with `FLEET_UNSUPPORTED`
   * when the store keeps no fleet state or `fleet: false` was set.
   */
  health(options: FleetStatusOptions & { scope: 'fleet' }): Promise<FleetHealth>;
  health(options?: HealthOptions & { scope?: 'replica' }): Promise<HealthSnapshot>;
  health(
    options: (HealthOptions & { scope?: 'replica' }) | (FleetStatusOptions & { scope: 'fleet' }) = {},
  ): Promise<HealthSnapshot | FleetHealth> {
    if (options.scope === 'fleet') {
      const { scope: _scope, ...rest } = options;
      const { fleet } = this.parts;
      if (!fleet) {
        return Promise.reject(
          new TickwiseError(
            'FLEET_UNSUPPORTED',
            'no fleet view: this scheduler was built with fleet: false, or its store keeps no fleet state',
          ),
        );
      }
      return fleet.status(rest);
    }
    return this.parts.health.check(options);
  }

  /**
   * The fleet view and controls (pause, resume, trigger for every replica sharing the store);
   * null when the store keeps no fleet state or `fleet: false` was set.
   */
  get fleet(): Fleet | null {
    return this.parts.fleet;
  }
}
