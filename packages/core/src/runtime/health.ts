// The health snapshot: is the scheduler up, is each job on time, is anything failing, who owns it.
// Pure: computed from job state, the schedule and the clock; the store ping is passed in.

import { nextTickMs, type Schedule } from '../schedule/schedule.js';
import type { JobInfo } from './job.js';
import type { NormalizedExpectation } from './job-options.js';
import type { LastRunSnapshot } from './job-state.js';

export type HealthStatus = 'ok' | 'degraded' | 'failing';

export interface HealthOptions {
  /** Consecutive failed runs after which a job counts as failing; default 3 (1 or 2 is degraded). */
  failingAfter?: number;
  /** Slack before a job counts as overdue, on top of its timeout; default 60 s. */
  graceMs?: number;
  /** A store round trip slower than this makes the scheduler degraded; default 1 s. */
  slowStoreMs?: number;
  /**
   * A clock further than this from the store's makes the scheduler degraded; default 2 s. Ticks
   * still go by the store's clock; logs, traces and the machine's other work do not.
   */
  maxClockOffsetMs?: number;
}

export interface JobHealth {
  name: string;
  schedule: string;
  timezone: string;
  describe: string;
  owner?: string;
  description?: string;
  runbook?: string;
  /** `disabled` and `paused` jobs do not count towards the overall status. */
  status: HealthStatus | 'disabled' | 'paused';
  enabled: boolean;
  disabledReason?: string;
  paused: boolean;
  nextRun: Date | null;
  lastRun: LastRunSnapshot | null;
  lastSuccess: Date | null;
  consecutiveFailures: number;
  /** Two ticks have passed (plus grace) since the last success — or since the scheduler started. */
  overdue: boolean;
  running: number;
  strayHandlers: number;
  /** The job's `expect` option, when it has one (durations in ms; `result`: a result check is set). */
  expect?: { durationMs?: number; successWithinMs?: number; result?: true };
  /** The last run took longer than `expect.duration`, or a run still going already has (degraded). */
  slow: boolean;
  /** No success within `expect.successWithin`, counted from the last success or from start() (failing). */
  successOverdue: boolean;
}

export interface StoreHealth {
  reachable: boolean;
  roundTripMs: number | null;
  error?: string;
  /** The store's clock minus this machine's, ms, as measured by the heartbeat; null before (and for the in-process store). */
  clockOffsetMs: number | null;
  /** When this scheduler noticed that the store had lost its data (a restart without persistence); null if never. */
  dataLossDetectedAt: Date | null;
  /** Another live scheduler registered this scheduler's instance id. */
  instanceIdConflict: boolean;
}

export interface HealthSnapshot {
  status: HealthStatus;
  checkedAt: Date;
  instanceId: string;
  scheduler: 'idle' | 'running' | 'stopping' | 'stopped';
  store: StoreHealth;
  jobs: JobHealth[];
}

export interface JobHealthInput {
  info: JobInfo;
  schedule: Schedule;
  timeoutMs: number;
  disabledReason: string | null;
  paused: boolean;
  nextTick: number;
  lastRun: JobHealth['lastRun'] | undefined;
  lastSuccess: number | undefined;
  lastSuccessTick: number | undefined;
  consecutiveFailures: number;
  running: number;
  /** How long the longest run still in its handler has been going, ms (0 when none). */
  runningForMs: number;
  strayHandlers: number;
  expect: NormalizedExpectation | null;
}

/** Whether two ticks after `since` have both passed (plus grace) by `now`. */
export function isOverdue(schedule: Schedule, since: number, now: number, graceMs: number): boolean {
  const first = nextTickMs(schedule, since);
  if (Number.isNaN(first)) return false;
  const second = nextTickMs(schedule, first);
  return !Number.isNaN(second) && now > second + graceMs;
}

export function jobHealth(
  job: JobHealthInput,
  now: number,
  startedAt: number | null,
  options: HealthOptions,
): JobHealth {
  const failingAfter = options.failingAfter ?? 3;
  const graceMs = (options.graceMs ?? 60_000) + job.timeoutMs;
  const active = job.disabledReason === null && !job.paused;
  const reference = job.lastSuccessTick ?? startedAt;
  const overdue = active && reference !== null && isOverdue(job.schedule, reference, now, graceMs);
  const { expect } = job;
  const expectedMs = expect?.durationMs ?? 0;
  const slow = expectedMs > 0 && (job.runningForMs > expectedMs || job.lastRun?.slow === true);
  // A paused job is still owed its success: successWithin is about the job doing its work.
  const successSince = job.lastSuccess ?? startedAt;
  const successOverdue =
    expect !== null &&
    expect.successWithinMs > 0 &&
    successSince !== null &&
    now - successSince > expect.successWithinMs;
  let status: JobHealth['status'];
  if (job.disabledReason !== null) status = 'disabled';
  // Paused past its success window: the pause itself has become the outage.
  else if (job.paused && !successOverdue) status = 'paused';
  else if (overdue || successOverdue || job.consecutiveFailures >= failingAfter) status = 'failing';
  else if (job.consecutiveFailures > 0 || job.strayHandlers > 0 || slow) status = 'degraded';
  else status = 'ok';
  return {
    name: job.info.name,
    schedule: job.info.schedule,
    timezone: job.info.timezone,
    describe: job.info.describe,
    ...(job.info.owner !== undefined && { owner: job.info.owner }),
    ...(job.info.description !== undefined && { description: job.info.description }),
    ...(job.info.runbook !== undefined && { runbook: job.info.runbook }),
    status,
    enabled: job.disabledReason === null,
    ...(job.disabledReason !== null && { disabledReason: job.disabledReason }),
    paused: job.paused,
    nextRun: Number.isNaN(job.nextTick) ? null : new Date(job.nextTick),
    lastRun: job.lastRun ? { ...job.lastRun } : null,
    lastSuccess: job.lastSuccess === undefined ? null : new Date(job.lastSuccess),
    consecutiveFailures: job.consecutiveFailures,
    overdue,
    running: job.running,
    strayHandlers: job.strayHandlers,
    ...(expect !== null && { expect: expectationOf(expect) }),
    slow,
    successOverdue,
  };
}

/** The expectation as health and jobs() show it (ms, and whether a result check is set). */
export function expectationOf(expect: NormalizedExpectation): NonNullable<JobHealth['expect']> {
  return {
    ...(expect.durationMs > 0 && { durationMs: expect.durationMs }),
    ...(expect.successWithinMs > 0 && { successWithinMs: expect.successWithinMs }),
    ...(expect.result !== null && { result: true as const }),
  };
}

/** The overall status: failing beats degraded beats ok. */
export function overallStatus(
  scheduler: HealthSnapshot['scheduler'],
  store: StoreHealth,
  jobs: JobHealth[],
  options: HealthOptions,
): HealthStatus {
  if (scheduler !== 'running' || !store.reachable || jobs.some((j) => j.status === 'failing')) return 'failing';
  const slow = store.roundTripMs !== null && store.roundTripMs > (options.slowStoreMs ?? 1000);
  const skewed = store.clockOffsetMs !== null && Math.abs(store.clockOffsetMs) > (options.maxClockOffsetMs ?? 2000);
  const suspect = store.dataLossDetectedAt !== null || store.instanceIdConflict;
  if (slow || skewed || suspect || jobs.some((j) => j.status === 'degraded')) return 'degraded';
  return 'ok';
}
