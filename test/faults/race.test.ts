// The happy path at length: 5 replica processes racing for every tick of a 1-second job on the
// shared servers, and a store outage (the server stopped for 10 s, then back). Counted from the
// ledgers. TICKWISE_RACE_SECONDS lengthens the race (the benchmark runs it for minutes).

import assert from 'node:assert/strict';
import { type Fleet, jobNames } from './fleet.js';
import { freshServerAndFleet, STORE_NAMES, type StoreKind, type StoreServer, sleep } from './servers.js';

const SECONDS = Number(process.env.TICKWISE_RACE_SECONDS ?? 60);
const NAMES = STORE_NAMES;
const JOB = { count: 1, every: '1s', leaseMs: 3000, runMs: 50 };

for (const kind of ['redis', 'postgres'] as StoreKind[]) {
  describe(`${NAMES[kind]}: replicas racing for every tick (real processes, a throwaway server)`, function () {
    this.timeout((SECONDS + 90) * 1000);
    const fresh = freshServerAndFleet(kind);
    let server: StoreServer;
    let fleet: Fleet;
    beforeEach(() => {
      server = fresh.server();
      fleet = fresh.fleet();
    });

    it(`5 replicas × ${SECONDS} ticks: every tick ran exactly once, spread over the replicas`, async () => {
      await Promise.all([1, 2, 3, 4, 5].map((i) => fleet.start({ id: `r${i}`, store: server.store(), jobs: JOB })));
      const from = Date.now() + 1000;
      await sleep(SECONDS * 1000);
      const to = Date.now() - 1000;
      await fleet.stop();
      const runs = fleet.runs();
      assert.deepEqual(
        { duplicates: fleet.duplicates(runs), misses: fleet.misses(jobNames(1), 1000, from, to, runs) },
        {
          duplicates: [],
          misses: [],
        },
      );
      const ranBy = new Set(runs.map((run) => run.replica));
      assert.ok(ranBy.size >= 2, `runs should spread over replicas, got ${[...ranBy].join(', ')}`);
    });

    it('the store stops for 10 s, then comes back: no crash, skips reported, nothing runs while it is down or twice, runs resume', async () => {
      await Promise.all(['o1', 'o2', 'o3'].map((id) => fleet.start({ id, store: server.store(), jobs: JOB })));
      await sleep(5000);
      const downAt = Date.now();
      if (server.redis) await server.redis.kill();
      else server.postgres?.stop('immediate');
      await sleep(10_000);
      const upAt = Date.now();
      if (server.redis) await server.redis.restart();
      else server.postgres?.start();
      await sleep(8000);
      const end = Date.now();
      for (const replica of fleet.replicas)
        assert.equal(replica.child.exitCode, null, 'a replica crashed during the outage');
      await fleet.stop();
      const runs = fleet.runs();
      const unavailable = fleet.events((e) => e.type === 'skip' && e.reason === 'store-unavailable');
      assert.ok(unavailable.length >= 10, `only ${unavailable.length} store-unavailable skips reported`);
      assert.deepEqual(fleet.duplicates(runs), []);
      assert.deepEqual(
        runs
          .filter((run) => run.tick > downAt + 1000 && run.tick < upAt)
          .map((run) => new Date(run.tick).toISOString()),
        [],
        'nothing ran while the store was down',
      );
      assert.deepEqual(fleet.misses(jobNames(1), 1000, upAt + 3000, end - 1000, runs), [], 'runs resumed');
    });
  });
}
