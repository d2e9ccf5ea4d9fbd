// Moving toad-scheduler jobs onto a Tickwise Scheduler: read the job, map its schedule and options,
// add it, wire its error handler and runImmediately, then stop it under toad-scheduler for good.

import type { JobDefinition, JobHandler, JobInfo, Logger, Scheduler } from '@tickwise/core';
import type { Job, ToadScheduler } from 'toad-scheduler';
import { cronScheduleFor } from './cron-schedule.js';
import { ToadJobError } from './errors.js';
import { consoleLogger, routeFailures } from './failure-route.js';
import { intervalSchedule } from './interval-schedule.js';
import { splitOptions, type ToadJobOptions } from './options.js';
import { jobsOfToadScheduler, readToadJob, type ToadTaskParts, taskIdOf } from './toad-internals.js';
import { whenStarted } from './when-started.js';

export interface FromToadSchedulerOptions {
  /** Options for every job (a job's own entry in `jobs` wins, key by key). */
  defaults?: Omit<ToadJobOptions, 'name'>;
  /** Options per toad job id. An id the ToadScheduler does not have is an error (UNKNOWN_JOB). */
  jobs?: Record<string, ToadJobOptions>;
}

interface Prepared {
  job: Job;
  name: string;
  definition: JobDefinition;
  errorHandler: ToadTaskParts['errorHandler'];
  logger: Logger;
  runImmediately: boolean;
}

/** Jobs already moved: a job moves once, to one scheduler. */
const moved = new WeakSet<Job>();

function labelOf(job: Job): string {
  if (job.id !== undefined) return job.id;
  const task = taskIdOf(job);
  return `(${job.constructor.name} without an id${task === undefined ? '' : `, task '${task}'`})`;
}

/** The Tickwise handler: calls the toad handler as toad-scheduler does, and waits for it. */
function handlerFor(task: ToadTaskParts, jobId: string | undefined): JobHandler {
  let running = 0;
  const run = async () => {
    running++;
    task.task.isExecuting = true;
    try {
      // A Task's handler is meant to be synchronous; one that returns a promise is awaited too.
      await task.handler(task.id, jobId);
    } finally {
      running--;
      task.task.isExecuting = running > 0;
    }
  };
  // The task id names the handler in telemetry (code.function.name).
  Object.defineProperty(run, 'name', { value: task.id });
  return run;
}

function prepare(job: Job, options: ToadJobOptions): Prepared {
  const label = options.name ?? labelOf(job);
  if (moved.has(job)) {
    throw new ToadJobError('JOB_MOVED', 'this toad job was already moved to a Tickwise scheduler', { job: label });
  }
  const parts = readToadJob(job, label);
  const isCron = parts.kind === 'CronJob';
  const split = splitOptions(options, label, isCron);
  const name = options.name ?? parts.id;
  if (name === undefined) {
    throw new ToadJobError(
      'MISSING_JOB_ID',
      `a Tickwise job needs a stable, unique name to claim its ticks across replicas: create the ${parts.kind} ` +
        `with { id: '…' } or pass { name: '…' }`,
      { job: label },
    );
  }
  const schedule =
    parts.kind === 'CronJob'
      ? cronScheduleFor(parts.schedule, name)
      : intervalSchedule(parts.schedule, name, split.anchor);
  const runImmediately = split.runImmediately ?? (parts.kind !== 'CronJob' && parts.schedule.runImmediately === true);
  const definition: JobDefinition = {
    ...split.tickwise,
    name,
    schedule,
    // toad-scheduler skips a tick while the task still runs only with preventOverrun (the default
    // of interval jobs); without it, runs overlap.
    overlap: split.tickwise.overlap ?? (parts.preventOverrun ? 'skip' : 'allow'),
    run: handlerFor(parts.task, parts.id),
  };
  return {
    job,
    name,
    definition,
    errorHandler: parts.task.errorHandler,
    logger: split.logger ?? consoleLogger,
    runImmediately,
  };
}

function duplicate(name: string, cause?: unknown): ToadJobError {
  return new ToadJobError(
    'DUPLICATE_JOB',
    'a job with this name is already registered on the scheduler; give one of them { name }',
    { job: name, cause },
  );
}

function wire(scheduler: Scheduler, prepared: Prepared, paused: boolean): void {
  const { name, logger } = prepared;
  routeFailures(scheduler, name, { errorHandler: prepared.errorHandler, logger });
  if (paused) scheduler.pause(name);
  if (prepared.runImmediately && !paused) {
    whenStarted(scheduler, () => {
      scheduler.trigger(name).catch((error: unknown) => {
        logger.error({ job: name, err: error }, `tickwise: the immediate run of ${name} could not start`);
      });
    });
  }
}

/** Stops the job under toad-scheduler and keeps it from starting there again. */
function retire(prepared: Prepared, toad?: ToadScheduler): void {
  const { job, name } = prepared;
  job.stop();
  if (toad && job.id !== undefined) toad.removeById(job.id);
  moved.add(job);
  job.start = () => {
    throw new ToadJobError(
      'JOB_MOVED',
      'this toad job now runs on a Tickwise scheduler; it cannot start under toad-scheduler too',
      { job: name },
    );
  };
}

/**
 * Registers one toad-scheduler job (SimpleIntervalJob, LongIntervalJob or CronJob) on a Tickwise
 * scheduler, then stops it under toad-scheduler: from then on its `start()` throws JOB_MOVED. A
 * job registered on a ToadScheduler stays listed there; use fromToadScheduler() to move those.
 * Throws ToadJobError (or Tickwise's JobDefinitionError for a bad Tickwise option) and changes
 * nothing when the job cannot move.
 */
export function addToadJob(scheduler: Scheduler, job: Job, options: ToadJobOptions = {}): JobInfo {
  const prepared = prepare(job, options);
  let info: JobInfo;
  try {
    info = scheduler.add(prepared.definition);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'DUPLICATE_JOB') throw duplicate(prepared.name, error);
    throw error;
  }
  wire(scheduler, prepared, false);
  retire(prepared);
  return info;
}

/**
 * Moves every job of a ToadScheduler (id-less ones included, so none is left behind) onto a
 * Tickwise scheduler: each is added, then stopped and removed from the ToadScheduler. A job
 * stopped there (stopById) moves paused (scheduler.resume(name) starts it). All jobs are checked
 * first: when one cannot move, none moves and the ToadScheduler keeps running them all.
 */
export function fromToadScheduler(
  toad: ToadScheduler,
  scheduler: Scheduler,
  options: FromToadSchedulerOptions = {},
): JobInfo[] {
  const listed = jobsOfToadScheduler(toad);
  const perJob = options.jobs ?? {};
  const ids = new Set(listed.map(({ job }) => job.id));
  for (const id of Object.keys(perJob)) {
    if (!ids.has(id)) {
      throw new ToadJobError('UNKNOWN_JOB', 'options name this job, but the ToadScheduler has no job with this id', {
        job: id,
      });
    }
  }
  const prepared = listed.map(({ job, stopped }) => ({
    prepared: prepare(job, { ...options.defaults, ...(job.id === undefined ? {} : perJob[job.id]) }),
    stopped,
  }));
  const taken = new Set(scheduler.jobs().map((job) => job.name));
  for (const { prepared: entry } of prepared) {
    if (taken.has(entry.name)) throw duplicate(entry.name);
    taken.add(entry.name);
  }
  const infos = prepared.map(({ prepared: entry }) => scheduler.add(entry.definition));
  for (const { prepared: entry, stopped } of prepared) wire(scheduler, entry, stopped);
  for (const { prepared: entry } of prepared) retire(entry, toad);
  return infos;
}
