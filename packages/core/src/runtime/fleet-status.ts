// The fleet's health, computed from what the store keeps (fleet-store.ts): the replicas and their
// catalogs, the run history and the controls. Pure: the same answer from any replica, the CLI or
// the web page, for the same store contents and the same instant.

import { at } from '../schedule/at-schedule.js';
import { cron } from '../schedule/cron-schedule.js';
import { every } from '../schedule/every-schedule.js';
import type { Schedule } from '../schedule/schedule.js';
import type { FleetControls, PauseRecord, ReplicaRecord } from './fleet-store.js';
import { pauseFor } from './fleet-store.js';
import { type HealthStatus, isOverdue } from './health.js';
import type { RunTrigger } from './job.js';
import type { CatalogEntry, RunOutcome, RunRecord } from './store.js';

export interface FleetStatusOptions {
  /** Consecutive failed runs (across replicas) after which a job counts as failing; default 3. */
  failingAfter?: number;
  /** Slack before a job counts as overdue, on top of its timeout; default 60 s. */
  graceMs?: number;
  /** Only runs that ended within this window count for the figures; default: all the store keeps. */
  windowMs?: number;
}

export interface FleetReplica {
  instanceId: string;
  host: string;
  pid: number;
  version?: string;
  startedAt: Date;
  lastSeen: Date;
  alive: boolean;
  jobs: number;
  clockOffsetMs: number | null;
}

export interface FleetPause {
  pattern: string;
  reason: string;
  by: string;
  at: Date;
  until: Date | null;
}

export interface FleetRun {
  outcome: RunOutcome;
  tick: Date;
  startedAt: Date;
  endedAt: Date;
  durationMs: number;
  lateMs: number;
  instanceId: string;
  trigger: RunTrigger;
  attempts: number;
  version?: string;
  error?: { type: string; message?: string };
}

export interface Percentiles {
  p50: number;
  p95: number;
}

export interface VersionFigures {
  version: string;
  runs: number;
  failures: number;
  /** failures / runs, 0 to 1. */
  failureRate: number;
  durationMs: Percentiles;
}

/**
 * The newest service version did worse than the one before it: its failure rate is higher by at
 * least 10 percentage points, or its p95 duration is at least 1.5 times (and 100 ms) longer; each
 * version needs at least 3 runs in the window for the comparison.
 */
export interface Regression {
  version: string;
  previous: string;
  failureRate?: { now: number; before: number };
  p95DurationMs?: { now: number; before: number };
}

export interface FleetJob {
  name: string;
  schedule?: string;
  timezone?: string;
  describe?: string;
  owner?: string;
  description?: string;
  runbook?: string;
  status: HealthStatus | 'paused';
  /** The live replicas that have it registered. */
  replicas: string[];
  paused: FleetPause | null;
  /** The next ticks by its schedule (from a live replica's catalog), up to 3. */
  nextRuns: Date[];
  lastRun: FleetRun | null;
  lastSuccess: Date | null;
  /** Failed runs (any outcome but success) in a row, newest first, across replicas. */
  failureStreak: number;
  runs: number;
  failures: number;
  durationMs: Percentiles | null;
  lateMs: Percentiles | null;
  /** Two ticks have passed (plus grace and timeout) since its last run, and no replica ran it. */
  overdue: boolean;
  /** The figures per service version, newest version first. */
  byVersion: VersionFigures[];
  regression: Regression | null;
}

export interface FleetHealth {
  scope: 'fleet';
  /** The worst job status (paused jobs do not count); degraded when no replica is alive. */
  status: HealthStatus;
  /** The store's clock when it was computed. */
  checkedAt: Date;
  /** False when the store keeps no run history (its `history: false`). */
  history: boolean;
  replicas: FleetReplica[];
  jobs: FleetJob[];
}

export interface FleetInput {
  now: number;
  replicas: readonly ReplicaRecord[];
  runs: readonly RunRecord[];
  controls: FleetControls;
  history: boolean;
}

const MIN_RUNS_TO_COMPARE = 3;

