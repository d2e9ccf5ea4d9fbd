// Contract cases: a store that lost every record (a Redis restarted without persistence, a
// database restored from an old backup). Run only with the `wipe` option.

import assert from 'node:assert/strict';
import type { Suite } from './harness.js';

export function dataLossCases(suite: Suite): void {
  suite.describe('after the store lost its data', () => {
    suite.case('fences keep growing, the epoch changes, and a lost tick is not taken over', async (t) => {
      const { store } = t;
      const before = await store.heartbeat({ instanceId: `${t.job}.w`, session: 's', ttlMs: 5000 });
      const first = await t.hold('a');
      await t.wipe();
      const after = await store.heartbeat({ instanceId: `${t.job}.w`, session: 's', ttlMs: 5000 });
      assert.notEqual(after.epoch, before.epoch);
      assert.deepEqual(await t.claim('b', { takeoverOnly: true }), { acquired: false, reason: 'unknown-tick' });
      const next = await t.hold('b', { tick: t.tick(1) });
      assert.ok(next.fence > first.fence, `fence ${next.fence} after ${first.fence}`);
    });

    suite.case("a holder's renewal and completion write its lost record again", async (t) => {
      const first = await t.hold('a');
      await t.wipe();
      assert.equal(await t.renew('a', first), true);
      assert.equal((await t.claim('b')).acquired, false, 'held again');
      assert.equal(await t.complete('a', first), 'recorded');
      assert.deepEqual(await t.claim('b'), { acquired: false, reason: 'completed' });
      assert.equal(await t.store.lastCompletedTick(t.job), t.tick());
    });
  });
}
