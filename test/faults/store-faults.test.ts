// Faults of the store and of time, with real replica processes and a throwaway server: the store
// frozen (SIGSTOP) and woken, Redis restarted without persistence, a replica whose clock is 150 s
// slow (libfaketime). Duplicates and misses are counted from the replicas' ledgers.

import assert from 'node:assert/strict';
import { requireTool } from '../helpers/services.js';
import { type Fleet, jobNames, type Run } from './fleet.js';
import { freshServerAndFleet, STORE_NAMES, type StoreKind, type StoreServer, sleep } from './servers.js';

const NAMES = STORE_NAMES;
const SECOND = 1000;
/** The ledger's end line is written as the handler returns; the scheduler sees the return a moment later. */
const HANDLER_RETURN_SLACK_MS = 20;

/** Ticks whose first run could not record its completion (the documented way a tick may run twice). */
function unrecordedTicks(fleet: Fleet): Set<string> {
  return new Set(
    fleet
      .events((e) => e.completion === 'unrecorded')
      .map((e) => `${e.job}@${new Date(e.tick as number).toISOString()}`),
  );
}

/** Duplicates that are not explained by an unrecorded completion. */
function unexplainedDuplicates(fleet: Fleet, runs: Run[]): string[] {
  const unrecorded = unrecordedTicks(fleet);
  return fleet.duplicates(runs).filter((line) => !unrecorded.has(line.split(' ')[0] as string));
}

