// The `expect` option: an expected duration (slow), a success window (failing when no run
// succeeded in it) and a result check (outcome `unexpected`), in health, events, logs and telemetry.

import assert from 'node:assert/strict';
import { every, type JobHealth, JobOptionError, type Logger, Scheduler, UnexpectedResultError } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { harness, job } from '../helpers/harness.js';
import { setupOtel } from '../telemetry/otel-helpers.js';

async function healthOf(scheduler: Scheduler, name: string): Promise<JobHealth> {
  const found = (await scheduler.health()).jobs.find((j) => j.name === name);
  assert.ok(found, `no health for ${name}`);
  return found;
}

describe('expect: checked at registration', () => {
  const add = (expect: unknown) => {
    const h = harness();
    h.scheduler.add(job({ name: 'export', schedule: every('1h'), expect: expect as never }));
  };

  it('a misspelled key is UNKNOWN_OPTION with a suggestion', () => {
    assert.throws(
      () => add({ duratoin: '2m' }),
      (e: unknown) =>
        e instanceof JobOptionError &&
        e.code === 'UNKNOWN_OPTION' &&
        e.option === 'expect.duratoin' &&
        /did you mean 'expect.duration'/.test(e.message) &&
        /Job 'export'/.test(e.message),
    );
  });

  it('bad values are INVALID_OPTION naming the option', () => {
    const invalid = (expect: unknown, option: string, pattern: RegExp) =>
      assert.throws(
        () => add(expect),
        (e: unknown) =>
          e instanceof JobOptionError && e.code === 'INVALID_OPTION' && e.option === option && pattern.test(e.message),
      );
    invalid({ duration: '2 minutes please' }, 'expect.duration', /expect.duration/);
    invalid({ duration: 0 }, 'expect.duration', /must be more than 0/);
    invalid({ successWithin: '500ms' }, 'expect.successWithin', /out of range/);
    invalid({ result: 'processed > 0' }, 'expect.result', /must be a function/);
    invalid('2m', 'expect', /expect must be an object/);
  });
});

describe('expect.duration: slow runs', () => {
  it('a run still going past the expected duration makes the job degraded; the finished run says slow (event, lastRun, a warning)', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (_f, m) => warnings.push(m), error() {} };
    const h = harness({ logger });
    let runs = 0;
    h.scheduler.add(
      job({
        name: 'export',
        schedule: every('10m'),
        expect: { duration: '2m' },
        run: () => h.sleep(++runs === 1 ? 180_000 : 1000),
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('11m'); // the run started at 00:10 and has gone for 1 min
    assert.equal((await healthOf(h.scheduler, 'export')).status, 'ok');
    await h.clock.advance('90s'); // 2.5 min in: slow while it still runs
    const during = await healthOf(h.scheduler, 'export');
    assert.deepEqual([during.status, during.slow, during.running], ['degraded', true, 1]);
    assert.deepEqual(during.expect, { durationMs: 120_000 });
    await h.clock.advance('1m'); // it ended at 00:13
    const success = h.events.find((e) => e.type === 'run:success');
    assert.ok(success?.type === 'run:success');
    assert.equal(success.slow, true);
    assert.equal(success.durationMs, 180_000);
    const after = await healthOf(h.scheduler, 'export');
    assert.deepEqual([after.status, after.slow, after.lastRun?.slow], ['degraded', true, true]);
    assert.deepEqual(warnings, ['tickwise: export was slow: 180000 ms, expected at most 120000 ms']);
    assert.equal(h.scheduler.jobs()[0]?.lastRun?.slow, true);
    assert.deepEqual(h.scheduler.jobs()[0]?.expect, { durationMs: 120_000 });
    await h.clock.advance('8m'); // the 00:20 run takes 1 s
    const recovered = await healthOf(h.scheduler, 'export');
    assert.deepEqual([recovered.status, recovered.slow, recovered.lastRun?.slow], ['ok', false, undefined]);
    const second = h.events.filter((e) => e.type === 'run:success')[1];
    assert.ok(second?.type === 'run:success' && !('slow' in second));
  });

  it('a job without expect is never slow, however long it runs', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'long', schedule: every('1h'), run: () => h.sleep(50 * 60_000) }));
    await h.scheduler.start();
    await h.clock.advance('1h40m');
    const health = await healthOf(h.scheduler, 'long');
    assert.deepEqual([health.status, health.slow, health.expect], ['ok', false, undefined]);
  });
});

