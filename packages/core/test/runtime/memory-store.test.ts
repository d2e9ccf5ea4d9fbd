import assert from 'node:assert/strict';
import { type ClaimRequest, MemoryStore } from '@tickwise/core';

describe('MemoryStore: the claim semantics every store shares', () => {
  let now = 0;
  const store = () => new MemoryStore({ now: () => now });
  const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
    job: 'j',
    tick: new Date(60_000),
    owner: 'a',
    leaseMs: 10_000,
    exclusive: false,
    retainMs: 3_600_000,
    // The fake clock sits at the first tick; later ticks in these tests are not early.
    maxEarlyMs: 3_600_000,
    ...overrides,
  });
  beforeEach(() => {
    now = 60_000;
  });

  it('one winner per (job, tick)', async () => {
    const s = store();
    const first = await s.claim(request());
    const second = await s.claim(request({ owner: 'b' }));
    assert.ok(first.acquired);
    assert.deepEqual(second, { acquired: false, reason: 'claimed-elsewhere', retryAfterMs: 10_000 });
  });

  it('a claim retried by the same owner returns the same fence', async () => {
    const s = store();
    const first = await s.claim(request());
    const again = await s.claim(request());
    assert.ok(first.acquired && again.acquired);
    assert.equal(again.claim.fence, first.claim.fence);
  });

  it('a completed tick is never claimed again', async () => {
    const s = store();
    const first = await s.claim(request());
    assert.ok(first.acquired);
    assert.equal(await s.complete(first.claim, 'success'), true);
    now += 30 * 60_000;
    assert.deepEqual(await s.claim(request({ owner: 'b' })), { acquired: false, reason: 'completed' });
    assert.deepEqual(await s.lastCompletedTick('j'), new Date(60_000));
  });

  it('an expired lease is taken over with a larger fence; the old holder can neither renew nor complete', async () => {
    const s = store();
    const first = await s.claim(request());
    assert.ok(first.acquired);
    now += 10_001;
    const takeover = await s.claim(request({ owner: 'b' }));
    assert.ok(takeover.acquired);
    assert.ok(takeover.claim.fence > first.claim.fence);
    assert.equal(await s.renew(first.claim, 10_000), false);
    assert.equal(await s.complete(first.claim, 'success'), false);
    assert.equal(await s.complete(takeover.claim, 'success'), true);
  });

  it('renewal extends the lease', async () => {
    const s = store();
    const first = await s.claim(request());
    assert.ok(first.acquired);
    now += 9000;
    assert.equal(await s.renew(first.claim, 10_000), true);
    now += 9000;
    assert.deepEqual(await s.claim(request({ owner: 'b' })), {
      acquired: false,
      reason: 'claimed-elsewhere',
      retryAfterMs: 1000,
    });
  });

  it('a released tick can be claimed at once by another instance', async () => {
    const s = store();
    const first = await s.claim(request());
    assert.ok(first.acquired);
    await s.release(first.claim);
    const next = await s.claim(request({ owner: 'b' }));
    assert.ok(next.acquired && next.claim.fence > first.claim.fence);
  });

  it('exclusive claims refuse a second tick of the job while one runs', async () => {
    const s = store();
    const first = await s.claim(request({ exclusive: true }));
    assert.ok(first.acquired);
    const overlapping = await s.claim(request({ owner: 'b', exclusive: true, tick: new Date(120_000) }));
    assert.deepEqual(overlapping, { acquired: false, reason: 'overlap' });
    await s.complete(first.claim, 'success');
    assert.ok((await s.claim(request({ owner: 'b', exclusive: true, tick: new Date(120_000) }))).acquired);
  });

  it('forgets finished records after their retention', async () => {
    const s = store();
    const first = await s.claim(request({ retainMs: 60_000 }));
    assert.ok(first.acquired);
    await s.complete(first.claim, 'success');
    now += 10 * 60_000;
    await s.claim(request({ tick: new Date(now) })); // triggers the sweep
    const again = await s.claim(request({ owner: 'c' }));
    assert.ok(again.acquired, 'expired record should be gone');
  });

  it('keeps ticks claimed out of order apart (a catch-up claims an older tick after a newer one)', async () => {
    const s = store();
    const ticks = [180_000, 60_000, 240_000, 120_000].map((ms) => new Date(ms));
    const claims = [];
    for (const tick of ticks) {
      const result = await s.claim(request({ tick }));
      assert.ok(result.acquired, tick.toISOString());
      claims.push(result.claim);
    }
    for (const claim of claims) assert.equal(await s.complete(claim, 'success'), true);
    for (const tick of ticks)
      assert.deepEqual(await s.claim(request({ owner: 'b', tick })), { acquired: false, reason: 'completed' });
    assert.deepEqual(await s.lastCompletedTick('j'), new Date(240_000));
    assert.equal(await s.lastCompletedTick('other'), null);
  });

  it('an exclusive claim is not blocked by a holder whose lease ran out, nor after a takeover of it', async () => {
    const s = store();
    const first = await s.claim(request({ exclusive: true }));
    assert.ok(first.acquired);
    now += 10_001;
    const takeover = await s.claim(request({ owner: 'b', exclusive: true }));
    assert.ok(takeover.acquired);
    assert.equal(await s.complete(takeover.claim, 'success'), true);
    // Neither the abandoned claim nor the completed takeover counts as running.
    assert.ok((await s.claim(request({ owner: 'c', exclusive: true, tick: new Date(120_000) }))).acquired);
  });

  it('forgets an abandoned claim (its holder never completed it) after its retention', async () => {
    const s = store();
    const first = await s.claim(request({ retainMs: 60_000, exclusive: true }));
    assert.ok(first.acquired);
    now += 10 * 60_000;
    await s.claim(request({ job: 'other', tick: new Date(now) })); // triggers the sweep
    const again = await s.claim(request({ owner: 'c', exclusive: true }));
    assert.ok(again.acquired && again.claim.fence > first.claim.fence);
    assert.equal(await s.complete(first.claim, 'success'), false, 'the abandoned holder cannot complete');
  });
});
