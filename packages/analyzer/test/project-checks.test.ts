import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nestFactsOf } from '../src/nest-facts.js';
import { projectWiringDiagnostics } from '../src/project-checks.js';
import { cli, FIXTURES, NOW } from './helpers.js';

const BROKEN = join(FIXTURES, 'nest-broken');

interface Printed {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  message: string;
}

const wiring = (files: Record<string, string>) =>
  projectWiringDiagnostics(Object.entries(files).map(([name, text]) => nestFactsOf(name, text))).map(
    (d) => `${d.file}:${d.span.line + 1}:${d.span.character + 1} ${d.code}`,
  );

describe('tickwise check: how a Nest app is wired (TW320-TW322)', () => {
  it('finds every broken state of a half-migrated app, at the decorator or the injection', async () => {
    const { code, out } = await cli(BROKEN, 'check', '--format', 'json', '--now', NOW.toISOString());
    assert.equal(code, 1);
    const diagnostics = JSON.parse(out).diagnostics as Printed[];
    const text = (d: Printed) => {
      const lines = readFileSync(join(BROKEN, d.file), 'utf8').split('\n');
      return d.line === d.endLine ? lines[d.line - 1]?.slice(d.column - 1, d.endColumn - 1) : undefined;
    };
    assert.deepEqual(
      diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${text(d)}`),
      [
        "src/billing/billing.service.ts:7:3 TW320 @Cron('0 3 * * *', { timeZone: 'Europe/Paris' })",
        "src/billing/billing.service.ts:10:3 TW321 @Every('5m')",
        'src/billing/invoices.ts:5:3 TW320 @Interval(60_000)',
        'src/billing/ledger.ts:6:3 TW320 @Timeout(1000)',
        'src/billing/ledger.ts:6:3 TW322 @Timeout(1000)',
        "src/billing/ledger.ts:9:3 TW321 @Tick('0 0 * * *')",
        'src/locks.service.ts:6:42 TW320 SchedulerRegistry',
      ],
    );
    const message = (code: string, file: string) =>
      diagnostics.find((d) => d.code === code && d.file === file)?.message;
    assert.equal(
      message('TW320', 'src/billing/billing.service.ts'),
      "@Cron from @nestjs/schedule never fires: no ScheduleModule.forRoot() in this app (add it to the root module's imports)",
    );
    assert.equal(
      message('TW321', 'src/billing/billing.service.ts'),
      "@Every never fires: this Nest app has no TickwiseModule.forRoot() (add it to the root module's imports, from @tickwise/nestjs)",
    );
    assert.equal(
      message('TW322', 'src/billing/ledger.ts'),
      "@Timeout from @nestjs/schedule never fires: Ledger is not a Nest provider (not @Injectable() or @Controller(), and in no module's providers or controllers), so Nest never creates it",
    );
    assert.match(
      message('TW320', 'src/locks.service.ts') ?? '',
      /Nest fails at start-up \(can't resolve dependencies\)/,
    );
  });

  it('decides over the whole project when only one folder is checked', async () => {
    const { out } = await cli(BROKEN, 'check', 'src/billing/invoices.ts', '--now', NOW.toISOString());
    assert.equal(
      out,
      "src/billing/invoices.ts:5:3: error TW320: @Interval from @nestjs/schedule never fires: no ScheduleModule.forRoot() in this app (add it to the root module's imports)",
    );
  });

  it("the first codemod's result (ScheduleModule replaced while a @Timeout remains) fails check", () => {
    assert.deepEqual(
      wiring({
        'app.module.ts':
          "import { Module } from '@nestjs/common';\nimport { TickwiseModule } from '@tickwise/nestjs';\n@Module({ imports: [TickwiseModule.forRoot()], providers: [Jobs] })\nexport class AppModule {}\nimport { Jobs } from './jobs';\n",
        'jobs.ts':
          "import { Injectable } from '@nestjs/common';\nimport { Timeout } from '@nestjs/schedule';\nimport { Cron } from '@tickwise/core';\n@Injectable()\nexport class Jobs {\n  @Timeout(5000)\n  warm() {}\n  @Cron('0 9 * * *')\n  daily() {}\n}\n",
      }),
      ['jobs.ts:6:3 TW320'],
    );
  });

  it('one folder migrated without TickwiseModule: the converted jobs fail check', () => {
    assert.deepEqual(
      wiring({
        'app.module.ts':
          "import { Module } from '@nestjs/common';\nimport { ScheduleModule } from '@nestjs/schedule';\n@Module({ imports: [ScheduleModule.forRoot()] })\nexport class AppModule {}\n",
        'jobs.ts':
          "import { Injectable } from '@nestjs/common';\nimport { Every } from '@tickwise/core';\n@Injectable()\nexport class Jobs {\n  @Every('1m')\n  tick() {}\n}\n",
      }),
      ['jobs.ts:5:3 TW321'],
    );
  });

  it('says nothing where Nest does find the job', () => {
    const module = (providers: string) =>
      `import { Module } from '@nestjs/common';\nimport { ScheduleModule } from '@nestjs/schedule';\nimport { TickwiseModule } from '@tickwise/nestjs';\n${providers}\n`;
    const job = (decorators: string, cls = 'Jobs') =>
      `import { Cron } from '@nestjs/schedule';\n${decorators}\nexport class ${cls} {\n  @Cron('0 9 * * *')\n  daily() {}\n}\n`;
    // listed through a spread constant, useClass, or a dynamic module's providers
    assert.deepEqual(
      wiring({
        'a.ts': module(
          "const JOBS = [Jobs];\n@Module({ imports: [ScheduleModule.forRoot(), TickwiseModule.forRoot()], providers: [...JOBS, { provide: 'x', useClass: Other }] })\nexport class A {}\nexport class Dyn { static forRoot() { return { module: Dyn, providers: [Third] }; } }",
        ),
        'jobs.ts': job(''),
        'other.ts': job('', 'Other'),
        'third.ts': job('', 'Third'),
        'injectable.ts': job("import { Injectable } from '@nestjs/common';\n@Injectable()", 'Fourth'),
      }),
      [],
    );
    // a base class whose subclass is the provider
    assert.deepEqual(
      wiring({
        'a.ts': module('@Module({ imports: [ScheduleModule.forRoot()], providers: [Child] })\nexport class A {}'),
        'base.ts': `${job('', 'Base')}export class Child extends Base {}\n`,
      }),
      [],
    );
    // a provider list imported from a file the check did not read: no guess
    assert.deepEqual(
      wiring({
        'a.ts': module(
          "import { PROVIDERS } from './providers';\n@Module({ imports: [ScheduleModule.forRoot()], providers: PROVIDERS })\nexport class A {}",
        ),
        'jobs.ts': job(''),
      }),
      [],
    );
    // Tickwise jobs outside a Nest app, or registered by hand on a Scheduler, need no module
    assert.deepEqual(
      wiring({
        'plain.ts': "import { Cron } from '@tickwise/core';\nexport class R {\n  @Cron('0 9 * * *')\n  d() {}\n}\n",
      }),
      [],
    );
    assert.deepEqual(
      wiring({
        'main.ts':
          "import { NestFactory } from '@nestjs/core';\nimport { Cron, Scheduler } from '@tickwise/core';\nclass R {\n  @Cron('0 9 * * *')\n  d() {}\n}\nconst s = new Scheduler();\ns.register(new R());\n",
      }),
      [],
    );
  });

  it('a class that is neither @Injectable nor listed anywhere is flagged, for both libraries', () => {
    assert.deepEqual(
      wiring({
        'a.ts':
          "import { Module } from '@nestjs/common';\nimport { ScheduleModule } from '@nestjs/schedule';\nimport { TickwiseModule } from '@tickwise/nestjs';\n@Module({ imports: [ScheduleModule.forRoot(), TickwiseModule.forRoot()] })\nexport class A {}\n",
        'stray.ts':
          "import { Interval } from '@nestjs/schedule';\nimport { Every } from '@tickwise/core';\nexport class Stray {\n  @Interval(1000)\n  a() {}\n  @Every('1s')\n  b() {}\n}\n",
      }),
      ['stray.ts:4:3 TW322', 'stray.ts:6:3 TW322'],
    );
  });
});
