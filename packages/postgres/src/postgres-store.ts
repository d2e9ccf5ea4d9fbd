// PostgresStore: the ClaimStore on PostgreSQL (pg). One statement per batch, decided by the
// database's clock; no session state (no SET, no session locks, no named statements), so it
// works through PgBouncer in transaction mode.

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
  TRIGGER_TTL_MS,
  type TriggerRecord,
} from '@tickwise/core/store';
import pg from 'pg';
import { CLOCK_MS, type ResolvedNames, resolveNames, SCHEMA_VERSION, type TableNames } from './migration.js';

export interface PostgresStoreOptions extends TableNames {
  /**
   * A pg.Pool (not closed by close()), or a connection string. Default: DATABASE_URL or
   * postgres://postgres@127.0.0.1:5432/postgres. A pool the store creates is sized for it (below).
   */
  pool?: pg.Pool | string;
  /** How often to delete records past their retention; default 5 minutes. */
  cleanupIntervalMs?: number;
  /** The fleet history kept (runs per job, their age; docs/fleet.md); `false` keeps none. Default 100 runs, 7 days. */
  history?: HistoryOptions | false;
}

/**
 * A scheduler has at most this many statements in flight (claims 2, completions 2, renewals 1,
 * releases 1, heartbeat 1, fleet controls 1, health 1, the fleet view's reads 3, start-up reads 1,
 * cleanup 1): a pool this size never makes a request wait for a connection, where waiting would
 * look like a store failure.
 */
const POOL_SIZE = 14;
/** The statement's start, epoch ms: stable within a statement, so an index can be compared with it. */
const STATEMENT_START_MS = '(extract(epoch from now()) * 1000)::bigint';
/** Rows deleted per cleanup statement: short transactions, no long locks on a big backlog. */
const CLEANUP_CHUNK = 10_000;
/** A job name becomes part of a primary-key entry; B-tree entries must stay well under 2.7 kB. */
const LIMITS: StoreLimits = Object.freeze({ maxJobNameBytes: 1024 });

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

interface ClaimRow {
  out_i: number;
  out_acquired: boolean;
  out_reason: string | null;
  out_fence: string | null;
  out_lease_until: string | null;
  out_retry_after: string | null;
}

export class PostgresStore implements ClaimStore, FleetStore {
  readonly durable = true;
  readonly limits = LIMITS;
  readonly names: ResolvedNames;
  readonly history: ResolvedHistory | null;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly cleanupIntervalMs: number;
  private cleanupTimer: NodeJS.Timeout | null = null;
  private readonly sql: ReturnType<typeof statements>;

  constructor(options: PostgresStoreOptions = {}) {
    this.names = resolveNames(options);
    this.history = resolveHistory(options.history, 'PostgresStore');
    this.sql = statements(this.names);
    const source = options.pool ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    if (typeof source === 'string') {
      if (!/^postgres(ql)?:\/\//.test(source)) {
        throw new StoreError(
          'STORE_CONFIG',
          `'${source}' is not a PostgreSQL connection string (expected postgres://user@host:port/db)`,
        );
      }
      // The scheduler bounds every wait by the lease itself. These limits are for the connections:
      // a connection attempt that hangs gives up; a statement that gets no answer (a dead network
      // path) gives up and its connection is dropped (pg's pool removes a client that errored).
      this.pool = new pg.Pool({
        connectionString: source,
        max: POOL_SIZE,
        connectionTimeoutMillis: 5000,
        query_timeout: 6000,
        idleTimeoutMillis: 30_000,
      });
      this.pool.on('error', () => {
        // An idle client lost its connection; the pool replaces it. Operations report failures.
      });
      this.ownsPool = true;
    } else {
      this.pool = source;
      this.ownsPool = false;
    }
    this.cleanupIntervalMs = options.cleanupIntervalMs ?? 300_000;
  }

