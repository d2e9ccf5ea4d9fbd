import assert from 'node:assert/strict';
import type { DynamicModule, INestApplicationContext, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import type { TickwiseModuleOptions } from '@tickwise/nestjs';
import { TickwiseHealthIndicator } from '@tickwise/nestjs/terminus';
import { RedisStore } from '@tickwise/redis';
import { REDIS_URL, requireServer, sleep, uniqueName } from '../../../test/helpers/services.js';
import { importCompiledFixture } from './compile-app.js';

interface Fixture {
  createAppModule(options: {
    tickwise: TickwiseModuleOptions;
    config?: Record<string, unknown>;
    providers?: Provider[];
    async?: boolean;
  }): Type<unknown>;
  RunLog: Type<{ entries: string[] }>;
  JobsController: Type<{ list(): string[] }>;
  FailingJob: Type<unknown>;
  SlowJob: Type<unknown>;
  PulseJob: Type<unknown>;
  slow: { started: boolean; finished: boolean };
  pulses: { instance: string; tick: number }[];
}

const CONFIG = { reports: { dailyCron: '30 6 * * *' } };

describe('@tickwise/nestjs in a real Nest application (legacy decorators + emitDecoratorMetadata)', function () {
  this.timeout(30_000);
  let fixture: Fixture;
  const apps: INestApplicationContext[] = [];

  before(async () => {
    fixture = await importCompiledFixture<Fixture>('app');
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => {});
  });

  async function start(options: Parameters<Fixture['createAppModule']>[0]): Promise<INestApplicationContext> {
    const moduleRef = await Test.createTestingModule({
      imports: [fixture.createAppModule(options) as unknown as DynamicModule],
    }).compile();
    apps.push(moduleRef);
    await moduleRef.init();
    return moduleRef;
  }

  for (const variant of ['forRoot', 'forRootAsync'] as const) {
    it(`${variant}: discovers jobs on providers and controllers, bound to their DI instances`, async () => {
      const clock = new VirtualClock('2026-01-05T00:00:00Z');
      const app = await start({ tickwise: { clock, env: {} }, config: CONFIG, async: variant === 'forRootAsync' });
      const scheduler = app.get(Scheduler);
      assert.deepEqual(
        scheduler
          .jobs()
          .map((j) => `${j.name} ${j.schedule}`)
          .sort(),
        ['JobsController.poll 15m', 'ReportsService.daily 30 6 * * *', 'ReportsService.hourly 0 * * * *'],
      );
      assert.deepEqual(app.get(fixture.JobsController).list().sort(), [
        'JobsController.poll',
        'ReportsService.daily',
        'ReportsService.hourly',
      ]);
      await clock.advance('1h');
      // The handlers used their injected RunLog: dependency injection works inside jobs.
      assert.deepEqual(app.get(fixture.RunLog).entries, [
        'poll 2026-01-05T00:15:00.000Z',
        'poll 2026-01-05T00:30:00.000Z',
        'poll 2026-01-05T00:45:00.000Z',
        'hourly 2026-01-05T01:00:00.000Z',
        'poll 2026-01-05T01:00:00.000Z',
      ]);
      assert.equal(scheduler.jobs().find((j) => j.name === 'ReportsService.hourly')?.owner, 'data-team');
    });
  }

  it('reads @Cron({ config }) through ConfigService at start', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const app = await start({ tickwise: { clock, env: {} }, config: CONFIG });
    await clock.advance('7h');
    assert.ok(app.get(fixture.RunLog).entries.includes('daily 2026-01-05T06:30:00.000Z'));
  });

  it('fails at start, naming the job and the key, when the config key is missing', async () => {
    await assert.rejects(
      start({ tickwise: { clock: new VirtualClock(), env: {} }, config: {} }),
      (error: Error) =>
        error.message === "Job 'ReportsService.daily': configuration key 'reports.dailyCron' is not set",
    );
  });

  it('fails at start with the field when the configured schedule is invalid', async () => {
    await assert.rejects(
      start({ tickwise: { clock: new VirtualClock(), env: {} }, config: { reports: { dailyCron: '0 25 * * *' } } }),
      /Job 'ReportsService\.daily': .*hour 25 is out of range 0-23/,
    );
  });

  it('app.close() drains a running job before it resolves', async () => {
    fixture.slow.started = false;
    fixture.slow.finished = false;
    const app = await start({ tickwise: { env: {} }, config: CONFIG, providers: [fixture.SlowJob] });
    const scheduler = app.get(Scheduler);
    const run = scheduler.trigger('SlowJob.drain');
    while (!fixture.slow.started) await sleep(5);
    await app.close();
    assert.equal(fixture.slow.finished, true, 'the job finished before close() resolved');
    assert.equal((await run).outcome, 'success');
    assert.equal((await scheduler.health()).scheduler, 'stopped');
  });

  it("Nest's shutdown and the application's own SIGTERM handler stopping the scheduler too: one stop, the running job drains", async () => {
    fixture.slow.started = false;
    fixture.slow.finished = false;
    const app = await start({ tickwise: { env: {} }, config: CONFIG, providers: [fixture.SlowJob] });
    const scheduler = app.get(Scheduler);
    const run = scheduler.trigger('SlowJob.drain');
    while (!fixture.slow.started) await sleep(5);
    // As `process.on('SIGTERM', () => scheduler.stop())` in main.ts beside enableShutdownHooks().
    const ownStop = scheduler.stop();
    const closed = app.close();
    assert.equal(scheduler.stop(), ownStop, 'every call returns the same promise');
    await Promise.all([ownStop, closed]);
    assert.equal(fixture.slow.finished, true, 'the job finished before either resolved');
    assert.equal((await run).outcome, 'success');
    assert.deepEqual(await ownStop, { stillRunning: [] });
  });

  it('TickwiseHealthIndicator reports failing jobs as down, with owner and runbook', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const app = await start({ tickwise: { clock, env: {} }, config: CONFIG, providers: [fixture.FailingJob] });
    const indicator = app.get(TickwiseHealthIndicator);
    assert.equal((await indicator.isHealthy()).scheduler?.status, 'up');
    await clock.advance('3h');
    const result = (await indicator.isHealthy()) as Record<string, Record<string, unknown>>;
    const details = result.scheduler as { status: string; schedulerStatus: string; troubled: unknown[] };
    assert.equal(details.status, 'down');
    assert.equal(details.schedulerStatus, 'failing');
    assert.deepEqual(details.troubled, [
      {
        name: 'FailingJob.charge',
        consecutiveFailures: 3,
        // No success in two periods either.
        overdue: true,
        lastRun: { outcome: 'failure', tick: new Date('2026-01-05T03:00:00.000Z') },
        owner: 'payments',
        runbook: 'Check the gateway status page',
      },
    ]);
  });

  it('two app instances sharing a Redis store run each tick once', async function () {
    await requireServer(this, 'Redis');
    fixture.pulses.length = 0;
    const prefix = `${uniqueName('nest')}:`;
    const stores = [new RedisStore({ client: REDIS_URL, prefix }), new RedisStore({ client: REDIS_URL, prefix })];
    const started = Date.now();
    for (const [i, store] of stores.entries()) {
      await start({
        tickwise: { store, instanceId: `app-${i}`, env: {} },
        config: CONFIG,
        providers: [fixture.PulseJob],
      });
    }
    await sleep(4_200);
    for (const app of apps.splice(0)) await app.close();
    for (const store of stores) await store.close();
    const byTick = new Map<number, string[]>();
    for (const { instance, tick } of fixture.pulses) byTick.set(tick, [...(byTick.get(tick) ?? []), instance]);
    const twice = [...byTick].filter(([, instances]) => instances.length > 1);
    assert.deepEqual(twice, [], 'no tick ran on both instances');
    const expected = Math.floor((Date.now() - started) / 1000) - 1;
    assert.ok(byTick.size >= Math.min(3, expected), `only ${byTick.size} ticks ran`);
  });
});