describe('expect.result: unexpected results', () => {
  it("a result the check refuses is outcome 'unexpected' with the check's reason, reported as a failure and never retried", async () => {
    const h = harness();
    const processed = [0, 3];
    let attempts = 0;
    h.scheduler.add(
      job({
        name: 'orders',
        schedule: every('1h'),
        retry: 3,
        expect: { result: (value) => (value as { processed: number }).processed > 0 || 'no orders exported' },
        run: async () => {
          attempts++;
          return { processed: processed.shift() };
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1h');
    const failure = h.events.find((e) => e.type === 'run:failure');
    assert.ok(failure?.type === 'run:failure', h.lines().join('\n'));
    assert.equal(failure.outcome, 'unexpected');
    assert.ok(failure.error instanceof UnexpectedResultError);
    assert.equal(failure.error.reason, 'no orders exported');
    assert.equal(failure.error.message, "Job 'orders': unexpected result: no orders exported");
    assert.equal(failure.attempts, 1);
    assert.equal(attempts, 1, 'not retried');
    const health = await healthOf(h.scheduler, 'orders');
    assert.deepEqual(
      [health.status, health.lastRun?.outcome, health.consecutiveFailures, health.lastSuccess],
      ['degraded', 'unexpected', 1, null],
    );
    assert.deepEqual(health.expect, { result: true });
    await h.clock.advance('1h'); // processed 3: passes
    assert.deepEqual(
      h.lines((e) => e.type !== 'run:start'),
      ['run:failure orders 01:00:00 unexpected', 'run:success orders 02:00:00'],
    );
    assert.equal((await healthOf(h.scheduler, 'orders')).status, 'ok');
  });

  it('false, a non-true value and a throwing check are unexpected too, each with its reason', async () => {
    const h = harness();
    const checks: [string, (value: unknown) => boolean | string][] = [
      ['false', () => false],
      ['number', () => 1 as unknown as boolean],
      [
        'throws',
        (value) => {
          throw new Error(`cannot read ${String(value)}`);
        },
      ],
      ['true', () => true],
    ];
    for (const [name, check] of checks) {
      h.scheduler.add(job({ name, schedule: every('1h'), expect: { result: check }, run: () => 'done' }));
    }
    await h.scheduler.start();
    await h.clock.advance('1h');
    const reasons = new Map(
      h.events.flatMap((e) =>
        e.type === 'run:failure' && e.error instanceof UnexpectedResultError ? [[e.job.name, e.error.reason]] : [],
      ),
    );
    assert.deepEqual(Object.fromEntries(reasons), {
      false: 'the result check returned false',
      number: 'the result check returned 1, not true',
      throws: 'the result check threw: cannot read done',
    });
    assert.ok(h.events.some((e) => e.type === 'run:success' && e.job.name === 'true'));
  });

  it('jobs whose options differ only in their result check keep their own check', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'a', schedule: every('1h'), expect: { result: () => 'a refuses' }, run: () => 1 }));
    h.scheduler.add(job({ name: 'b', schedule: every('1h'), expect: { result: () => true }, run: () => 1 }));
    await h.scheduler.start();
    await h.clock.advance('1h');
    assert.deepEqual(h.lines((e) => e.type !== 'run:start').sort(), [
      'run:failure a 01:00:00 unexpected',
      'run:success b 01:00:00',
    ]);
  });
});

describe('expect.successWithin: no success in the window', () => {
  it('a job that keeps failing, or is paused, turns failing once the window has passed without a success', async () => {
    const h = harness();
    h.scheduler.add(
      job({
        name: 'failing',
        schedule: every('1h'),
        expect: { successWithin: '90m' },
        run: () => {
          throw new Error('upstream down');
        },
      }),
    );
    h.scheduler.add(job({ name: 'paused', schedule: every('1h'), expect: { successWithin: '90m' } }));
    h.scheduler.add(job({ name: 'fine', schedule: every('1h'), expect: { successWithin: '90m' } }));
    await h.scheduler.start();
    h.scheduler.pause('paused');
    await h.clock.advance('80m');
    const early = await Promise.all(['failing', 'paused', 'fine'].map((n) => healthOf(h.scheduler, n)));
    assert.deepEqual(
      early.map((j) => [j.name, j.status, j.successOverdue]),
      [
        ['failing', 'degraded', false],
        ['paused', 'paused', false],
        ['fine', 'ok', false],
      ],
    );
    await h.clock.advance('20m'); // 100 min since start: no success in 90 min for two of them
    const late = await Promise.all(['failing', 'paused', 'fine'].map((n) => healthOf(h.scheduler, n)));
    assert.deepEqual(
      late.map((j) => [j.name, j.status, j.successOverdue]),
      [
        ['failing', 'failing', true],
        ['paused', 'failing', true],
        ['fine', 'ok', false],
      ],
    );
    assert.equal((await h.scheduler.health()).status, 'failing');
    assert.deepEqual(late[2]?.expect, { successWithinMs: 5_400_000 });
  });
});

describe('expect in telemetry', () => {
  it('slow and unexpected runs: the run span says so, tickwise.job.expectation_missed counts them', async () => {
    const otel = setupOtel();
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const scheduler = new Scheduler({
      clock,
      env: {},
      logger: false,
      telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimer(resolve, ms));
    scheduler.add({ name: 'slow', schedule: every('1h'), expect: { duration: '1m' }, run: () => sleep(90_000) });
    scheduler.add({ name: 'odd', schedule: every('1h'), expect: { result: () => 'empty' }, run: () => null });
    scheduler.add({ name: 'good', schedule: every('1h'), expect: { duration: '1m', result: () => true }, run() {} });
    await scheduler.start();
    await clock.advance('1h2m');
    await scheduler.stop();
    const runs = new Map(otel.finished().map((s) => [s.name, s.attributes]));
    assert.equal(runs.get('run slow')?.['tickwise.run.slow'], true);
    assert.equal(runs.get('run slow')?.['tickwise.run.outcome'], 'success');
    assert.equal(runs.get('run odd')?.['tickwise.run.outcome'], 'unexpected');
    assert.equal(runs.get('run odd')?.['tickwise.run.slow'], undefined);
    assert.equal(runs.get('run good')?.['tickwise.run.slow'], undefined);
    const missed = await otel.points('tickwise.job.expectation_missed');
    assert.deepEqual(
      missed
        .map((p) => `${p.attributes['tickwise.job.name']} ${p.attributes['tickwise.expectation.missed']} ${p.value}`)
        .sort(),
      ['odd unexpected 1', 'slow slow 1'],
    );
    const outcomes = await otel.points('tickwise.job.runs');
    assert.ok(
      outcomes.some(
        (p) => p.attributes['tickwise.job.name'] === 'odd' && p.attributes['tickwise.run.outcome'] === 'unexpected',
      ),
    );
  });
});
