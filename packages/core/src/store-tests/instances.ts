// Contract cases: instance registrations (heartbeat, leave), the data set's epoch, ping().

import assert from 'node:assert/strict';
import { MARGIN_MS, type Suite, sleep } from './harness.js';

export function instanceCases(suite: Suite): void {
  suite.describe('instances', () => {
    suite.case(
      'registers an instance id, reports a second live session with the same id, and frees it on leave',
      async (t) => {
        const { store } = t;
        const id = `${t.job}.instance`;
        const first = await store.heartbeat({ instanceId: id, session: 's1', ttlMs: 5000 });
        assert.equal(first.conflict, undefined);
        const again = await store.heartbeat({ instanceId: id, session: 's1', ttlMs: 5000 });
        assert.equal(again.conflict, undefined, 'the same session refreshes');
        const second = await store.heartbeat({ instanceId: id, session: 's2', ttlMs: 5000 });
        assert.equal(second.conflict?.session, 's1');
        assert.ok(second.conflict.ageMs >= 0 && second.conflict.ageMs < 5000, `ageMs ${second.conflict.ageMs}`);
        await store.leave(id, 's2');
        assert.equal(
          (await store.heartbeat({ instanceId: id, session: 's2', ttlMs: 5000 })).conflict?.session,
          's1',
          'leave() by another session frees nothing',
        );
        await store.leave(id, 's1');
        assert.equal((await store.heartbeat({ instanceId: id, session: 's2', ttlMs: 5000 })).conflict, undefined);
      },
    );

    suite.case('lists the live instance ids, sorted, the new one included', async (t) => {
      const { store } = t;
      const prefix = `${t.job}.live.`;
      const a = `${prefix}a`;
      const b = `${prefix}b`;
      await store.heartbeat({ instanceId: b, session: 's', ttlMs: 5000 });
      const beat = await store.heartbeat({ instanceId: a, session: 's', ttlMs: 5000 });
      assert.ok(beat.live, 'the store lists live instances');
      assert.deepEqual(
        beat.live.filter((id) => id.startsWith(prefix)),
        [a, b],
      );
      const sorted = [...beat.live].sort();
      assert.deepEqual(beat.live, sorted, 'sorted');
      await store.leave(b, 's');
      const after = await store.heartbeat({ instanceId: a, session: 's', ttlMs: 5000 });
      assert.deepEqual(
        after.live?.filter((id) => id.startsWith(prefix)),
        [a],
      );
    });

    suite.case('a registration not refreshed within its TTL is free', async (t) => {
      const id = `${t.job}.ttl`;
      await t.store.heartbeat({ instanceId: id, session: 's1', ttlMs: 300 });
      await sleep(300 + MARGIN_MS);
      assert.equal((await t.store.heartbeat({ instanceId: id, session: 's2', ttlMs: 300 })).conflict, undefined);
    });

    suite.case('the epoch is stable while the store keeps its data', async (t) => {
      const a = await t.store.heartbeat({ instanceId: `${t.job}.e`, session: 's', ttlMs: 5000 });
      const b = await t.store.heartbeat({ instanceId: `${t.job}.e`, session: 's', ttlMs: 5000 });
      assert.equal(a.epoch, b.epoch);
      assert.ok(a.epoch.length > 0);
    });

    suite.case('answers ping()', async (t) => {
      await t.store.ping();
    });
  });
}
