// What a registered job is: its definition as the user wrote it, and the read-only view of it
// (JobInfo) that handlers, events, telemetry and health receive.

import type { Schedule, ScheduleKind } from '../schedule/schedule.js';
import type { JobOptions } from './job-options.js';
import type { Logger } from './logger.js';

/**
 * How a run came about: `start` the runOnStart run, `manual` scheduler.trigger() on this replica,
 * `fleet` a trigger request from the fleet controls (CLI, web page, editor), run by one replica.
 */
export type RunTrigger = 'schedule' | 'manual' | 'catch-up' | 'start' | 'fleet';

/** The job as handlers, events and health see it. */
export interface JobInfo {
  readonly name: string;
  readonly schedule: string;
  readonly kind: ScheduleKind;
  readonly timezone: string;
  /** Plain-English schedule: "At 09:00, Monday through Friday (Europe/Berlin)". */
  readonly describe: string;
  readonly owner?: string;
  readonly description?: string;
  readonly runbook?: string;
  /** Plain data, describe included. */
  toJSON(): Omit<JobInfo, 'toJSON'>;
}

/** What a handler receives. */
export interface RunContext {
  readonly job: JobInfo;
  /** The tick this run is for (for manual runs, when trigger() was called). */
  readonly scheduledAt: Date;
  /** When this attempt started. */
  readonly startedAt: Date;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** Aborts on timeout, shutdown, a lost lease, or cancel-other. Pass it to fetch, database calls, … */
  readonly signal: AbortSignal;
  /** Fencing token from the claim: grows with every takeover of a tick (0 for manual runs). */
  readonly fence: number;
  readonly trigger: RunTrigger;
  /** The scheduler's logger, bound to this job and tick. */
  readonly logger: Logger;
}

export type JobHandler = (context: RunContext) => unknown;

/** A plain-function job for `scheduler.add()`. */
export interface JobDefinition extends JobOptions {
  name: string;
  /** A Schedule (cron(), every(), at()) or a cron expression. */
  schedule: Schedule | string;
  run: JobHandler;
}
