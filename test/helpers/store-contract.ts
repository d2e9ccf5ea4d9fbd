// The claim contract every store keeps (packages/core/src/runtime/store.ts), run against the real
// server: the MemoryStore, Redis (standalone and Cluster), PostgreSQL (direct and through
// PgBouncer). Leases are short (a few hundred ms) so expiry can be observed; the store's own clock
// decides. `wipe` makes the store lose every record, as a Redis restarted without persistence does.

import assert from 'node:assert/strict';
import type { ClaimRequest, ClaimResult, ClaimStore, HeldClaim } from '@tickwise/core';
import { sleep } from './services.js';

export interface ContractOptions {
  /** Drops everything the store holds (for this test's names), to play data loss. */
  wipe?: (store: ClaimStore) => Promise<void>;
}

const LEASE = 400;
const TICK = Date.UTC(2026, 0, 5, 0, 1);

export function storeContract(make: () => Promise<ClaimStore>, options: ContractOptions = {}): void {
  let store: ClaimStore;
  let job = '';
  let n = 0;
  const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
    job,
    tick: TICK,
    leaseMs: LEASE,
    exclusive: false,
    retainMs: 60_000,
    takeoverOnly: false,
    ...overrides,
  });
  const claimAll = (owner: string, requests: ClaimRequest[], deadline = Date.now() + 5000) =>
    store.claimTicks({ owner, deadline, maxEarlyMs: 250, requests });
  const claim = async (owner: string, overrides: Partial<ClaimRequest> = {}): Promise<ClaimResult> => {
    const [result] = await claimAll(owner, [request(overrides)]);
    assert.ok(result, 'one result per request');
    return result;
  };
  /** Claims and returns what renewals and completions name. */
  const hold = async (owner: string, overrides: Partial<ClaimRequest> = {}): Promise<HeldClaim> => {
    const r = request(overrides);
    const result = await claim(owner, overrides);
    assert.ok(result.acquired, `claim refused: ${!result.acquired && result.reason}`);
    return {
      job: r.job,
      tick: r.tick,
      fence: result.fence,
      leaseMs: r.leaseMs,
      retainMs: r.retainMs,
      exclusive: r.exclusive,
    };
  };
  const renew = async (owner: string, held: HeldClaim, deadline = Date.now() + 5000) =>
    (await store.renewLeases({ owner, deadline, claims: [held] }))[0];
  const complete = async (owner: string, held: HeldClaim) =>
    (await store.completeRuns({ owner, runs: [{ claim: held, outcome: 'success' }] }))[0];

  beforeEach(async () => {
    store = await make();
    // Braces, colons and non-ASCII: job names go into keys and must not collide or break hash tags.
    job = `Job{with}braces:ü.${process.pid}.${++n}.${Date.now()}`;
  });
  afterEach(async () => {
    await store.close?.();
  });

  describe('claims', () => {
    it('one winner per (job, tick), however many claim at once', async () => {
      // Many rounds: the interleavings that matter (two first inserts at once) are rare per round.
      for (let round = 0; round < 25; round++) {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => claim(`r${i}`, { job: `${job}.${round}` })),
        );
        assert.equal(results.filter((r) => r.acquired).length, 1, `round ${round}`);
        for (const r of results) {
          if (r.acquired) continue;
          assert.equal(r.reason, 'claimed-elsewhere');
          // Every loser learns when to ask again (the holder's lease, by the store's clock).
          assert.ok(
            r.retryAfterMs !== undefined && r.retryAfterMs > 0 && r.retryAfterMs <= LEASE,
            `round ${round}: retryAfterMs ${r.retryAfterMs}`,
          );
        }
      }
    });

    it('answers a batch in order, each request on its own', async () => {
      const done = await hold('b', { tick: TICK + 1000 });
      assert.equal(await complete('b', done), 'recorded');
      await hold('b', { tick: TICK + 2000 });
      const results = await claimAll('a', [
        request({ tick: TICK }),
        request({ tick: TICK + 1000 }),
        request({ tick: TICK + 2000 }),
        request({ tick: Date.now() + 60_000 }),
        request({ job: `${job}.other` }),
      ]);
      assert.deepEqual(
        results.map((r) => (r.acquired ? 'acquired' : r.reason)),
        ['acquired', 'completed', 'claimed-elsewhere', 'early', 'acquired'],
      );
    });

    it('a claim asked again by the same owner returns the same fence', async () => {
      const first = await claim('a');
      const again = await claim('a');
      assert.ok(first.acquired && again.acquired);
      assert.equal(again.fence, first.fence);
      assert.equal(again.leaseUntil, first.leaseUntil, 'asking again does not extend the lease');
    });

    it('fences grow with every claim of the job, across ticks', async () => {
      const fences: number[] = [];
      for (let i = 0; i < 5; i++) fences.push((await hold('a', { tick: TICK + i * 1000 })).fence);
      for (let i = 1; i < fences.length; i++) assert.ok((fences[i] as number) > (fences[i - 1] as number), `${fences}`);
      for (const fence of fences) assert.ok(Number.isSafeInteger(fence) && fence > 0, `fence ${fence}`);
    });

    it('refuses a claim made well before the tick by its own clock (a replica whose clock runs fast)', async () => {
      const early = await claim('a', { tick: Date.now() + 5000 });
      assert.equal(!early.acquired && early.reason, 'early');
      assert.ok(
        !early.acquired && early.retryAfterMs !== undefined && early.retryAfterMs > 4000 && early.retryAfterMs <= 5000,
      );
      assert.ok((await claim('a', { tick: Date.now() + 100 })).acquired, 'within maxEarlyMs is fine');
    });

    it('refuses a batch that arrives after its deadline, and keeps no record of it', async () => {
      const results = await claimAll('a', [request(), request({ tick: TICK + 1000 })], Date.now() - 1000);
      assert.deepEqual(results, [
        { acquired: false, reason: 'late' },
        { acquired: false, reason: 'late' },
      ]);
      assert.ok((await claim('b')).acquired, 'nothing was claimed by the late batch');
    });
  });

  describe('leases and takeovers', () => {
    it('an expired lease is taken over with a larger fence; the old holder can then neither renew nor complete', async () => {
      const first = await hold('a');
      await sleep(LEASE + 50);
      const takeover = await claim('b');
      assert.ok(takeover.acquired, 'takeover after the lease');
      assert.ok(takeover.fence > first.fence);
      assert.equal(await renew('a', first), false);
      assert.equal(await complete('a', first), 'rejected');
      assert.equal(await complete('b', { ...first, fence: takeover.fence }), 'recorded');
    });

    it('renewal keeps the lease alive; a renewal after its deadline is refused', async () => {
      const first = await hold('a');
      for (let i = 0; i < 3; i++) {
        await sleep(200);
        assert.equal(await renew('a', first), true);
      }
      assert.equal((await claim('b')).acquired, false);
      assert.equal(await renew('a', first, Date.now() - 1), false, 'late renewal refused');
    });

    it('a released tick can be taken at once by another instance', async () => {
      const first = await hold('a');
      await store.releaseClaims('a', [first]);
      const next = await claim('b');
      assert.ok(next.acquired && next.fence > first.fence);
    });

    it('a takeover-only claim takes over an expired or released record, never creates one', async () => {
      assert.deepEqual(await claim('a', { takeoverOnly: true }), { acquired: false, reason: 'unknown-tick' });
      const first = await hold('a');
      assert.equal((await claim('b', { takeoverOnly: true })).acquired, false, 'held');
      await sleep(LEASE + 50);
      const takeover = await claim('b', { takeoverOnly: true });
      assert.ok(takeover.acquired && takeover.fence > first.fence);
      await store.releaseClaims('b', [{ ...first, fence: takeover.fence }]);
      assert.ok((await claim('c', { takeoverOnly: true })).acquired, 'released');
    });

    it('exclusive claims refuse another tick of the job while one runs', async () => {
      const first = await hold('a', { exclusive: true });
      const later = { exclusive: true, tick: TICK + 60_000 };
      assert.deepEqual(await claim('b', later), { acquired: false, reason: 'overlap' });
      await complete('a', first);
      assert.ok((await claim('b', later)).acquired);
    });

    it('an exclusive claim is not blocked by a holder whose lease ran out, nor after a takeover of it', async () => {
      await hold('a', { exclusive: true });
      await sleep(LEASE + 50);
      const takeover = await hold('b', { exclusive: true });
      assert.equal(await complete('b', takeover), 'recorded');
      assert.ok((await claim('c', { exclusive: true, tick: TICK + 60_000 })).acquired);
    });

    it('a long exclusive run keeps blocking other ticks while it renews', async () => {
      const first = await hold('a', { exclusive: true });
      for (let i = 0; i < 4; i++) {
        await sleep(200);
        assert.equal(await renew('a', first), true);
        assert.equal(
          (await claim('b', { exclusive: true, tick: TICK + (i + 1) * 60_000 })).acquired,
          false,
          `still running after ${(i + 1) * 200} ms`,
        );
      }
    });
  });

  describe('completion', () => {
    it('a completed tick is never claimed again, and is the last completed tick', async () => {
      const first = await hold('a');
      assert.equal(await complete('a', first), 'recorded');
      await sleep(LEASE + 50);
      assert.deepEqual(await claim('b'), { acquired: false, reason: 'completed' });
      assert.deepEqual(await claim('b', { takeoverOnly: true }), { acquired: false, reason: 'completed' });
      assert.equal(await store.lastCompletedTick(job), TICK);
    });

    it('is idempotent: completing again under the same fence is recorded, not rejected', async () => {
      const first = await hold('a');
      assert.equal(await complete('a', first), 'recorded');
      assert.equal(await complete('a', first), 'recorded');
    });

    it('is accepted after the lease ran out, as long as no one took the tick over', async () => {
      const first = await hold('a');
      await sleep(LEASE + 50);
      assert.equal(await complete('a', first), 'recorded');
      assert.deepEqual(await claim('b'), { acquired: false, reason: 'completed' });
    });

    it('keeps ticks completed out of order apart; the last completed tick is the latest', async () => {
      const ticks = [TICK + 180_000, TICK + 60_000, TICK + 240_000, TICK + 120_000];
      const held: HeldClaim[] = [];
      for (const tick of ticks) held.push(await hold('a', { tick }));
      for (const claimed of [...held].reverse()) assert.equal(await complete('a', claimed), 'recorded');
      for (const tick of ticks) assert.deepEqual(await claim('b', { tick }), { acquired: false, reason: 'completed' });
      assert.equal(await store.lastCompletedTick(job), TICK + 240_000);
      assert.equal(await store.lastCompletedTick(`${job}.never`), null);
    });

    it('keeps a record for its retention after completion, then forgets it', async () => {
      const first = await hold('a', { retainMs: 300, leaseMs: 300 });
      await complete('a', first);
      await sleep(150);
      assert.deepEqual(await claim('b', { leaseMs: 300 }), { acquired: false, reason: 'completed' });
      await sleep(1200);
      await forgetExpired(store);
      assert.ok((await claim('c', { retainMs: 300, leaseMs: 300 })).acquired, 'forgotten after its retention');
    });
  });

  describe('instances', () => {
    it('registers an instance id, reports a second live session with the same id, and frees it on leave', async () => {
      const id = `${job}.instance`;
      const first = await store.heartbeat({ instanceId: id, session: 's1', ttlMs: 5000 });
      assert.equal(first.conflict, undefined);
      const again = await store.heartbeat({ instanceId: id, session: 's1', ttlMs: 5000 });
      assert.equal(again.conflict, undefined, 'the same session refreshes');
      const second = await store.heartbeat({ instanceId: id, session: 's2', ttlMs: 5000 });
      assert.equal(second.conflict?.session, 's1');
      assert.ok(second.conflict.ageMs >= 0 && second.conflict.ageMs < 5000);
      await store.leave(id, 's1');
      assert.equal((await store.heartbeat({ instanceId: id, session: 's2', ttlMs: 5000 })).conflict, undefined);
    });

    it('lists the live instance ids, sorted, the new one included', async () => {
      const a = `${job}.live.a`;
      const b = `${job}.live.b`;
      await store.heartbeat({ instanceId: b, session: 's', ttlMs: 5000 });
      const beat = await store.heartbeat({ instanceId: a, session: 's', ttlMs: 5000 });
      assert.ok(beat.live, 'the store lists live instances');
      const ours = beat.live.filter((id) => id.startsWith(`${job}.live.`));
      assert.deepEqual(ours, [a, b]);
      await store.leave(b, 's');
      const after = await store.heartbeat({ instanceId: a, session: 's', ttlMs: 5000 });
      assert.deepEqual(
        after.live?.filter((id) => id.startsWith(`${job}.live.`)),
        [a],
      );
    });

    it('a registration not refreshed within its TTL is free', async () => {
      const id = `${job}.ttl`;
      await store.heartbeat({ instanceId: id, session: 's1', ttlMs: 300 });
      await sleep(400);
      assert.equal((await store.heartbeat({ instanceId: id, session: 's2', ttlMs: 300 })).conflict, undefined);
    });

    it('the epoch is stable while the store keeps its data', async () => {
      const a = await store.heartbeat({ instanceId: `${job}.e`, session: 's', ttlMs: 5000 });
      const b = await store.heartbeat({ instanceId: `${job}.e`, session: 's', ttlMs: 5000 });
      assert.equal(a.epoch, b.epoch);
      assert.ok(a.epoch.length > 0);
    });

    it('answers ping()', async () => {
      await store.ping();
    });
  });

  const { wipe } = options;
  if (wipe) {
    describe('after the store lost its data', () => {
      it('fences keep growing, the epoch changes, and a lost tick is not taken over', async () => {
        const before = await store.heartbeat({ instanceId: `${job}.w`, session: 's', ttlMs: 5000 });
        const first = await hold('a');
        await wipe(store);
        const after = await store.heartbeat({ instanceId: `${job}.w`, session: 's', ttlMs: 5000 });
        assert.notEqual(after.epoch, before.epoch);
        assert.deepEqual(await claim('b', { takeoverOnly: true }), { acquired: false, reason: 'unknown-tick' });
        const next = await hold('b', { tick: TICK + 1000 });
        assert.ok(next.fence > first.fence, `fence ${next.fence} after ${first.fence}`);
      });

      it("a holder's renewal and completion write its lost record again", async () => {
        const first = await hold('a');
        await wipe(store);
        assert.equal(await renew('a', first), true);
        assert.equal((await claim('b')).acquired, false, 'held again');
        assert.equal(await complete('a', first), 'recorded');
        assert.deepEqual(await claim('b'), { acquired: false, reason: 'completed' });
        assert.equal(await store.lastCompletedTick(job), TICK);
      });
    });
  }
}

/** Stores that expire records on a schedule (PostgreSQL's cleanup) do it now; the others expire them by themselves. */
async function forgetExpired(store: ClaimStore): Promise<void> {
  const cleanup = (store as { cleanup?: () => Promise<unknown> }).cleanup;
  if (typeof cleanup === 'function') await cleanup.call(store);
}
