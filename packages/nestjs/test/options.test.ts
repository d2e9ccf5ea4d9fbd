// TickwiseModuleOptions: every SchedulerOptions field is accepted (checked by the compiler) and
// reaches the Scheduler (checked at run time); and the levels of the Nest logger's lines.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  type JobDefinition,
  type Logger,
  MemoryStore,
  Scheduler,
  type SchedulerOptions,
  type SkipReason,
} from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { TickwiseModule, type TickwiseModuleOptions, type TickwiseNestOnlyOptions } from '@tickwise/nestjs';
import { schedulerOptionsFrom } from '../src/tickwise.module.js';

// ---- compile-time: the module takes every SchedulerOptions field, with the same type ----------
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type EveryKeyAccepted = Expect<Equal<Exclude<keyof SchedulerOptions, keyof TickwiseModuleOptions>, never>>;
export type SameTypes = Expect<
  Equal<
    { [K in keyof SchedulerOptions]: TickwiseModuleOptions[K] },
    { [K in keyof SchedulerOptions]: SchedulerOptions[K] }
  >
>;
export type NestOnlyShadowsNothing = Expect<
  Equal<Extract<keyof TickwiseNestOnlyOptions, keyof SchedulerOptions>, never>
>;

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * One value for every SchedulerOptions field. `Required<>`: when core adds a field this stops
 * compiling until the field is added here, so the run-time test below covers it too.
 */
function everySchedulerOption(): Required<SchedulerOptions> {
  return {
    store: new MemoryStore(),
    clock: new VirtualClock('2026-01-05T00:00:00Z'),
    logger: quiet,
    instanceId: 'nest-replica-1',
    disabled: ['Reports.*'],
    missedAfterMs: 123_000,
    env: { TICKWISE_DISABLED_JOBS: 'cleanup' },
    telemetry: { spanKind: 'internal' },
    errorDetail: 'class',
    batchSize: 7,
    serviceVersion: '3.1.4',
    fleet: { controlPollMs: 250 },
  };
}

/** Nest's logger, recording each line with its level. */
class SpyLogger implements LoggerService {
  readonly lines: { level: LogLevel; message: string }[] = [];
  private record(level: LogLevel, message: unknown): void {
    this.lines.push({ level, message: String(message) });
  }
  log(message: unknown) {
    this.record('log', message);
  }
  error(message: unknown) {
    this.record('error', message);
  }
  warn(message: unknown) {
    this.record('warn', message);
  }
  debug(message: unknown) {
    this.record('debug', message);
  }
  verbose(message: unknown) {
    this.record('verbose', message);
  }
  fatal(message: unknown) {
    this.record('fatal', message);
  }
  at(pattern: RegExp): LogLevel[] {
    return this.lines.filter((line) => pattern.test(line.message)).map((line) => line.level);
  }
}

/** A Nest app with TickwiseModule.forRoot(options) and `jobs` added before init. */
async function nestApp(options: TickwiseModuleOptions, jobs: JobDefinition[] = [], logger?: LoggerService) {
  const builder = Test.createTestingModule({ imports: [TickwiseModule.forRoot(options)] });
  if (logger) builder.setLogger(logger);
  const app = await builder.compile();
  const scheduler = app.get(Scheduler);
  for (const job of jobs) scheduler.add(job);
  await app.init();
  return { app, scheduler };
}

