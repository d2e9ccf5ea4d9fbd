// The store servers a fault test runs against: a throwaway redis-server or PostgreSQL cluster on
// free ports (so the test can kill, freeze or restart it by PID), and the replica store config
// that points at it, directly or through a fault proxy.

import { migrate } from '@tickwise/postgres';
import pg from 'pg';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { requireServer } from '../helpers/services.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../helpers/throwaway-redis.js';
import { Fleet } from './fleet.js';
import type { ReplicaConfig } from './replica.js';

export type StoreKind = 'redis' | 'postgres';

export interface StoreServer {
  kind: StoreKind;
  port: number;
  /** The store config for a replica that connects to `port` (the server's, or a proxy's). */
  store(port?: number, options?: { passClient?: boolean }): ReplicaConfig['store'];
  /** A fault proxy in front of the server. */
  proxy(): Promise<FaultProxy>;
  freeze(): void;
  thaw(): void;
  destroy(): Promise<void>;
  redis?: ThrowawayRedis;
  postgres?: ThrowawayPostgres;
}

const SCHEMA = 'tickwise_faults';

export async function startServer(kind: StoreKind): Promise<StoreServer> {
  const proxies: FaultProxy[] = [];
  const proxy = async () => {
    const made = await startFaultProxy({ targetPort: server.port });
    proxies.push(made);
    return made;
  };
  const closeProxies = () => Promise.all(proxies.map((p) => p.close()));
  let server: StoreServer;
  if (kind === 'redis') {
    const redis = await startThrowawayRedis();
    server = {
      kind,
      port: redis.port,
      redis,
      store: (port = redis.port, options = {}) => ({
        kind: 'redis',
        url: `redis://127.0.0.1:${port}`,
        prefix: 'faults:',
        ...(options.passClient && { passClient: true }),
      }),
      proxy,
      freeze: () => redis.freeze(),
      thaw: () => redis.thaw(),
      destroy: async () => {
        await closeProxies();
        await redis.stop();
      },
    };
    return server;
  }
  const postgres = await startThrowawayPostgres();
  const pool = new pg.Pool({ connectionString: postgres.url });
  await migrate(pool, { schema: SCHEMA });
  await pool.end();
  server = {
    kind,
    port: postgres.port,
    postgres,
    store: (port = postgres.port, options = {}) => ({
      kind: 'postgres',
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      schema: SCHEMA,
      ...(options.passClient && { passPool: true }),
    }),
    proxy,
    freeze: () => postgres.freeze(),
    thaw: () => postgres.thaw(),
    destroy: async () => {
      await closeProxies();
      postgres.destroy();
    },
  };
  return server;
}

export const STORE_NAMES = { redis: 'Redis', postgres: 'PostgreSQL' } as const;

/**
 * Registers hooks that give each test of the block a fresh throwaway server of `kind` and a fresh
 * Fleet, and stop both afterwards (the replicas first). Fails in CI / skips loudly elsewhere when
 * the shared server (whose binaries the throwaway one uses) is not there.
 */
export function freshServerAndFleet(kind: StoreKind): { server: () => StoreServer; fleet: () => Fleet } {
  let server: StoreServer | undefined;
  let fleet: Fleet | undefined;
  beforeEach(async function () {
    await requireServer(this, STORE_NAMES[kind]);
    server = await startServer(kind);
    fleet = new Fleet();
  });
  afterEach(async () => {
    server?.thaw();
    await fleet?.destroy();
    await server?.destroy();
    server = undefined;
    fleet = undefined;
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('used outside a test of the block');
    return value;
  };
  return { server: () => need(server), fleet: () => need(fleet) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first instant after `ms` from now that is a whole multiple of `periodMs` (ticks of every()). */
export function nextTickAfter(periodMs: number, ms = 0): number {
  return Math.ceil((Date.now() + ms) / periodMs) * periodMs;
}
