// The fleet read straight from the store the replicas share (--redis, --postgres): builds a
// RedisStore or PostgresStore and asks core's Fleet. The store packages are optional peers of the
// analyzer, loaded only when asked for, so `tickwise check` in CI never needs ioredis or pg.

import { type ClaimStore, Fleet, type FleetPause, StoreError, TickwiseError } from '@tickwise/core';
import { UsageError } from '../node/usage-error.js';
import { type FleetClient, FleetClientError, type FleetTrigger, maskUrl } from './fleet-client.js';

export type DirectTarget =
  | { kind: 'redis'; url: string; prefix?: string }
  | { kind: 'postgres'; url: string; schema?: string; table?: string };

/** What the CLI needs of a store besides the fleet contract. */
interface OpenedStore extends ClaimStore {
  init(): Promise<void>;
  close(): Promise<void>;
}

type StoreModule = Record<string, unknown>;

export interface DirectOptions {
  /** Loads a store package; default `import()`. Replaced in tests to play a missing package. */
  load?: (name: string) => Promise<StoreModule>;
}

const PACKAGE = { redis: '@tickwise/redis', postgres: '@tickwise/postgres' } as const;
const DRIVER = { redis: 'ioredis', postgres: 'pg' } as const;

async function loadStoreModule(target: DirectTarget, load: (name: string) => Promise<StoreModule>) {
  const name = PACKAGE[target.kind];
  try {
    return await load(name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new FleetClientError(
        'FLEET_NOT_INSTALLED',
        `--${target.kind} needs ${name} (and ${DRIVER[target.kind]}) where tickwise runs: npm install ${name}`,
        { cause: error },
      );
    }
    throw error;
  }
}

function buildStore(target: DirectTarget, module: StoreModule): OpenedStore {
  // A CLI run is short: the PostgreSQL store's cleanup timer stays off (the replicas clean up), and
  // the Redis client does not reconnect after a failed connection (the command reports it instead).
  if (target.kind === 'redis') {
    const RedisStore = module.RedisStore as new (options: object) => OpenedStore;
    return new RedisStore({
      client: target.url,
      ...(target.prefix !== undefined && { prefix: target.prefix }),
      redisOptions: { retryStrategy: () => null },
    });
  }
  const PostgresStore = module.PostgresStore as new (options: object) => OpenedStore;
  return new PostgresStore({
    pool: target.url,
    cleanupIntervalMs: 0,
    ...(target.schema !== undefined && { schema: target.schema }),
    ...(target.table !== undefined && { table: target.table }),
  });
}

function describeTarget(target: DirectTarget): string {
  if (target.kind === 'redis') return `Redis at ${maskUrl(target.url)} (prefix '${target.prefix ?? 'tickwise:'}')`;
  return `PostgreSQL at ${maskUrl(target.url)} (${target.schema ?? 'public'}.${target.table ?? 'tickwise_claims'})`;
}

/** Connects and checks the store (its schema, for PostgreSQL); throws FleetClientError or UsageError. */
export async function openDirectClient(target: DirectTarget, options: DirectOptions = {}): Promise<FleetClient> {
  const module = await loadStoreModule(target, options.load ?? ((name) => import(name)));
  const where = describeTarget(target);
  let store: OpenedStore;
  try {
    store = buildStore(target, module);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'STORE_CONFIG') throw new UsageError(error.message);
    throw error;
  }
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => {});
    const code = error instanceof StoreError ? error.code : undefined;
    throw new FleetClientError(
      code === 'STORE_AUTH' ? 'FLEET_REFUSED' : 'FLEET_UNREACHABLE',
      `${where}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  let fleet: Fleet;
  try {
    // Initialized above, where its failures are told apart; the Fleet need not do it again.
    fleet = new Fleet(store, { init: false });
  } catch (error) {
    await store.close();
    throw error;
  }
  return new DirectClient(where, store, fleet);
}

class DirectClient implements FleetClient {
  private closing: Promise<void> | null = null;

  constructor(
    readonly target: string,
    private readonly store: OpenedStore,
    private readonly fleet: Fleet,
  ) {}

  status() {
    return this.ask(() => this.fleet.status());
  }

  runs(job: string, limit: number) {
    return this.ask(() => this.fleet.runs(job, { limit }));
  }

  pause(pattern: string, request: { reason: string; by: string; forMs?: number }): Promise<FleetPause> {
    return this.ask(async () => {
      const pause = await this.fleet.pause(pattern, {
        reason: request.reason,
        by: request.by,
        ...(request.forMs !== undefined && { for: request.forMs }),
      });
      return { ...pause, at: new Date(pause.at), until: pause.until === null ? null : new Date(pause.until) };
    });
  }

  resume(pattern: string) {
    return this.ask(() => this.fleet.resume(pattern));
  }

  trigger(job: string, by: string): Promise<FleetTrigger> {
    return this.ask(async () => {
      const request = await this.fleet.trigger(job, { by });
      return { ...request, at: new Date(request.at) };
    });
  }

  close(): Promise<void> {
    this.closing ??= this.store.close();
    return this.closing;
  }

  /** Bad input is the caller's (exit 2); anything else the store did is reported as the store failing. */
  private async ask<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof TickwiseError && error.code === 'INVALID_OPTION') throw new UsageError(error.message);
      if (error instanceof TypeError && /job name or pattern/.test(error.message)) throw new UsageError(error.message);
      throw new FleetClientError('FLEET_UNREACHABLE', `${this.target}: ${(error as Error).message}`, { cause: error });
    }
  }
}
