// Proves the fault-injection helpers do what they say, against real servers and real processes.

import assert from 'node:assert/strict';
import { existsSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import pg from 'pg';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { startPgBouncer } from '../helpers/pgbouncer.js';
import { startRedisCluster } from '../helpers/redis-cluster.js';
import { REDIS_URL, requireServer, sleep, uniqueName } from '../helpers/services.js';
import { startThrowawayPostgres } from '../helpers/throwaway-postgres.js';
import { startThrowawayRedis } from '../helpers/throwaway-redis.js';

/** Fails fast instead of queueing: each command gets one try; reconnects every 20 ms. */
const failFast: RedisOptions = { maxRetriesPerRequest: 0, retryStrategy: () => 20 };

/** Whether a process with this PID exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves on the client's next 'ready'; unlike events.once, the errors of the reconnects in between do not reject. */
function nextReady(client: Redis): Promise<number> {
  return new Promise((resolve) => client.once('ready', () => resolve(Date.now())));
}

async function until(done: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

interface RawConnection {
  socket: Socket;
  received: string;
  closed: boolean;
  errorCode?: string;
}

/** A plain TCP connection, recording what comes back, so nothing a client library does hides the proxy. */
function raw(port: number): RawConnection {
  const socket = connect(port, '127.0.0.1');
  const conn: RawConnection = { socket, received: '', closed: false };
  socket.on('data', (chunk) => {
    conn.received += chunk;
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    conn.errorCode = error.code;
  });
  socket.on('close', () => {
    conn.closed = true;
  });
  return conn;
}

describe('fault proxy in front of the shared Redis', () => {
  let proxy: FaultProxy;
  let direct: Redis;
  const clients: Redis[] = [];
  const through = (options: RedisOptions = {}) => {
    const client = new Redis({ port: proxy.port, ...failFast, ...options });
    client.on('error', () => {}); // resets are what these tests cause
    clients.push(client);
    return client;
  };

  before(async function () {
    await requireServer(this, 'Redis');
    direct = new Redis(REDIS_URL);
  });
  beforeEach(async () => {
    const { hostname, port } = new URL(REDIS_URL);
    proxy = await startFaultProxy({ targetHost: hostname, targetPort: Number(port || 6379) });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await proxy.close();
  });
  after(() => direct?.disconnect());

  it('passes commands through, and counts the open client connections', async () => {
    const a = through();
    const b = through();
    assert.equal(await a.ping(), 'PONG');
    assert.equal(await b.ping(), 'PONG');
    assert.equal(proxy.connections, 2);
    a.disconnect();
    await until(() => proxy.connections === 1, 'the proxy sees one connection close');
  });

  it('blip(): commands fail fast, new connections are reset for the blip, then the client reconnects', async () => {
    const client = through();
    assert.equal(await client.ping(), 'PONG');
    const started = Date.now();
    const readyAgain = nextReady(client);
    const over = proxy.blip(500);
    await assert.rejects(client.ping(), /max retries per request/);
    assert.ok(Date.now() - started < 250, `the command took ${Date.now() - started} ms to fail`);
    const refused = raw(proxy.port);
    await until(() => refused.closed, 'a connection made during the blip is closed');
    assert.equal(refused.errorCode, 'ECONNRESET');
    await over;
    const readyAt = await readyAgain;
    // ioredis retries every 20 ms through the blip: ready before the end means nothing was refused
    assert.ok(readyAt - started >= 490, `the client was back after ${readyAt - started} ms, inside the 500 ms blip`);
    assert.equal(await client.ping(), 'PONG');
  });

  it('blackhole(): a command times out on a connection that stays open; heal() resets it and the client reconnects', async () => {
    const client = through({ commandTimeout: 300 });
    assert.equal(await client.ping(), 'PONG');
    proxy.blackhole();
    const started = Date.now();
    await assert.rejects(client.ping(), /Command timed out/);
    assert.ok(Date.now() - started >= 290, `timed out after ${Date.now() - started} ms`);
    assert.equal(client.status, 'ready', 'the client saw its connection close');
    assert.equal(proxy.connections, 1);
    const readyAgain = nextReady(client);
    proxy.heal();
    await readyAgain;
    assert.equal(await client.ping(), 'PONG');
  });

  it('blackhole(): what is written during it is never delivered, on old or new connections, not even after heal()', async () => {
    const keys = [uniqueName('blackhole:old'), uniqueName('blackhole:new')];
    const old = raw(proxy.port);
    old.socket.write('PING\r\n');
    await until(() => old.received === '+PONG\r\n', 'PONG through the proxy');
    proxy.blackhole();
    const fresh = raw(proxy.port); // accepted, but it never reaches Redis
    old.socket.write(`SET ${keys[0]} late\r\n`);
    fresh.socket.write(`SET ${keys[1]} late\r\n`);
    await sleep(200); // long enough for a Redis on this machine to have answered many times over
    assert.deepEqual([old.received, fresh.received, old.closed, fresh.closed], ['+PONG\r\n', '', false, false]);
    assert.equal(proxy.connections, 2);
    proxy.heal();
    await until(() => old.closed && fresh.closed, 'heal() closes the black-holed connections');
    assert.deepEqual([old.errorCode, fresh.errorCode], ['ECONNRESET', 'ECONNRESET']);
    await sleep(100); // a late delivery would land within microseconds; give it far more
    assert.deepEqual(await direct.mget(keys), [null, null]);
  });

  it('delay(): each direction waits, and a chunk never overtakes an earlier one', async () => {
    const client = through();
    assert.equal(await client.ping(), 'PONG');
    proxy.delay(200);
    let started = Date.now();
    assert.equal(await client.ping(), 'PONG');
    assert.ok(Date.now() - started >= 400, `a round trip took ${Date.now() - started} ms, not 2 × 200`);

    // The first SET waits 300 ms in the proxy; the second, sent with no delay, must still come after it.
    const key = uniqueName('delay');
    proxy.delay(300);
    started = Date.now();
    const first = client.set(key, 'first');
    await sleep(50); // the first SET is in the proxy by now, in a chunk of its own
    proxy.delay(0);
    const second = client.set(key, 'second').then(() => Date.now());
    await first;
    const secondAt = await second;
    assert.equal(await direct.get(key), 'second');
    assert.ok(secondAt - started >= 300, `the second SET was answered after ${secondAt - started} ms`);
    await direct.del(key);
  });
});

describe('throwaway Redis', () => {
  it('kill() ends the process by SIGKILL; restart() brings it back on the same port, with no data', async () => {
    const redis = await startThrowawayRedis();
    const client = new Redis(redis.url, failFast);
    client.on('error', () => {});
    try {
      await client.set('k', 'v');
      const firstPid = redis.pid;
      await redis.kill();
      assert.equal(alive(firstPid), false, 'the killed server is still running');
      await assert.rejects(client.get('k'));
      await redis.restart();
      assert.notEqual(redis.pid, firstPid);
      if (client.status !== 'ready') await nextReady(client);
      assert.equal(await client.get('k'), null);
      assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it('freeze() makes it answer nothing; thaw() makes it answer again', async () => {
    const redis = await startThrowawayRedis();
    const client = new Redis(redis.url, { ...failFast, commandTimeout: 300 });
    client.on('error', () => {});
    try {
      assert.equal(await client.ping(), 'PONG');
      redis.freeze();
      await assert.rejects(client.ping(), /Command timed out/);
      redis.thaw();
      assert.equal(await client.ping(), 'PONG');
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it('stop() waits for the exit and removes the temp dir, also when frozen', async () => {
    const redis = await startThrowawayRedis();
    const { pid } = redis;
    const dir = readlinkSync(`/proc/${pid}/cwd`); // redis-server works in its --dir
    assert.match(dir, /tickwise-redis-/);
    redis.freeze();
    await redis.stop();
    assert.equal(alive(pid), false, 'redis-server still runs');
    assert.equal(existsSync(dir), false, `${dir} is still there`);
  });
});

describe('Redis Cluster of three nodes', () => {
  it('serves keys whose slots are on each of the three nodes, and stop() ends every node', async () => {
    const cluster = await startRedisCluster();
    const client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 0 } });
    client.on('error', () => {});
    const nodes = cluster.ports.map((port) => new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => null }));
    const pids: number[] = [];
    try {
      assert.equal(cluster.ports.length, 3);
      // Fixed keys in slots 15495, 3300 and 7365: one in each third of the slots, so one per node.
      const keys = ['a', 'b', 'c'];
      for (const key of keys) await client.set(key, `value of ${key}`);
      assert.deepEqual(
        await Promise.all(keys.map((key) => client.get(key))),
        keys.map((key) => `value of ${key}`),
      );
      const slots = await Promise.all(keys.map((key) => client.call('CLUSTER', 'KEYSLOT', key)));
      assert.deepEqual(slots, [15495, 3300, 7365]);
      for (const [i, node] of nodes.entries()) {
        assert.equal(await node.dbsize(), 1, `the node at port ${cluster.ports[i]} does not hold exactly one key`);
        pids.push(Number(/process_id:(\d+)/.exec(await node.info('server'))?.[1]));
      }
    } finally {
      client.disconnect();
      for (const node of nodes) node.disconnect();
      await cluster.stop();
    }
    assert.equal(pids.length, 3);
    assert.deepEqual(
      pids.filter((pid) => alive(pid)),
      [],
      'cluster nodes still running',
    );
  });
});

describe('PgBouncer in transaction mode in front of the shared PostgreSQL', () => {
  before(async function () {
    await requireServer(this, 'PostgreSQL');
  });

  it('runs parameterised queries with array parameters', async () => {
    const bouncer = await startPgBouncer();
    const client = new pg.Client({ connectionString: bouncer.url('test') });
    try {
      await client.connect();
      const { rows } = await client.query('SELECT * FROM unnest($1::text[], $2::bigint[]) AS t(name, n)', [
        ['a', 'b'],
        [1, 2],
      ]);
      assert.deepEqual(rows, [
        { name: 'a', n: '1' },
        { name: 'b', n: '2' },
      ]);
      const { rows: db } = await client.query('SELECT current_database() AS name');
      assert.deepEqual(db, [{ name: 'test' }]);
    } finally {
      await client.end();
      await bouncer.stop();
    }
  });

  it('pools by transaction: ten connected clients share at most five server connections', async () => {
    const bouncer = await startPgBouncer();
    // In session mode the sixth client would wait for a free server connection until it timed out.
    const clients = Array.from(
      { length: 10 },
      () => new pg.Client({ connectionString: bouncer.url('test'), query_timeout: 5000 }),
    );
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const pids = await Promise.all(
        clients.map(
          async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)')).rows[0]?.pid,
        ),
      );
      assert.equal(pids.length, 10);
      assert.ok(new Set(pids).size <= 5, `${new Set(pids).size} server connections`);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await bouncer.stop();
    }
    await assert.rejects(
      new pg.Client({ connectionString: bouncer.url('test'), connectionTimeoutMillis: 1000 }).connect(),
      /ECONNREFUSED/,
    );
  });
});

describe('throwaway PostgreSQL: freeze() and thaw()', () => {
  it('freeze() stops the running backends and new connections; thaw() lets both answer again', async () => {
    const server = await startThrowawayPostgres();
    const open = new pg.Client({ connectionString: server.url, query_timeout: 500 });
    const late = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 500 });
    const after = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2000 });
    try {
      await open.connect();
      assert.deepEqual((await open.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
      server.freeze();
      await assert.rejects(open.query('SELECT 2'), /Query read timeout/); // its backend is stopped
      await assert.rejects(late.connect(), /timeout/); // the postmaster is stopped
      server.thaw();
      assert.deepEqual((await open.query('SELECT 3 AS three')).rows, [{ three: 3 }]);
      await after.connect();
      assert.deepEqual((await after.query('SELECT 4 AS four')).rows, [{ four: 4 }]);
    } finally {
      server.thaw(); // a client cannot say goodbye to a stopped server: end() would wait forever
      await Promise.all([open, late, after].map((c) => c.end().catch(() => {})));
      server.destroy();
    }
  });
});
