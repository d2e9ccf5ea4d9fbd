import assert from 'node:assert/strict';
import { type ClaimStore, MemoryStore, StoreError } from '@tickwise/core';
import { RedisStore } from '@tickwise/redis';
import { Redis } from 'ioredis';
import { bucketOf } from '../../packages/redis/src/keys.js';
import { REDIS_URL, requireServer, uniqueName } from '../helpers/services.js';
import { storeContract } from '../helpers/store-contract.js';

/** Script calls Redis has served (EVALSHA and EVAL), from INFO commandstats. */
async function scriptCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) calls += Number(match[2]);
  return calls;
}

describe('RedisStore on a real Redis', () => {
  before(async function () {
    await requireServer(this, 'Redis');
  });

  describe('claim semantics', () => {
    const prefixes = new Map<ClaimStore, string>();
    storeContract(
      async () => {
        const prefix = `${uniqueName('t')}:`;
        const store = new RedisStore({ client: REDIS_URL, prefix });
        prefixes.set(store, prefix);
        await store.init();
        return store;
      },
      {
        // As a restart without persistence does: every key of the store is gone.
        wipe: async (store) => {
          const redis = new Redis(REDIS_URL);
          const keys = await redis.keys(`{${prefixes.get(store)}*`);
          if (keys.length > 0) await redis.del(...keys);
          redis.disconnect();
        },
      },
    );
  });

  it("keeps a job's keys under one hash tag that includes the prefix; claim records have a TTL", async () => {
    const prefix = `${uniqueName('ttl')}:`;
    const store = new RedisStore({ client: REDIS_URL, prefix });
    await store.init();
    const [claimed] = await store.claimTicks({
      owner: 'x',
      deadline: Date.now() + 5000,
      maxEarlyMs: 250,
      requests: [{ job: 'a{b}c', tick: 60_000, leaseMs: 1000, exclusive: true, retainMs: 5000, takeoverOnly: false }],
    });
    assert.ok(claimed?.acquired);
    const redis = new Redis(REDIS_URL);
    const keys = (await redis.keys(`{${prefix}*`)).sort();
    const tag = `{${prefix}${bucketOf('a{b}c')}}`;
    assert.deepEqual(keys, [`${tag}:c:a{b}c:60000`, `${tag}:j:a{b}c`]);
    const ttl = await redis.pttl(keys[0] as string);
    assert.ok(ttl > 0 && ttl <= 6000, `ttl ${ttl}`);
    assert.equal(await redis.pttl(keys[1] as string), -1, 'the job key (fence, last completed tick) does not expire');
    redis.disconnect();
    await store.close();
  });

  it('a claim batch is one round trip on a single Redis', async () => {
    const store = new RedisStore({ client: REDIS_URL, prefix: `${uniqueName('rt')}:` });
    await store.init();
    const monitor = new Redis(REDIS_URL);
    const before = await scriptCalls(monitor);
    const requests = Array.from({ length: 500 }, (_, i) => ({
      job: `job-${i}`,
      tick: 60_000,
      leaseMs: 1000,
      exclusive: i % 2 === 0,
      retainMs: 5000,
      takeoverOnly: false,
    }));
    const results = await store.claimTicks({ owner: 'x', deadline: Date.now() + 5000, maxEarlyMs: 250, requests });
    assert.equal(results.filter((r) => r.acquired).length, 500);
    assert.equal((await scriptCalls(monitor)) - before, 1);
    monitor.disconnect();
    await store.close();
  });

  it('accepts an existing ioredis client and leaves it open on close()', async () => {
    const client = new Redis(REDIS_URL);
    const store = new RedisStore({ client, prefix: `${uniqueName('own')}:` });
    await store.init();
    await store.close();
    assert.equal(await client.ping(), 'PONG');
    client.disconnect();
  });

  describe('bad input fails at start with a typed error', () => {
    it('a prefix with forbidden characters', () => {
      assert.throws(
        () => new RedisStore({ prefix: 'my app{1}' }),
        (error: unknown) => {
          assert.ok(error instanceof StoreError);
          assert.equal(error.code, 'STORE_CONFIG');
          assert.match(error.message, /may only contain letters, digits/);
          return true;
        },
      );
    });

    it('a URL that is not a Redis URL', () => {
      assert.throws(() => new RedisStore({ client: 'http://localhost:6379' }), { code: 'STORE_CONFIG' });
      assert.throws(() => new RedisStore({ client: 'not a url' }), { code: 'STORE_CONFIG' });
    });

    it('nothing listening: init() says so', async () => {
      const store = new RedisStore({ client: 'redis://127.0.0.1:1' });
      await assert.rejects(store.init(), (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.equal(error.code, 'STORE_UNAVAILABLE');
        assert.match(error.message, /cannot reach Redis/);
        return true;
      });
      await store.close();
    });

    it('a password Redis rejects: STORE_AUTH', async () => {
      const url = new URL(REDIS_URL);
      url.username = 'nobody';
      url.password = 'wrong';
      const store = new RedisStore({ client: url.toString() });
      await assert.rejects(store.init(), { code: 'STORE_AUTH' });
      await store.close();
    });
  });

  it('is durable, unlike the MemoryStore', () => {
    assert.equal(new RedisStore({ client: REDIS_URL }).durable, true);
    assert.equal(new MemoryStore().durable, false);
  });
});
