import assert from 'node:assert/strict';
import { every, MemoryStore } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { HealthCheck } from '../../../src/runtime/health-check.js';
import { jobState, lifecycle, T0 } from './fixtures.js';

function setup(ping: () => Promise<void>) {
  const clock = new VirtualClock(T0);
  const store = Object.assign(Object.create(new MemoryStore()) as MemoryStore, { ping });
  const job = jobState({ name: 'j', schedule: every('1m') });
  const check = new HealthCheck({
    instanceId: 'replica-a',
    store,
    clock,
    lifecycle: lifecycle('running'),
    membership: { status: () => ({ clockOffsetMs: 12, dataLossDetectedAt: null, instanceIdConflict: false }) },
    jobs: () => [job],
    nextRun: () => new Date(T0 + 60_000),
  });
  return { clock, check };
}

describe('health check', () => {
  it('a store that answers: reachable, with the round trip and what the heartbeat measured', async () => {
    const { clock, check } = setup(async () => {
      await new Promise<void>((resolve) => clock.setTimer(resolve, 30));
    });
    const pending = check.check({});
    await clock.advance(100);
    const health = await pending;
    assert.deepEqual(health.store, {
      reachable: true,
      roundTripMs: 30,
      clockOffsetMs: 12,
      dataLossDetectedAt: null,
      instanceIdConflict: false,
    });
    assert.equal(health.jobs[0]?.nextRun?.getTime(), T0 + 60_000);
  });

  it('a frozen store cannot hang the check: unreachable after 2 s, and the scheduler is failing', async () => {
    const { clock, check } = setup(() => new Promise<void>(() => {}));
    const pending = check.check({});
    await clock.advance('2s');
    const health = await pending;
    assert.equal(health.store.reachable, false);
    assert.equal(health.store.error, 'no answer within 2000 ms');
    assert.equal(health.status, 'failing');
  });
});
