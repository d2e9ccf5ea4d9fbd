import assert from 'node:assert/strict';
import { MemoryStore, StoreError } from '@tickwise/core';
import { RedisStore } from '@tickwise/redis';
import { Redis } from 'ioredis';
import { REDIS_URL, requireServer, uniqueName } from '../helpers/services.js';
import { storeContract } from '../helpers/store-contract.js';

describe('RedisStore on a real Redis', () => {
  before(async function () {
    await requireServer(this, 'Redis');
  });

  describe('claim semantics', () => {
    storeContract(async () => {
      const store = new RedisStore({ client: REDIS_URL, prefix: `${uniqueName('t')}:` });
      await store.init();
      return store;
    });
  });

  it('keeps every key of a job under one hash tag, with a TTL', async () => {
    const prefix = `${uniqueName('ttl')}:`;
    const store = new RedisStore({ client: REDIS_URL, prefix });
    await store.init();
    const claimed = await store.claim({
      job: 'a{b}c',
      tick: new Date(60_000),
      owner: 'x',
      leaseMs: 1000,
      exclusive: true,
      retainMs: 5000,
      maxEarlyMs: 250,
    });
    assert.ok(claimed.acquired);
    const redis = new Redis(REDIS_URL);
    const keys = (await redis.keys(`${prefix}*`)).sort();
    assert.deepEqual(keys, [
      `${prefix}{a%7Bb%7Dc}:claim:60000`,
      `${prefix}{a%7Bb%7Dc}:fence`,
      `${prefix}{a%7Bb%7Dc}:running`,
    ]);
    const ttl = await redis.pttl(keys[0] as string);
    assert.ok(ttl > 0 && ttl <= 6000, `ttl ${ttl}`);
    redis.disconnect();
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
