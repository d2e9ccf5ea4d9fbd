import assert from 'node:assert/strict';
import { type ClaimStore, MemoryStore, StoreError } from '@tickwise/core';
import type { ClaimResult } from '@tickwise/core/store';
import { storeContract } from '@tickwise/core/store-tests';
import { RedisStore } from '@tickwise/redis';
import { Redis } from 'ioredis';
import { bucketOf } from '../../packages/redis/src/keys.js';
import { REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';

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
        describe,
        it,
        fleet: true,
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

  it("a job's hash holds the lease end of each running tick: completion and release drop it, ended ones are pruned", async () => {
    const prefix = `${uniqueName('run')}:`;
    const store = new RedisStore({ client: REDIS_URL, prefix });
    await store.init();
    const redis = new Redis(REDIS_URL);
    const running = async () =>
      Object.keys(await redis.hgetall(`{${prefix}${bucketOf('j')}}:j:j`))
        .filter((field) => field.startsWith('r:'))
        .sort();
    const claim = async (ticks: number[], leaseMs: number, exclusive = false) =>
      store.claimTicks({
        owner: 'x',
        deadline: Date.now() + 5000,
        maxEarlyMs: 250,
        requests: ticks.map((tick) => ({ job: 'j', tick, leaseMs, exclusive, retainMs: 5000, takeoverOnly: false })),
      });
    const held = (tick: number, result: ClaimResult | undefined) => {
      assert.ok(result?.acquired);
      return { job: 'j', tick, fence: result.fence, leaseMs: 5000, retainMs: 5000, exclusive: false };
    };
    const [first, second] = await claim([60_000, 120_000], 5000);
    assert.deepEqual(await running(), ['r:120000', 'r:60000']);
    await store.completeRuns({ owner: 'x', runs: [{ claim: held(60_000, first), outcome: 'success' }] });
    await store.releaseClaims('x', [held(120_000, second)]);
    assert.deepEqual(await running(), []);
    // Holders that died leave their entries behind; they block nothing once their lease ended, and
    // go when an exclusive claim looks at them, or when a claim finds more than 16.
    const ticks = Array.from({ length: 20 }, (_, i) => 180_000 + i * 60_000);
    await claim(ticks, 100);
    assert.equal((await running()).length, 20);
    await sleep(400);
    const [live] = await claim([3_600_000], 5000);
    assert.deepEqual(await running(), ['r:3600000']);
    await store.releaseClaims('x', [held(3_600_000, live)]);
    await claim(ticks, 100);
    await sleep(400);
    assert.ok((await claim([7_200_000], 5000, true))[0]?.acquired, 'the ended leases block nothing');
    assert.deepEqual(await running(), ['r:7200000']);
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
