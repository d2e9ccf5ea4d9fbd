// RedisStore: the ClaimStore on Redis (ioredis). One Lua script per operation, one round trip each.

import {
  type Claim,
  type ClaimRefusal,
  type ClaimRequest,
  type ClaimResult,
  type ClaimStore,
  claimGranted,
  claimRefused,
  type RunOutcome,
  StoreError,
} from '@tickwise/core';
import { Redis, type RedisOptions } from 'ioredis';
import { CLAIM, COMPLETE, RELEASE, RENEW } from './scripts.js';

export interface RedisStoreOptions {
  /** An existing ioredis client (not closed by close()), or a redis:// / rediss:// URL. Default: REDIS_URL or redis://127.0.0.1:6379. */
  client?: Redis | string;
  /** Key prefix; letters, digits and `:_-.` only. Default 'tickwise:'. */
  prefix?: string;
  /** Options for a client the store creates from a URL. */
  redisOptions?: RedisOptions;
}

interface ScriptedRedis extends Redis {
  tickwiseClaim(
    k1: string,
    k2: string,
    k3: string,
    ...args: (string | number)[]
  ): Promise<[number, number | string, number?]>;
  tickwiseRenew(k1: string, k3: string, ...args: (string | number)[]): Promise<number>;
  tickwiseComplete(k1: string, k3: string, k4: string, ...args: (string | number)[]): Promise<number>;
  tickwiseRelease(k1: string, k3: string, ...args: (string | number)[]): Promise<number>;
}

const PREFIX = /^[A-Za-z0-9:_.-]{0,64}$/;

/** Job names go inside a hash tag, so the braces that delimit it are escaped. */
function tag(job: string): string {
  return job.replace(/%/g, '%25').replace(/\{/g, '%7B').replace(/\}/g, '%7D');
}

export class RedisStore implements ClaimStore {
  readonly durable = true;
  private readonly redis: ScriptedRedis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private lastError: Error | null = null;

  constructor(options: RedisStoreOptions = {}) {
    const prefix = options.prefix ?? 'tickwise:';
    if (!PREFIX.test(prefix)) {
      throw new StoreError(
        'STORE_CONFIG',
        `Redis key prefix '${prefix}' may only contain letters, digits and : _ - . (at most 64 characters)`,
      );
    }
    this.prefix = prefix;
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
      // Fail fast instead of queueing commands forever while Redis is down: a tick is then
      // skipped and reported (store-unavailable), and the client reconnects in the background.
      this.redis = new Redis(client, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 2000,
        commandTimeout: 2000,
        ...options.redisOptions,
      }) as ScriptedRedis;
      this.ownsClient = true;
    } else {
      this.redis = client as ScriptedRedis;
      this.ownsClient = false;
    }
    this.redis.on('error', (error: Error) => {
      // Reported through failed operations (store-unavailable); the client reconnects by itself.
      // Kept for init(): a rejected password arrives here, the command only sees a closed connection.
      this.lastError = error;
    });
    this.redis.defineCommand('tickwiseClaim', { numberOfKeys: 3, lua: CLAIM });
    this.redis.defineCommand('tickwiseRenew', { numberOfKeys: 2, lua: RENEW });
    this.redis.defineCommand('tickwiseComplete', { numberOfKeys: 3, lua: COMPLETE });
    this.redis.defineCommand('tickwiseRelease', { numberOfKeys: 2, lua: RELEASE });
  }

  private keys(job: string, tickMs: number) {
    const base = `${this.prefix}{${tag(job)}}`;
    return {
      claim: `${base}:claim:${tickMs}`,
      fence: `${base}:fence`,
      running: `${base}:running`,
      last: `${base}:last`,
    };
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

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const tick = request.tick.getTime();
    const k = this.keys(request.job, tick);
    const [ok, second, third] = await this.redis.tickwiseClaim(
      k.claim,
      k.fence,
      k.running,
      request.owner,
      Math.ceil(request.leaseMs),
      request.exclusive ? 1 : 0,
      Math.ceil(request.retainMs),
      tick,
      Math.ceil(request.maxEarlyMs),
    );
    if (ok !== 1) {
      return claimRefused(second as ClaimRefusal, third === undefined ? undefined : Number(third));
    }
    return claimGranted(request, Number(second), Number(third));
  }

  async renew(claim: Claim, leaseMs: number): Promise<boolean> {
    const k = this.keys(claim.job, claim.tick.getTime());
    return (await this.redis.tickwiseRenew(k.claim, k.running, claim.fence, Math.ceil(leaseMs))) === 1;
  }

  async complete(claim: Claim, outcome: RunOutcome): Promise<boolean> {
    const tick = claim.tick.getTime();
    const k = this.keys(claim.job, tick);
    return (await this.redis.tickwiseComplete(k.claim, k.running, k.last, claim.fence, outcome, tick)) === 1;
  }

  async release(claim: Claim): Promise<void> {
    const k = this.keys(claim.job, claim.tick.getTime());
    await this.redis.tickwiseRelease(k.claim, k.running, claim.fence);
  }

  async lastCompletedTick(job: string): Promise<Date | null> {
    const value = await this.redis.get(this.keys(job, 0).last);
    return value === null ? null : new Date(Number(value));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  /** Closes the client when the store created it from a URL. */
  async close(): Promise<void> {
    if (this.ownsClient) this.redis.disconnect();
  }
}
