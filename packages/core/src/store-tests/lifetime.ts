// Contract cases: how long records live. Completed, released and abandoned records are kept until
// their expiry and forgotten after it (after cleanup(), for a store that deletes on a schedule); a
// long run's renewals keep its record past the retention set when it was claimed; fences and the
// last completed tick outlive the records.

import assert from 'node:assert/strict';
import {
  LeaseWatch,
  MARGIN_MS,
  now,
  RENEW_EVERY_MS,
  RENEWED_LEASE_MS,
  retryIfStalled,
  SHORT_LEASE_MS,
  SHORT_RETAIN_MS,
  Stalled,
  type Suite,
  sleep,
  sleepUntil,
  verdict,
  within,
} from './harness.js';

const short = { leaseMs: SHORT_LEASE_MS, retainMs: SHORT_RETAIN_MS };

export function lifetimeCases(suite: Suite): void {
  suite.describe('lifetime and retention', () => {
    suite.case('a completed record is kept for its retention after completion, then forgotten', async (t) => {
      await retryIfStalled(t, async () => {
        const first = await t.hold('a', short);
        const sentAt = now();
        assert.equal(await t.complete('a', first), 'recorded');
        const completedAt = now();
        const kept = await t.claimAll('b', [t.request(short), t.request({ ...short, takeoverOnly: true })]);
        if (!within(sentAt, SHORT_RETAIN_MS) && kept.some((r) => verdict(r) !== 'completed')) throw new Stalled();
        assert.deepEqual(kept.map(verdict), ['completed', 'completed'], 'within its retention');
        await sleepUntil(completedAt + SHORT_LEASE_MS + SHORT_RETAIN_MS + MARGIN_MS);
        await t.cleanup();
        const again = await t.claim('b', short);
        assert.ok(again.acquired, `still there after its retention: ${verdict(again)}`);
        assert.ok(again.fence > first.fence, 'fences do not go back when records are forgotten');
        assert.equal(await t.store.lastCompletedTick(t.job), t.tick(), 'the last completed tick outlives the record');
      });
    });

    suite.case(
      'a released record is kept until its expiry (a takeover-only claim takes it), then forgotten (unknown-tick)',
      async (t) => {
        await retryIfStalled(t, async () => {
          const sentAt = now();
          const claims = await t.holdAll('a', [
            t.request({ ...short, tick: t.tick(0) }),
            t.request({ ...short, tick: t.tick(1) }),
          ]);
          await t.release('a', ...claims);
          const kept = await t.claim('b', { ...short, tick: t.tick(0), takeoverOnly: true });
          if (!within(sentAt, SHORT_LEASE_MS + SHORT_RETAIN_MS) && !kept.acquired) throw new Stalled();
          assert.equal(verdict(kept), 'acquired', 'the released record is there to take over');
          const answeredAt = (claims[1] as { answeredAt: number }).answeredAt;
          await sleepUntil(answeredAt + SHORT_LEASE_MS + SHORT_RETAIN_MS + MARGIN_MS);
          await t.cleanup();
          assert.equal(verdict(await t.claim('b', { ...short, tick: t.tick(1), takeoverOnly: true })), 'unknown-tick');
          assert.equal(verdict(await t.claim('b', { ...short, tick: t.tick(1) })), 'acquired');
        });
      },
    );

    suite.case(
      'an abandoned claim (its lease over) is kept for its retention after the lease, for a takeover; then forgotten',
      async (t) => {
        await retryIfStalled(t, async () => {
          const sentAt = now();
          const claims = await t.holdAll('a', [
            t.request({ ...short, tick: t.tick(0) }),
            t.request({ ...short, tick: t.tick(1) }),
          ]);
          const answeredAt = (claims[1] as { answeredAt: number }).answeredAt;
          await sleepUntil(answeredAt + SHORT_LEASE_MS + MARGIN_MS);
          // A replica asking again after the holder's lease (it died) must find the record, or it
          // would take the store for one that lost its data.
          const takeover = await t.claim('b', { ...short, tick: t.tick(0), takeoverOnly: true });
          if (!within(sentAt, SHORT_LEASE_MS + SHORT_RETAIN_MS) && !takeover.acquired) throw new Stalled();
          assert.equal(verdict(takeover), 'acquired');
          await sleepUntil(answeredAt + SHORT_LEASE_MS + SHORT_RETAIN_MS + MARGIN_MS);
          await t.cleanup();
          assert.equal(verdict(await t.claim('b', { ...short, tick: t.tick(1), takeoverOnly: true })), 'unknown-tick');
        });
      },
    );

    suite.case(
      'a long run outlives the retention set when it was claimed: renewals keep its record, cleanup() included',
      async (t) => {
        const retainMs = 500;
        await retryIfStalled(t, async () => {
          const run = await t.hold('a', { leaseMs: RENEWED_LEASE_MS, retainMs });
          const watch = new LeaseWatch(RENEWED_LEASE_MS, run.sentAt);
          // Past the expiry the claim set (its lease + retention), with a cleanup() on the way.
          const until = run.answeredAt + 2 * (RENEWED_LEASE_MS + retainMs);
          let cleaned = false;
          while (now() < until) {
            await sleep(RENEW_EVERY_MS);
            const sentAt = now();
            const renewed = await t.renew('a', run);
            const answeredAt = now();
            if (!renewed) {
              assert.ok(!watch.live(answeredAt), `renewal refused ${watch.age(answeredAt)} ms into the lease`);
              throw new Stalled();
            }
            watch.renewed(sentAt);
            if (!cleaned && now() > run.answeredAt + RENEWED_LEASE_MS + retainMs + MARGIN_MS) {
              await t.cleanup();
              cleaned = true;
            }
          }
          const other = await t.claim('b', { leaseMs: RENEWED_LEASE_MS, retainMs });
          if (other.acquired && !watch.live(now())) throw new Stalled();
          assert.equal(verdict(other), 'claimed-elsewhere', 'the run still holds its tick');
          const sentAt = now();
          assert.equal(await t.complete('a', run), 'recorded');
          const after = await t.claim('b', { leaseMs: RENEWED_LEASE_MS, retainMs });
          if (!within(sentAt, retainMs) && verdict(after) !== 'completed') throw new Stalled();
          assert.equal(verdict(after), 'completed', 'kept for its retention after completion');
        });
      },
    );
  });
}
