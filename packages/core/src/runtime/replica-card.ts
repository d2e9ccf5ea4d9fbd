// What this replica tells the fleet with each heartbeat (fleet-store.ts, ReplicaInfo): host, pid,
// service version, start time, jobs, clock offset — and its job catalog, sent only on the first
// beat and after the jobs changed (or the store lost its data), since a catalog of thousands of
// jobs is too big to send every five seconds.

import { hostname } from 'node:os';
import { CronSchedule } from '../schedule/cron-schedule.js';
import { EverySchedule } from '../schedule/every-schedule.js';
import type { JobState } from './job-state.js';
import type { CatalogEntry, ReplicaInfo } from './store.js';

/**
 * The catalog lists at most this many jobs (the first registered): a beat must stay small and fast
 * (1,000 entries are ~250 KB). `jobs` still counts them all; the fleet view knows the others from
 * their runs.
 */
export const MAX_CATALOG = 1000;

export interface CardSource {
  version: string | undefined;
  /** When start() began, store time; NaN before (the first beats come before it is set). */
  startedAt: () => number;
  /** Store time: the start time the first beats report, while startedAt() is not set yet. */
  now: () => number;
  jobs: () => Iterable<JobState>;
  jobCount: () => number;
  /** Grows whenever a job is added or removed. */
  generation: () => number;
  clockOffsetMs: () => number | null;
}

export class ReplicaCard {
  /** The generation whose catalog the store has; -1: none sent (or the store lost it). */
  private acknowledged = -1;
  private readonly host = hostname();

  constructor(private readonly source: CardSource) {}

  /** The details for the next beat, with the catalog when the store does not have the current one. */
  next(): { info: ReplicaInfo; generation: number } {
    const { source } = this;
    const generation = source.generation();
    const startedAt = source.startedAt();
    const info: ReplicaInfo = {
      host: this.host,
      pid: process.pid,
      ...(source.version === undefined ? {} : { version: source.version }),
      startedAt: Number.isNaN(startedAt) ? source.now() : startedAt,
      jobs: source.jobCount(),
      clockOffsetMs: source.clockOffsetMs(),
      ...(generation === this.acknowledged ? {} : { catalog: firstJobs(source.jobs()).map(catalogEntry) }),
    };
    return { info, generation };
  }

  /** The store answered a beat that carried `generation`'s details. */
  acknowledge(generation: number, withCatalog: boolean): void {
    if (withCatalog) this.acknowledged = generation;
  }

  /** The store lost its data: send the catalog again. */
  forget(): void {
    this.acknowledged = -1;
  }
}

function firstJobs(jobs: Iterable<JobState>): JobState[] {
  const out: JobState[] = [];
  for (const job of jobs) {
    if (out.length === MAX_CATALOG) break;
    out.push(job);
  }
  return out;
}

export function catalogEntry(job: JobState): CatalogEntry {
  const { info, schedule, options } = job;
  return {
    name: info.name,
    kind: info.kind,
    schedule: info.schedule,
    timezone: info.timezone,
    describe: info.describe,
    ...(schedule instanceof CronSchedule && schedule.dayMatch === 'and' ? { dayMatch: 'and' as const } : {}),
    ...(schedule instanceof EverySchedule && schedule.anchor.getTime() !== 0
      ? { anchorMs: schedule.anchor.getTime() }
      : {}),
    ...(info.owner === undefined ? {} : { owner: info.owner }),
    ...(info.description === undefined ? {} : { description: info.description }),
    ...(info.runbook === undefined ? {} : { runbook: info.runbook }),
    timeoutMs: options.timeoutMs,
    ...(options.expect?.durationMs ? { expectMs: options.expect.durationMs } : {}),
    ...(job.disabledReason === null ? {} : { disabledReason: job.disabledReason }),
  };
}
