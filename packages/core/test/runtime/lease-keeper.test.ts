import assert from 'node:assert/strict';
import { type ClaimStore, MemoryStore } from '@tickwise/core';
import type { HeldClaim, RenewalBatch } from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import { type LeaseHandle, LeaseKeeper } from '../../src/runtime/lease-keeper.js';
import type { Logger } from '../../src/runtime/logger.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2026-01-05T00:00:00Z');
const LIMITS = { maxBatch: 1000, maxInFlight: 1 };

type Mode = 'ok' | 'refuse' | 'fail' | 'hang' | 'short' | 'manual';

/** A MemoryStore on the clock whose renewals are recorded (one line per round trip) and can be refused, fail or hang. */
function setup(logger: Logger = silent) {
  const clock = new VirtualClock('2026-01-05T00:00:00Z');
  const memory = new MemoryStore({ now: () => clock.now() });
  const renewals: string[] = [];
  const deadlines: number[] = [];
  /** In `manual` mode: answers the renewal in flight. */
  let answer: (renewed: boolean[]) => void = () => {};
  let mode: Mode = 'ok';
  const store: ClaimStore = Object.assign(Object.create(memory) as MemoryStore, {
    renewLeases: async (batch: RenewalBatch) => {
      renewals.push(`${batch.claims.map((c) => c.job).join('+')}@${clock.now() - T0}`);
      deadlines.push(batch.deadline - T0);
      if (mode === 'fail') throw new Error('store down');
      if (mode === 'short') return [];
      if (mode === 'manual') return new Promise<boolean[]>((resolve) => (answer = resolve));
      if (mode === 'hang') return new Promise<boolean[]>(() => {});
      if (mode === 'refuse') return batch.claims.map(() => false);
      return memory.renewLeases(batch);
    },
  });
  const keeper = new LeaseKeeper(clock, store, 'me', logger, LIMITS);
  const claim = async (job: string, leaseMs: number): Promise<HeldClaim> => {
    const [result] = await memory.claimTicks({
      owner: 'me',
      deadline: clock.now() + 1000,
      maxEarlyMs: 0,
      requests: [{ job, tick: clock.now(), leaseMs, exclusive: false, retainMs: 60_000, takeoverOnly: false }],
    });
    assert.ok(result?.acquired);
    return { job, tick: clock.now(), fence: result.fence, leaseMs, retainMs: 60_000, exclusive: false };
  };
  const hold = async (job: string, leaseMs: number, lost: string[] = []): Promise<LeaseHandle> =>
    keeper.hold(await claim(job, leaseMs), clock.now(), (detail) => lost.push(`${job}@${clock.now() - T0}: ${detail}`));
  return {
    clock,
    keeper,
    renewals,
    deadlines,
    hold,
    setMode: (m: Mode) => (mode = m),
    answer: (renewed: boolean[]) => answer(renewed),
  };
}