  async init(): Promise<void> {
    let row: { version: number | null; claims: string | null } | undefined;
    try {
      const result = await this.pool.query<{ version: number | null; claims: string | null }>(
        `SELECT (SELECT max(version) FROM ${this.names.migrations}) AS version, to_regprocedure($1)::text AS claims`,
        [this.names.claimSignature],
      );
      row = result.rows[0];
    } catch (error) {
      const code = errorCode(error);
      const message = error instanceof Error ? error.message : String(error);
      if (code === '42P01') {
        throw new StoreError(
          'STORE_SCHEMA',
          `the table ${this.names.display} does not exist: run migrate(pool) from @tickwise/postgres (or the SQL of migrationSql()) first`,
          { cause: error },
        );
      }
      if (code === '28P01' || code === '28000') {
        throw new StoreError('STORE_AUTH', `PostgreSQL rejected the credentials: ${message}`, { cause: error });
      }
      throw new StoreError('STORE_UNAVAILABLE', `cannot reach PostgreSQL: ${message}`, { cause: error });
    }
    const version = row?.version ?? null;
    if (version !== SCHEMA_VERSION) {
      const newer = version !== null && version > SCHEMA_VERSION;
      throw new StoreError(
        'STORE_SCHEMA',
        newer
          ? `the schema of ${this.names.display} is at version ${version}, newer than this store (${SCHEMA_VERSION}): upgrade @tickwise/postgres`
          : `the schema of ${this.names.display} is at version ${version ?? 'none'}, this store needs ${SCHEMA_VERSION}: run migrate(pool)`,
      );
    }
    if (!row?.claims) {
      throw new StoreError(
        'STORE_SCHEMA',
        `the function ${this.names.claimSignature} is missing (the schema says version ${version}): run migrate(pool) again`,
      );
    }
    if (!this.cleanupTimer && this.cleanupIntervalMs > 0) {
      this.cleanupTimer = setInterval(() => {
        this.cleanup().catch(() => {});
      }, this.cleanupIntervalMs);
      this.cleanupTimer.unref();
    }
  }

  async claimTicks(batch: ClaimBatch): Promise<ClaimResult[]> {
    const results: ClaimResult[] = new Array(batch.requests.length);
    for (const { from, items: requests } of segments(batch.requests, (r) => r)) {
      const { rows } = await this.pool.query<ClaimRow>(this.sql.claim, [
        batch.owner,
        Math.floor(batch.deadline),
        Math.ceil(batch.maxEarlyMs),
        requests.map((r) => r.job),
        requests.map((r) => r.tick),
        requests.map((r) => Math.ceil(r.leaseMs)),
        requests.map((r) => r.exclusive),
        requests.map((r) => Math.ceil(r.retainMs)),
        requests.map((r) => r.takeoverOnly),
      ]);
      for (const row of rows) results[from + row.out_i - 1] = claimResult(row);
    }
    return results;
  }

  async renewLeases(batch: RenewalBatch): Promise<boolean[]> {
    const results = new Array<boolean>(batch.claims.length).fill(false);
    for (const { from, items: claims } of segments(batch.claims, (c) => c)) {
      const { rows } = await this.pool.query<{ i: number; ok: boolean }>(this.sql.renew, [
        batch.owner,
        Math.floor(batch.deadline),
        ...claimArrays(claims),
      ]);
      for (const row of rows) results[from + row.i - 1] = row.ok;
    }
    return results;
  }

  async completeRuns(batch: CompletionBatch): Promise<CompletionResult[]> {
    const results = new Array<CompletionResult>(batch.runs.length).fill('rejected');
    for (const { from, items: runs } of segments(batch.runs, (run) => run.claim)) {
      const { rows } = await this.pool.query<{ i: number; ok: boolean }>(this.sql.complete, [
        batch.owner,
        ...claimArrays(runs.map((run) => run.claim)),
        runs.map((run) => run.outcome),
        runs.map((run) => (run.record && this.history ? JSON.stringify(run.record) : null)),
        runs.map((run) => (run.record ? run.record.job : null)),
        runs.map((run) => (run.record ? Math.round(run.record.startedAt + run.record.durationMs) : null)),
      ]);
      for (const row of rows) results[from + row.i - 1] = row.ok ? 'recorded' : 'rejected';
    }
    return results;
  }

