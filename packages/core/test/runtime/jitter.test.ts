import assert from 'node:assert/strict';
import { fnv1a32 } from '@tickwise/core/store';
import { jitterFor } from '../../src/runtime/jitter.js';

// Values computed before FNV-1a moved to '@tickwise/core/store': replicas of different versions
// must still wait the same jitter for the same tick, or the claim race stops being fair.
describe('jitter', () => {
  it('gives the same delay for a (job, tick) in every release', () => {
    const known: [string, number, number, number][] = [
      ['a', 0, 1000, 796],
      ['nightly-report', 1_700_000_000_000, 30_000, 15_527],
      ['café ☕', 60_000, 7, 0],
      ['j', 123, 1, 0],
      ['report', 1_700_000_060_000, 2 ** 31, 849_742_897],
    ];
    for (const [job, tick, max, delay] of known) assert.equal(jitterFor(job, tick, max), delay, job);
  });

  it('waits nothing when the job has no jitter', () => {
    assert.equal(jitterFor('j', 123, 0), 0);
    assert.equal(jitterFor('j', 123, -5), 0);
  });
});

describe('fnv1a32 (for store authors)', () => {
  it('matches the published FNV-1a test vectors', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });
});
