// RedisStore: the ClaimStore on Redis (ioredis), standalone or Cluster. One Lua script call per
// batch (per hash slot on a Cluster), decided by the Redis server's clock.

import { type ClaimStore, StoreError } from '@tickwise/core';
import type {
  BeatResult,
  ClaimBatch,
  ClaimRefusal,
  ClaimResult,
  CompletionBatch,
  CompletionResult,
  HeldClaim,
  InstanceBeat,
  RenewalBatch,
  StoreLimits,
} from '@tickwise/core/store';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { bucketOf, KeySpace } from './keys.js';
import { CLAIM, COMPLETE, HEARTBEAT, LEAVE, RELEASE, RENEW } from './scripts.js';

export interface RedisStoreOptions {
  /**
   * An existing ioredis client or Cluster (not closed by close()), or a redis:// / rediss:// URL.
   * Default: REDIS_URL or redis://127.0.0.1:6379.
   */
  client?: Redis | Cluster | string;
  /** Key prefix; letters, digits and `:_-.` only. Default 'tickwise:'. */
  prefix?: string;
  /** Options for a client the store creates from a URL. */
  redisOptions?: RedisOptions;
}

type Reply = (string | number | null)[];
type Script = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<Reply>;

interface ScriptedClient {
  tickwiseClaim: Script;
  tickwiseRenew: Script;
  tickwiseComplete: Script;
  tickwiseRelease: Script;
  tickwiseHeartbeat: Script;
  tickwiseLeave: Script;
}

const PREFIX = /^[A-Za-z0-9:_.-]{0,64}$/;
const LIMITS: StoreLimits = Object.freeze({ maxJobNameBytes: 1024 });

/** Items of a batch that go in one script call: all of them on a single Redis, one bucket's on a Cluster. */
interface Group<T> {
  bucket: number | null;
  items: { index: number; item: T; bucket: number }[];
}

export class RedisStore implements ClaimStore {
  readonly durable = true;
  readonly limits = LIMITS;
  private readonly redis: Redis | Cluster;
  private readonly scripts: ScriptedClient;
  private readonly ownsClient: boolean;
  private readonly keys: KeySpace;
  private lastError: Error | null = null;