  async releaseClaims(owner: string, claims: readonly HeldClaim[]): Promise<void> {
    if (claims.length === 0) return;
    await this.pool.query(this.sql.release, [owner, ...claimArrays(claims)]);
  }

  async lastCompletedTick(job: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ tick: string }>(`SELECT tick FROM ${this.names.last} WHERE job = $1`, [
      job,
    ]);
    return rows[0] ? Number(rows[0].tick) : null;
  }

  async heartbeat(beat: InstanceBeat): Promise<BeatResult> {
    const { rows } = await this.pool.query<{
      now: string;
      epoch: string | null;
      registered: boolean;
      held_session: string | null;
      held_age: string | null;
      live: string[] | null;
    }>(this.sql.heartbeat, [
      beat.instanceId,
      beat.session,
      Math.ceil(beat.ttlMs),
      beat.info ? JSON.stringify(withoutCatalog(beat.info)) : null,
      beat.info?.catalog ? JSON.stringify(beat.info.catalog) : null,
    ]);
    const row = rows[0];
    if (!row) throw new Error('the heartbeat statement returned no row');
    // The statement reads the registrations before its own write: add this one when it registered.
    const live = new Set(row.live ?? []);
    if (row.registered) live.add(beat.instanceId);
    const result = { storeTime: Number(row.now), epoch: row.epoch ?? 'none', live: [...live].sort() };
    if (row.held_session !== null) {
      return { ...result, conflict: { session: row.held_session, ageMs: Number(row.held_age) } };
    }
    // Registered by someone else between our read and our write (two starting at once).
    if (!row.registered) return { ...result, conflict: { session: 'unknown', ageMs: 0 } };
    return result;
  }

  async leave(instanceId: string, session: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.names.instances} WHERE instance_id = $1 AND session = $2`, [
      instanceId,
      session,
    ]);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const history = this.history;
    if (!history) return [];
    const limit = Math.max(1, Math.min(query.limit ?? history.maxRuns, history.maxRuns));
    const { rows } = await this.pool.query<{ record: string }>(this.sql.runs, [
      query.job ?? null,
      limit,
      history.maxAgeMs,
    ]);
    const out: RunRecord[] = [];
    for (const row of rows) {
      const run = safeJson<RunRecord>(row.record);
      if (run) out.push(run);
    }
    return out;
  }

  async listReplicas(): Promise<ReplicaRecord[]> {
    const { rows } = await this.pool.query<{
      instance_id: string;
      seen: string;
      info: string;
      catalog: string | null;
      alive: boolean;
    }>(this.sql.replicas, [REPLICA_RECORD_MS]);
    const out: ReplicaRecord[] = [];
    for (const row of rows) {
      const info = safeJson<ReplicaInfo>(row.info);
      if (!info) continue;
      out.push({
        host: info.host,
        pid: info.pid,
        ...(info.version !== undefined && { version: info.version }),
        startedAt: info.startedAt,
        jobs: info.jobs,
        clockOffsetMs: info.clockOffsetMs,
        instanceId: row.instance_id,
        lastSeen: Number(row.seen),
        alive: row.alive,
        catalog: (row.catalog && safeJson<CatalogEntry[]>(row.catalog)) || [],
      });
    }
    return out;
  }

  async readControls(): Promise<FleetControls> {
    const { rows } = await this.pool.query<{
      now: string;
      kind: string | null;
      key: string | null;
      at: string | null;
      until_at: string | null;
      by_whom: string | null;
      reason: string | null;
      job: string | null;
    }>(this.sql.controls, [TRIGGER_TTL_MS]);
    const pauses: PauseRecord[] = [];
    const triggers: TriggerRecord[] = [];
    for (const row of rows) {
      if (row.kind === 'p') {
        pauses.push({
          pattern: row.key as string,
          reason: row.reason ?? '',
          by: row.by_whom ?? '',
          at: Number(row.at),
          until: row.until_at === null ? null : Number(row.until_at),
        });
      } else if (row.kind === 't') {
        triggers.push({ id: row.key as string, job: row.job as string, by: row.by_whom ?? '', at: Number(row.at) });
      }
    }
    return { storeTime: Number(rows[0]?.now ?? Date.now()), pauses, triggers };
  }

  async pauseJobs(pause: { pattern: string; reason: string; by: string; forMs: number | null }): Promise<PauseRecord> {
    const { rows } = await this.pool.query<{ at: string; until_at: string | null }>(this.sql.pause, [
      pause.pattern,
      pause.forMs === null ? null : Math.ceil(pause.forMs),
      pause.by,
      pause.reason,
    ]);
    const row = rows[0];
    if (!row) throw new Error('the pause statement returned no row');
    return {
      pattern: pause.pattern,
      reason: pause.reason,
      by: pause.by,
      at: Number(row.at),
      until: row.until_at === null ? null : Number(row.until_at),
    };
  }

  async resumeJobs(pattern: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.names.controls} WHERE kind = 'p' AND key = $1`, [
      pattern,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async requestTrigger(request: { job: string; by: string }): Promise<TriggerRecord> {
    const id = randomBytes(8).toString('hex');
    const { rows } = await this.pool.query<{ at: string }>(this.sql.trigger, [id, request.job, request.by]);
    return { id, job: request.job, by: request.by, at: Number(rows[0]?.at) };
  }

  /**
   * Deletes records past their retention — finished ones, and claims abandoned by a holder that
   * died (their lease long over) — and expired instance registrations. Runs every
   * cleanupIntervalMs on its own; returns how many claim records it deleted.
   */
  async cleanup(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { rowCount } = await this.pool.query(this.sql.cleanup, [CLEANUP_CHUNK]);
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < CLEANUP_CHUNK) break;
    }
    await this.pool.query(`DELETE FROM ${this.names.instances} WHERE expires_at < ${STATEMENT_START_MS}`);
    await this.pool.query(`DELETE FROM ${this.names.replicas} WHERE seen + $1 < ${STATEMENT_START_MS}`, [
      REPLICA_RECORD_MS,
    ]);
    if (this.history) await this.pool.query(this.sql.trimRuns, [this.history.maxRuns, this.history.maxAgeMs]);
    else await this.pool.query(`DELETE FROM ${this.names.runs}`);
    return deleted;
  }

  async close(): Promise<void> {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    this.cleanupTimer = null;
    if (this.ownsPool) await this.pool.end();
  }
}

