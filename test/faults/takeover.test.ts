// A holder that dies, stops or freezes mid-run, with real replica processes on the shared servers:
// its tick is taken over after the lease with a larger fence, or (graceful stop) finishes and is
// recorded. Counted from the ledgers.

import assert from 'node:assert/strict';
import { migrate } from '@tickwise/postgres';
import pg from 'pg';
import { DATABASE_URL, REDIS_URL, requireServer, uniqueName } from '../helpers/services.js';
import { Fleet, type FleetReplica, type ReplicaEvent } from './fleet.js';
import type { ReplicaConfig } from './replica.js';
import { sleep } from './servers.js';

// A 10-second job whose runs take 4 s, with a 1.5 s lease (renewed every 0.5 s).
const JOB = { count: 1, every: '10s', leaseMs: 1500, runMs: 4000 };
const NAMES = { redis: 'Redis', postgres: 'PostgreSQL' } as const;

for (const kind of ['redis', 'postgres'] as const) {
  describe(`holder dies, stops or freezes mid-run on ${NAMES[kind]} (real processes)`, function () {
    this.timeout(90_000);
    let store: ReplicaConfig['store'];
    let fleet: Fleet;
    let pool: pg.Pool | undefined;

    beforeEach(async function () {
      await requireServer(this, NAMES[kind]);
      const namespace = uniqueName('takeover').toLowerCase();
      if (kind === 'postgres') {
        pool = new pg.Pool({ connectionString: DATABASE_URL });
        await migrate(pool, { schema: namespace });
        store = { kind, url: DATABASE_URL, schema: namespace };
      } else {
        store = { kind, url: REDIS_URL, prefix: `${namespace}:` };
      }
      fleet = new Fleet();
    });
    afterEach(async () => {
      await fleet.destroy();
      if (pool && store.kind === 'postgres') {
        await pool.query(`DROP SCHEMA IF EXISTS "${store.schema}" CASCADE`);
        await pool.end();
        pool = undefined;
      }
    });

    /** Both replicas up, then the first run: who holds it, its tick and fence, and the other replica. */
    async function firstRun(): Promise<{ holder: FleetReplica; first: ReplicaEvent; other: FleetReplica }> {
      await Promise.all(['a', 'b'].map((id) => fleet.start({ id, store, jobs: JOB, reportStarts: true })));
      const first = await Promise.race(
        fleet.replicas.map((r) => r.waitFor((e) => e.type === 'started', 30_000, 'a run')),
      );
      const holder = fleet.replicas.find((r) => r.id === first.r);
      const other = fleet.replicas.find((r) => r.id !== first.r);
      assert.ok(holder && other);
      return { holder, first, other };
    }

    it('holder killed with SIGKILL mid-run: the tick is taken over after the lease, with a larger fence; the next tick runs', async () => {
      const { holder, first, other } = await firstRun();
      await sleep(300);
      holder.child.kill('SIGKILL');
      const takeover = await other.waitFor(
        (e) => e.type === 'started' && e.tick === first.tick,
        15_000,
        'the takeover',
      );
      assert.ok((takeover.fence as number) > (first.fence as number), `fence ${takeover.fence} after ${first.fence}`);
      await other.waitFor(
        (e) => e.type === 'started' && e.tick === (first.tick as number) + 10_000,
        20_000,
        'the next tick',
      );
    });

    it('a replica that starts after the tick takes over a holder that dies (a rolling deploy)', async () => {
      const holder = await fleet.start({ id: 'old', store, jobs: JOB, reportStarts: true });
      const first = await holder.waitFor((e) => e.type === 'started', 30_000, 'a run');
      // The replacement comes up while the old replica holds the tick; then the old one dies.
      const replacement = await fleet.start({ id: 'new', store, jobs: JOB, reportStarts: true });
      holder.child.kill('SIGKILL');
      const takeover = await replacement.waitFor(
        (e) => e.type === 'started' && e.tick === first.tick,
        15_000,
        'the takeover',
      );
      assert.ok((takeover.fence as number) > (first.fence as number));
    });

    it('graceful shutdown of the holder during a run: its claim completes, the other replica goes on', async () => {
      const { holder, first, other } = await firstRun();
      holder.child.kill('SIGTERM'); // stop({ graceMs: 10_000 }): the 4 s run finishes
      assert.equal(await holder.exited, 0);
      await other.waitFor(
        (e) => e.type === 'started' && e.tick === (first.tick as number) + 10_000,
        20_000,
        'the next tick',
      );
      const runs = fleet.runs().filter((run) => run.tick === first.tick);
      assert.deepEqual(
        runs.map((run) => [run.replica, run.abortedAt]),
        [[holder.id, null]],
        'the run finished within the grace period; a completed tick is not run again',
      );
    });

    it('holder paused with SIGSTOP past its lease: another replica takes over; the paused one is aborted and its completion rejected', async () => {
      const { holder, first, other } = await firstRun();
      await sleep(200);
      holder.child.kill('SIGSTOP');
      const takeover = await other.waitFor(
        (e) => e.type === 'started' && e.tick === first.tick,
        15_000,
        'the takeover',
      );
      assert.ok((takeover.fence as number) > (first.fence as number));
      await sleep(500);
      holder.child.kill('SIGCONT');
      const failure = await holder.waitFor(
        (e) => e.type === 'failure' && e.tick === first.tick,
        20_000,
        'the paused run to be given up',
      );
      assert.equal(failure.outcome, 'cancelled');
      assert.equal(failure.reason, 'lease-lost');
      assert.equal(failure.completion, 'rejected');
    });
  });
}
