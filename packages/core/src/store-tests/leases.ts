// Contract cases: leases. Takeovers after a lease ends, stale renewals, renewals past a deadline or
// a lease's end, releases, takeover-only claims.

import assert from 'node:assert/strict';
import { MARGIN_MS, now, SHORT_LEASE_MS, type Suite, sleepUntil, verdict } from './harness.js';

const short = { leaseMs: SHORT_LEASE_MS };

export function leaseCases(suite: Suite): void {
  suite.describe('leases and takeovers', () => {
    suite.case(
      'an ended lease is taken over with a larger fence; the old holder can then neither renew nor complete',
      async (t) => {
        const first = await t.hold('a', short);
        await sleepUntil(first.answeredAt + SHORT_LEASE_MS + MARGIN_MS);
        const takeover = await t.hold('b');
        assert.ok(takeover.fence > first.fence, `fence ${takeover.fence} after ${first.fence}`);
        assert.equal(await t.renew('a', first), false);
        assert.equal(await t.complete('a', first), 'rejected');
        assert.equal(verdict(await t.claim('c')), 'claimed-elsewhere', 'the rejected completion recorded nothing');
        assert.equal(await t.complete('b', takeover), 'recorded');
        assert.equal(verdict(await t.claim('c')), 'completed');
      },
    );

    suite.case('a stale renewal (after another owner took the tick over) is refused and extends nothing', async (t) => {
      const first = await t.hold('a', short);
      await sleepUntil(first.answeredAt + SHORT_LEASE_MS + MARGIN_MS);
      const takeover = await t.hold('b');
      assert.equal(await t.renew('a', first), false);
      const asked = await t.claim('b');
      assert.ok(asked.acquired, `the new holder lost the tick: ${verdict(asked)}`);
      assert.equal(asked.fence, takeover.fence, 'the fence is the new holder’s');
      assert.equal(asked.leaseUntil, takeover.leaseUntil, 'the stale renewal did not move the lease');
      const other = await t.claim('c');
      assert.equal(verdict(other), 'claimed-elsewhere');
      assert.equal(await t.complete('b', takeover), 'recorded');
      assert.equal(await t.renew('a', first), false, 'nor after the new holder completed');
      assert.equal(verdict(await t.claim('c')), 'completed');
    });

    suite.case(
      'a renewal after the lease ended is refused, even if no one took the tick over, and revives nothing',
      async (t) => {
        const first = await t.hold('a', short);
        await sleepUntil(first.answeredAt + SHORT_LEASE_MS + MARGIN_MS);
        assert.equal(await t.renew('a', first), false);
        const next = await t.hold('b');
        assert.ok(next.fence > first.fence);
      },
    );

    suite.case('a renewal past its deadline is refused and does not move the lease', async (t) => {
      const first = await t.hold('a');
      assert.equal(await t.renew('a', first, now() - 1000), false);
      const again = await t.claim('a');
      assert.ok(again.acquired && again.leaseUntil === first.leaseUntil);
    });

    suite.case('a renewal of a released or completed claim is refused', async (t) => {
      const released = await t.hold('a', { tick: t.tick(0) });
      await t.release('a', released);
      assert.equal(await t.renew('a', released), false);
      assert.equal(verdict(await t.claim('b', { tick: t.tick(0) })), 'acquired', 'the refused renewal revived nothing');
      const completed = await t.hold('a', { tick: t.tick(1) });
      assert.equal(await t.complete('a', completed), 'recorded');
      assert.equal(await t.renew('a', completed), false);
    });

    suite.case('a released tick can be taken at once by another owner, with a larger fence', async (t) => {
      const first = await t.hold('a');
      await t.release('a', first);
      const next = await t.claim('b');
      assert.ok(next.acquired && next.fence > first.fence, verdict(next));
      assert.equal(await t.complete('a', first), 'rejected', 'the released fence cannot complete it');
    });

    suite.case('a release by another owner, under another fence, or of a finished tick changes nothing', async (t) => {
      const held = await t.hold('a', { tick: t.tick(0) });
      await t.release('b', held);
      await t.release('a', { ...held, fence: held.fence + 1 });
      assert.equal(verdict(await t.claim('c', { tick: t.tick(0) })), 'claimed-elsewhere');
      assert.equal(await t.renew('a', held), true, 'still the holder’s');
      const done = await t.hold('a', { tick: t.tick(1) });
      assert.equal(await t.complete('a', done), 'recorded');
      await t.release('a', done);
      assert.equal(verdict(await t.claim('c', { tick: t.tick(1) })), 'completed');
    });

    suite.case('a takeover-only claim takes over an ended or released record, never creates one', async (t) => {
      assert.deepEqual(await t.claim('a', { takeoverOnly: true }), { acquired: false, reason: 'unknown-tick' });
      await t.hold('a', { tick: t.tick(1) });
      assert.equal(verdict(await t.claim('b', { tick: t.tick(1), takeoverOnly: true })), 'claimed-elsewhere', 'held');
      const first = await t.hold('a', short);
      await sleepUntil(first.answeredAt + SHORT_LEASE_MS + MARGIN_MS);
      const takeover = await t.hold('b', { takeoverOnly: true });
      assert.ok(takeover.fence > first.fence);
      await t.release('b', takeover);
      assert.equal(verdict(await t.claim('c', { takeoverOnly: true })), 'acquired', 'released');
    });
  });
}