/**
 * A batch cut into consecutive runs in which no (job, tick) appears twice, each sent as one
 * statement, in order. A statement decides all its rows at one instant (and an INSERT ... ON
 * CONFLICT cannot touch a row twice), so a tick named again must go in the next statement to see
 * what the first one did: the contract answers a batch as if its items were handled one after
 * another. Nearly every batch is one run.
 */
function segments<T>(
  items: readonly T[],
  tickOf: (item: T) => { readonly job: string; readonly tick: number },
): { from: number; items: readonly T[] }[] {
  const out: { from: number; items: readonly T[] }[] = [];
  let from = 0;
  let seen = new Map<string, Set<number>>();
  for (let i = 0; i < items.length; i++) {
    const { job, tick } = tickOf(items[i] as T);
    let ticks = seen.get(job);
    if (ticks?.has(tick)) {
      out.push({ from, items: items.slice(from, i) });
      from = i;
      seen = new Map();
      ticks = undefined;
    }
    if (!ticks) {
      ticks = new Set();
      seen.set(job, ticks);
    }
    ticks.add(tick);
  }
  if (items.length > from) out.push({ from, items: from === 0 ? items : items.slice(from) });
  return out;
}

/** Parallel arrays of the claims, in the order the statements unnest them (`requests()`). */
function claimArrays(claims: readonly HeldClaim[]): unknown[] {
  return [
    claims.map((c) => c.job),
    claims.map((c) => c.tick),
    claims.map((c) => c.fence),
    claims.map((c) => Math.ceil(c.leaseMs)),
    claims.map((c) => Math.ceil(c.retainMs)),
  ];
}

