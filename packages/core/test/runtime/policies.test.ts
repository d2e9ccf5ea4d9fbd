import assert from 'node:assert/strict';
import { cron, every, type RunContext } from '@tickwise/core';
import { harness, job } from '../helpers/harness.js';

/** A handler that takes `ms` of virtual time (and stops early if its signal aborts). */
function slow(h: ReturnType<typeof harness>, ms: number, seen: string[] = []) {
  return async (ctx: RunContext) => {
    seen.push(ctx.scheduledAt.toISOString().slice(11, 19));
    await h.sleep(ms, ctx.signal);
  };
}

describe('overlap: skip (default)', () => {
  it('skips a tick while the previous run is still going, and records the skip', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'slow', schedule: every('1m'), run: slow(h, 150_000) }));
    await h.scheduler.start();
    await h.clock.advance('5m');
    assert.deepEqual(
      h.lines((e) => e.type !== 'run:start'),
      [
        'tick:skipped slow 00:02:00 overlap',
        'tick:skipped slow 00:03:00 overlap',
        'run:success slow 00:01:00',
        'tick:skipped slow 00:05:00 overlap',
      ],
    );
  });
});

describe('overlap: buffer-one', () => {
  it('runs one waiting tick after the current run; further ticks are skipped', async () => {
    const h = harness();
    const seen: string[] = [];
    h.scheduler.add(job({ name: 'b1', schedule: every('1m'), overlap: 'buffer-one', run: slow(h, 150_000, seen) }));
    await h.scheduler.start();
    await h.clock.advance('4m');
    // 00:01 runs until 00:03:30; 00:02 waits; 00:03 is skipped (one is already waiting);
    // 00:02 starts at 00:03:30, so 00:04 is the next one waiting.
    assert.deepEqual(seen, ['00:01:00', '00:02:00']);
    assert.deepEqual(
      h.lines((e) => e.type === 'tick:skipped'),
      ['tick:skipped b1 00:03:00 overlap'],
    );
    const late = h.events.find((e) => e.type === 'run:start' && e.tick.toISOString().endsWith('00:02:00.000Z'));
    assert.equal(late?.type === 'run:start' && late.latenessMs, 90_000);
  });
});

describe('overlap: buffer-all', () => {
  it('runs every tick, one after another, in order', async () => {
    const h = harness();
    const seen: string[] = [];
    h.scheduler.add(job({ name: 'ball', schedule: every('1m'), overlap: 'buffer-all', run: slow(h, 90_000, seen) }));
    await h.scheduler.start();
    await h.clock.advance('6m');
    assert.deepEqual(seen, ['00:01:00', '00:02:00', '00:03:00', '00:04:00']);
    assert.deepEqual(
      h.lines((e) => e.type === 'tick:skipped'),
      [],
    );
  });
});

describe('overlap: cancel-other', () => {
  it('aborts the running run through its signal and starts the new tick', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'co', schedule: every('1m'), overlap: 'cancel-other', run: slow(h, 90_000) }));
    await h.scheduler.start();
    await h.clock.advance('2m');
    // The new tick waits for its claim (a round trip, batched), so the old run's abort comes first.
    assert.deepEqual(h.lines(), [
      'run:start co 00:01:00',
      'attempt:failure co 00:01:00',
      'run:start co 00:02:00',
      'run:failure co 00:01:00 cancelled',
    ]);
    const failure = h.events.find((e) => e.type === 'run:failure');
    assert.ok(failure?.type === 'run:failure');
    assert.equal((failure.error as { reason: string }).reason, 'cancel-other');
  });
});

