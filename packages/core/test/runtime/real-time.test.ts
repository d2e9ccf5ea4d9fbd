import assert from 'node:assert/strict';
import { every, Scheduler } from '@tickwise/core';

// A few checks on the real system clock with short intervals: the virtual-clock suites prove
// the logic; these prove the wiring to real timers.
describe('real time (system clock)', () => {
  it('runs an every-200ms job on its grid, never early', async function () {
    this.timeout(10_000);
    const scheduler = new Scheduler({ env: {} });
    const lateness: number[] = [];
    scheduler.add({
      name: 'fast',
      schedule: every(200),
      run: (ctx) => {
        lateness.push(Date.now() - ctx.scheduledAt.getTime());
      },
    });
    await scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await scheduler.stop({ graceMs: 1000 });
    assert.ok(lateness.length >= 4 && lateness.length <= 6, `ran ${lateness.length} times`);
    // Never early; the upper bound is loose because CI machines are noisy (bench/ measures lateness).
    for (const ms of lateness) assert.ok(ms >= 0 && ms < 500, `lateness ${ms} ms`);
  });

  it('stop() mid-run waits for the handler, then resolves', async function () {
    this.timeout(10_000);
    const scheduler = new Scheduler({ env: {} });
    let finished = false;
    scheduler.add({
      name: 'busy',
      schedule: every(100),
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
      },
    });
    await scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const result = await scheduler.stop({ graceMs: 2000 });
    assert.ok(finished);
    assert.deepEqual(result, { stillRunning: [] });
  });
});