function withoutCatalog(info: ReplicaInfo): Omit<ReplicaInfo, 'catalog'> {
  const { catalog: _catalog, ...rest } = info;
  return rest;
}

function safeJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function claimResult(row: ClaimRow): ClaimResult {
  if (row.out_acquired) {
    return { acquired: true, fence: Number(row.out_fence), leaseUntil: Number(row.out_lease_until) };
  }
  const reason = (row.out_reason ?? 'claimed-elsewhere') as ClaimRefusal;
  return row.out_retry_after === null
    ? { acquired: false, reason }
    : { acquired: false, reason, retryAfterMs: Number(row.out_retry_after) };
}

/**
 * The statements, built once per store. Each is one round trip; `clock` is read once per
 * statement (a CTE referenced twice is evaluated once), so every row is decided at one instant.
 */
function statements(n: ResolvedNames) {
  /** The held claims of a batch as rows: parallel arrays from parameter `$from` on (claimArrays), plus outcomes. */
  const requests = (from: number, outcomes = false) => {
    const p = (k: number) => `$${from + k}`;
    return `req AS (
      SELECT r.i::int AS i, r.job, r.tick, r.fence, r.lease, r.retain${outcomes ? ', r.outcome' : ''}
        FROM unnest(${p(0)}::text[], ${p(1)}::bigint[], ${p(2)}::bigint[], ${p(3)}::bigint[], ${p(4)}::bigint[]${outcomes ? `, ${p(5)}::text[]` : ''})
          WITH ORDINALITY AS r(job, tick, fence, lease, retain${outcomes ? ', outcome' : ''}, i)
    ),
    clock AS (SELECT ${CLOCK_MS} AS now)`;
  };
  return {
    claim: `SELECT * FROM ${n.claimFunction}($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    // $1 owner, $2 deadline, $3.. the claims.
    renew: `WITH ${requests(3)},
    extended AS (
      UPDATE ${n.claims} c
         SET lease_until = clock.now + req.lease,
             expires_at = greatest(c.expires_at, clock.now + req.lease + c.retain_ms)
        FROM req, clock
       WHERE clock.now <= $2 AND c.job = req.job AND c.tick = req.tick AND c.fence = req.fence
         AND c.state = 'running' AND c.lease_until > clock.now
      RETURNING req.i
    ),
    -- A live lease whose record the store no longer has (a restore lost it): written again.
    restored AS (
      INSERT INTO ${n.claims} (job, tick, owner, fence, lease_until, state, expires_at, retain_ms)
      SELECT req.job, req.tick, $1, req.fence, clock.now + req.lease, 'running', clock.now + req.lease + req.retain, req.retain
        FROM req, clock
       WHERE clock.now <= $2 AND NOT EXISTS (SELECT 1 FROM ${n.claims} c WHERE c.job = req.job AND c.tick = req.tick)
       ORDER BY req.job, req.tick
      ON CONFLICT DO NOTHING
      RETURNING job, tick
    )
    SELECT req.i, (e.i IS NOT NULL OR r.job IS NOT NULL) AS ok
      FROM req LEFT JOIN extended e ON e.i = req.i LEFT JOIN restored r ON r.job = req.job AND r.tick = req.tick`,
    // $1 owner, $2.. the claims, $7 their outcomes, $8-$10 the runs for the history (record JSON, job, end).
    complete: `WITH ${requests(2, true)},
    finished AS (
      UPDATE ${n.claims} c
         SET state = 'done', outcome = req.outcome, expires_at = greatest(c.expires_at, clock.now + c.retain_ms)
        FROM req, clock
       WHERE c.job = req.job AND c.tick = req.tick AND c.fence = req.fence AND c.state = 'running'
      RETURNING req.i, req.job, req.tick
    ),
    -- The store lost the record: written again, done, so nobody runs the tick again.
    restored AS (
      INSERT INTO ${n.claims} (job, tick, owner, fence, lease_until, state, outcome, expires_at, retain_ms)
      SELECT req.job, req.tick, $1, req.fence, 0, 'done', req.outcome, clock.now + req.retain, req.retain
        FROM req, clock
       WHERE NOT EXISTS (SELECT 1 FROM ${n.claims} c WHERE c.job = req.job AND c.tick = req.tick)
       ORDER BY req.job, req.tick
      ON CONFLICT DO NOTHING
      RETURNING job, tick
    ),
    -- The run, for the fleet history: only from the rows this statement recorded (a retry adds nothing).
    history AS (
      INSERT INTO ${n.runs} (job, tick, fence, ended_at, record)
      SELECT h.job, req.tick, req.fence, h.ended, h.record
        FROM (SELECT f.i FROM finished f
              UNION ALL SELECT q.i FROM restored r JOIN req q ON q.job = r.job AND q.tick = r.tick) d
        JOIN req ON req.i = d.i
        JOIN unnest($8::text[], $9::text[], $10::bigint[]) WITH ORDINALITY AS h(record, job, ended, i) ON h.i = d.i
       WHERE h.record IS NOT NULL
      ON CONFLICT DO NOTHING
    ),
    latest AS (
      INSERT INTO ${n.last} AS l (job, tick)
      SELECT job, max(tick) FROM (SELECT job, tick FROM finished UNION ALL SELECT job, tick FROM restored) d
       GROUP BY job ORDER BY job
      ON CONFLICT (job) DO UPDATE SET tick = greatest(l.tick, EXCLUDED.tick)
    )
    SELECT req.i, (f.i IS NOT NULL OR r.job IS NOT NULL OR EXISTS (
             -- Recorded by an earlier attempt whose answer was lost.
             SELECT 1 FROM ${n.claims} c
              WHERE c.job = req.job AND c.tick = req.tick AND c.fence = req.fence AND c.state = 'done')) AS ok
      FROM req LEFT JOIN finished f ON f.i = req.i LEFT JOIN restored r ON r.job = req.job AND r.tick = req.tick`,
    // $1 owner, $2.. the claims.
    release: `WITH ${requests(2)}
    UPDATE ${n.claims} c SET state = 'released', lease_until = 0
      FROM req
     WHERE c.job = req.job AND c.tick = req.tick AND c.fence = req.fence AND c.state = 'running' AND c.owner = $1`,
    heartbeat: `WITH clock AS (SELECT ${CLOCK_MS} AS now),
    held AS (
      SELECT i.session, i.seen FROM ${n.instances} i, clock
       WHERE i.instance_id = $1 AND i.session <> $2 AND i.expires_at > clock.now
    ),
    registered AS (
      INSERT INTO ${n.instances} AS i (instance_id, session, seen, expires_at)
      SELECT $1, $2, clock.now, clock.now + $3 FROM clock WHERE NOT EXISTS (SELECT 1 FROM held)
      ON CONFLICT (instance_id) DO UPDATE SET session = EXCLUDED.session, seen = EXCLUDED.seen, expires_at = EXCLUDED.expires_at
        WHERE i.session = EXCLUDED.session OR i.expires_at <= EXCLUDED.seen
      RETURNING 1
    ),
    -- The replica's details for the fleet view ($4 info, $5 catalog: null keeps the one sent before).
    details AS (
      INSERT INTO ${n.replicas} AS r (instance_id, seen, info, catalog)
      SELECT $1, clock.now, $4, $5 FROM clock WHERE $4::text IS NOT NULL AND EXISTS (SELECT 1 FROM registered)
      ON CONFLICT (instance_id) DO UPDATE
        SET seen = EXCLUDED.seen, info = EXCLUDED.info, catalog = coalesce(EXCLUDED.catalog, r.catalog)
    )
    SELECT clock.now,
           (SELECT value FROM ${n.meta} WHERE key = 'epoch') AS epoch,
           EXISTS (SELECT 1 FROM registered) AS registered,
           (SELECT session FROM held) AS held_session,
           (SELECT clock.now - seen FROM held) AS held_age,
           (SELECT array_agg(i.instance_id) FROM ${n.instances} i WHERE i.expires_at > clock.now) AS live
      FROM clock`,
    // $1 job (null: all), $2 per-job limit, $3 max age.
    runs: `WITH clock AS (SELECT ${CLOCK_MS} AS now)
    SELECT record FROM (
      SELECT r.record, r.ended_at, row_number() OVER (PARTITION BY r.job ORDER BY r.ended_at DESC) AS n
        FROM ${n.runs} r, clock
       WHERE ($1::text IS NULL OR r.job = $1) AND r.ended_at >= clock.now - $3
    ) ranked
     WHERE n <= $2
     ORDER BY ended_at DESC`,
    trimRuns: `DELETE FROM ${n.runs} d USING (
      SELECT job, tick, fence, row_number() OVER (PARTITION BY job ORDER BY ended_at DESC) AS n, ended_at FROM ${n.runs}
    ) ranked
     WHERE d.job = ranked.job AND d.tick = ranked.tick AND d.fence = ranked.fence
       AND (ranked.n > $1 OR ranked.ended_at < ${STATEMENT_START_MS} - $2)`,
    // $1 how long details are kept after the last beat.
    replicas: `WITH clock AS (SELECT ${CLOCK_MS} AS now)
    SELECT r.instance_id, r.seen, r.info, r.catalog,
           EXISTS (SELECT 1 FROM ${n.instances} i WHERE i.instance_id = r.instance_id AND i.expires_at > clock.now) AS alive
      FROM ${n.replicas} r, clock
     WHERE r.seen + $1 > clock.now
     ORDER BY r.instance_id`,
    // $1 how long a trigger request is kept. Ended pauses and old requests are deleted on the way.
    controls: `WITH clock AS (SELECT ${CLOCK_MS} AS now),
    gone AS (
      DELETE FROM ${n.controls} c USING clock
       WHERE (c.kind = 'p' AND c.until_at IS NOT NULL AND c.until_at <= clock.now)
          OR (c.kind = 't' AND c.at + $1 <= clock.now)
      RETURNING c.kind, c.key
    )
    SELECT clock.now, c.kind, c.key, c.at, c.until_at, c.by_whom, c.reason, c.job
      FROM clock LEFT JOIN ${n.controls} c
        ON NOT ((c.kind = 'p' AND c.until_at IS NOT NULL AND c.until_at <= clock.now)
                OR (c.kind = 't' AND c.at + $1 <= clock.now))
     ORDER BY c.at`,
    // $1 pattern, $2 for how long (null: until resumed), $3 by, $4 reason.
    pause: `WITH clock AS (SELECT ${CLOCK_MS} AS now)
    INSERT INTO ${n.controls} AS c (kind, key, at, until_at, by_whom, reason)
    SELECT 'p', $1, clock.now, clock.now + $2::bigint, $3, $4 FROM clock
    ON CONFLICT (kind, key) DO UPDATE
      SET at = EXCLUDED.at, until_at = EXCLUDED.until_at, by_whom = EXCLUDED.by_whom, reason = EXCLUDED.reason
    RETURNING c.at, c.until_at`,
    // $1 id, $2 job, $3 by. Two requests for a job are two ticks: a millisecond apart at least.
    trigger: `WITH clock AS (SELECT ${CLOCK_MS} AS now)
    INSERT INTO ${n.controls} (kind, key, at, by_whom, job)
    SELECT 't', $1, greatest(clock.now, coalesce((SELECT max(at) + 1 FROM ${n.controls} WHERE kind = 't' AND job = $2), 0)), $3, $2
      FROM clock
    RETURNING at`,
    // now() (the statement's start) rather than clock_timestamp(): a stable value is one the
    // planner can compare with the expires_at index (a volatile one forces a scan of the table).
    // ORDER BY: the oldest first, read from the index even when a whole day's records expire at
    // once (the planner would otherwise expect to find `LIMIT` rows soonest by scanning the table).
    cleanup: `DELETE FROM ${n.claims} WHERE ctid = ANY (ARRAY(
      SELECT ctid FROM ${n.claims}
       WHERE expires_at < ${STATEMENT_START_MS} AND (state <> 'running' OR lease_until < ${STATEMENT_START_MS})
       ORDER BY expires_at LIMIT $1))`,
  };
}
