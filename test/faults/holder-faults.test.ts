// Faults of the replica that holds a tick, with real replica processes and a real store server:
// its link drops as the run completes, it is partitioned from the store, it gets stop() twice,
// another process uses its instance id. Each test counts duplicates and misses from the ledgers.

import assert from 'node:assert/strict';
import type { Fleet, ReplicaEvent } from './fleet.js';
import { freshServerAndFleet, STORE_NAMES, type StoreKind, type StoreServer, sleep } from './servers.js';

const NAMES = STORE_NAMES;

for (const kind of ['redis', 'postgres'] as StoreKind[]) {
  describe(`holder faults on ${NAMES[kind]} (real processes, a throwaway server)`, function () {
    this.timeout(120_000);
    const fresh = freshServerAndFleet(kind);
    let server: StoreServer;
    let fleet: Fleet;
    beforeEach(() => {
      server = fresh.server();
      fleet = fresh.fleet();
    });

    it("the holder's link drops for 0.8 s just as its run completes: completion is retried and recorded; the tick never runs again", async () => {
      const proxies = { a: await server.proxy(), b: await server.proxy() };
      const job = { count: 1, every: '4s', leaseMs: 3000, runMs: 200 };
      await Promise.all(
        (['a', 'b'] as const).map((id) =>
          fleet.start({ id, store: server.store(proxies[id].port), jobs: job, finishingPauseMs: 100 }),
        ),
      );
      const cut = new Set<number>();
      for (let round = 0; round < 3; round++) {
        const finishing = await Promise.race(
          fleet.replicas.map((r) =>
            r.waitFor((e) => e.type === 'finishing' && !cut.has(e.tick as number), 20_000, 'a run finishing'),
          ),
        );
        cut.add(finishing.tick as number);
        await proxies[finishing.r as 'a' | 'b'].blip(800);
      }
      // Long enough for a takeover of each cut tick to have happened, had its completion been lost.
      await sleep(4500);
      await fleet.stop();
      const runs = fleet.runs();
      assert.deepEqual(fleet.duplicates(runs), []);
      for (const tick of cut)
        assert.ok(
          runs.some((run) => run.tick === tick),
          'the cut runs are in the ledger',
        );
      assert.deepEqual(
        fleet.events((e) => e.completion !== undefined && e.completion !== 'recorded'),
        [],
        'every completion was recorded',
      );
    });

    for (const passClient of [false, true]) {
      const client = passClient
        ? `a ${kind === 'redis' ? 'client' : 'pool'} passed in with its defaults (no command timeout)`
        : 'the store’s own client';
      it(`the holder is partitioned from the store mid-run (${client}): its handler is aborted before another replica takes the tick over`, async () => {
        const proxies = { a: await server.proxy(), b: await server.proxy() };
        const job = { count: 1, every: '5s', leaseMs: 3000, runMs: 8000 };
        await Promise.all(
          (['a', 'b'] as const).map((id) =>
            fleet.start({ id, store: server.store(proxies[id].port, { passClient }), jobs: job, reportStarts: true }),
          ),
        );
        const first = await Promise.race(
          fleet.replicas.map((r) => r.waitFor((e) => e.type === 'started', 40_000, 'a run')),
        );
        const holder = first.r as 'a' | 'b';
        const other = fleet.replicas.find((r) => r.id !== holder);
        assert.ok(other);
        proxies[holder].blackhole();
        const takeover = await other.waitFor(
          (e) => e.type === 'started' && e.tick === first.tick,
          15_000,
          'the takeover',
        );
        proxies[holder].heal();
        await sleep(500);
        await fleet.stop();
        const runs = fleet.runs().filter((run) => run.tick === first.tick);
        const held = runs.find((run) => run.replica === holder);
        const taken = runs.find((run) => run.replica === other.id);
        assert.ok(held && taken, JSON.stringify(runs));
        assert.ok(held.abortedAt !== null, "the partitioned holder's signal aborted");
        assert.ok(
          held.abortedAt < taken.startedAt,
          `aborted at ${held.abortedAt}, ${taken.startedAt - held.abortedAt} ms before the takeover started`,
        );
        assert.ok((takeover.fence as number) > (first.fence as number), 'the takeover has a larger fence');
        const failure = fleet.events((e) => e.r === holder && e.type === 'failure' && e.tick === first.tick)[0];
        assert.equal(failure?.reason, 'lease-lost');
      });
    }

    it('stop() called twice (two SIGTERM handlers) during a run: the run finishes and is recorded, nobody takes it over', async () => {
      const job = { count: 1, every: '6s', leaseMs: 1500, runMs: 5000 };
      await Promise.all(
        ['a', 'b'].map((id) =>
          fleet.start({ id, store: server.store(), jobs: job, stopHandlers: 2, reportStarts: true }),
        ),
      );
      const first = await Promise.race(
        fleet.replicas.map((r) => r.waitFor((e) => e.type === 'started', 40_000, 'a run')),
      );
      const holder = fleet.replicas.find((r) => r.id === first.r);
      assert.ok(holder);
      holder.child.kill('SIGTERM');
      assert.equal(await holder.exited, 0);
      // The other replica would take over within a lease (1.5 s) if renewals had stopped.
      await sleep(3000);
      await fleet.stop();
      const runs = fleet.runs().filter((run) => run.tick === first.tick);
      assert.deepEqual(
        runs.map((run) => [run.replica, run.abortedAt === null, run.endedAt !== null]),
        [[holder.id, true, true]],
      );
      assert.deepEqual(
        fleet.events((e) => e.type === 'failure' || (e.completion !== undefined && e.completion !== 'recorded')),
        [],
      );
    });

    it('two replicas with the same instance id: the second fails to start with DUPLICATE_INSTANCE; no tick runs twice', async () => {
      const job = { count: 1, every: '1s', leaseMs: 3000, runMs: 50 };
      await fleet.start({ id: 'a', instanceId: 'replica', store: server.store(), jobs: job });
      const second = await fleet.start(
        { id: 'b', instanceId: 'replica', store: server.store(), jobs: job },
        { ready: false },
      );
      const failed: ReplicaEvent = await second.waitFor((e) => e.type === 'start-failed', 30_000, 'start to fail');
      assert.equal(failed.code, 'DUPLICATE_INSTANCE');
      assert.match(String(failed.message), /instance id 'replica'/);
      assert.equal(await second.exited, 3);
      await fleet.stop();
      assert.deepEqual(fleet.duplicates(), []);
      assert.ok(fleet.runs().length >= 10, 'the first replica kept running');
    });
  });
}