  constructor(options: RedisStoreOptions = {}) {
    const prefix = options.prefix ?? 'tickwise:';
    if (!PREFIX.test(prefix)) {
      throw new StoreError(
        'STORE_CONFIG',
        `Redis key prefix '${prefix}' may only contain letters, digits and : _ - . (at most 64 characters)`,
      );
    }
    this.keys = new KeySpace(prefix);
    const client = options.client ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    if (typeof client === 'string') {
      let url: URL;
      try {
        url = new URL(client);
      } catch {
        throw new StoreError('STORE_CONFIG', `'${client}' is not a Redis URL (expected redis://host:port)`);
      }
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
        throw new StoreError('STORE_CONFIG', `'${url.protocol}' is not a Redis URL scheme (use redis:// or rediss://)`);
      }
      // Fail fast instead of queueing commands while Redis is down: a tick is then skipped and
      // reported (store-unavailable), and the client reconnects in the background. The scheduler
      // bounds every wait by the lease itself; the command timeout (above those waits) exists to
      // notice a dead connection, which is then dropped and opened again (see call()).
      this.redis = new Redis(client, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 2000,
        commandTimeout: 6000,
        ...options.redisOptions,
      });
      this.ownsClient = true;
    } else {
      this.redis = client;
      this.ownsClient = false;
    }
    this.redis.on('error', (error: Error) => {
      // Reported through failed operations (store-unavailable); the client reconnects by itself.
      // Kept for init(): a rejected password arrives here, the command only sees a closed connection.
      this.lastError = error;
    });
    const scripts = { CLAIM, RENEW, COMPLETE, RELEASE, HEARTBEAT, LEAVE };
    for (const [name, lua] of Object.entries(scripts)) {
      // No numberOfKeys: each call passes its own (two keys per item of the batch).
      this.redis.defineCommand(`tickwise${name[0]}${name.slice(1).toLowerCase()}`, { lua });
    }
    this.scripts = this.redis as unknown as ScriptedClient;
  }

  private get cluster(): boolean {
    return (this.redis as { isCluster?: boolean }).isCluster === true;
  }

  async init(): Promise<void> {
    try {
      if (this.ownsClient && this.redis.status === 'wait') await this.redis.connect();
      await this.redis.ping();
    } catch (error) {
      const cause = this.lastError ?? error;
      const message = cause instanceof Error ? cause.message : String(cause);
      if (/NOAUTH|WRONGPASS|invalid password|Authentication|\bAUTH\b/i.test(message)) {
        throw new StoreError('STORE_AUTH', `Redis rejected the credentials: ${message}`, { cause });
      }
      throw new StoreError('STORE_UNAVAILABLE', `cannot reach Redis: ${message}`, { cause });
    }
  }

  async claimTicks(batch: ClaimBatch): Promise<ClaimResult[]> {
    const results: ClaimResult[] = new Array(batch.requests.length);
    await this.perGroup(batch.requests, async (group) => {
      const keys: string[] = [];
      const args: (string | number)[] = [batch.owner, Math.floor(batch.deadline), Math.ceil(batch.maxEarlyMs)];
      for (const { item, bucket } of group.items) {
        keys.push(this.keys.claim(bucket, item.job, item.tick), this.keys.job(bucket, item.job));
        args.push(
          item.tick,
          Math.ceil(item.leaseMs),
          item.exclusive ? 1 : 0,
          Math.ceil(item.retainMs),
          item.takeoverOnly ? 1 : 0,
        );
      }
      const reply = await this.call(() => this.scripts.tickwiseClaim(keys.length, ...keys, ...args));
      group.items.forEach(({ index }, i) => {
        results[index] = claimResult(reply[3 * i], reply[3 * i + 1], reply[3 * i + 2]);
      });
    });
    return results;
  }

  async renewLeases(batch: RenewalBatch): Promise<boolean[]> {
    const results: boolean[] = new Array(batch.claims.length);
    await this.perGroup(batch.claims, async (group) => {
      const keys: string[] = [];
      const args: (string | number)[] = [batch.owner, Math.floor(batch.deadline)];
      for (const { item, bucket } of group.items) {
        keys.push(this.keys.claim(bucket, item.job, item.tick), this.keys.job(bucket, item.job));
        args.push(item.tick, item.fence, Math.ceil(item.leaseMs), Math.ceil(item.retainMs));
      }
      const reply = await this.call(() => this.scripts.tickwiseRenew(keys.length, ...keys, ...args));
      group.items.forEach(({ index }, i) => {
        results[index] = reply[i] === 1;
      });
    });
    return results;
  }

  async completeRuns(batch: CompletionBatch): Promise<CompletionResult[]> {
    const results: CompletionResult[] = new Array(batch.runs.length);
    const claims = batch.runs.map((run) => ({ job: run.claim.job, run }));
    await this.perGroup(claims, async (group) => {
      const keys: string[] = [];
      const args: (string | number)[] = [batch.owner];
      for (const { item, bucket } of group.items) {
        const { claim, outcome } = item.run;
        keys.push(this.keys.claim(bucket, claim.job, claim.tick), this.keys.job(bucket, claim.job));
        args.push(claim.tick, claim.fence, outcome, Math.ceil(claim.retainMs));
      }
      const reply = await this.call(() => this.scripts.tickwiseComplete(keys.length, ...keys, ...args));
      group.items.forEach(({ index }, i) => {
        results[index] = reply[i] === 1 ? 'recorded' : 'rejected';
      });
    });
    return results;
  }

  async releaseClaims(owner: string, claims: readonly HeldClaim[]): Promise<void> {
    await this.perGroup(claims, async (group) => {
      const keys: string[] = [];
      const args: (string | number)[] = [owner];
      for (const { item, bucket } of group.items) {
        keys.push(this.keys.claim(bucket, item.job, item.tick), this.keys.job(bucket, item.job));
        args.push(item.tick, item.fence);
      }
      await this.call(() => this.scripts.tickwiseRelease(keys.length, ...keys, ...args));
    });
  }

  async lastCompletedTick(job: string): Promise<number | null> {
    const value = await this.call(() => this.redis.hget(this.keys.job(bucketOf(job), job), 'last'));
    return value === null ? null : Number(value);
  }

  async heartbeat(beat: InstanceBeat): Promise<BeatResult> {
    const keys = [this.keys.epoch(), this.keys.instances()];
    const candidate = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const reply = await this.call(() =>
      this.scripts.tickwiseHeartbeat(2, ...keys, beat.instanceId, beat.session, Math.ceil(beat.ttlMs), candidate),
    );
    const [now, epoch, session, age, ...live] = reply;
    const result = { storeTime: Number(now), epoch: String(epoch), live: live.map(String).sort() };
    return session === undefined || session === null
      ? result
      : { ...result, conflict: { session: String(session), ageMs: Number(age) } };
  }

  async leave(instanceId: string, session: string): Promise<void> {
    await this.call(() => this.scripts.tickwiseLeave(1, this.keys.instances(), instanceId, session));
  }

  async ping(): Promise<void> {
    await this.call(() => this.redis.ping());
  }

  /** Closes the client when the store created it from a URL. */
  async close(): Promise<void> {
    if (this.ownsClient) this.redis.disconnect();
  }

  /** Runs `send` once for the whole batch on a single Redis, once per bucket on a Cluster. */
  private async perGroup<T extends { job: string }>(
    items: readonly T[],
    send: (group: Group<T>) => Promise<void>,
  ): Promise<void> {
    if (items.length === 0) return;
    const placed = items.map((item, index) => ({ index, item, bucket: bucketOf(item.job) }));
    if (!this.cluster) {
      await send({ bucket: null, items: placed });
      return;
    }
    const groups = new Map<number, Group<T>>();
    for (const entry of placed) {
      let group = groups.get(entry.bucket);
      if (!group) {
        group = { bucket: entry.bucket, items: [] };
        groups.set(entry.bucket, group);
      }
      group.items.push(entry);
    }
    // Sent together: one round trip's worth of waiting, whatever the number of slots.
    await Promise.all([...groups.values()].map(send));
  }

  /** A command that timed out on a client the store owns leaves a suspect connection: open a new one. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (this.ownsClient && error instanceof Error && /Command timed out/.test(error.message)) {
        (this.redis as Redis).disconnect(true);
      }
      throw error;
    }
  }
}

function claimResult(
  status: string | number | null | undefined,
  second: string | number | null | undefined,
  third: string | number | null | undefined,
): ClaimResult {
  if (status === 1) return { acquired: true, fence: Number(second), leaseUntil: Number(third) };
  const reason = String(second) as ClaimRefusal;
  return third === null || third === undefined
    ? { acquired: false, reason }
    : { acquired: false, reason, retryAfterMs: Number(third) };
}