describe('overlap: allow', () => {
  it('runs ticks concurrently', async () => {
    const h = harness();
    let concurrent = 0;
    let peak = 0;
    h.scheduler.add(
      job({
        name: 'par',
        schedule: every('1m'),
        overlap: 'allow',
        run: async (ctx) => {
          peak = Math.max(peak, ++concurrent);
          await h.sleep(150_000, ctx.signal);
          concurrent--;
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('5m');
    assert.equal(peak, 3);
    assert.deepEqual(
      h.lines((e) => e.type === 'tick:skipped'),
      [],
    );
  });
});

describe('catch-up after missed ticks', () => {
  async function stalled(catchUp: unknown, stall = '10m') {
    const h = harness();
    h.scheduler.add(job({ name: 'j', schedule: every('1m'), catchUp: catchUp as never }));
    await h.scheduler.start();
    await h.clock.advance('1m'); // 00:01 runs
    h.clock.stall(stall); // event loop blocked / machine asleep
    await h.clock.advance(0);
    return h;
  }

  it('none (default): missed ticks are skipped and reported together; the latest on-time tick runs', async () => {
    const h = await stalled(undefined, '10m30s');
    // Now 00:11:30: 00:02..00:10 missed, 00:11 is 30 s late (within missedAfter) and runs.
    assert.deepEqual(
      h.lines((e) => e.type !== 'run:start'),
      ['run:success j 00:01:00', 'tick:skipped j 00:02:00 missed x9', 'run:success j 00:11:00'],
    );
  });

  it('none: a lone tick reached more than missedAfter late is missed, not run', async () => {
    const h = harness({ missedAfterMs: 5000 });
    h.scheduler.add(job({ name: 'daily', schedule: cron('0 9 * * *') }));
    await h.scheduler.start();
    h.clock.stall('10h');
    await h.clock.advance(0);
    assert.deepEqual(h.lines(), ['tick:skipped daily 09:00:00 missed']);
  });

  it('latest: runs the most recent missed tick once, as catch-up', async () => {
    const h = harness({ missedAfterMs: 5000 });
    h.scheduler.add(job({ name: 'daily', schedule: cron('0 9 * * *'), catchUp: 'latest' }));
    await h.scheduler.start();
    h.clock.stall('10h');
    await h.clock.advance(0);
    assert.deepEqual(h.lines(), ['run:start daily 09:00:00', 'run:success daily 09:00:00']);
    const start = h.events[0];
    assert.ok(start?.type === 'run:start' && start.trigger === 'catch-up');
  });

  it('all: runs each missed tick in order, bounded by window and max', async () => {
    const h = await stalled({ policy: 'all', window: '5m', max: 3 }, '10m30s');
    assert.deepEqual(
      h.lines((e) => e.type === 'run:success' || e.type === 'tick:skipped'),
      [
        'run:success j 00:01:00',
        'tick:skipped j 00:02:00 missed x6',
        'run:success j 00:08:00',
        'run:success j 00:09:00',
        'run:success j 00:10:00',
        'run:success j 00:11:00',
      ],
    );
  });
});

describe('jitter', () => {
  it('delays the start by the same amount for a (job, tick) on every replica; the tick stays nominal', async () => {
    const starts: number[][] = [];
    for (let replica = 0; replica < 2; replica++) {
      const h = harness({ instanceId: `replica-${replica}` });
      const seen: number[] = [];
      h.scheduler.add(
        job({
          name: 'jit',
          schedule: every('1m'),
          jitter: '30s',
          run: (ctx) => void seen.push(h.clock.now() - ctx.scheduledAt.getTime()),
        }),
      );
      await h.scheduler.start();
      await h.clock.advance('10m');
      starts.push(seen);
    }
    assert.deepEqual(starts[0], starts[1]);
    assert.ok(starts[0]?.every((d) => d >= 0 && d < 30_000));
    assert.ok(new Set(starts[0]).size > 1, 'jitter should differ between ticks');
  });
});

describe('pause, resume, disable', () => {
  it('paused ticks are skipped with reason paused', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'p', schedule: every('1m') }));
    await h.scheduler.start();
    h.scheduler.pause('p');
    await h.clock.advance('2m');
    h.scheduler.resume('p');
    await h.clock.advance('1m');
    assert.deepEqual(
      h.lines((e) => e.type !== 'run:start'),
      ['tick:skipped p 00:01:00 paused', 'tick:skipped p 00:02:00 paused', 'run:success p 00:03:00'],
    );
  });

  it('TICKWISE_DISABLED_JOBS disables jobs by name or wildcard; they are listed, not dropped', async () => {
    const h = harness({ env: { TICKWISE_DISABLED_JOBS: 'Reports.*, cleanup' } });
    h.scheduler.add(job({ name: 'Reports.daily', schedule: every('1m') }));
    h.scheduler.add(job({ name: 'cleanup', schedule: every('1m') }));
    h.scheduler.add(job({ name: 'sync', schedule: every('1m') }));
    h.scheduler.add(job({ name: 'off', schedule: every('1m'), enabled: false }));
    await h.scheduler.start();
    await h.clock.advance('1m');
    const listed = Object.fromEntries(
      h.scheduler.jobs().map((j) => [j.name, j.enabled ? 'enabled' : j.disabledReason]),
    );
    assert.deepEqual(listed, {
      'Reports.daily': "disabled by 'Reports.*' (TICKWISE_DISABLED_JOBS or the disabled option)",
      cleanup: "disabled by 'cleanup' (TICKWISE_DISABLED_JOBS or the disabled option)",
      sync: 'enabled',
      off: 'enabled: false',
    });
    assert.deepEqual(
      h.lines((e) => e.type === 'run:success'),
      ['run:success sync 00:01:00'],
    );
    assert.equal(h.lines((e) => e.type === 'tick:skipped' && e.reason === 'disabled').length, 3);
  });

  it("TICKWISE_DISABLED_JOBS='*' disables everything", async () => {
    const h = harness({ env: { TICKWISE_DISABLED_JOBS: '*' } });
    h.scheduler.add(job({ name: 'a', schedule: every('1m') }));
    assert.equal(h.scheduler.jobs()[0]?.enabled, false);
    assert.deepEqual(await h.scheduler.trigger('a'), { outcome: 'skipped', reason: 'disabled' });
  });
});

describe('trigger()', () => {
  it('runs a job now, recorded as manual, outside the schedule', async () => {
    const h = harness();
    let trigger = '';
    h.scheduler.add(
      job({
        name: 'm',
        schedule: cron('0 0 1 1 *'),
        run: (ctx) => {
          trigger = ctx.trigger;
        },
      }),
    );
    await h.scheduler.start();
    assert.deepEqual(await h.scheduler.trigger('m'), { outcome: 'success' });
    assert.equal(trigger, 'manual');
    await assert.rejects(h.scheduler.trigger('nope'), { code: 'UNKNOWN_JOB' });
  });
});
