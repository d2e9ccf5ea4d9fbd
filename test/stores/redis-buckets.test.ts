import assert from 'node:assert/strict';
import { BUCKETS, bucketOf } from '../../packages/redis/src/keys.js';

// Values computed with the code that wrote today's data: a job's bucket is part of its Redis
// keys, so a change here would orphan every claim, history and job record already stored.
describe('redis keys: buckets', () => {
  it('keeps the bucket of a job name stable across releases', () => {
    const known: [string, number][] = [
      ['', 5],
      ['a', 12],
      ['j', 13],
      ['a{b}c', 1],
      ['nightly-report', 11],
      ['billing.invoice#start', 2],
      ['café ☕', 3],
      ['x'.repeat(300), 5],
    ];
    for (const [name, bucket] of known) assert.equal(bucketOf(name), bucket, name.slice(0, 40));
  });

  it('always names one of the fixed buckets', () => {
    for (let i = 0; i < 1000; i++) {
      const bucket = bucketOf(`job-${i}`);
      assert.ok(Number.isInteger(bucket) && bucket >= 0 && bucket < BUCKETS);
    }
  });
});
