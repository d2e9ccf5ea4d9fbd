// The claim semantics every shared store must keep, run against the real server. Leases are short
// (a few hundred ms) so expiry can be observed; the store's own clock decides.

import assert from 'node:assert/strict';
import type { ClaimRequest, ClaimStore } from '@tickwise/core';
import { sleep } from './services.js';

export function storeContract(make: () => Promise<ClaimStore>): void {
  let store: ClaimStore;
  let job = '';
  let n = 0;
  const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
    job,
    tick: new Date(Date.UTC(2026, 0, 5, 0, 1)),
    owner: 'a',
    leaseMs: 400,
    exclusive: false,
    retainMs: 60_000,
    maxEarlyMs: 250,
    ...overrides,
  });

  beforeEach(async () => {
    store = await make();
    job = `Job{with}braces.${process.pid}.${++n}.${Date.now()}`;
  });
  afterEach(async () => {
    await store.close?.();
  });

  it('one winner per (job, tick), however many claim at once', async () => {
    // Many rounds: the interleavings that matter (two first inserts at once) are rare per round.
    for (let round = 0; round < 25; round++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.claim(request({ job: `${job}.${round}`, owner: `r${i}` }))),
      );
      assert.equal(results.filter((r) => r.acquired).length, 1, `round ${round}`);
      for (const r of results) {
        if (r.acquired) continue;
        assert.equal(r.reason, 'claimed-elsewhere');
        // Every loser learns when to ask again (the holder's lease, by the store's clock).
        assert.ok(
          r.retryAfterMs !== undefined && r.retryAfterMs > 0 && r.retryAfterMs <= 400,
          `round ${round}: retryAfterMs ${r.retryAfterMs}`,
        );
      }
    }
  });

  it('a claim retried by the same owner returns the same fence', async () => {
    const first = await store.claim(request());
    const again = await store.claim(request());
    assert.ok(first.acquired && again.acquired);
    assert.equal(again.claim.fence, first.claim.fence);
  });

  it('a completed tick is never claimed again, and is the last completed tick', async () => {
    const first = await store.claim(request());
    assert.ok(first.acquired);
    assert.equal(await store.complete(first.claim, 'success'), true);
    await sleep(450);
    assert.deepEqual(await store.claim(request({ owner: 'b' })), { acquired: false, reason: 'completed' });
    assert.deepEqual(await store.lastCompletedTick(job), request().tick);
  });

  it('an expired lease is taken over with a larger fence; the old holder can neither renew nor complete', async () => {
    const first = await store.claim(request());
    assert.ok(first.acquired);
    await sleep(450);
    const takeover = await store.claim(request({ owner: 'b' }));
    assert.ok(takeover.acquired, 'takeover after the lease');
    assert.ok(takeover.claim.fence > first.claim.fence);
    assert.equal(await store.renew(first.claim, 400), false);
    assert.equal(await store.complete(first.claim, 'success'), false);
    assert.equal(await store.complete(takeover.claim, 'success'), true);
  });

  it('renewal keeps the lease alive', async () => {
    const first = await store.claim(request());
    assert.ok(first.acquired);
    for (let i = 0; i < 3; i++) {
      await sleep(200);
      assert.equal(await store.renew(first.claim, 400), true);
    }
    const refused = await store.claim(request({ owner: 'b' }));
    assert.equal(refused.acquired, false);
    assert.equal(!refused.acquired && refused.reason, 'claimed-elsewhere');
  });

  it('a released tick can be taken at once by another instance', async () => {
    const first = await store.claim(request());
    assert.ok(first.acquired);
    await store.release(first.claim);
    const next = await store.claim(request({ owner: 'b' }));
    assert.ok(next.acquired && next.claim.fence > first.claim.fence);
  });

  it('exclusive claims refuse another tick of the job while one runs', async () => {
    const first = await store.claim(request({ exclusive: true }));
    assert.ok(first.acquired);
    const later = request({ owner: 'b', exclusive: true, tick: new Date(Date.UTC(2026, 0, 5, 0, 2)) });
    assert.deepEqual(await store.claim(later), { acquired: false, reason: 'overlap' });
    await store.complete(first.claim, 'success');
    assert.ok((await store.claim(later)).acquired);
  });

  it('refuses a claim made well before the tick by its own clock (a replica whose clock runs fast)', async () => {
    const future = new Date(Date.now() + 5000);
    const early = await store.claim(request({ tick: future }));
    assert.equal(early.acquired, false);
    assert.equal(!early.acquired && early.reason, 'early');
    assert.ok(
      !early.acquired && early.retryAfterMs !== undefined && early.retryAfterMs > 4000 && early.retryAfterMs <= 5000,
    );
    assert.ok((await store.claim(request({ tick: new Date(Date.now() + 100) }))).acquired, 'within maxEarlyMs is fine');
  });

  it('answers ping()', async () => {
    await store.ping();
  });
}
