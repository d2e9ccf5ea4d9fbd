// Parts for unit tests of the tick's steps: jobs as the scheduler holds them, runs in progress,
// a lifecycle to set by hand and a report that records what it is told.

import { every, type JobDefinition } from '@tickwise/core';
import { AbortSource } from '../../../src/runtime/abort-source.js';
import type { SkipReason } from '../../../src/runtime/events.js';
import { buildJob, sourceFromDefinition } from '../../../src/runtime/job-registry.js';
import { type ActiveRun, JobState } from '../../../src/runtime/job-state.js';
import { Lifecycle } from '../../../src/runtime/lifecycle.js';

export const T0 = Date.parse('2026-01-05T00:00:00Z');

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** `hh:mm:ss` of an epoch-ms tick, for compact assertions. */
export const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** A registered job: `every('1m')` unless told otherwise, registration order `order`. */
export function jobState(
  definition: Partial<JobDefinition> = {},
  order = 0,
  disabledReason: string | null = null,
): JobState {
  const built = buildJob(sourceFromDefinition({ name: 'job', schedule: every('1m'), run: () => {}, ...definition }));
  return new JobState(built, order, disabledReason);
}

/** A run of `job` in progress (past its claim unless `claimed` is false), in its active list. */
export function activeRun(job: JobState, tick: number, fields: Partial<ActiveRun> = {}): ActiveRun {
  const run: ActiveRun = {
    abort: new AbortSource(),
    tick,
    done: null,
    leaseRenewed: null,
    claimed: true,
    recording: false,
    startedAt: tick,
    claimAs: null,
    ...fields,
  };
  job.addActive(run);
  return run;
}

/** A lifecycle in `state`. */
export function lifecycle(state: Lifecycle['state'] = 'running'): Lifecycle {
  const value = new Lifecycle();
  value.state = state;
  return value;
}

/** A report that keeps `skip job hh:mm:ss reason [xN]` lines. */
export function recordingReport() {
  const lines: string[] = [];
  return {
    lines,
    skip(job: { info: { name: string } }, tick: number, reason: SkipReason, count = 1) {
      lines.push(`skip ${job.info.name} ${hms(tick)} ${reason}${count > 1 ? ` x${count}` : ''}`);
    },
  };
}