export function fleetHealth(input: FleetInput, options: FleetStatusOptions = {}): FleetHealth {
  const failingAfter = options.failingAfter ?? 3;
  const graceMs = options.graceMs ?? 60_000;
  const { now } = input;
  const oldest = options.windowMs === undefined ? Number.NEGATIVE_INFINITY : now - options.windowMs;

  const catalogs = new Map<string, { entry: CatalogEntry; live: string[]; startedAt: number }>();
  for (const replica of input.replicas) {
    if (!replica.alive) continue;
    for (const entry of replica.catalog) {
      const known = catalogs.get(entry.name);
      if (known) {
        known.live.push(replica.instanceId);
        known.startedAt = Math.min(known.startedAt, replica.startedAt);
      } else {
        catalogs.set(entry.name, { entry, live: [replica.instanceId], startedAt: replica.startedAt });
      }
    }
  }
  const runsByJob = new Map<string, RunRecord[]>();
  for (const run of input.runs) {
    if (run.startedAt + run.durationMs < oldest) continue;
    let list = runsByJob.get(run.job);
    if (!list) {
      list = [];
      runsByJob.set(run.job, list);
    }
    list.push(run);
  }
  const names = [...new Set([...catalogs.keys(), ...runsByJob.keys()])].sort();
  const jobs = names.map((name) => {
    const runs = (runsByJob.get(name) ?? []).sort((a, b) => endOf(b) - endOf(a));
    const known = catalogs.get(name);
    const pause = pauseFor(name, input.controls.pauses, now);
    return jobHealth(name, runs, known, pause, now, failingAfter, graceMs);
  });
  const live = input.replicas.some((replica) => replica.alive);
  let status: HealthStatus = live ? 'ok' : 'degraded';
  for (const job of jobs) status = worse(status, job.status);
  return {
    scope: 'fleet',
    status,
    checkedAt: new Date(now),
    history: input.history,
    replicas: input.replicas.map(replicaView),
    jobs,
  };
}

function jobHealth(
  name: string,
  runs: RunRecord[],
  known: { entry: CatalogEntry; live: string[]; startedAt: number } | undefined,
  pause: PauseRecord | null,
  now: number,
  failingAfter: number,
  graceMs: number,
): FleetJob {
  const entry = known?.entry;
  const schedule = entry ? scheduleOf(entry) : null;
  let failureStreak = 0;
  while (failureStreak < runs.length && (runs[failureStreak] as RunRecord).outcome !== 'success') failureStreak++;
  const failures = runs.filter((run) => run.outcome !== 'success').length;
  const lastSuccessRun = runs.find((run) => run.outcome === 'success');
  const scheduled = runs.filter((run) => run.trigger === 'schedule' || run.trigger === 'catch-up');
  const since = scheduled[0]?.tick ?? known?.startedAt;
  const disabledEverywhere = entry?.disabledReason !== undefined;
  const overdue =
    schedule !== null &&
    since !== undefined &&
    pause === null &&
    !disabledEverywhere &&
    isOverdue(schedule, since, now, graceMs + (entry?.timeoutMs ?? 0));
  const byVersion = versionFigures(runs);
  const regression = regressionOf(byVersion);
  let status: FleetJob['status'];
  if (pause) status = 'paused';
  else if (failureStreak >= failingAfter) status = 'failing';
  else if (failureStreak > 0 || overdue || regression) status = 'degraded';
  else status = 'ok';
  return {
    name,
    ...(entry && {
      schedule: entry.schedule,
      timezone: entry.timezone,
      describe: entry.describe,
      ...(entry.owner !== undefined && { owner: entry.owner }),
      ...(entry.description !== undefined && { description: entry.description }),
      ...(entry.runbook !== undefined && { runbook: entry.runbook }),
    }),
    status,
    replicas: known?.live.sort() ?? [],
    paused: pause && pauseView(pause),
    nextRuns: schedule ? safeNextRuns(schedule, now) : [],
    lastRun: runs[0] ? runView(runs[0]) : null,
    lastSuccess: lastSuccessRun ? new Date(endOf(lastSuccessRun)) : null,
    failureStreak,
    runs: runs.length,
    failures,
    durationMs: percentiles(runs.map((run) => run.durationMs)),
    lateMs: percentiles(runs.map((run) => run.lateMs)),
    overdue,
    byVersion,
    regression,
  };
}

