import assert from 'node:assert/strict';
import { cron } from '@tickwise/core';
import { resetCaches } from '@tickwise/core/testing';
import { BoundedCache } from '../../src/schedule/bounded-cache.js';
import { resolveTimeZone } from '../../src/schedule/time-zone.js';

describe('BoundedCache: the one cache shape of core', () => {
  it('past its limit, the least recently used entry goes (a hit counts as a use)', () => {
    const cache = new BoundedCache<string, number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    assert.equal(cache.get('a'), 1); // a is now the newest: b is the oldest
    cache.set('d', 4);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((k) => cache.get(k)),
      [1, undefined, 3, 4],
    );
    assert.equal(cache.size, 3);
    cache.set('c', 30); // replacing a key does not evict another
    assert.equal(cache.size, 3);
    assert.equal(cache.get('c'), 30);
  });

  it('a repeated hit on the newest key keeps the order (no reordering needed)', () => {
    const cache = new BoundedCache<number, string>(2);
    cache.set(1, 'one');
    cache.set(2, 'two');
    for (let i = 0; i < 3; i++) assert.equal(cache.get(2), 'two');
    cache.set(3, 'three'); // 1 is the least recently used
    assert.deepEqual([cache.get(1), cache.get(2), cache.get(3)], [undefined, 'two', 'three']);
  });

  it('rejects a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) assert.throws(() => new BoundedCache(limit), RangeError);
  });
});

describe('resetCaches() (from @tickwise/core/testing)', () => {
  it('empties the process-wide caches: the same expression compiles afresh, with the same results', () => {
    const first = cron('*/5 9-17 * * 1-5', { timezone: 'Europe/Berlin' });
    assert.equal(cron('*/5 9-17 * * 1-5', { timezone: 'Europe/Berlin' }), first, 'shared while cached');
    const zone = resolveTimeZone('Europe/Berlin');
    resetCaches();
    const again = cron('*/5 9-17 * * 1-5', { timezone: 'Europe/Berlin' });
    assert.notEqual(again, first);
    assert.notEqual(resolveTimeZone('Europe/Berlin'), zone);
    const from = new Date('2026-03-27T16:00:00Z');
    assert.deepEqual(again.nextRuns(5, from), first.nextRuns(5, from));
  });
});