for (const kind of ['redis', 'postgres'] as StoreKind[]) {
  describe(`store faults on ${NAMES[kind]} (real processes, a throwaway server)`, function () {
    this.timeout(120_000);
    const fresh = freshServerAndFleet(kind);
    let server: StoreServer;
    let fleet: Fleet;
    beforeEach(() => {
      server = fresh.server();
      fleet = fresh.fleet();
    });

    it('the store is frozen (SIGSTOP) for 8 s: skips say store-slow or store-unavailable, overlap only behind a run in its handler; runs resume on time; nothing runs twice', async () => {
      const job = { count: 3, every: '1s', leaseMs: 3000, runMs: 100 };
      await Promise.all(['a', 'b', 'c'].map((id) => fleet.start({ id, store: server.store(), jobs: job })));
      await sleep(4 * SECOND);
      const frozenAt = Date.now();
      server.freeze();
      await sleep(8 * SECOND);
      server.thaw();
      const thawedAt = Date.now();
      await sleep(6 * SECOND);
      const end = Date.now();
      await fleet.stop();
      const runs = fleet.runs();
      assert.deepEqual(unexplainedDuplicates(fleet, runs), []);
      // No claim made during the freeze acts after it: ticks after the thaw run, none blocked for a lease.
      assert.deepEqual(fleet.misses(jobNames(3), SECOND, thawedAt + 2 * SECOND, end - 2 * SECOND, runs), []);
      const skips = fleet.events((e) => e.type === 'skip');
      const reasons = new Set(skips.map((e) => e.reason));
      assert.ok(reasons.has('store-slow') || reasons.has('store-unavailable'), [...reasons].join(', '));
      const unrecorded = unrecordedTicks(fleet);
      const overlaps = skips.filter((e) => e.reason === 'overlap');
      // An overlap is right only where it is true: the replica's own previous run of the job was in
      // its handler (a tick claimed late, just after the thaw, still runs when the next one comes), or
      // right behind a run whose completion could not be recorded (its record is live for a lease).
      // A claim the store kept through the freeze must never block the job: that would be an overlap
      // with no run behind it.
      for (const overlap of overlaps) {
        const at = overlap.tick as number;
        const job = overlap.job as string;
        const inHandler = runs.some(
          (run) =>
            run.replica === overlap.r &&
            run.job === job &&
            run.startedAt <= Number(overlap.at) &&
            (run.endedAt === null || run.endedAt + HANDLER_RETURN_SLACK_MS >= Number(overlap.at)),
        );
        const behind = [...unrecorded].some((key) => {
          const [name, iso] = key.split('@') as [string, string];
          const tick = Date.parse(iso);
          return name === job && at > tick && at <= tick + 4 * SECOND;
        });
        const timeline = fleet.timeline(job, at - 4 * SECOND, at + 2 * SECOND, runs);
        const phases = `frozen ${new Date(frozenAt).toISOString()}, thawed ${new Date(thawedAt).toISOString()}`;
        assert.ok(
          inHandler || behind,
          `overlap at ${new Date(at).toISOString()} (${job} on ${overlap.r}); ${phases}\n${timeline}`,
        );
      }
      assert.deepEqual(
        runs.filter((run) => run.startedAt > frozenAt + SECOND && run.startedAt < thawedAt).map((run) => run.job),
        [],
        'nothing ran blindly while the store was frozen',
      );
    });

    if (kind === 'redis') {
      it('Redis restarts without persistence: fences keep growing, the data loss is reported, finished ticks do not run again', async () => {
        // The default 30 s lease: a replica asking again about a tick it saw held would do so up to 30 s later.
        const job = { count: 3, every: '1s', runMs: 100 };
        await Promise.all(['a', 'b', 'c'].map((id) => fleet.start({ id, store: server.store(), jobs: job })));
        await sleep(4 * SECOND);
        const restartAt = Date.now();
        await server.redis?.restart();
        const upAt = Date.now();
        // A heartbeat (every 5 s) notices the new data set.
        await sleep(7 * SECOND);
        const end = Date.now();
        await fleet.stop();
        const runs = fleet.runs();
        assert.deepEqual(fleet.duplicates(runs), []);
        const before = runs.filter((run) => run.startedAt < restartAt);
        const after = runs.filter((run) => run.startedAt > upAt);
        const maxBefore = Math.max(...before.map((run) => run.fence));
        assert.ok(
          after.length > 0 && after.every((run) => run.fence > maxBefore),
          `fences: ${maxBefore} then ${after.map((r) => r.fence)}`,
        );
        assert.deepEqual(fleet.misses(jobNames(3), SECOND, upAt + 2 * SECOND, end - 2 * SECOND, runs), []);
        for (const replica of fleet.replicas) {
          assert.ok(
            replica.events.some((e) => e.type === 'log' && /lost its data/.test(String(e.message))),
            `replica ${replica.id} reported the data loss`,
          );
        }
      });
    }

    it('a replica whose clock is 150 s slow (libfaketime): no tick runs twice, none is lost, and its offset is measured', async function () {
      const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
      requireTool(this, libfaketime, 'apt-get install faketime');
      const job = { count: 2, every: '1s', leaseMs: 3000, runMs: 100 };
      const slow = await fleet.start(
        { id: 'slow', store: server.store(), jobs: job, reportAll: true },
        // libfaketime preloaded the way the `faketime` command does it, without its forking wrapper.
        // Node's timers read the monotonic clock, which is left alone here: only the wall clock is 150 s behind.
        { env: { LD_PRELOAD: libfaketime, FAKETIME: '-150s', FAKETIME_DONT_FAKE_MONOTONIC: '1' } },
      );
      await Promise.all(['a', 'b'].map((id) => fleet.start({ id, store: server.store(), jobs: job })));
      const from = Date.now() + SECOND;
      await sleep(15 * SECOND);
      const to = Date.now() - SECOND;
      await fleet.stop();
      const ready = slow.events.find((e) => e.type === 'ready');
      const offset = Number(ready?.clockOffsetMs);
      assert.ok(Math.abs(offset - 150_000) < 1000, `measured offset ${offset}`);
      const runs = fleet.runs();
      assert.deepEqual(fleet.duplicates(runs), []);
      assert.deepEqual(fleet.misses(jobNames(2), SECOND, from, to, runs), []);
      // The slow replica takes part in every tick, on time by the store's clock: it ran it or was
      // told another replica had (a replica going by its own clock would ask about each tick 150 s
      // late). Which replica wins a tick is a race, so winning some is not asserted: under load the
      // slow one can lose every race by a few milliseconds of offset estimate.
      const decided = new Map<string, number>();
      for (const e of slow.events) {
        if (e.tick === undefined || !['skip', 'success', 'failure'].includes(e.type)) continue;
        decided.set(`${e.job}@${e.tick}`, Number(e.at) + offset);
      }
      const late: string[] = [];
      for (let tick = Math.ceil(from / SECOND) * SECOND; tick <= to; tick += SECOND) {
        for (const name of jobNames(2)) {
          const at = decided.get(`${name}@${tick}`);
          if (at === undefined || at < tick - SECOND || at > tick + 5 * SECOND) {
            late.push(`${name}@${new Date(tick).toISOString()}: ${at === undefined ? 'never' : `${at - tick} ms`}`);
          }
        }
      }
      assert.deepEqual(late, [], 'the slow replica decided each tick within 5 s of it (store time)');
      assert.deepEqual(
        fleet.events((e) => e.type === 'skip' && e.reason === 'overlap'),
        [],
      );
      assert.ok(
        slow.events.some((e) => e.type === 'log' && /1(49|50)\d{3} ms behind the store's/.test(String(e.message))),
        'the slow replica warned about its clock',
      );
    });
  });
}
