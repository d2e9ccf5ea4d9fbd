// Contract cases: exclusive claims (overlap policies across replicas), including a long run kept
// alive by renewals over several lease lengths.

import assert from 'node:assert/strict';
import {
  LeaseWatch,
  MARGIN_MS,
  now,
  RENEW_EVERY_MS,
  RENEWED_LEASE_MS,
  retryIfStalled,
  SHORT_LEASE_MS,
  Stalled,
  type Suite,
  sleep,
  sleepUntil,
  verdict,
} from './harness.js';

export function exclusiveCases(suite: Suite): void {
  suite.describe('exclusive claims', () => {
    suite.case(
      'refuse another tick of the job while one runs (overlap); its completion lets the next through',
      async (t) => {
        const first = await t.hold('a', { exclusive: true });
        const later = { exclusive: true, tick: t.tick(1) };
        assert.deepEqual(await t.claim('b', later), { acquired: false, reason: 'overlap' });
        assert.equal(
          verdict(await t.claim('b', { ...later, job: `${t.job}.other` })),
          'acquired',
          'other jobs are free',
        );
        assert.equal(await t.complete('a', first), 'recorded');
        assert.equal(verdict(await t.claim('b', later)), 'acquired');
      },
    );

    suite.case(
      'a live non-exclusive claim of another tick blocks them too; non-exclusive claims never check',
      async (t) => {
        await t.hold('a', { tick: t.tick(0) });
        assert.equal(verdict(await t.claim('b', { tick: t.tick(1), exclusive: true })), 'overlap');
        assert.equal(verdict(await t.claim('b', { tick: t.tick(2) })), 'acquired');
        const job = `${t.job}.exclusive-first`;
        await t.hold('a', { job, tick: t.tick(0), exclusive: true });
        assert.equal(verdict(await t.claim('b', { job, tick: t.tick(1) })), 'acquired');
      },
    );

    suite.case('a release lets the next exclusive claim through', async (t) => {
      const first = await t.hold('a', { exclusive: true });
      await t.release('a', first);
      assert.equal(verdict(await t.claim('b', { exclusive: true, tick: t.tick(1) })), 'acquired');
    });

    suite.case('are not blocked by a run whose lease ended, nor by the record a takeover replaces', async (t) => {
      const first = await t.hold('a', { exclusive: true, leaseMs: SHORT_LEASE_MS });
      await sleepUntil(first.answeredAt + SHORT_LEASE_MS + MARGIN_MS);
      const takeover = await t.hold('b', { exclusive: true });
      assert.equal(verdict(await t.claim('c', { exclusive: true, tick: t.tick(1) })), 'overlap', 'the takeover runs');
      assert.equal(await t.complete('b', takeover), 'recorded');
      assert.equal(verdict(await t.claim('c', { exclusive: true, tick: t.tick(1) })), 'acquired');
    });

    suite.case(
      'a long exclusive run, renewed past several lease lengths, keeps refusing the job’s other ticks',
      async (t) => {
        await retryIfStalled(t, async () => {
          const run = await t.hold('a', { exclusive: true, leaseMs: RENEWED_LEASE_MS });
          const watch = new LeaseWatch(RENEWED_LEASE_MS, run.sentAt);
          let next = 1;
          while (now() - run.sentAt < 3 * RENEWED_LEASE_MS + RENEW_EVERY_MS) {
            await sleep(RENEW_EVERY_MS);
            const sentAt = now();
            const renewed = await t.renew('a', run);
            let answeredAt = now();
            if (!renewed) {
              assert.ok(!watch.live(answeredAt), `renewal refused ${watch.age(answeredAt)} ms into the lease`);
              throw new Stalled(`no renewal for ${watch.age(answeredAt)} ms`);
            }
            watch.renewed(sentAt);
            const other = await t.claim('b', { exclusive: true, tick: t.tick(next++) });
            answeredAt = now();
            if (other.acquired) {
              assert.ok(!watch.live(answeredAt), `another tick was granted ${watch.age(answeredAt)} ms into the lease`);
              throw new Stalled(`no renewal for ${watch.age(answeredAt)} ms`);
            }
            assert.equal(other.reason, 'overlap');
          }
          assert.equal(await t.complete('a', run), 'recorded');
          assert.equal(verdict(await t.claim('b', { exclusive: true, tick: t.tick(next) })), 'acquired');
        });
      },
    );
  });
}
