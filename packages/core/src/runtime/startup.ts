// What start() does, once: the store checked (its init()), the instance registered and the clocks
// compared (membership.ts), the fleet controls read (fleet-controls.ts), then every job queued — with a durable store and catch-up, from the
// job's last completed tick; otherwise from now, watching the latest ticks another replica may
// still hold — and the runOnStart runs started.

import { nextTickMs } from '../schedule/schedule.js';
import type { AskAgainQueue } from './ask-again.js';
import type { ClaimBatcher } from './claim-batcher.js';
import type { Clock } from './clock.js';
import type { FleetControlPoller } from './fleet-controls.js';
import type { ClaimOverride, JobState, RunResult } from './job-state.js';
import type { JobTable } from './job-table.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { Membership } from './membership.js';
import { runOnStart, type StartHost } from './run-on-start.js';
import type { RunReport } from './run-report.js';
import type { ClaimStore } from './store.js';
import type { TickQueue } from './tick-queue.js';
import type { TickRunner } from './tick-runner.js';

/** How many of a job's latest ticks a starting replica asks about (see probePreviousTicks). */
const PROBED_TICKS = 2;

export interface StartupParts {
  instanceId: string;
  store: ClaimStore;
  /** Store time. */
  clock: Clock;
  logger: Logger;
  lifecycle: Lifecycle;
  membership: Membership;
  /** The fleet controls, read before any tick is queued (a fleet pause holds from the first tick); null without fleet state. */
  controls: Pick<FleetControlPoller, 'start'> | null;
  jobs: JobTable;
  ticks: TickQueue;
  asks: AskAgainQueue;
  claims: ClaimBatcher;
  runner: TickRunner;
  report: RunReport;
}

export class Startup {
  constructor(private readonly parts: StartupParts) {}

  async run(): Promise<void> {
    const { store, clock, lifecycle, jobs, ticks, logger } = this.parts;
    // A misconfigured store fails here, with a StoreError, before any tick.
    await store.init?.();
    await this.parts.membership.join();
    await this.parts.controls?.start();
    lifecycle.state = 'running';
    const now = clock.now();
    lifecycle.startedAt = now;
    for (const job of jobs.values()) {
      let resumeFrom: number | null = null;
      if (store.durable && job.options.catchUp.policy !== 'none') {
        try {
          resumeFrom = await store.lastCompletedTick(job.info.name);
        } catch (error) {
          logger.warn(
            { job: job.info.name, err: error },
            'tickwise: could not read the last completed tick; no catch-up',
          );
        }
      }
      if (resumeFrom !== null) {
        job.lastTick = resumeFrom;
        ticks.set(job, nextTickMs(job.schedule, resumeFrom));
      } else {
        ticks.queueFirst(job, now);
        if (store.durable) this.probePreviousTicks(job, now);
      }
    }
    ticks.start();
    this.parts.asks.start();
    logger.info({ jobs: jobs.size, instanceId: this.parts.instanceId }, 'tickwise: scheduler started');
    const host = this.startHost();
    for (const job of jobs.values()) if (job.options.runOnStart) void runOnStart(host, job);
  }

  /** What the runOnStart runs need: they go through the gate's checks, then are claimed like ticks. */
  private startHost(): StartHost {
    const { clock, claims, lifecycle, jobs, runner, report } = this.parts;
    return {
      clock,
      claims,
      execute: (job: JobState, tick: number, claimAs: ClaimOverride): Promise<RunResult> => {
        if (!lifecycle.running || !jobs.has(job)) return Promise.resolve({ outcome: 'skipped', reason: 'shutdown' });
        if (job.paused) {
          report.skip(job, tick, 'paused');
          return Promise.resolve({ outcome: 'skipped', reason: 'paused' });
        }
        return runner.start(job, tick, 'start', undefined, false, claimAs);
      },
      skip: (job, tick, reason) => report.skip(job, tick, reason),
    };
  }

  /**
   * A replica that starts while another holds one of the job's latest ticks watches those ticks
   * too: if the holder dies (or released it at shutdown), the tick is taken over even when every
   * replica that saw it come has gone since (a rolling deploy). The two latest ticks: a replica
   * that comes up a little after the next tick (a slow start) still sees the one held before it.
   * Asks only about records that exist (takeover-only claims, in the start-up batch).
   */
  private probePreviousTicks(job: JobState, now: number): void {
    let before = now + 1;
    for (let i = 0; i < PROBED_TICKS; i++) {
      const previous = job.schedule.previous(new Date(before))?.getTime();
      if (previous === undefined || now - previous > job.options.catchUp.windowMs) return;
      job.lastTick = Math.max(job.lastTick, previous);
      void this.parts.runner.start(job, previous, 'catch-up', undefined, 'probe');
      before = previous;
    }
  }
}
