// RedisStore: the ClaimStore on Redis (ioredis), standalone or Cluster. One Lua script call per
// batch (per hash slot on a Cluster), decided by the Redis server's clock.

import { randomBytes } from 'node:crypto';
import { type ClaimStore, StoreError } from '@tickwise/core';
import type {
  BeatResult,
  CatalogEntry,
  ClaimBatch,
  ClaimRefusal,
  ClaimResult,
  CompletionBatch,
  CompletionResult,
  HeldClaim,
  InstanceBeat,
  RenewalBatch,
  ReplicaInfo,
  RunRecord,
  StoreLimits,
} from '@tickwise/core/store';
import {
  type FleetControls,
  type FleetStore,
  type HistoryOptions,
  type PauseRecord,
  REPLICA_RECORD_MS,
  type ReplicaRecord,
  type ResolvedHistory,
  type RunQuery,
  resolveHistory,
  TRIGGER_CLAIM_SUFFIX,
  TRIGGER_TTL_MS,
  type TriggerRecord,
} from '@tickwise/core/store';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { BUCKETS, bucketOf, KeySpace } from './keys.js';
import { CLAIM, COMPLETE, CONTROLS, HEARTBEAT, LEAVE, PAUSE, RELEASE, RENEW, REPLICAS, TRIGGER } from './scripts.js';

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
  /** The fleet history kept (runs per job, their age; docs/fleet.md); `false` keeps none. Default 100 runs, 7 days. */
  history?: HistoryOptions | false;
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
  tickwiseReplicas: Script;
  tickwiseControls: Script;
  tickwisePause: Script;
  tickwiseTrigger: Script;
}

const PREFIX = /^[A-Za-z0-9:_.-]{0,64}$/;
const LIMITS: StoreLimits = Object.freeze({ maxJobNameBytes: 1024 });

/** Items of a batch that go in one script call: all of them on a single Redis, one bucket's on a Cluster. */
interface Group<T> {
  bucket: number | null;
  items: { index: number; item: T; bucket: number }[];
}

export class RedisStore implements ClaimStore, FleetStore {
  readonly durable = true;
  readonly limits = LIMITS;
  private readonly redis: Redis | Cluster;
  private readonly scripts: ScriptedClient;
  private readonly ownsClient: boolean;
  private readonly keys: KeySpace;
  private lastError: Error | null = null;
  readonly history: ResolvedHistory | null;

