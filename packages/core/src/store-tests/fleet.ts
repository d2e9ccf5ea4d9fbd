// Contract cases: the fleet state (runtime/fleet-store.ts) — run history riding on completions,
// replica details riding on heartbeats, pauses and trigger requests. Cases share a server with
// others, so each one looks only at its own job names, patterns and instance ids.

import assert from 'node:assert/strict';
import type { FleetStore } from '../runtime/fleet-store.js';
import type { HeldClaim, RunRecord } from '../runtime/store.js';
import { type Harness, now, type Suite, sleep } from './harness.js';

/** The scheduler's TRIGGER_CLAIM_SUFFIX (runtime/fleet-store.ts), written again: the kit loads no runtime code. */
const TRIGGER_CLAIM_SUFFIX = '#trigger';

function fleetOf(t: Harness): FleetStore {
  const store = t.store as Partial<FleetStore>;
  const missing = ['listRuns', 'listReplicas', 'readControls', 'pauseJobs', 'resumeJobs', 'requestTrigger'].filter(
    (method) => typeof store[method as keyof FleetStore] !== 'function',
  );
  assert.deepEqual(missing, [], 'the store implements FleetStore');
  return t.store as FleetStore;
}

function record(job: string, claim: HeldClaim, overrides: Partial<RunRecord> = {}): RunRecord {
  const startedAt = claim.tick + 100;
  return {
    job,
    tick: claim.tick,
    instanceId: 'a',
    trigger: 'schedule',
    outcome: 'success',
    startedAt,
    durationMs: 40,
    lateMs: 100,
    attempts: 1,
    fence: claim.fence,
    version: '1.0.0',
    ...overrides,
  };
}

