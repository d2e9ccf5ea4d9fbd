// Many jobs due at the same instant on several replica processes: the load under which the
// per-claim protocol missed and doubled ticks (a 10-connection pool whose timeout also covered the
// wait for a free connection; a Redis command timeout shorter than the claim burst). Batched
// claims must run every tick exactly once, with no store-unavailable or store-slow skip while the
// store is healthy. The longer runs (100,000 jobs, 5 replicas, minutes) are in `npm run bench:stores`.

import assert from 'node:assert/strict';
import { type Fleet, jobNames } from './fleet.js';
import { freshServerAndFleet, nextTickAfter, STORE_NAMES, type StoreKind, type StoreServer, sleep } from './servers.js';

const NAMES = STORE_NAMES;
const PERIOD = 10_000;
const SIZES: Record<StoreKind, number> = { postgres: 10000, redis: 20000 };

for (const kind of ['postgres', 'redis'] as StoreKind[]) {
  const jobs = SIZES[kind];
  describe(`${jobs.toLocaleString('en-US')} jobs due at once on 3 replicas, ${NAMES[kind]} (store from a connection string)`, function () {
    this.timeout(180_000);
    const fresh = freshServerAndFleet(kind);
    let server: StoreServer;
    let fleet: Fleet;
    beforeEach(() => {
      server = fresh.server();
      fleet = fresh.fleet();
    });

    it('three rounds: every tick runs exactly once, and no tick is skipped for the store', async () => {
      const job = { count: jobs, every: `${PERIOD / 1000}s`, runMs: 0 };
      await Promise.all(['a', 'b', 'c'].map((id) => fleet.start({ id, store: server.store(), jobs: job })));
      // The rounds counted: the first tick after every replica is up, and the two after it.
      const first = nextTickAfter(PERIOD, 500);
      const last = first + 2 * PERIOD;
      await sleep(last - Date.now() + 5000);
      await fleet.stop();
      const runs = fleet.runs();
      assert.deepEqual(fleet.duplicates(runs).slice(0, 10), []);
      const missing = fleet.misses(jobNames(jobs), PERIOD, first, last, runs);
      assert.equal(missing.length, 0, `missing: ${missing.slice(0, 10).join(', ')}`);
      const storeSkips = fleet.events((e) => e.type === 'skip' && /^store-/.test(String(e.reason)));
      assert.deepEqual(storeSkips.slice(0, 5), [], `${storeSkips.length} store skips`);
      const perReplica = new Map<string, number>();
      for (const run of runs) perReplica.set(run.replica, (perReplica.get(run.replica) ?? 0) + 1);
      assert.equal(perReplica.size, 3, `runs spread over the replicas: ${[...perReplica]}`);
    });
  });
}