/** Versions ordered by their first run in the window, newest version first. */
function versionFigures(runs: RunRecord[]): VersionFigures[] {
  const groups = new Map<string, { first: number; runs: RunRecord[] }>();
  for (const run of runs) {
    if (run.version === undefined) continue;
    const group = groups.get(run.version);
    if (group) {
      group.first = Math.min(group.first, run.startedAt);
      group.runs.push(run);
    } else {
      groups.set(run.version, { first: run.startedAt, runs: [run] });
    }
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].first - a[1].first)
    .map(([version, group]) => {
      const failures = group.runs.filter((run) => run.outcome !== 'success').length;
      return {
        version,
        runs: group.runs.length,
        failures,
        failureRate: failures / group.runs.length,
        durationMs: percentiles(group.runs.map((run) => run.durationMs)) as Percentiles,
      };
    });
}

function regressionOf(versions: VersionFigures[]): Regression | null {
  const [newest, previous] = versions;
  if (!newest || !previous) return null;
  if (newest.runs < MIN_RUNS_TO_COMPARE || previous.runs < MIN_RUNS_TO_COMPARE) return null;
  const failing = newest.failureRate >= previous.failureRate + 0.1;
  const now95 = newest.durationMs.p95;
  const before95 = previous.durationMs.p95;
  const slower = now95 >= before95 * 1.5 && now95 - before95 >= 100;
  if (!failing && !slower) return null;
  return {
    version: newest.version,
    previous: previous.version,
    ...(failing && { failureRate: { now: newest.failureRate, before: previous.failureRate } }),
    ...(slower && { p95DurationMs: { now: now95, before: before95 } }),
  };
}

/** Nearest-rank percentiles; null for no values. */
export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
  return { p50: rank(0.5), p95: rank(0.95) };
}

/** The schedule a catalog entry describes; null when this version of core cannot build it. */
export function scheduleOf(entry: CatalogEntry): Schedule | null {
  try {
    if (entry.kind === 'cron')
      return cron(entry.schedule, { timezone: entry.timezone, ...(entry.dayMatch && { dayMatch: entry.dayMatch }) });
    if (entry.kind === 'every') {
      const interval = /^\d+$/.test(entry.schedule) ? Number(entry.schedule) : entry.schedule;
      return every(interval, entry.anchorMs === undefined ? {} : { anchor: new Date(entry.anchorMs) });
    }
    return at(entry.schedule);
  } catch {
    return null;
  }
}

function safeNextRuns(schedule: Schedule, now: number): Date[] {
  try {
    return schedule.nextRuns(3, new Date(now));
  } catch {
    return [];
  }
}

const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, failing: 2 };

function worse(a: HealthStatus, b: FleetJob['status']): HealthStatus {
  if (b === 'paused') return a;
  return RANK[b] > RANK[a] ? b : a;
}

function endOf(run: RunRecord): number {
  return run.startedAt + run.durationMs;
}

function replicaView(replica: ReplicaRecord): FleetReplica {
  return {
    instanceId: replica.instanceId,
    host: replica.host,
    pid: replica.pid,
    ...(replica.version !== undefined && { version: replica.version }),
    startedAt: new Date(replica.startedAt),
    lastSeen: new Date(replica.lastSeen),
    alive: replica.alive,
    jobs: replica.jobs,
    clockOffsetMs: replica.clockOffsetMs,
  };
}

function pauseView(pause: PauseRecord): FleetPause {
  return {
    pattern: pause.pattern,
    reason: pause.reason,
    by: pause.by,
    at: new Date(pause.at),
    until: pause.until === null ? null : new Date(pause.until),
  };
}

export function runView(run: RunRecord): FleetRun {
  return {
    outcome: run.outcome,
    tick: new Date(run.tick),
    startedAt: new Date(run.startedAt),
    endedAt: new Date(endOf(run)),
    durationMs: run.durationMs,
    lateMs: run.lateMs,
    instanceId: run.instanceId,
    trigger: run.trigger,
    attempts: run.attempts,
    ...(run.version !== undefined && { version: run.version }),
    ...(run.error !== undefined && { error: run.error }),
  };
}
