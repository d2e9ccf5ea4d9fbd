// A real three-node Redis Cluster (three masters, no replicas, no persistence, free ports, one temp
// dir), for tests of what the store does when its keys live in different slots on different nodes.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { freePort, sleep } from './services.js';
import { launchRedisServer, type RedisProcess } from './throwaway-redis.js';

const run = promisify(execFile);

export interface RedisCluster {
  /** The nodes' client ports. */
  readonly ports: number[];
  /** The same, as ioredis `Cluster` takes them. */
  readonly nodes: { host: string; port: number }[];
  /** Kills every node by PID (SIGKILL), waits for the exits, removes the temp dir. The same promise on every call. */
  stop(): Promise<void>;
}

/** `count` distinct ports that were free a moment ago. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** `redis-cli --cluster create` over the nodes: slots split in three, no replicas. */
async function createCluster(ports: number[]): Promise<void> {
  const addresses = ports.map((port) => `127.0.0.1:${port}`);
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'];
  try {
    await run('redis-cli', args, { timeout: 30_000 });
  } catch (error) {
    // redis-cli reports on stdout, which the error's message leaves out
    const stdout = error instanceof Error && 'stdout' in error ? String(error.stdout) : '';
    throw new Error(`redis-cli ${args.join(' ')} failed: ${error instanceof Error ? error.message : error}\n${stdout}`);
  }
}

/** Until every node says `cluster_state:ok`, 20 s at most. */
async function untilStateOk(ports: number[]): Promise<void> {
  const clients = ports.map((port) => new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => null }));
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO')));
      if (infos.every((info) => String(info).includes('cluster_state:ok'))) return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster not ok after 20 s:\n${infos.join('\n')}`);
      await sleep(100);
    }
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/** SET/GET through a `Cluster` client of keys that land on every node, so the slots really are served. */
async function checkServesEveryNode(nodes: { host: string; port: number }[]): Promise<void> {
  const cluster = new Cluster(nodes, { clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 0 } });
  cluster.on('error', () => {}); // the awaited commands below report what matters
  // 30 fixed keys: their slots spread over all three masters (checked below), the same on every run.
  const keys = Array.from({ length: 30 }, (_, i) => `tickwise:probe:${i}`);
  try {
    for (const key of keys) await cluster.set(key, key);
    for (const key of keys) {
      const value = await cluster.get(key);
      if (value !== key) throw new Error(`Redis Cluster: GET ${key} gave ${value}`);
    }
    const sizes = await Promise.all(cluster.nodes('master').map((node) => node.dbsize()));
    if (sizes.length !== nodes.length || sizes.some((n) => n === 0)) {
      throw new Error(`Redis Cluster: the probe keys did not reach every master (keys per master: ${sizes})`);
    }
    for (const key of keys) await cluster.del(key);
  } finally {
    cluster.disconnect();
  }
}

/** Starts three cluster-enabled redis-servers, joins them with `redis-cli --cluster create`, waits until the cluster serves. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tickwise-redis-cluster-'));
  const servers: RedisProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const server of servers) server.child.kill('SIGKILL');
      await Promise.all(servers.map((server) => server.exited));
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    // The cluster bus port is the client port + 10000 unless set: out of range for a free port
    // above 55535, so each node gets a free bus port of its own.
    const free = await freePorts(6);
    const ports = free.slice(0, 3);
    for (const [i, port] of ports.entries()) {
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)];
      servers.push(await launchRedisServer(port, dir, [...args, '--cluster-port', String(free[i + 3])]));
    }
    await createCluster(ports);
    await untilStateOk(ports);
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    await checkServesEveryNode(nodes);
    return { ports, nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
