import assert from 'node:assert/strict';
import {
  Every,
  every,
  JobDefinitionError,
  MemoryStore,
  RunCancelledError,
  type RunContext,
  type RunStartEvent,
  Scheduler,
  TickwiseError,
} from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { harness, job } from '../helpers/harness.js';

const hhmmss = (d: Date) => d.toISOString().slice(11, 19);

/** Replicas sharing one MemoryStore on one virtual clock, each recording the runs it started. */
function fleet(start: string, ids: string[], windowOption: true | { window: string } = true) {
  const clock = new VirtualClock(start);
  const store = new MemoryStore({ now: () => clock.now() });
  const runs: string[] = [];
  const skips: string[] = [];
  const replicas = ids.map((id) => {
    const scheduler = new Scheduler({ store, clock, env: {}, instanceId: id, logger: false });
    scheduler.add({ name: 'warm-cache', schedule: every('1h'), runOnStart: windowOption, run: () => {} });
    scheduler.on('run:start', (e) => runs.push(`${id} ${e.trigger} ${hhmmss(e.tick)}`));
    scheduler.on('tick:skipped', (e) => skips.push(`${id} ${e.reason} ${hhmmss(e.tick)}`));
    return scheduler;
  });
  return { clock, replicas, runs, skips };
}

describe('runOnStart', () => {
  it('runs the job once right after start(), with trigger start, then on its schedule', async () => {
    const h = harness({}, '2026-01-05T09:03:20.000Z');
    const starts: RunStartEvent[] = [];
    h.scheduler.on('run:start', (e) => starts.push(e));
    h.scheduler.add(job({ name: 'warm-cache', schedule: every('1h'), runOnStart: true }));
    await h.scheduler.start();
    await h.clock.advance('1s');
    assert.deepEqual(
      starts.map((e) => `${e.trigger} ${hhmmss(e.tick)}`),
      ['start 09:00:00'],
      'the tick is the start instant rounded down to the window (10 minutes)',
    );
    assert.ok((starts[0] as RunStartEvent).fence > 0, 'claimed in the store');
    await h.clock.advance('1h');
    assert.deepEqual(
      starts.map((e) => `${e.trigger} ${hhmmss(e.tick)}`),
      ['start 09:00:00', 'schedule 10:00:00'],
    );
    await h.scheduler.stop();
  });

  it('of three replicas sharing a store that start together, exactly one runs it', async () => {
    const f = fleet('2026-01-05T09:03:20.000Z', ['a', 'b', 'c']);
    await Promise.all(f.replicas.map((s) => s.start()));
    await f.clock.advance('5s');
    assert.equal(f.runs.length, 1, f.runs.join('\n'));
    assert.match(f.runs[0] as string, / start 09:00:00$/);
    assert.equal(f.skips.length, 2, 'the others report the skip');
    await Promise.all(f.replicas.map((s) => s.stop()));
  });

  it('replicas of a rolling deploy that starts across a window boundary still run it once', async () => {
    const f = fleet('2026-01-05T09:09:58.000Z', ['a', 'b', 'c']);
    const [a, b, c] = f.replicas as [Scheduler, Scheduler, Scheduler];
    await a.start();
    await f.clock.advance('4s'); // 09:10:02: the next window
    await b.start();
    await f.clock.advance('3m');
    await c.start();
    await f.clock.advance('5s');
    assert.deepEqual(f.runs, ['a start 09:00:00']);
    assert.deepEqual(f.skips, ['b completed 09:00:00', 'c completed 09:00:00']);
    await Promise.all(f.replicas.map((s) => s.stop()));
  });

  it('a start more than two windows after the last one runs it again (a new deploy)', async () => {
    const f = fleet('2026-01-05T09:03:00.000Z', ['old', 'new'], { window: '5m' });
    const [first, second] = f.replicas as [Scheduler, Scheduler];
    await first.start();
    await f.clock.advance('11m');
    await second.start();
    await f.clock.advance('1s');
    assert.deepEqual(f.runs, ['old start 09:00:00', 'new start 09:10:00']);
    await Promise.all(f.replicas.map((s) => s.stop()));
  });

  it('is available from decorators and validated like other options', async () => {
    class Cache {
      warmed = 0;
      warm(_ctx: RunContext) {
        this.warmed++;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Cache.prototype, 'warm');
    Every('1h', { runOnStart: { window: '1m' } })(Cache.prototype, 'warm', descriptor);
    const h = harness();
    const cache = new Cache();
    h.scheduler.register(cache);
    await h.scheduler.start();
    await h.clock.advance('1s');
    assert.equal(cache.warmed, 1);
    await h.scheduler.stop();

    const bad = (runOnStart: unknown) => () =>
      harness().scheduler.add(job({ name: 'x', schedule: every('1h'), runOnStart: runOnStart as true }));
    assert.throws(bad('yes'), (e: unknown) => e instanceof JobDefinitionError && e.code === 'INVALID_OPTION');
    assert.throws(bad({ windw: '5m' }), (e: unknown) => e instanceof JobDefinitionError && e.code === 'UNKNOWN_OPTION');
    assert.throws(
      bad({ window: '10ms' }),
      (e: unknown) => e instanceof JobDefinitionError && e.code === 'INVALID_OPTION',
    );
  });
});

describe('remove(name)', () => {
  it('waits for a running run to finish, starts no further tick, and frees the name', async () => {
    const h = harness();
    let finished = false;
    h.scheduler.add(
      job({
        name: 'export',
        schedule: every('1m'),
        run: async (ctx) => {
          await h.sleep(30_000, ctx.signal);
          finished = true;
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1m10s');
    let resolved = false;
    const removing = h.scheduler.remove('export').then((result) => {
      resolved = true;
      return result;
    });
    assert.deepEqual(
      h.scheduler.jobs().map((j) => j.name),
      [],
      'gone from jobs() at once',
    );
    assert.throws(
      () => h.scheduler.add(job({ name: 'export', schedule: every('1m') })),
      (e: unknown) => e instanceof TickwiseError && e.code === 'DUPLICATE_JOB',
      'the name is taken until the run has ended',
    );
    await h.clock.advance('10s');
    assert.equal(resolved, false);
    await h.clock.advance('10s');
    assert.deepEqual(await removing, { handlerStillRunning: false });
    assert.ok(finished);
    await h.clock.advance('5m');
    assert.deepEqual(h.lines(), ['run:start export 00:01:00', 'run:success export 00:01:00']);
    const success = h.events.find((e) => e.type === 'run:success');
    assert.equal(success?.type === 'run:success' && success.completion, 'recorded');

    h.scheduler.add(job({ name: 'export', schedule: every('1m') }));
    await h.clock.advance('1m');
    assert.equal(h.lines((e) => e.type === 'run:success').length, 2, 'added again, it runs');
    await h.scheduler.stop();
  });

  it('{ cancel: true } aborts the run with RunCancelledError removed and releases its claim', async () => {
    const h = harness();
    let reason: unknown;
    h.scheduler.add(
      job({
        name: 'export',
        schedule: every('1m'),
        run: async (ctx) => {
          try {
            await h.sleep(600_000, ctx.signal);
          } catch (error) {
            reason = error;
            throw error;
          }
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1m10s');
    const removing = h.scheduler.remove('export', { cancel: true });
    await h.clock.advance('1s');
    assert.deepEqual(await removing, { handlerStillRunning: false });
    assert.ok(reason instanceof RunCancelledError && reason.reason === 'removed');
    const failure = h.events.find((e) => e.type === 'run:failure');
    assert.equal(failure?.type === 'run:failure' && `${failure.outcome} ${failure.completion}`, 'cancelled released');
    await h.clock.advance('5m');
    assert.equal(h.lines((e) => e.type === 'run:start').length, 1, 'no tick after remove()');
    await h.scheduler.stop();
  });

  it('a job with no run in progress is removed at once; its ticks stop', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'beat', schedule: every('10s') }));
    h.scheduler.add(job({ name: 'other', schedule: every('10s') }));
    await h.scheduler.start();
    await h.clock.advance('15s');
    assert.deepEqual(await h.scheduler.remove('beat'), { handlerStillRunning: false });
    await h.clock.advance('30s');
    assert.equal(h.lines((e) => e.type === 'run:success' && e.job.name === 'beat').length, 1);
    assert.equal(h.lines((e) => e.type === 'run:success' && e.job.name === 'other').length, 4);
    await h.scheduler.stop();
  });

  it('an unknown name rejects with UNKNOWN_JOB', async () => {
    const h = harness();
    await assert.rejects(
      h.scheduler.remove('nope'),
      (e: unknown) => e instanceof TickwiseError && e.code === 'UNKNOWN_JOB' && e.job === 'nope',
    );
  });

  it('stop() waits for the run of a job being removed', async () => {
    const h = harness();
    let finished = false;
    h.scheduler.add(
      job({
        name: 'export',
        schedule: every('1m'),
        run: async (ctx) => {
          await h.sleep(20_000, ctx.signal);
          finished = true;
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1m1s');
    const removing = h.scheduler.remove('export');
    const stopping = h.scheduler.stop({ graceMs: 30_000 });
    await h.clock.advance('20s');
    assert.deepEqual(await stopping, { stillRunning: [] });
    await removing;
    assert.ok(finished);
  });
});
