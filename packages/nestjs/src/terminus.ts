// '@tickwise/nestjs/terminus': a @nestjs/terminus health indicator backed by scheduler.health().
// Kept apart so apps without terminus do not need it installed.

import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Scheduler } from '@tickwise/core';

export class TickwiseHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly scheduler: Scheduler,
  ) {}

  /**
   * Up while the scheduler's status is `ok` (or `degraded`, unless `failOnDegraded`); down when
   * it is `failing`, with the failing and overdue jobs, their owners and runbooks in the details.
   */
  async isHealthy(key = 'scheduler', options: { failOnDegraded?: boolean } = {}) {
    const indicator = this.indicators.check(key);
    const health = await this.scheduler.health();
    const troubled = health.jobs
      .filter((job) => job.consecutiveFailures > 0 || job.overdue)
      .map((job) => ({
        name: job.name,
        consecutiveFailures: job.consecutiveFailures,
        overdue: job.overdue,
        lastRun: job.lastRun ? { outcome: job.lastRun.outcome, tick: job.lastRun.tick } : null,
        owner: job.owner ?? null,
        runbook: job.runbook ?? null,
      }));
    // terminus reserves `status` for up/down: the scheduler's own status goes in `schedulerStatus`.
    const details = { schedulerStatus: health.status, scheduler: health.scheduler, jobs: health.jobs.length, troubled };
    const down = health.status === 'failing' || (options.failOnDegraded === true && health.status === 'degraded');
    return down ? indicator.down(details) : indicator.up(details);
  }
}

Injectable()(TickwiseHealthIndicator);
Inject(HealthIndicatorService)(TickwiseHealthIndicator, undefined, 0);
Inject(Scheduler)(TickwiseHealthIndicator, undefined, 1);
