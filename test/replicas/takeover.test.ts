import assert from 'node:assert/strict';
import { once } from 'node:events';
import { migrate } from '@tickwise/postgres';
import pg from 'pg';
import { type Replica, startReplica, stopReplicas } from '../helpers/replicas.js';
import { DATABASE_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';

// A 10-second job whose runs take 4 s, with a 1.5 s lease (renewed every 0.5 s).
const OPTIONS = { leaseMs: 1500, runMs: 4000, interval: '10s' };

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits for the first run to start: which replica holds it, its tick and fence, and the other replica. */
async function firstRun(replicas: Replica[]) {
  const holder = await waitFor('a first run', () => replicas.find((r) => r.events.some((e) => e.start !== undefined)));
  const first = holder.events.find((e) => e.start !== undefined) as { start: number; fence: number };
  const other = replicas.find((r) => r !== holder) as Replica;
  return { holder, first, other };
}

const starts = (r: Replica, tick: number) => r.events.filter((e) => e.start === tick);

for (const kind of ['redis', 'postgres'] as const) {
  describe(`holder faults on ${kind === 'redis' ? 'Redis' : 'PostgreSQL'} (real processes)`, function () {
    this.timeout(90_000);
    let namespace = '';
    let pool: pg.Pool | undefined;

    beforeEach(async function () {
      await requireServer(this, kind === 'redis' ? 'Redis' : 'PostgreSQL');
      namespace = uniqueName('fault').toLowerCase();
      if (kind === 'postgres') {
        pool = new pg.Pool({ connectionString: DATABASE_URL });
        await migrate(pool, { schema: namespace });
        await pool.query(`CREATE TABLE "${namespace}".counts (tick bigint PRIMARY KEY, runs int NOT NULL)`);
      }
    });
    afterEach(async () => {
      if (pool) {
        await pool.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
        await pool.end();
        pool = undefined;
      }
    });

    it('holder killed with SIGKILL mid-run: the tick is taken over after the lease, with a larger fence; the next tick runs', async () => {
      const replicas = [
        await startReplica(kind, namespace, 'a', OPTIONS),
        await startReplica(kind, namespace, 'b', OPTIONS),
      ];
      try {
        const { holder, first, other } = await firstRun(replicas);
        await sleep(300);
        holder.child.kill('SIGKILL');
        const takeover = await waitFor(
          'the takeover',
          () => starts(other, first.start)[0] as { fence: number } | undefined,
          15_000,
        );
        assert.ok(takeover.fence > first.fence, `fence ${takeover.fence} after ${first.fence}`);
        // The takeover finishes, and the next tick (10 s later) runs too.
        await waitFor('the taken-over run to finish', () => other.events.find((e) => e.tick === first.start));
        await waitFor('the next tick', () => other.events.find((e) => e.start === first.start + 10_000), 20_000);
      } finally {
        await stopReplicas(replicas);
      }
    });

    it('graceful shutdown of the holder during a run: its claim completes (or is released), the other replica goes on', async () => {
      const replicas = [
        await startReplica(kind, namespace, 'a', OPTIONS),
        await startReplica(kind, namespace, 'b', OPTIONS),
      ];
      try {
        const { holder, first, other } = await firstRun(replicas);
        holder.child.kill('SIGTERM'); // stop({ graceMs: 5000 }): the 4 s run may finish
        const [code] = await once(holder.child, 'exit');
        assert.equal(code, 0);
        assert.ok(
          holder.events.some((e) => e.tick === first.start && e.failed === undefined),
          'the run finished within the grace period and was recorded',
        );
        assert.equal(starts(other, first.start).length, 0, 'a completed tick is not run again');
        await waitFor(
          'the next tick on the other replica',
          () => other.events.find((e) => e.start === first.start + 10_000),
          20_000,
        );
      } finally {
        await stopReplicas(replicas);
      }
    });

    it('holder paused with SIGSTOP past its lease: another replica takes over; the paused one is aborted and its completion rejected', async () => {
      const replicas = [
        await startReplica(kind, namespace, 'a', OPTIONS),
        await startReplica(kind, namespace, 'b', OPTIONS),
      ];
      try {
        const { holder, first, other } = await firstRun(replicas);
        await sleep(200);
        holder.child.kill('SIGSTOP');
        const takeover = await waitFor(
          'the takeover',
          () => starts(other, first.start)[0] as { fence: number } | undefined,
          15_000,
        );
        assert.ok(takeover.fence > first.fence);
        await sleep(500);
        holder.child.kill('SIGCONT');
        const failure = await waitFor('the paused run to be given up', () =>
          holder.events.find((e) => e.failed !== undefined && e.tick === first.start),
        );
        assert.equal(failure.failed, 'cancelled');
        assert.equal(failure.reason, 'lease-lost');
        assert.equal(failure.completionRejected, true);
        assert.ok(
          !holder.events.some((e) => e.tick === first.start && e.failed === undefined),
          'the paused run must not complete',
        );
      } finally {
        await stopReplicas(replicas);
      }
    });
  });
}
