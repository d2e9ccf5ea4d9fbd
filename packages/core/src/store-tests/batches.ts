// Contract cases: batches. One answer per item, in order, each decided as if the items had been
// handled one after another; empty batches.

import assert from 'node:assert/strict';
import { now, type Suite, verdict } from './harness.js';

export function batchCases(suite: Suite): void {
  suite.describe('batches', () => {
    suite.case('answers a claim batch in order, each request on its own, every answer in one batch', async (t) => {
      const done = await t.hold('b', { tick: t.tick(1) });
      assert.equal(await t.complete('b', done), 'recorded');
      await t.hold('b', { tick: t.tick(2) });
      await t.hold('b', { job: `${t.job}.busy` });
      const results = await t.claimAll('a', [
        t.request({ tick: t.tick(0) }),
        t.request({ tick: t.tick(1) }),
        t.request({ tick: t.tick(2) }),
        t.request({ tick: now() + 60_000 }),
        t.request({ job: `${t.job}.other` }),
        t.request({ job: `${t.job}.busy`, tick: t.tick(1), exclusive: true }),
        t.request({ tick: t.tick(3), takeoverOnly: true }),
        t.request({ tick: t.tick(4) }),
      ]);
      assert.deepEqual(results.map(verdict), [
        'acquired',
        'completed',
        'claimed-elsewhere',
        'early',
        'acquired',
        'overlap',
        'unknown-tick',
        'acquired',
      ]);
      const [first, last] = [results[0], results[7]];
      // Fences are per job: two grants of one job in one batch differ (another job's may be equal).
      assert.ok(first?.acquired && last?.acquired && last.fence !== first.fence, 'a fence per grant of the job');
    });

    suite.case(
      'decides a batch in order: an exclusive tick after another tick of its job in the batch is refused',
      async (t) => {
        const other = `${t.job}.non-exclusive-first`;
        const results = await t.claimAll('a', [
          t.request({ tick: t.tick(0), exclusive: true }),
          t.request({ tick: t.tick(1), exclusive: true }),
          t.request({ job: other, tick: t.tick(0) }),
          t.request({ job: other, tick: t.tick(1), exclusive: true }),
          t.request({ tick: t.tick(2) }),
        ]);
        assert.deepEqual(results.map(verdict), ['acquired', 'overlap', 'acquired', 'overlap', 'acquired']);
      },
    );

    suite.case('the same (job, tick) twice in one batch: the second sees the first', async (t) => {
      const [first, second] = await t.claimAll('a', [t.request(), t.request()]);
      assert.ok(first?.acquired && second?.acquired, `${verdict(first)}, ${verdict(second)}`);
      assert.equal(second.fence, first.fence, 'the holder asking again');
      const [probe, claim] = await t.claimAll('a', [
        t.request({ tick: t.tick(1), takeoverOnly: true }),
        t.request({ tick: t.tick(1) }),
      ]);
      assert.deepEqual([verdict(probe), verdict(claim)], ['unknown-tick', 'acquired']);
      const held = await t.hold('a', { tick: t.tick(2) });
      assert.deepEqual(await t.store.renewLeases({ owner: 'a', deadline: now() + 10_000, claims: [held, held] }), [
        true,
        true,
      ]);
      assert.deepEqual(
        await t.store.completeRuns({
          owner: 'a',
          runs: [
            { claim: held, outcome: 'success' },
            { claim: held, outcome: 'success' },
          ],
        }),
        ['recorded', 'recorded'],
      );
    });

    suite.case('answers renewal and completion batches in order, each item on its own', async (t) => {
      const live = await t.hold('a', { tick: t.tick(0) });
      const lost = await t.hold('a', { tick: t.tick(1) });
      await t.release('a', lost);
      await t.hold('b', { tick: t.tick(1) });
      const finished = await t.hold('a', { tick: t.tick(2) });
      assert.equal(await t.complete('a', finished), 'recorded');
      const renewed = await t.store.renewLeases({
        owner: 'a',
        deadline: now() + 10_000,
        claims: [live, lost, finished],
      });
      assert.deepEqual(renewed, [true, false, false]);
      const completed = await t.store.completeRuns({
        owner: 'a',
        runs: [
          { claim: lost, outcome: 'success' },
          { claim: live, outcome: 'failure' },
          { claim: finished, outcome: 'success' },
        ],
      });
      assert.deepEqual(completed, ['rejected', 'recorded', 'recorded']);
      const after = await t.claimAll(
        'c',
        [0, 1, 2].map((n) => t.request({ tick: t.tick(n) })),
      );
      assert.deepEqual(after.map(verdict), ['completed', 'claimed-elsewhere', 'completed']);
    });

    suite.case('a renewal batch past its deadline extends nothing', async (t) => {
      const first = await t.hold('a', { tick: t.tick(0) });
      const second = await t.hold('a', { tick: t.tick(1) });
      const answers = await t.store.renewLeases({ owner: 'a', deadline: now() - 1000, claims: [first, second] });
      assert.deepEqual(answers, [false, false]);
      const again = await t.claim('a', { tick: t.tick(1) });
      assert.ok(again.acquired && again.leaseUntil === second.leaseUntil, 'the lease end did not move');
    });

    suite.case('answers empty batches with empty lists', async (t) => {
      assert.deepEqual(await t.claimAll('a', []), []);
      assert.deepEqual(await t.store.renewLeases({ owner: 'a', deadline: now() + 10_000, claims: [] }), []);
      assert.deepEqual(await t.store.completeRuns({ owner: 'a', runs: [] }), []);
      await t.store.releaseClaims('a', []);
    });
  });
}
