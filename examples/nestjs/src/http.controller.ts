import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
// Value imports (not `import type`): Nest injects by the classes emitDecoratorMetadata records.
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Scheduler } from '@tickwise/core';
import { TickwiseHealthIndicator } from '@tickwise/nestjs/terminus';

@Controller()
export class HttpController {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly health: HealthCheckService,
    private readonly jobsHealth: TickwiseHealthIndicator,
  ) {}

  /** 200 while the scheduler is ok or degraded, 503 when it is failing (terminus). */
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.jobsHealth.isHealthy('scheduler')]);
  }

  /** Every job with owner, description, runbook, next and last run. */
  @Get('jobs')
  jobs() {
    return this.scheduler.jobs();
  }

  @Post('jobs/:name/run')
  async run(@Param('name') name: string) {
    const result = await this.scheduler.trigger(name);
    return { outcome: result.outcome };
  }

  @Post('jobs/:name/pause')
  @HttpCode(204)
  pause(@Param('name') name: string): void {
    this.scheduler.pause(name);
  }

  @Post('jobs/:name/resume')
  @HttpCode(204)
  resume(@Param('name') name: string): void {
    this.scheduler.resume(name);
  }
}
