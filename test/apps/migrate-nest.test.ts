// `tickwise migrate nestjs-schedule` never breaks an app: a real Nest 11 and Nest 12 app (built with
// tsc, booted with node through harness.ts) runs every job before the codemod, after converting
// the whole project (a @Timeout and a SchedulerRegistry injection are left), and after converting
// one folder only. Jobs run on real timers; waits have generous deadlines, nothing is timed.

import assert from 'node:assert/strict';
import { nestRules } from '../../packages/analyzer/src/library-semantics.js';
import type { MigrationContext } from '../../packages/analyzer/src/migrate/nestjs-schedule.js';
import { migrateProject } from '../../packages/analyzer/src/migrate/project-migration.js';
import { nestFactsOf } from '../../packages/analyzer/src/nest-facts.js';
import { projectWiringDiagnostics } from '../../packages/analyzer/src/project-checks.js';
import { type BuiltNestApp, buildNestApp, type NestAppProcess, type NestMajor } from './harness.js';

const appModule = `import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Fast } from './fast/fast.jobs.js';
import { Later } from './later/later.jobs.js';
import { Registry } from './registry.service.js';

@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [Fast, Later, Registry],
})
export class AppModule {}
`;

const fastJobs = `import { Injectable } from '@nestjs/common'
import { Cron, CronExpression, Interval, Timeout } from '@nestjs/schedule'
import { emit } from '../harness-events.js'

@Injectable()
export class Fast {
  @Cron(CronExpression.EVERY_SECOND, { name: 'fast-cron' })
  cron(): void {
    emit('fired', { job: 'fast-cron' })
  }

  @Interval('fast-interval', 300)
  poll(): void {
    emit('fired', { job: 'fast-interval' })
  }

  @Timeout(200)
  once(): void {
    emit('fired', { job: 'fast-timeout' })
  }
}
`;

const laterJobs = `import { Injectable } from '@nestjs/common';
import { Cron, Interval } from '@nestjs/schedule';
import { emit } from '../harness-events.js';

@Injectable()
export class Later {
  @Cron('*/2 * * * * *')
  everyOtherSecond(): void {
    emit('fired', { job: 'later-cron' });
  }

  @Interval(2 * 200)
  poll(): void {
    emit('fired', { job: 'later-interval' });
  }
}
`;

const registry = `import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { emit } from './harness-events.js';

@Injectable()
export class Registry implements OnApplicationBootstrap {
  constructor(private readonly registry: SchedulerRegistry) {}

  onApplicationBootstrap(): void {
    this.registry.addInterval('dynamic', setInterval(() => emit('fired', { job: 'dynamic' }), 300));
  }
}
`;

const ORIGINAL: Record<string, string> = {
  'app.module.ts': appModule,
  'fast/fast.jobs.ts': fastJobs,
  'later/later.jobs.ts': laterJobs,
  'registry.service.ts': registry,
};

const JOBS: [job: string, runs: number][] = [
  ['fast-cron', 2],
  ['fast-interval', 2],
  ['fast-timeout', 1],
  ['later-cron', 2],
  ['later-interval', 2],
  ['dynamic', 2],
];

const nest6 = nestRules('6.1.3');
const context: MigrationContext = {
  monthsFromZero: false,
  cronExpression: (member) => nest6.member(member),
};

/** The codemod's output for the files it would write, selected by path prefix. */
function migrated(selected: (path: string) => boolean): Record<string, string> {
  const plan = migrateProject(
    Object.entries(ORIGINAL).map(([name, text]) => ({ name, text, selected: selected(name) })),
    context,
  );
  const files = { ...ORIGINAL };
  for (const file of plan.files) files[file.name] = file.text;
  return files;
}

const STATES: Record<string, Record<string, string>> = {
  before: ORIGINAL,
  'after migrating the whole project (@Timeout and SchedulerRegistry left)': migrated(() => true),
  'after migrating one folder (fast/)': migrated((path) => path.startsWith('fast/')),
};

describe('tickwise migrate nestjs-schedule never breaks a real Nest app', function () {
  this.timeout(120_000);
  const built: BuiltNestApp[] = [];
  const runs = new Map<string, NestAppProcess>();

  before(function () {
    this.timeout(600_000);
    for (const nest of [11, 12] as NestMajor[]) {
      Object.entries(STATES).forEach(([state, files], i) => {
        const app = buildNestApp({ nest, name: `migrate-${i}`, files });
        built.push(app);
        runs.set(`${nest} ${state}`, app.boot());
      });
    }
  });
  after(async () => {
    for (const app of built.splice(0)) await app.dispose();
  });

  it('the migrated states are what the test means: Tickwise jobs and @nestjs/schedule ones side by side', () => {
    const all = STATES['after migrating the whole project (@Timeout and SchedulerRegistry left)'] as Record<
      string,
      string
    >;
    assert.match(
      all['fast/fast.jobs.ts'] as string,
      /import { Timeout } from '@nestjs\/schedule'\nimport { Cron, Every } from '@tickwise\/core'\n/,
    );
    assert.match(all['later/later.jobs.ts'] as string, /import { Cron, Every } from '@tickwise\/core';/);
    assert.match(
      all['app.module.ts'] as string,
      /imports: \[ScheduleModule\.forRoot\(\), TickwiseModule\.forRoot\(\)\]/,
    );
    const folder = STATES['after migrating one folder (fast/)'] as Record<string, string>;
    assert.equal(folder['later/later.jobs.ts'], laterJobs);
    assert.match(folder['app.module.ts'] as string, /TickwiseModule\.forRoot\(\)/);
    // and check calls each state well wired
    for (const files of Object.values(STATES)) {
      const facts = Object.entries(files).map(([name, text]) => nestFactsOf(name, text));
      assert.deepEqual(projectWiringDiagnostics(facts), []);
    }
  });

  for (const nest of [11, 12] as NestMajor[]) {
    describe(`Nest ${nest}`, () => {
      for (const state of Object.keys(STATES)) {
        it(`${state}: boots, and every job fires`, async () => {
          const run = runs.get(`${nest} ${state}`) as NestAppProcess;
          await run.waitFor('ready');
          for (const [job, count] of JOBS) await run.waitFor('fired', { job }, { count });
          assert.equal(run.eventsOf('boot-failed').length, 0, run.output);
          assert.doesNotMatch(run.output, /can't resolve dependencies/i);
        });
      }
    });
  }
});
