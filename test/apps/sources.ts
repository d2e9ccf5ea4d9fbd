// The TypeScript sources of the Nest apps nest-apps.test.ts builds (the same files build against
// Nest 11 and Nest 12). Each job reports its runs with emit('fired', { job }).
// Classes that are injected are value imports: emitDecoratorMetadata records them at run time.

/** @nestjs/schedule jobs: @Cron, @Interval, @Timeout, and SchedulerRegistry injected and used. */
export const legacyJobs = `import { Injectable } from '@nestjs/common';
import { Cron, Interval, SchedulerRegistry, Timeout } from '@nestjs/schedule';
import { emit } from './harness-events.js';

@Injectable()
export class LegacyJobs {
  constructor(private readonly registry: SchedulerRegistry) {}

  @Cron('* * * * * *', { name: 'legacy-cron' })
  everySecond(): void {
    emit('fired', { job: 'legacy-cron' });
  }

  @Interval('legacy-interval', 200)
  poll(): void {
    emit('fired', { job: 'legacy-interval' });
  }

  @Timeout('legacy-timeout', 300)
  warmUp(): void {
    emit('fired', { job: 'legacy-timeout' });
    emit('registry', { crons: [...this.registry.getCronJobs().keys()], intervals: this.registry.getIntervals() });
    // A job added at run time through the injected registry.
    this.registry.addInterval('legacy-dynamic', setInterval(() => emit('fired', { job: 'legacy-dynamic' }), 200));
  }
}
`;

/**
 * Tickwise jobs (decorators from @tickwise/core), the Scheduler injected. \`drain\` takes 800 ms;
 * with TERM_AFTER_RUNS=n its n-th run sends SIGTERM to its own process while it runs, so the test
 * sees a shutdown during a run whatever the machine's load.
 */
export const tickwiseJobs = `import { Injectable } from '@nestjs/common';
import { Cron, Every, type RunContext, Scheduler } from '@tickwise/core';
import { emit } from './harness-events.js';

let drains = 0;

@Injectable()
export class TickwiseJobs {
  constructor(private readonly scheduler: Scheduler) {}

  @Every('1s')
  pulse(ctx: RunContext): void {
    emit('fired', { job: 'tickwise-every', instanceId: this.scheduler.instanceId, tick: ctx.scheduledAt.toISOString() });
  }

  @Cron('* * * * * *')
  seconds(): void {
    emit('fired', { job: 'tickwise-cron' });
  }

  @Every('1s')
  async drain(ctx: RunContext): Promise<void> {
    const run = ++drains;
    emit('drain:start', { run });
    if (String(run) === process.env.TERM_AFTER_RUNS) process.kill(process.pid, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 800));
    emit('drain:end', { run, aborted: ctx.signal.aborted });
  }
}
`;

/** TickwiseModule.forRoot() with Nest-only and scheduler options (missedAfterMs was not accepted before). */
const tickwiseModule = `TickwiseModule.forRoot({ instanceId: 'harness-app', missedAfterMs: 30_000, shutdownGraceMs: 20_000 })`;

/** (a) The "before codemod" baseline: a plain @nestjs/schedule app. */
export const scheduleApp: Record<string, string> = {
  'app.module.ts': `import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LegacyJobs } from './legacy-jobs.js';

@Module({ imports: [ScheduleModule.forRoot()], providers: [LegacyJobs] })
export class AppModule {}
`,
  'legacy-jobs.ts': legacyJobs,
};

/** (b) A Tickwise app. */
export const tickwiseApp: Record<string, string> = {
  'app.module.ts': `import { Module } from '@nestjs/common';
import { TickwiseModule } from '@tickwise/nestjs';
import { TickwiseJobs } from './tickwise-jobs.js';

@Module({ imports: [${tickwiseModule}], providers: [TickwiseJobs] })
export class AppModule {}
`,
  'tickwise-jobs.ts': tickwiseJobs,
};

/** (c) Both modules in one app, as during a migration. */
export const mixedApp: Record<string, string> = {
  'app.module.ts': `import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TickwiseModule } from '@tickwise/nestjs';
import { LegacyJobs } from './legacy-jobs.js';
import { TickwiseJobs } from './tickwise-jobs.js';

@Module({ imports: [ScheduleModule.forRoot(), ${tickwiseModule}], providers: [LegacyJobs, TickwiseJobs] })
export class AppModule {}
`,
  'legacy-jobs.ts': legacyJobs,
  'tickwise-jobs.ts': tickwiseJobs,
};