export function fleetCases(suite: Suite): void {
  suite.describe('fleet state', () => {
    suite.case(
      'a recorded completion appends its run once; a retry or a rejected completion adds nothing',
      async (t) => {
        const store = fleetOf(t);
        assert.ok(store.history, 'these cases need a store that keeps history');
        const first = await t.hold('a');
        const run = record(t.job, first, { outcome: 'failure', error: { type: 'TypeError', message: 'boom' } });
        const complete = () =>
          store.completeRuns({ owner: 'a', runs: [{ claim: first, outcome: 'failure', record: run }] });
        assert.deepEqual(await complete(), ['recorded']);
        assert.deepEqual(await complete(), ['recorded'], 'a retry after a lost answer');
        const second = await t.hold('b', { tick: t.tick(1) });
        // Taken over by c: b's late completion is rejected, and its run is not history.
        const stale = { ...second, fence: second.fence - 1 };
        const rejected = await store.completeRuns({
          owner: 'b',
          runs: [{ claim: stale, outcome: 'success', record: record(t.job, stale) }],
        });
        assert.deepEqual(rejected, ['rejected']);
        assert.deepEqual(await store.listRuns({ job: t.job }), [run]);
      },
    );

    suite.case('keeps at most maxRuns per job, newest first (by end); limit cuts it further', async (t) => {
      const store = fleetOf(t);
      const max = store.history?.maxRuns ?? 0;
      assert.ok(max > 0 && max <= 1000, `maxRuns ${max}`);
      const held = await t.holdAll(
        'a',
        // A second apart: every tick in the past, whatever maxRuns is (at most 1000).
        Array.from({ length: max + 2 }, (_, i) => t.request({ tick: t.base + i * 1000 })),
      );
      const runs = held.map((claim) => ({
        claim: claim as HeldClaim,
        outcome: 'success' as const,
        record: record(t.job, claim),
      }));
      assert.equal((await store.completeRuns({ owner: 'a', runs })).length, max + 2);
      const kept = await store.listRuns({ job: t.job });
      assert.equal(kept.length, max);
      assert.deepEqual(
        kept.map((run) => run.tick),
        held
          .slice(2)
          .map((claim) => claim.tick)
          .reverse(),
      );
      assert.deepEqual(
        (await store.listRuns({ job: t.job, limit: 2 })).map((run) => run.tick),
        [t.base + (max + 1) * 1000, t.base + max * 1000],
      );
    });

    suite.case(
      'lists a job’s trigger runs (claimed as <job>#trigger) under the job, and every job without a filter',
      async (t) => {
        const store = fleetOf(t);
        const other = `${t.job}.other`;
        const scheduled = await t.hold('a');
        const triggered = await t.hold('a', { job: `${t.job}${TRIGGER_CLAIM_SUFFIX}`, tick: t.tick(2) });
        const elsewhere = await t.hold('a', { job: other, tick: t.tick(3) });
        await store.completeRuns({
          owner: 'a',
          runs: [
            { claim: scheduled, outcome: 'success', record: record(t.job, scheduled) },
            { claim: triggered, outcome: 'success', record: record(t.job, triggered, { trigger: 'fleet' }) },
            { claim: elsewhere, outcome: 'timeout', record: record(other, elsewhere, { outcome: 'timeout' }) },
          ],
        });
        assert.deepEqual(
          (await store.listRuns({ job: t.job })).map((run) => `${run.trigger} ${run.tick}`),
          [`fleet ${t.tick(2)}`, `schedule ${t.tick(0)}`],
        );
        const all = (await store.listRuns()).filter((run) => run.job.startsWith(t.job));
        assert.deepEqual(
          all.map((run) => run.job),
          [other, t.job, t.job],
        );
      },
    );

    suite.case(
      'keeps a replica’s details and catalog from its beats; a beat without a catalog keeps the last one',
      async (t) => {
        const store = fleetOf(t);
        const id = `${t.job}.replica`;
        const catalog = [
          {
            name: t.job,
            kind: 'cron' as const,
            schedule: '0 6 * * *',
            timezone: 'UTC',
            describe: 'At 06:00',
            timeoutMs: 0,
          },
        ];
        const info = { host: 'web-1', pid: 42, version: '2.0.1', startedAt: now(), jobs: 1, clockOffsetMs: 3 };
        await store.heartbeat({ instanceId: id, session: 's', ttlMs: 5000, info: { ...info, catalog } });
        await store.heartbeat({ instanceId: id, session: 's', ttlMs: 5000, info: { ...info, jobs: 2 } });
        const mine = (await store.listReplicas()).filter((replica) => replica.instanceId === id);
        assert.equal(mine.length, 1);
        const replica = mine[0];
        assert.equal(replica?.alive, true);
        assert.equal(replica?.host, 'web-1');
        assert.equal(replica?.version, '2.0.1');
        assert.equal(replica?.jobs, 2, 'the latest beat');
        assert.deepEqual(replica?.catalog, catalog, 'the catalog sent before');
        assert.ok(Math.abs((replica?.lastSeen ?? 0) - now()) < 60_000, 'last seen by the store’s clock');
        await store.leave(id, 's');
        const left = (await store.listReplicas()).find((r) => r.instanceId === id);
        assert.equal(left?.alive, false, 'still listed after leave, not alive');
      },
    );

    suite.case('a pause is listed with who, why and when; pausing again replaces it; resume removes it', async (t) => {
      const store = fleetOf(t);
      const pattern = `${t.job}.*`;
      const first = await store.pauseJobs({ pattern, reason: 'incident 7', by: 'ana', forMs: null });
      const controls = await store.readControls();
      assert.ok(Math.abs(controls.storeTime - first.at) < 60_000, 'at is the store’s time');
      assert.deepEqual(
        controls.pauses.filter((p) => p.pattern === pattern),
        [{ pattern, reason: 'incident 7', by: 'ana', at: first.at, until: null }],
      );
      const second = await store.pauseJobs({ pattern, reason: 'still bad\nsee #8', by: 'bo', forMs: 3_600_000 });
      assert.equal(second.until, second.at + 3_600_000);
      const replaced = (await store.readControls()).pauses.filter((p) => p.pattern === pattern);
      assert.deepEqual(replaced, [second], 'one pause per pattern; a reason may span lines');
      assert.equal(await store.resumeJobs(pattern), true);
      assert.equal(await store.resumeJobs(pattern), false, 'nothing left to resume');
      assert.deepEqual(
        (await store.readControls()).pauses.filter((p) => p.pattern === pattern),
        [],
      );
    });

    suite.case('a pause with an end is no longer listed once it has passed', async (t) => {
      const store = fleetOf(t);
      const pause = await store.pauseJobs({ pattern: t.job, reason: 'short', by: 'ops', forMs: 300 });
      assert.equal((await store.readControls()).pauses.filter((p) => p.pattern === t.job).length, 1);
      await sleep(pause.until === null ? 0 : 700);
      assert.equal((await store.readControls()).pauses.filter((p) => p.pattern === t.job).length, 0);
    });

    suite.case(
      'a trigger request is listed with its time; two requests for a job have two different times',
      async (t) => {
        const store = fleetOf(t);
        const first = await store.requestTrigger({ job: t.job, by: 'ana' });
        const second = await store.requestTrigger({ job: t.job, by: 'bo' });
        assert.notEqual(first.id, second.id);
        assert.ok(second.at > first.at, `${second.at} after ${first.at}`);
        const listed = (await store.readControls()).triggers.filter((r) => r.job === t.job);
        assert.deepEqual(listed, [first, second]);
      },
    );
  });
}