describe('LeaseKeeper', () => {
  it('renews every third of the lease until released, for leases of different lengths', async () => {
    const { clock, renewals, hold } = setup();
    const a = await hold('a', 3000);
    const b = await hold('b', 9000);
    await clock.advance('7s');
    a.release();
    await clock.advance('4s');
    b.release();
    await clock.advance('1m');
    assert.deepEqual(renewals, [
      'a@1000',
      'a@2000',
      'a+b@3000', // due together: one round trip
      'a@4000',
      'a@5000',
      'a+b@6000',
      'a@7000',
      'b@9000',
    ]);
    assert.equal(clock.pendingTimers, 0, 'a keeper with no lease holds no timer');
  });

  it('renews every lease due at the same moment in one round trip', async () => {
    const { clock, renewals, hold } = setup();
    for (const job of ['x', 'y', 'z']) await hold(job, 3000);
    await clock.advance('1s');
    assert.deepEqual(renewals, ['x+y+z@1000']);
  });

  it('a burst of short holds arms one timer, and none once all are released', async () => {
    const { clock, renewals, hold } = setup();
    const leases: LeaseHandle[] = [];
    for (let i = 0; i < 1000; i++) leases.push(await hold(`j${i}`, 30_000));
    assert.equal(clock.pendingTimers, 1);
    for (const lease of leases.slice(0, 999)) lease.release();
    assert.equal(clock.pendingTimers, 1, 'the last lease still needs renewing');
    await clock.advance('10s');
    assert.deepEqual(renewals, ['j999@10000']);
    leases[999]?.release();
    assert.equal(clock.pendingTimers, 1, 'dropped after pending work, not at once');
    await clock.advance(0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('short runs one after another reuse one timer (no arm and clear per run)', async () => {
    const { clock, hold } = setup();
    const armed: number[] = [];
    const setTimer = clock.setTimer.bind(clock);
    clock.setTimer = (callback, delayMs) => {
      armed.push(delayMs);
      return setTimer(callback, delayMs);
    };
    for (let i = 0; i < 100; i++) (await hold(`r${i}`, 30_000)).release();
    assert.equal(armed.length, 1);
    await clock.advance(0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('releasing the earliest lease leaves the timer to wake once and re-arm for the next', async () => {
    const { clock, renewals, hold } = setup();
    const first = await hold('first', 3000);
    await clock.advance('500ms');
    await hold('second', 3000);
    first.release();
    await clock.advance('900ms');
    assert.deepEqual(renewals, [], 'nothing is renewed when the released lease was due');
    assert.equal(clock.pendingTimers, 1);
    await clock.advance('100ms');
    assert.deepEqual(renewals, ['second@1500']);
  });

  it('a refused renewal loses the lease', async () => {
    const { clock, hold, setMode } = setup();
    const lost: string[] = [];
    await hold('a', 3000, lost);
    setMode('refuse');
    await clock.advance('1s');
    assert.deepEqual(lost, ['a@1000: the store refused the renewal: the tick was taken over or finished']);
    await clock.advance('1m');
    assert.equal(lost.length, 1);
    assert.equal(clock.pendingTimers, 0);
  });

  it('failing renewals are retried sooner, and the lease is given up a tenth of it before it could end', async () => {
    const { clock, renewals, hold, setMode } = setup();
    const lost: string[] = [];
    const lease = await hold('a', 3000, lost);
    setMode('fail');
    await clock.advance('2699ms');
    assert.deepEqual(lost, [], 'still within the lease');
    await clock.advance('1ms');
    assert.deepEqual(lost, ['a@2700: renewals failed until the lease would end']);
    assert.equal(lease.lost, true);
    assert.deepEqual(renewals, ['a@1000', 'a@1300', 'a@1600', 'a@1900', 'a@2200', 'a@2500']);
    await clock.advance('1m');
    assert.equal(clock.pendingTimers, 0);
  });

  it('a renewal that never answers (a partition, a client without timeouts) still gives the lease up in time', async () => {
    const { clock, hold, setMode } = setup();
    const lost: string[] = [];
    await hold('a', 30_000, lost);
    setMode('hang');
    await clock.advance('28999ms');
    assert.deepEqual(lost, []);
    await clock.advance('1ms');
    assert.deepEqual(lost, ['a@29000: renewals failed until the lease would end']);
  });

  it('counts the lease from when the claim was sent, not from the answer', async () => {
    const { clock, keeper, setMode } = setup();
    const lost: string[] = [];
    setMode('hang');
    const claim: HeldClaim = { job: 'slow', tick: T0, fence: 1, leaseMs: 3000, retainMs: 0, exclusive: false };
    await clock.advance('1s');
    // The claim went out at T0 and its answer took a second: 1.7 s of the lease are left to trust.
    keeper.hold(claim, T0, (detail) => lost.push(`${clock.now() - T0}: ${detail}`));
    await clock.advance('1699ms');
    assert.deepEqual(lost, []);
    await clock.advance('1ms');
    assert.deepEqual(lost, ['2700: renewals failed until the lease would end']);
  });

  it('a renewal that gets through after failures keeps the lease (and moves its end on)', async () => {
    const { clock, renewals, hold, setMode } = setup();
    const lost: string[] = [];
    const lease = await hold('a', 3000, lost);
    setMode('fail');
    await clock.advance('1500ms');
    setMode('ok');
    await clock.advance('100ms');
    assert.equal(lease.abortAt - T0, 1600 + 2700);
    await clock.advance('10s');
    assert.deepEqual(lost, []);
    assert.deepEqual(renewals.slice(0, 4), ['a@1000', 'a@1300', 'a@1600', 'a@2600']);
  });

  it('a claim granted after its lease could have ended is lost at once', async () => {
    const { clock, keeper } = setup();
    const lost: string[] = [];
    await clock.advance('3s');
    const claim: HeldClaim = { job: 'late', tick: T0, fence: 1, leaseMs: 3000, retainMs: 0, exclusive: false };
    const lease = keeper.hold(claim, T0, (detail) => lost.push(detail));
    assert.equal(lease.lost, true);
    assert.deepEqual(lost, ['the claim was granted too late to run']);
  });

  it('a lease released while its renewal is in flight is not renewed again', async () => {
    const { clock, renewals, hold } = setup();
    const lease = await hold('a', 3000);
    await clock.advance('1s');
    lease.release();
    await clock.advance('1m');
    assert.deepEqual(renewals, ['a@1000']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('close() stops renewing', async () => {
    const { clock, keeper, renewals, hold } = setup();
    await hold('a', 3000);
    keeper.close();
    await clock.advance('1m');
    assert.deepEqual(renewals, []);
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('LeaseKeeper: answers and edges', () => {
  it('an answer with the wrong number of results is a failed renewal (retried), not a refusal', async () => {
    const { clock, renewals, hold, setMode } = setup();
    const lost: string[] = [];
    await hold('a', 3000, lost);
    setMode('short');
    await clock.advance('1500ms');
    assert.deepEqual(lost, [], 'not lost: the store did not refuse');
    assert.deepEqual(renewals, ['a@1000', 'a@1300']);
  });

  it('logs why a renewal failed: the error, no answer in time, or a bad answer', async () => {
    const warned: string[] = [];
    const logger: Logger = {
      ...silent,
      warn: (fields, message) => {
        const { leases, err } = fields as { leases: number; err: unknown };
        warned.push(`${message} (${leases}: ${err instanceof Error ? err.message : err})`);
      },
    };
    for (const mode of ['fail', 'hang', 'short'] as const) {
      const { clock, hold, setMode } = setup(logger);
      await hold('a', 30_000);
      await hold('b', 30_000);
      setMode(mode);
      await clock.advance('10s');
      await clock.advance('20s');
    }
    assert.deepEqual(
      [...new Set(warned)],
      [
        'tickwise: lease renewal failed (2: store down)',
        'tickwise: lease renewal failed (2: no answer in time)',
        'tickwise: lease renewal failed (2: bad answer)',
      ],
    );
  });

  it('asks the store to renew only until the earliest lease of the round trip must be given up', async () => {
    const { clock, deadlines, hold } = setup();
    await hold('a', 3000);
    await clock.advance('1s');
    // Held at 0, given up at 2.7 s: the renewal sent at 1 s may take at most until then.
    assert.deepEqual(deadlines, [2700]);
  });

  it('a claim granted exactly when its lease must be given up is lost at once', async () => {
    const { clock, keeper } = setup();
    await clock.advance('2700ms');
    const claim: HeldClaim = { job: 'late', tick: T0, fence: 1, leaseMs: 3000, retainMs: 0, exclusive: false };
    const lease = keeper.hold(claim, T0, () => {});
    assert.equal(lease.lost, true);
  });

  it('a renewal that fails just as the lease must be given up loses it then', async () => {
    const { clock, hold, setMode, answer } = setup();
    const lost: string[] = [];
    await hold('a', 3000, lost);
    setMode('manual');
    await clock.advance('1s');
    setMode('fail');
    await clock.advance('1700ms');
    assert.deepEqual(lost, ['a@2700: renewals failed until the lease would end']);
    answer([true]);
    await clock.advance('1s');
    assert.equal(lost.length, 1);
  });

  it('a lease released while its renewal is in flight is not renewed again when the answer comes', async () => {
    const { clock, renewals, hold, setMode, answer } = setup();
    const lease = await hold('a', 3000);
    setMode('manual');
    await clock.advance('1s');
    lease.release();
    answer([true]);
    setMode('ok');
    await clock.advance('1m');
    assert.deepEqual(renewals, ['a@1000']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('close() while a renewal is in flight: its answer queues no further renewal', async () => {
    const { clock, keeper, renewals, hold, setMode, answer } = setup();
    await hold('a', 3000);
    setMode('manual');
    await clock.advance('1s');
    keeper.close();
    answer([true]);
    setMode('ok');
    await clock.advance('1m');
    assert.deepEqual(renewals, ['a@1000']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('close() while renewals fail: no retries and no timer left', async () => {
    const { clock, keeper, renewals, hold, setMode } = setup();
    await hold('a', 3000);
    setMode('fail');
    await clock.advance('1s');
    keeper.close();
    await clock.advance('1m');
    assert.deepEqual(renewals, ['a@1000']);
    assert.equal(clock.pendingTimers, 0);
  });
});
