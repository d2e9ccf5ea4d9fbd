// What stop() does, once: no tick fires or is claimed any more and buffered ticks are reported
// skipped; running jobs get the grace period, then their signals abort; every run settles (its
// claim completed or released), then the leases stop and the instance id is deregistered.

import type { AskAgainQueue } from './ask-again.js';
import type { ClaimBatcher } from './claim-batcher.js';
import type { Clock, TimerHandle } from './clock.js';
import { RunCancelledError } from './errors.js';
import type { FleetControlPoller } from './fleet-controls.js';
import type { ActiveRun } from './job-state.js';
import type { JobTable } from './job-table.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { Lifecycle, StopResult } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { Membership } from './membership.js';
import type { RunReport } from './run-report.js';
import type { TickQueue } from './tick-queue.js';

export interface ShutdownParts {
  /** Store time. */
  clock: Clock;
  logger: Logger;
  lifecycle: Lifecycle;
  membership: Pick<Membership, 'leave'>;
  controls: Pick<FleetControlPoller, 'stop'> | null;
  jobs: JobTable;
  ticks: Pick<TickQueue, 'clear'>;
  asks: Pick<AskAgainQueue, 'clear'>;
  claims: Pick<ClaimBatcher, 'cancelPending'>;
  leases: Pick<LeaseKeeper, 'close'>;
  report: Pick<RunReport, 'skip'>;
}

/** Resolves when every one of `runs` has ended. */
function settled(runs: ActiveRun[]): Promise<unknown> {
  return Promise.allSettled(runs.map((run) => run.done));
}

export class Shutdown {
  constructor(private readonly parts: ShutdownParts) {}

  async run(graceMs: number): Promise<StopResult> {
    const { clock, lifecycle, jobs, report } = this.parts;
    // A start() under way finishes first, so that what it sets up is torn down.
    await lifecycle.startSettled();
    const wasRunning = lifecycle.running;
    lifecycle.state = 'stopping';
    this.parts.controls?.stop();
    this.parts.ticks.clear(jobs.values());
    this.parts.asks.clear();
    this.parts.claims.cancelPending();
    for (const job of jobs.values()) {
      for (const waiting of job.buffer?.splice(0) ?? []) report.skip(job, waiting.tick, 'shutdown');
    }
    const running = jobs.activeRuns();
    if (running.length > 0) {
      let graceTimer: TimerHandle | null = null;
      const graceOver = new Promise<void>((resolve) => {
        graceTimer = clock.setTimer(resolve, graceMs);
      });
      await Promise.race([settled(running), graceOver]);
      (graceTimer as TimerHandle | null)?.cancel();
      for (const job of jobs.withDraining()) {
        for (const run of job.active ?? []) run.abort.abort(new RunCancelledError(job.info.name, 'shutdown'));
      }
      for (let runs = jobs.activeRuns(); runs.length > 0; runs = jobs.activeRuns()) await settled(runs);
    }
    this.parts.leases.close();
    if (wasRunning) await this.parts.membership.leave();
    lifecycle.state = 'stopped';
    const stillRunning = jobs.strayJobNames();
    this.parts.logger.info({ stillRunning }, 'tickwise: scheduler stopped');
    return { stillRunning };
  }
}