describe('TickwiseModuleOptions: every SchedulerOptions field', () => {
  it('passes each SchedulerOptions field to the Scheduler unchanged', () => {
    const given = everySchedulerOption();
    const passed = schedulerOptionsFrom({ ...given, config: () => undefined, shutdownGraceMs: 5 });
    for (const key of Object.keys(given) as (keyof SchedulerOptions)[]) {
      assert.equal(passed[key], given[key], `${key} reaches the Scheduler`);
    }
    assert.deepEqual(
      Object.keys(passed).sort(),
      Object.keys(given).sort(),
      'and nothing else: config and shutdownGraceMs stay in the module',
    );
  });

  it("defaults the logger to Nest's Logger", () => {
    const passed = schedulerOptionsFrom({});
    assert.ok(passed.logger, 'a logger');
    assert.equal(typeof passed.logger.info, 'function');
    assert.deepEqual(Object.keys(passed), ['logger']);
  });

  it('instanceId, disabled and env reach the injected Scheduler', async () => {
    const { app, scheduler } = await nestApp({ ...everySchedulerOption(), store: new MemoryStore() }, [
      { name: 'Reports.daily', schedule: '0 6 * * *', run: () => {} },
      { name: 'cleanup', schedule: '0 * * * *', run: () => {} },
      { name: 'sync', schedule: '*/5 * * * *', run: () => {} },
    ]);
    assert.equal(scheduler.instanceId, 'nest-replica-1');
    assert.deepEqual(
      scheduler.jobs().map((job) => `${job.name} ${job.enabled}`),
      ['Reports.daily false', 'cleanup false', 'sync true'],
    );
    await app.close();
  });

  it('telemetry: runs are traced with the tracer provider given to forRoot()', async () => {
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const { app } = await nestApp({ clock, env: {}, logger: quiet, telemetry: { tracerProvider } }, [
      { name: 'digest', schedule: '0 * * * *', run: () => {} },
    ]);
    await clock.advance('1h');
    assert.ok(
      spans.getFinishedSpans().some((span) => span.name === 'run digest'),
      'a run span from the given provider',
    );
    await app.close();
  });

  it('missedAfterMs: a tick reached 2 minutes late runs with missedAfterMs 5 min, and is missed with the default 60 s', async () => {
    const outcomes: string[] = [];
    for (const missedAfterMs of [300_000, undefined]) {
      const clock = new VirtualClock('2026-01-05T00:00:00Z');
      const { app, scheduler } = await nestApp(
        { clock, env: {}, logger: quiet, ...(missedAfterMs !== undefined && { missedAfterMs }) },
        [{ name: 'hourly', schedule: '0 * * * *', run: () => {} }],
      );
      const skipped: SkipReason[] = [];
      scheduler.on('tick:skipped', (event) => skipped.push(event.reason));
      // The event loop was blocked past 01:00: the 01:00 timer fires at 01:02.
      clock.stall('62m');
      await clock.advance(0);
      outcomes.push(`${scheduler.jobs()[0]?.lastRun?.outcome ?? 'no run'} / skipped: ${skipped.join(',')}`);
      await app.close();
    }
    assert.deepEqual(outcomes, ['success / skipped: ', 'no run / skipped: missed']);
  });
});

describe("Nest logger levels (the module's default logger)", () => {
  it('a successful run is logged at debug, a failed attempt at warn, a failed run at error; start and stop at log', async () => {
    const spy = new SpyLogger();
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const { app } = await nestApp(
      { clock, env: {} },
      [
        { name: 'ok', schedule: '0 * * * *', run: () => {} },
        {
          name: 'flaky',
          schedule: '0 * * * *',
          retry: { retries: 1, minTimeout: '1s', randomize: false },
          run: () => {
            throw new Error('gateway down');
          },
        },
      ],
      spy,
    );
    // The retry waits 1 s of the virtual clock.
    await clock.advance('1h5s');
    await app.close();
    assert.deepEqual(spy.at(/tickwise: ok succeeded/), ['debug']);
    assert.deepEqual(spy.at(/tickwise: flaky attempt failed/), ['warn', 'warn']);
    assert.deepEqual(spy.at(/tickwise: flaky failure/), ['error']);
    assert.deepEqual(spy.at(/tickwise: scheduler (started|stopped)/), ['log', 'log']);
    assert.deepEqual(
      spy.lines.filter((line) => line.level === 'log' && /succeeded/.test(line.message)),
      [],
      'no success line at log level',
    );
  });

  it("a logger given to forRoot() gets the scheduler's own levels: a success at info", async () => {
    const lines: string[] = [];
    const record =
      (level: string) =>
      (_fields: Record<string, unknown>, message: string): void => {
        lines.push(`${level} ${message}`);
      };
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const { app } = await nestApp({ clock, env: {}, logger }, [{ name: 'ok', schedule: '0 * * * *', run: () => {} }]);
    await clock.advance('1h');
    await app.close();
    assert.ok(lines.includes('info tickwise: ok succeeded'), lines.join('\n'));
  });

  it("lines a handler writes with ctx.logger keep their level, even with outcome: 'success' in the fields", async () => {
    const spy = new SpyLogger();
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const { app } = await nestApp(
      { clock, env: {} },
      [
        {
          name: 'report',
          schedule: '0 * * * *',
          run: (ctx) => ctx.logger.info({ outcome: 'success', rows: 3 }, 'report sent'),
        },
      ],
      spy,
    );
    await clock.advance('1h');
    await app.close();
    assert.deepEqual(spy.at(/^report sent/), ['log']);
  });
});

describe('@tickwise/nestjs peer ranges', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    peerDependencies: Record<string, string>;
  };
  const majors = (name: string) => manifest.peerDependencies[name]?.split('||').map((range) => range.trim());

  it('accept Nest 10, 11 and 12', () => {
    for (const name of ['@nestjs/common', '@nestjs/core']) {
      assert.deepEqual(majors(name), ['^10.0.0', '^11.0.0', '^12.0.0'], name);
    }
  });

  it('accept the @nestjs/config and @nestjs/terminus majors that go with Nest 12 (12.x) and with 10-11', () => {
    assert.deepEqual(majors('@nestjs/config'), ['^3.0.0', '^4.0.0', '^12.0.0']);
    assert.deepEqual(majors('@nestjs/terminus'), ['^11.0.0', '^12.0.0']);
  });
});
