// Contract cases: completion. Never claimed again, idempotent, accepted after the lease if no one
// took over, every outcome, completions out of order, the last completed tick.

import assert from 'node:assert/strict';
import type { RunOutcome } from '../runtime/store.js';
import { MARGIN_MS, SHORT_LEASE_MS, type Suite, sleepUntil, verdict } from './harness.js';

export function completionCases(suite: Suite): void {
  suite.describe('completion', () => {
    suite.case('a completed tick is never claimed again, and is the last completed tick', async (t) => {
      const first = await t.hold('a');
      assert.equal(await t.complete('a', first), 'recorded');
      assert.deepEqual(await t.claim('b'), { acquired: false, reason: 'completed' });
      assert.deepEqual(await t.claim('a'), { acquired: false, reason: 'completed' }, 'not even by its holder');
      assert.deepEqual(await t.claim('b', { takeoverOnly: true }), { acquired: false, reason: 'completed' });
      assert.deepEqual(await t.claim('b', { exclusive: true }), { acquired: false, reason: 'completed' });
      assert.equal(await t.store.lastCompletedTick(t.job), t.tick());
      assert.equal(await t.store.lastCompletedTick(`${t.job}.never`), null);
    });

    suite.case('is idempotent: completing again under the same fence is recorded, not rejected', async (t) => {
      const first = await t.hold('a');
      assert.equal(await t.complete('a', first), 'recorded');
      assert.equal(await t.complete('a', first), 'recorded');
      assert.equal(await t.complete('a', first, 'failure'), 'recorded', 'whatever the outcome sent again');
    });

    suite.case('is accepted after the lease ended, as long as no one took the tick over', async (t) => {
      const first = await t.hold('a', { leaseMs: SHORT_LEASE_MS });
      await sleepUntil(first.answeredAt + SHORT_LEASE_MS + MARGIN_MS);
      assert.equal(await t.complete('a', first), 'recorded');
      assert.deepEqual(await t.claim('b'), { acquired: false, reason: 'completed' });
    });

    suite.case('every outcome completes the tick', async (t) => {
      const outcomes: RunOutcome[] = ['success', 'failure', 'timeout', 'cancelled', 'unexpected'];
      const held = await t.holdAll(
        'a',
        outcomes.map((_, i) => t.request({ tick: t.tick(i) })),
      );
      const results = await t.store.completeRuns({
        owner: 'a',
        runs: held.map((claim, i) => ({ claim, outcome: outcomes[i] as RunOutcome })),
      });
      assert.deepEqual(
        results,
        outcomes.map(() => 'recorded'),
      );
      const after = await t.claimAll(
        'b',
        outcomes.map((_, i) => t.request({ tick: t.tick(i) })),
      );
      assert.deepEqual(
        after.map(verdict),
        outcomes.map(() => 'completed'),
      );
      assert.equal(await t.store.lastCompletedTick(t.job), t.tick(outcomes.length - 1));
    });

    suite.case(
      'out of order: a tick completed after a later tick completed is recorded; the last completed tick stays the later one',
      async (t) => {
        const earlier = await t.hold('a', { tick: t.tick(0) });
        const later = await t.hold('b', { tick: t.tick(1) });
        assert.equal(await t.complete('b', later), 'recorded');
        assert.equal(await t.complete('a', earlier), 'recorded');
        assert.equal(await t.store.lastCompletedTick(t.job), t.tick(1));
        const after = await t.claimAll('c', [t.request({ tick: t.tick(0) }), t.request({ tick: t.tick(1) })]);
        assert.deepEqual(after.map(verdict), ['completed', 'completed']);
      },
    );

    suite.case(
      'out of order: the late completion of a lapsed exclusive run leaves the next tick’s run exclusive',
      async (t) => {
        const lapsed = await t.hold('a', { exclusive: true, leaseMs: SHORT_LEASE_MS, tick: t.tick(0) });
        await sleepUntil(lapsed.answeredAt + SHORT_LEASE_MS + MARGIN_MS);
        const next = await t.hold('b', { exclusive: true, tick: t.tick(1) });
        assert.equal(await t.complete('a', lapsed), 'recorded', 'no one took tick 0 over');
        assert.equal(verdict(await t.claim('c', { exclusive: true, tick: t.tick(2) })), 'overlap', 'tick 1 still runs');
        assert.equal(await t.store.lastCompletedTick(t.job), t.tick(0));
        assert.equal(await t.complete('b', next), 'recorded');
        assert.equal(await t.store.lastCompletedTick(t.job), t.tick(1));
        assert.equal(verdict(await t.claim('c', { exclusive: true, tick: t.tick(2) })), 'acquired');
      },
    );

    suite.case('keeps ticks completed in any order apart; the last completed tick is the latest', async (t) => {
      const ticks = [3, 1, 4, 2].map((n) => t.tick(n));
      const held = await t.holdAll(
        'a',
        ticks.map((tick) => t.request({ tick })),
      );
      for (const claim of [...held].reverse()) assert.equal(await t.complete('a', claim), 'recorded');
      const after = await t.claimAll(
        'b',
        ticks.map((tick) => t.request({ tick })),
      );
      assert.deepEqual(
        after.map(verdict),
        ticks.map(() => 'completed'),
      );
      assert.equal(await t.store.lastCompletedTick(t.job), t.tick(4));
    });
  });
}
