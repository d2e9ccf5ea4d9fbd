import assert from 'node:assert/strict';
import { MemoryStore } from '@tickwise/core';
import type { ClaimRequest } from '@tickwise/core/store';

// The contract every store keeps runs against the MemoryStore in test/stores/; these are the
// MemoryStore's own workings, on a clock the test sets.
describe('MemoryStore', () => {
  let now = 0;
  const store = () => new MemoryStore({ now: () => now });
  const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
    job: 'j',
    tick: 60_000,
    leaseMs: 10_000,
    exclusive: false,
    retainMs: 3_600_000,
    takeoverOnly: false,
    ...overrides,
  });
  // The fake clock sits at the first tick; later ticks in these tests are not early.
  const claim = async (s: MemoryStore, owner: string, overrides: Partial<ClaimRequest> = {}) => {
    const [result] = await s.claimTicks({
      owner,
      deadline: now + 1000,
      maxEarlyMs: 3_600_000,
      requests: [request(overrides)],
    });
    assert.ok(result);
    return result;
  };
  const held = (r: ClaimRequest, fence: number) => ({ ...r, fence });
  beforeEach(() => {
    now = 60_000;
  });

  it('sweeps finished records after their retention; the last completed tick outlives them', async () => {
    const s = store();
    const first = await claim(s, 'a', { retainMs: 60_000 });
    assert.ok(first.acquired);
    await s.completeRuns({
      owner: 'a',
      runs: [{ claim: held(request({ retainMs: 60_000 }), first.fence), outcome: 'success' }],
    });
    now += 10 * 60_000;
    await claim(s, 'a', { job: 'other', tick: now }); // triggers the sweep
    const again = await claim(s, 'c');
    assert.ok(again.acquired, 'expired record should be gone');
    assert.equal(await s.lastCompletedTick('j'), 60_000, 'the last completed tick outlives its record');
  });

  it('forgets an abandoned claim (its holder never completed it) after its retention', async () => {
    const s = store();
    const first = await claim(s, 'a', { retainMs: 60_000, exclusive: true });
    assert.ok(first.acquired);
    now += 10 * 60_000;
    await claim(s, 'a', { job: 'other', tick: now }); // triggers the sweep
    const again = await claim(s, 'c', { exclusive: true });
    assert.ok(again.acquired && again.fence > first.fence);
    const [late] = await s.completeRuns({
      owner: 'a',
      runs: [{ claim: held(request(), first.fence), outcome: 'success' }],
    });
    assert.equal(late, 'rejected', 'the abandoned holder cannot complete a tick taken over');
  });

  it('releases only claims of the owner that asks', async () => {
    const s = store();
    const first = await claim(s, 'a');
    assert.ok(first.acquired);
    await s.releaseClaims('b', [held(request(), first.fence)]);
    assert.equal((await claim(s, 'b')).acquired, false);
  });
});
