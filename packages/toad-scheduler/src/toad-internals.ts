// The one module that reads toad-scheduler's internal fields. Nothing public exposes a job's
// schedule, task or preventOverrun, a task's handler and error handler, or a ToadScheduler's
// id-less jobs; 3.x and 4.x declare these `private` in their .d.ts and keep them as plain
// properties at run time. test/toad-internals.test.ts fails if a release moves any of them.

import {
  AsyncTask,
  CronJob,
  type Job,
  JobStatus,
  LongIntervalJob,
  SimpleIntervalJob,
  type SimpleIntervalSchedule,
  Task,
  type CronSchedule as ToadCronSchedule,
  type ToadScheduler,
} from 'toad-scheduler';
import { ToadJobError } from './errors.js';

export interface ToadTaskParts {
  /** The Task or AsyncTask itself: its public `isExecuting` flag is kept true while a run goes. */
  readonly task: Task | AsyncTask;
  readonly id: string;
  readonly isAsync: boolean;
  readonly handler: (taskId?: string, jobId?: string) => unknown;
  /** The task's error handler, or toad-scheduler's default (console.error) when none was given. */
  readonly errorHandler: (error: Error) => unknown;
}

interface CommonParts {
  readonly job: Job;
  readonly id: string | undefined;
  readonly preventOverrun: boolean;
  readonly task: ToadTaskParts;
}

export type ToadJobParts =
  | (CommonParts & {
      readonly kind: 'SimpleIntervalJob' | 'LongIntervalJob';
      readonly schedule: SimpleIntervalSchedule;
    })
  | (CommonParts & { readonly kind: 'CronJob'; readonly schedule: ToadCronSchedule });

type Fields = Record<string, unknown>;

function incompatible(what: string): ToadJobError {
  return new ToadJobError(
    'INCOMPATIBLE_TOAD',
    `${what}: this toad-scheduler release keeps it elsewhere than 3.x and 4.x; @tickwise/toad-scheduler needs an update`,
  );
}

function readTask(task: unknown, job: string): ToadTaskParts {
  if (!(task instanceof Task) && !(task instanceof AsyncTask)) {
    throw new ToadJobError('UNSUPPORTED_JOB', 'its task is neither a toad-scheduler Task nor an AsyncTask', { job });
  }
  const fields = task as unknown as Fields;
  const { id, handler, errorHandler } = fields;
  if (typeof handler !== 'function') throw incompatible(`a Task's handler (task.handler) is missing`);
  if (typeof errorHandler !== 'function') throw incompatible(`a Task's error handler (task.errorHandler) is missing`);
  if (typeof id !== 'string') throw incompatible(`a Task's id (task.id) is missing`);
  return {
    task,
    id,
    isAsync: task.isAsync === true,
    handler: handler as ToadTaskParts['handler'],
    errorHandler: errorHandler as ToadTaskParts['errorHandler'],
  };
}

/** What a toad job is made of. `label` names the job in errors. */
export function readToadJob(job: Job, label: string): ToadJobParts {
  const kind =
    job instanceof SimpleIntervalJob
      ? 'SimpleIntervalJob'
      : job instanceof LongIntervalJob
        ? 'LongIntervalJob'
        : job instanceof CronJob
          ? 'CronJob'
          : undefined;
  if (!kind) {
    throw new ToadJobError(
      'UNSUPPORTED_JOB',
      'only SimpleIntervalJob, LongIntervalJob and CronJob from toad-scheduler can move to Tickwise',
      { job: label },
    );
  }
  const fields = job as unknown as Fields;
  const { schedule, preventOverrun } = fields;
  if (typeof schedule !== 'object' || schedule === null) throw incompatible(`a ${kind}'s schedule (job.schedule)`);
  if (typeof preventOverrun !== 'boolean') throw incompatible(`a ${kind}'s preventOverrun (job.preventOverrun)`);
  const common = { job, id: job.id, preventOverrun, task: readTask(fields.task, label) };
  return kind === 'CronJob'
    ? { ...common, kind, schedule: schedule as ToadCronSchedule }
    : { ...common, kind, schedule: schedule as SimpleIntervalSchedule };
}

/** The task's id, for naming a job in errors before its parts are read. */
export function taskIdOf(job: Job): string | undefined {
  const id = ((job as unknown as Fields).task as Fields | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

export interface ListedJob {
  job: Job;
  /** Stopped there (stopById, or stop()): it moves paused. */
  stopped: boolean;
}

/**
 * Every job of a ToadScheduler, id-less ones included (getAllJobs() lists only jobs with an id):
 * interval jobs, then cron jobs, each in the order they were added. A job removed with removeById() stays in its engine's list but is
 * gone from the registry: it is left out.
 */
export function jobsOfToadScheduler(toad: ToadScheduler): ListedJob[] {
  const { engines, jobRegistry } = toad as unknown as Fields;
  if (typeof engines !== 'object' || engines === null) throw incompatible(`a ToadScheduler's engines (toad.engines)`);
  if (typeof jobRegistry !== 'object' || jobRegistry === null)
    throw incompatible(`a ToadScheduler's job registry (toad.jobRegistry)`);
  const registry = jobRegistry as Record<string, Job>;
  const listed: ListedJob[] = [];
  for (const key of ['simpleIntervalEngine', 'cronJobEngine']) {
    const engine = (engines as Fields)[key] as Fields | undefined;
    if (engine === undefined) continue;
    if (!Array.isArray(engine.jobs)) throw incompatible(`a ToadScheduler engine's jobs (toad.engines.${key}.jobs)`);
    for (const job of engine.jobs as Job[]) {
      if (job.id !== undefined && registry[job.id] !== job) continue;
      listed.push({ job, stopped: job.getStatus() === JobStatus.STOPPED });
    }
  }
  // Jobs in the registry but in no engine would mean a layout this module does not know.
  const seen = new Set(listed.map((entry) => entry.job));
  for (const job of Object.values(registry)) {
    if (!seen.has(job)) throw incompatible(`job '${job.id}' is registered but in no engine`);
  }
  return listed;
}
