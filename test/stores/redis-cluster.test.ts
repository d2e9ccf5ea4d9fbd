import assert from 'node:assert/strict';
import type { ClaimStore } from '@tickwise/core';
import { storeContract } from '@tickwise/core/store-tests';
import { RedisStore } from '@tickwise/redis';
import { Cluster } from 'ioredis';
import { BUCKETS } from '../../packages/redis/src/keys.js';
import { type RedisCluster, startRedisCluster } from '../helpers/redis-cluster.js';
import { requireServer, uniqueName } from '../helpers/services.js';
import { ranTwice, runSharedSchedulers } from '../helpers/shared-schedulers.js';

// A real 3-node Redis Cluster started by the test (throwaway ports): every script call's keys
// hash to one slot, and a batch is split per slot.
describe('RedisStore on a real 3-node Redis Cluster', function () {
  this.timeout(60_000);
  let cluster: RedisCluster;
  const clients: Cluster[] = [];
  const connect = () => {
    const client = new Cluster(cluster.nodes);
    client.on('error', () => {});
    clients.push(client);
    return client;
  };

  before(async function () {
    await requireServer(this, 'Redis'); // the binaries come with the shared server
    cluster = await startRedisCluster();
  });
  after(async () => {
    for (const client of clients) client.disconnect();
    await cluster?.stop();
  });

  describe('claim semantics', () => {
    const prefixes = new Map<ClaimStore, string>();
    storeContract(
      async () => {
        const prefix = `${uniqueName('c')}:`;
        const store = new RedisStore({ client: connect(), prefix });
        prefixes.set(store, prefix);
        await store.init();
        return store;
      },
      {
        describe,
        it,
        fleet: true,
        wipe: async (store) => {
          const prefix = prefixes.get(store) as string;
          const client = connect();
          if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
          // Each node holds some of the slots: delete the store's keys on every master.
          for (const node of client.nodes('master')) {
            const keys = await node.keys(`{${prefix}*`);
            for (const key of keys) await node.del(key);
          }
        },
      },
    );
  });

  it('spreads the keys of a batch over the nodes, one script call per bucket', async () => {
    const client = connect();
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    const prefix = `${uniqueName('spread')}:`;
    const store = new RedisStore({ client, prefix });
    await store.init();
    const requests = Array.from({ length: 200 }, (_, i) => ({
      job: `job-${i}`,
      tick: 60_000,
      leaseMs: 5000,
      exclusive: true,
      retainMs: 60_000,
      takeoverOnly: false,
    }));
    const results = await store.claimTicks({ owner: 'x', deadline: Date.now() + 5000, maxEarlyMs: 250, requests });
    assert.equal(results.filter((r) => r.acquired).length, 200);
    const perNode = await Promise.all(
      client.nodes('master').map(async (node) => (await node.keys(`{${prefix}*`)).length),
    );
    assert.equal(
      perNode.reduce((a, b) => a + b, 0),
      400,
      'a claim record and a job record per job',
    );
    assert.equal(perNode.filter((n) => n > 0).length, 3, `keys on every node: ${perNode}`);
    const tags = new Set(
      (await Promise.all(client.nodes('master').map((n) => n.keys(`{${prefix}*`)))).flat().map((k) => k.split('}')[0]),
    );
    assert.equal(tags.size, BUCKETS);
  });

  it('three schedulers sharing the cluster run each tick of 50 jobs exactly once', async () => {
    const prefix = `${uniqueName('rep')}:`;
    const runs = await runSharedSchedulers(() => new RedisStore({ client: connect(), prefix }), { jobs: 50 });
    assert.ok(runs.size >= 100, `${runs.size} runs`);
    assert.deepEqual(ranTwice(runs), []);
  });
});
