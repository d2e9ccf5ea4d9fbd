import assert from 'node:assert/strict';
import { at, type ClaimStore, every, MemoryStore, type RunContext } from '@tickwise/core';
import type { ClaimBatch, HeldClaim } from '@tickwise/core/store';
import { harness, job } from '../helpers/harness.js';

describe('stop({ graceMs })', () => {
  it('lets running jobs finish within the grace period and starts no new ticks', async () => {
    const h = harness();
    let finished = false;
    h.scheduler.add(
      job({
        name: 'work',
        schedule: at('2026-01-05T00:01:00Z'),
        run: async (ctx: RunContext) => {
          await h.sleep(20_000, ctx.signal);
          finished = true;
        },
      }),
    );
    h.scheduler.add(job({ name: 'other', schedule: every('30s') }));
    await h.scheduler.start();
    await h.clock.advance('1m5s');
    const stopping = h.scheduler.stop({ graceMs: 30_000 });
    await h.clock.advance('20s');
    assert.deepEqual(await stopping, { stillRunning: [] });
    assert.ok(finished);
    const before = h.events.length;
    await h.clock.advance('5m');
    assert.equal(h.events.length, before, 'no ticks after stop');
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('aborts runs still going after the grace period and releases their claims', async () => {
    const released: string[] = [];
    const h = harness({
      store: (clock) => {
        const store = new MemoryStore({ now: () => clock.now() });
        return Object.assign(Object.create(store), {
          releaseClaims: async (owner: string, claims: HeldClaim[]) => {
            released.push(...claims.map((claim) => new Date(claim.tick).toISOString()));
            return store.releaseClaims(owner, claims);
          },
        }) as ClaimStore;
      },
    });
    let reason: unknown;
    h.scheduler.add(
      job({
        name: 'long',
        schedule: at('2026-01-05T00:01:00Z'),
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
    await h.clock.advance('1m1s');
    const stopping = h.scheduler.stop({ graceMs: 10_000 });
    await h.clock.advance('10s');
    assert.deepEqual(await stopping, { stillRunning: [] });
    assert.equal((reason as { reason?: string }).reason, 'shutdown');
    assert.deepEqual(released, ['2026-01-05T00:01:00.000Z']);
    assert.deepEqual(
      h.lines((e) => e.type === 'run:failure'),
      ['run:failure long 00:01:00 cancelled'],
    );
  });

  it('reports handlers that ignore the abort, and still resolves', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'deaf', schedule: at('2026-01-05T00:01:00Z'), run: () => h.sleep(600_000) }));
    await h.scheduler.start();
    await h.clock.advance('1m1s');
    const stopping = h.scheduler.stop({ graceMs: 1000 });
    // 1 s of grace, then 1 s for the aborted handler to return before it is called stray.
    await h.clock.advance('2s');
    assert.deepEqual(await stopping, { stillRunning: ['deaf'] });
  });

  it('start() after stop() is an error with a clear message', async () => {
    const h = harness();
    await h.scheduler.start();
    await h.scheduler.stop();
    await assert.rejects(h.scheduler.start(), {
      code: 'SCHEDULER_STATE',
      message: 'start() after stop(): a stopped scheduler cannot be restarted; create a new Scheduler',
    });
  });

  it('jobs() lists definitions with metadata, next run and last run', async () => {
    const h = harness();
    h.scheduler.add(
      job({
        name: 'digest',
        schedule: '0 9 * * 1-5',
        timezone: 'Europe/Berlin',
        owner: 'data-team',
        description: 'Daily revenue digest',
        runbook: 'Safe to rerun; see docs/digest.md',
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1d');
    const [snapshot] = h.scheduler.jobs();
    assert.deepEqual(
      { ...snapshot, lastRun: { ...snapshot?.lastRun, finishedAt: undefined } },
      {
        name: 'digest',
        schedule: '0 9 * * 1-5',
        kind: 'cron',
        timezone: 'Europe/Berlin',
        describe: 'At 09:00, Monday through Friday (Europe/Berlin)',
        owner: 'data-team',
        description: 'Daily revenue digest',
        runbook: 'Safe to rerun; see docs/digest.md',
        enabled: true,
        paused: false,
        nextRun: new Date('2026-01-06T08:00:00Z'),
        running: 0,
        strayHandlers: 0,
        lastRun: {
          tick: new Date('2026-01-05T08:00:00Z'),
          outcome: 'success',
          durationMs: 0,
          finishedAt: undefined,
          trigger: 'schedule',
        },
        lastSuccess: new Date('2026-01-05T08:00:00Z'),
        consecutiveFailures: 0,
      },
    );
  });

  it('events carry the job metadata and the claim fence', async () => {
    const h = harness();
    h.scheduler.add(job({ name: 'meta', schedule: every('1m'), owner: 'ops' }));
    await h.scheduler.start();
    await h.clock.advance('2m');
    const starts = h.events.filter((e) => e.type === 'run:start');
    assert.deepEqual(
      starts.map((e) => e.type === 'run:start' && [e.job.owner, e.fence, e.trigger, e.instanceId]),
      [
        ['ops', 1, 'schedule', 'test'],
        ['ops', 2, 'schedule', 'test'],
      ],
    );
  });

  it('a store that is down skips the tick (store-unavailable) and recovers by itself', async () => {
    let down = true;
    const h = harness({
      store: (clock) => {
        const store = new MemoryStore({ now: () => clock.now() });
        return Object.assign(Object.create(store), {
          claimTicks: async (batch: ClaimBatch) => {
            if (down) throw new Error('ECONNREFUSED');
            return store.claimTicks(batch);
          },
        }) as ClaimStore;
      },
    });
    h.scheduler.add(job({ name: 's', schedule: every('1m') }));
    await h.scheduler.start();
    await h.clock.advance('2m');
    down = false;
    await h.clock.advance('1m');
    assert.deepEqual(
      h.lines((e) => e.type !== 'run:start'),
      [
        'tick:skipped s 00:01:00 store-unavailable',
        'tick:skipped s 00:02:00 store-unavailable',
        'run:success s 00:03:00',
      ],
    );
  });
});
