// Contract cases: claiming a tick (one winner, the same fence for its holder, growing fences, early
// and late requests).

import assert from 'node:assert/strict';
import { HELD_MS, now, type Suite, verdict } from './harness.js';

export function claimCases(suite: Suite): void {
  suite.describe('claims', () => {
    suite.case('one winner per (job, tick), however many claim at once', async (t) => {
      // Many rounds: the interleavings that matter (two first inserts at once) are rare per round.
      for (let round = 0; round < 25; round++) {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => t.claim(`r${i}`, { job: `${t.job}.${round}` })),
        );
        assert.equal(results.filter((r) => r.acquired).length, 1, `round ${round}: ${results.map(verdict)}`);
        for (const r of results) {
          if (r.acquired) continue;
          assert.equal(r.reason, 'claimed-elsewhere');
          // Every loser learns when to ask again: when the holder's lease ends, by the store's clock.
          assert.ok(
            r.retryAfterMs !== undefined && r.retryAfterMs > 0 && r.retryAfterMs <= HELD_MS,
            `round ${round}: retryAfterMs ${r.retryAfterMs}`,
          );
        }
      }
    });

    suite.case('a claim asked again by its holder returns the same fence and lease end, not extended', async (t) => {
      const first = await t.claim('a');
      const again = await t.claim('a');
      assert.ok(first.acquired && again.acquired);
      assert.equal(again.fence, first.fence);
      assert.equal(again.leaseUntil, first.leaseUntil, 'asking again does not extend the lease');
    });

    suite.case('fences grow with every claim of the job, across ticks and takeovers', async (t) => {
      const fences: number[] = [];
      for (let i = 0; i < 5; i++) fences.push((await t.hold('a', { tick: t.tick(i) })).fence);
      const released = await t.hold('a', { tick: t.tick(5) });
      await t.release('a', released);
      fences.push(released.fence, (await t.hold('b', { tick: t.tick(5) })).fence);
      for (let i = 1; i < fences.length; i++) {
        assert.ok((fences[i] as number) > (fences[i - 1] as number), `fences ${fences}`);
      }
    });

    suite.case(
      'refuses a claim made well before its tick by the store’s clock (early), saying how long until it',
      async (t) => {
        const early = await t.claim('a', { tick: now() + 5000 });
        assert.equal(verdict(early), 'early');
        assert.ok(
          !early.acquired && early.retryAfterMs !== undefined && early.retryAfterMs > 0 && early.retryAfterMs <= 5000,
          `retryAfterMs ${!early.acquired && early.retryAfterMs}`,
        );
        assert.equal(verdict(await t.claim('a', { tick: now() + 100 })), 'acquired', 'within maxEarlyMs (250 ms)');
      },
    );

    suite.case(
      'refuses a batch that reaches the store after its deadline (late), and keeps no trace of it',
      async (t) => {
        const results = await t.claimAll('a', [t.request(), t.request({ tick: t.tick(1) })], now() - 1000);
        assert.deepEqual(results, [
          { acquired: false, reason: 'late' },
          { acquired: false, reason: 'late' },
        ]);
        assert.equal(verdict(await t.claim('b')), 'acquired', 'nothing was claimed by the late batch');
        assert.deepEqual(
          await t.claim('c', { tick: t.tick(1), takeoverOnly: true }),
          { acquired: false, reason: 'unknown-tick' },
          'no record of the late batch’s second tick',
        );
      },
    );
  });
}