  constructor(options: RedisStoreOptions = {}) {
    const prefix = options.prefix ?? 'tickwise:';
    if (!PREFIX.test(prefix)) {
      throw new StoreError(
        'STORE_CONFIG',
        `Redis key prefix '${prefix}' may only contain letters, digits and : _ - . (at most 64 characters)`,
      );
    }
    this.keys = new KeySpace(prefix);
    this.history = resolveHistory(options.history, 'RedisStore');
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
    const scripts = { CLAIM, RENEW, COMPLETE, RELEASE, HEARTBEAT, LEAVE, REPLICAS, CONTROLS, PAUSE, TRIGGER };
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
      const history = this.history;
      const args: (string | number)[] = [batch.owner, history?.maxRuns ?? 0, history?.maxAgeMs ?? 0];
      for (const { item, bucket } of group.items) {
        const { claim, outcome, record } = item.run;
        // The history key shares the claim's tag (one slot per call on a Cluster): a job's start and
        // trigger runs sit in the buckets of `<job>#start` and `<job>#trigger` (listRuns reads all three).
        const historyJob = record?.job ?? claim.job;
        keys.push(
          this.keys.claim(bucket, claim.job, claim.tick),
          this.keys.job(bucket, claim.job),
          this.keys.history(bucket, historyJob),
          this.keys.historyIndex(bucket),
        );
        args.push(
          claim.tick,
          claim.fence,
          outcome,
          Math.ceil(claim.retainMs),
          record && history ? JSON.stringify(record) : '',
        );
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
    const keys = [this.keys.epoch(), this.keys.instances(), this.keys.replicaInfo(), this.keys.replicaCatalog()];
    const candidate = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const { catalog, ...info } = beat.info ?? { catalog: undefined };
    const reply = await this.call(() =>
      this.scripts.tickwiseHeartbeat(
        4,
        ...keys,
        beat.instanceId,
        beat.session,
        Math.ceil(beat.ttlMs),
        candidate,
        beat.info ? JSON.stringify(info) : '',
        catalog ? JSON.stringify(catalog) : '',
        REPLICA_RECORD_MS,
      ),
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

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const history = this.history;
    if (!history) return [];
    const limit = Math.max(1, Math.min(query.limit ?? history.maxRuns, history.maxRuns));
    const lists: { bucket: number; job: string }[] = [];
    if (query.job !== undefined) {
      // A job's runs sit in the buckets of the names it claims under (its own, #start, #trigger).
      const buckets = new Set([query.job, `${query.job}#start`, `${query.job}${TRIGGER_CLAIM_SUFFIX}`].map(bucketOf));
      for (const bucket of buckets) lists.push({ bucket, job: query.job });
    } else {
      const indexes = await Promise.all(
        Array.from({ length: BUCKETS }, (_, bucket) =>
          this.call(() => this.redis.smembers(this.keys.historyIndex(bucket))).then((jobs) =>
            jobs.map((job) => ({ bucket, job })),
          ),
        ),
      );
      lists.push(...indexes.flat());
    }
    const raw = await Promise.all(
      lists.map(async ({ bucket, job }) => {
        const texts = await this.call(() => this.redis.lrange(this.keys.history(bucket, job), 0, limit - 1));
        // The list expired (no run for maxAge): the name leaves the index.
        if (texts.length === 0 && query.job === undefined) {
          await this.call(() => this.redis.srem(this.keys.historyIndex(bucket), job));
        }
        return texts;
      }),
    );
    const now = await this.storeNow();
    const perJob = new Map<string, RunRecord[]>();
    for (const text of raw.flat()) {
      const run = parseRun(text);
      if (!run || run.startedAt + run.durationMs < now - history.maxAgeMs) continue;
      let list = perJob.get(run.job);
      if (!list) {
        list = [];
        perJob.set(run.job, list);
      }
      list.push(run);
    }
    const out: RunRecord[] = [];
    for (const list of perJob.values()) out.push(...list.sort(newestFirst).slice(0, limit));
    return out.sort(newestFirst);
  }

  async listReplicas(): Promise<ReplicaRecord[]> {
    const keys = [this.keys.instances(), this.keys.replicaInfo(), this.keys.replicaCatalog()];
    const reply = await this.call(() => this.scripts.tickwiseReplicas(3, ...keys, REPLICA_RECORD_MS));
    const out: ReplicaRecord[] = [];
    for (let i = 1; i + 3 < reply.length + 1; i += 4) {
      const id = String(reply[i]);
      const value = String(reply[i + 1]);
      const space = value.indexOf(' ');
      const info = safeJson<ReplicaInfo>(value.slice(space + 1));
      if (!info) continue;
      const catalog = reply[i + 2] ? (safeJson<CatalogEntry[]>(String(reply[i + 2])) ?? []) : [];
      out.push({
        host: info.host,
        pid: info.pid,
        ...(info.version !== undefined && { version: info.version }),
        startedAt: info.startedAt,
        jobs: info.jobs,
        clockOffsetMs: info.clockOffsetMs,
        instanceId: id,
        lastSeen: Number(value.slice(0, space)),
        alive: reply[i + 3] === 1,
        catalog,
      });
    }
    return out.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  }

  async readControls(): Promise<FleetControls> {
    const reply = await this.call(() => this.scripts.tickwiseControls(1, this.keys.controls(), TRIGGER_TTL_MS));
    const pauses: PauseRecord[] = [];
    const triggers: TriggerRecord[] = [];
    for (let i = 1; i + 1 < reply.length; i += 2) {
      const field = String(reply[i]);
      const value = String(reply[i + 1]);
      if (field.startsWith('p:')) {
        const match = /^(\d+) (\d+)\n([^\n]*)\n([\s\S]*)$/.exec(value);
        if (!match) continue;
        const until = Number(match[2]);
        pauses.push({
          pattern: field.slice(2),
          at: Number(match[1]),
          until: until > 0 ? until : null,
          by: match[3] as string,
          reason: match[4] as string,
        });
      } else {
        const match = /^(\d+) ([^\n]*)\n([\s\S]*)$/.exec(value);
        if (!match) continue;
        triggers.push({ id: field.slice(2), at: Number(match[1]), job: match[2] as string, by: match[3] as string });
      }
    }
    triggers.sort((a, b) => a.at - b.at);
    return { storeTime: Number(reply[0]), pauses, triggers };
  }

  async pauseJobs(pause: { pattern: string; reason: string; by: string; forMs: number | null }): Promise<PauseRecord> {
    const by = oneLine(pause.by);
    const at = await this.call(() =>
      this.scripts.tickwisePause(1, this.keys.controls(), pause.pattern, Math.ceil(pause.forMs ?? 0), by, pause.reason),
    );
    const now = Number(at);
    return {
      pattern: pause.pattern,
      reason: pause.reason,
      by,
      at: now,
      until: pause.forMs === null ? null : now + Math.ceil(pause.forMs),
    };
  }

  async resumeJobs(pattern: string): Promise<boolean> {
    const removed = await this.call(() => this.redis.hdel(this.keys.controls(), `p:${pattern}`));
    return removed > 0;
  }

  async requestTrigger(request: { job: string; by: string }): Promise<TriggerRecord> {
    const id = randomBytes(8).toString('hex');
    const by = oneLine(request.by);
    const at = await this.call(() => this.scripts.tickwiseTrigger(1, this.keys.controls(), id, request.job, by));
    return { id, job: request.job, by, at: Number(at) };
  }

  /** The Redis server's clock, ms. */
  private async storeNow(): Promise<number> {
    const [seconds, micros] = await this.call(() => this.redis.time());
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
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

function parseRun(text: string): RunRecord | null {
  const run = safeJson<RunRecord>(text);
  return run && typeof run.job === 'string' && typeof run.startedAt === 'number' ? run : null;
}

function safeJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function newestFirst(a: RunRecord, b: RunRecord): number {
  return b.startedAt + b.durationMs - (a.startedAt + a.durationMs);
}

/** Who paused or triggered: one line (the stored form separates fields by newlines). */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
