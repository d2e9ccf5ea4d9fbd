import assert from 'node:assert/strict';
import { TickwiseError } from '@tickwise/core';
import { Lifecycle } from '../../../src/runtime/lifecycle.js';

describe('lifecycle: start() and stop() promises', () => {
  it('start() runs once: every call gets the first call’s promise', async () => {
    const life = new Lifecycle();
    let starts = 0;
    const first = life.start(async () => {
      starts++;
    });
    assert.equal(
      life.start(async () => {
        starts++;
      }),
      first,
    );
    await first;
    assert.equal(starts, 1);
  });

  it('stop() runs once: a second call cannot shorten the first one’s grace period', async () => {
    const life = new Lifecycle();
    const first = life.stop(async () => ({ stillRunning: ['first'] }));
    const second = life.stop(async () => ({ stillRunning: ['second'] }));
    assert.equal(second, first);
    assert.deepEqual(await second, { stillRunning: ['first'] });
  });

  it('start() once stop() was called rejects with SCHEDULER_STATE', async () => {
    for (const state of ['stopping', 'stopped'] as const) {
      const life = new Lifecycle();
      life.state = state;
      await assert.rejects(
        life.start(async () => assert.fail('not started')),
        (error: unknown) => error instanceof TickwiseError && error.code === 'SCHEDULER_STATE',
      );
    }
  });

  it('startSettled() waits for a start under way, even one that fails, and resolves at once without one', async () => {
    const life = new Lifecycle();
    await life.startSettled();
    let fail: (error: Error) => void = () => {};
    const starting = life.start(() => new Promise<void>((_, reject) => (fail = reject)));
    starting.catch(() => {});
    let settled = false;
    const waiting = life.startSettled().then(() => (settled = true));
    await Promise.resolve();
    assert.equal(settled, false);
    fail(new Error('store down'));
    await waiting;
    assert.equal(settled, true);
  });

  it('running and shuttingDown follow the state', () => {
    const life = new Lifecycle();
    const seen = (['idle', 'running', 'stopping', 'stopped'] as const).map((state) => {
      life.state = state;
      return `${state}: ${life.running} ${life.shuttingDown}`;
    });
    assert.deepEqual(seen, ['idle: false false', 'running: true false', 'stopping: false true', 'stopped: false true']);
  });
});
