import assert from 'node:assert/strict';
import { type Claim, type ClaimStore, MemoryStore } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { LeaseKeeper } from '../../src/runtime/lease-keeper.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A MemoryStore on the clock that counts renewals and can refuse or fail them. */
function setup() {
  const clock = new VirtualClock('2026-01-05T00:00:00Z');
  const memory = new MemoryStore({ now: () => clock.now() });
  const renewals: string[] = [];
  let mode: 'ok' | 'refuse' | 'fail' = 'ok';
  const store: ClaimStore = Object.assign(Object.create(memory) as MemoryStore, {
    renew: async (claim: Claim, leaseMs: number) => {
      renewals.push(`${claim.job}@${clock.now() - Date.parse('2026-01-05T00:00:00Z')}`);
      if (mode === 'fail') throw new Error('store down');
      if (mode === 'refuse') return false;
      return memory.renew(claim, leaseMs);
    },
  });
  const keeper = new LeaseKeeper(clock, store, silent);
  const claim = async (job: string, leaseMs: number) => {
    const result = await memory.claim({
      job,
      tick: new Date(clock.now()),
      owner: 'me',
      leaseMs,
      exclusive: false,
      retainMs: 60_000,
      maxEarlyMs: 0,
    });
    assert.ok(result.acquired);
    return result.claim;
  };
  return { clock, keeper, renewals, claim, setMode: (m: typeof mode) => (mode = m) };
}

describe('LeaseKeeper', () => {
  it('renews every third of the lease until released, for leases of different lengths', async () => {
    const { clock, keeper, renewals, claim } = setup();
    const releaseA = keeper.hold(await claim('a', 3000), 3000, () => assert.fail('a lost'));
    const releaseB = keeper.hold(await claim('b', 9000), 9000, () => assert.fail('b lost'));
    await clock.advance('7s');
    releaseA();
    await clock.advance('4s');
    releaseB();
    await clock.advance('1m');
    assert.deepEqual(renewals, [
      'a@1000',
      'a@2000',
      'a@3000',
      'b@3000',
      'a@4000',
      'a@5000',
      'a@6000',
      'b@6000',
      'a@7000',
      'b@9000',
    ]);
    assert.equal(clock.pendingTimers, 0, 'a keeper with no lease holds no timer');
  });

  it('a burst of short holds arms one timer, and none once all are released', async () => {
    const { clock, keeper, renewals, claim } = setup();
    const releases: (() => void)[] = [];
    for (let i = 0; i < 1000; i++) releases.push(keeper.hold(await claim(`j${i}`, 30_000), 30_000, () => {}));
    assert.equal(clock.pendingTimers, 1);
    for (const release of releases.slice(0, 999)) release();
    assert.equal(clock.pendingTimers, 1, 'the last lease still needs renewing');
    await clock.advance('10s');
    assert.deepEqual(renewals, ['j999@10000']);
    releases[999]?.();
    assert.equal(clock.pendingTimers, 1, 'dropped after pending work, not at once');
    await clock.advance(0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('short runs one after another reuse one timer (no arm and clear per run)', async () => {
    const { clock, keeper, claim } = setup();
    const armed: number[] = [];
    const setTimer = clock.setTimer.bind(clock);
    clock.setTimer = (callback, delayMs) => {
      armed.push(delayMs);
      return setTimer(callback, delayMs);
    };
    for (let i = 0; i < 100; i++) keeper.hold(await claim(`r${i}`, 30_000), 30_000, () => {})();
    assert.equal(armed.length, 1);
    await clock.advance(0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('releasing the earliest lease leaves the timer to wake once and re-arm for the next', async () => {
    const { clock, keeper, renewals, claim } = setup();
    const first = keeper.hold(await claim('first', 3000), 3000, () => {});
    await clock.advance('500ms');
    keeper.hold(await claim('second', 3000), 3000, () => {});
    first();
    await clock.advance('900ms');
    assert.deepEqual(renewals, [], 'nothing is renewed when the released lease was due');
    assert.equal(clock.pendingTimers, 1);
    await clock.advance('100ms');
    assert.deepEqual(renewals, ['second@1500']);
  });

  it('a refused renewal loses the lease', async () => {
    const { clock, keeper, claim, setMode } = setup();
    const lost: string[] = [];
    keeper.hold(await claim('a', 3000), 3000, (detail) => lost.push(detail));
    setMode('refuse');
    await clock.advance('1s');
    assert.deepEqual(lost, ['the store refused the renewal']);
    await clock.advance('1m');
    assert.equal(lost.length, 1);
    assert.equal(clock.pendingTimers, 0);
  });

  it('failing renewals lose the lease only when it has run out', async () => {
    const { clock, keeper, renewals, claim, setMode } = setup();
    const lost: string[] = [];
    keeper.hold(await claim('a', 3000), 3000, (detail) => lost.push(detail));
    setMode('fail');
    await clock.advance('2s');
    assert.deepEqual(lost, [], 'still within the lease');
    await clock.advance('1s');
    assert.deepEqual(lost, ['renewals failed until the lease ran out']);
    assert.deepEqual(renewals, ['a@1000', 'a@2000', 'a@3000']);
  });

  it('a lease released while its renewal is in flight is not renewed again', async () => {
    const { clock, keeper, renewals, claim } = setup();
    const release = keeper.hold(await claim('a', 3000), 3000, () => {});
    await clock.advance('1s');
    release();
    await clock.advance('1m');
    assert.deepEqual(renewals, ['a@1000']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('close() stops renewing', async () => {
    const { clock, keeper, renewals, claim } = setup();
    keeper.hold(await claim('a', 3000), 3000, () => {});
    keeper.close();
    await clock.advance('1m');
    assert.deepEqual(renewals, []);
    assert.equal(clock.pendingTimers, 0);
  });
});
