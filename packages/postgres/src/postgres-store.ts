// PostgresStore: the ClaimStore on PostgreSQL (pg). One statement per operation, decided by the
// database's clock; no session state, so it works through PgBouncer in transaction mode.

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
import pg from 'pg';
import { NOW_MS, type ResolvedNames, resolveNames, SCHEMA_VERSION, type TableNames } from './migration.js';

export interface PostgresStoreOptions extends TableNames {
  /** A pg.Pool (not closed by close()), or a connection string. Default: DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres. */
  pool?: pg.Pool | string;
  /** How often to delete expired claim records; default 5 minutes. */
  cleanupIntervalMs?: number;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

export class PostgresStore implements ClaimStore {
  readonly durable = true;
  readonly names: ResolvedNames;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly cleanupIntervalMs: number;
  private cleanupTimer: NodeJS.Timeout | null = null;

  constructor(options: PostgresStoreOptions = {}) {
    this.names = resolveNames(options);
    const source = options.pool ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    if (typeof source === 'string') {
      if (!/^postgres(ql)?:\/\//.test(source)) {
        throw new StoreError(
          'STORE_CONFIG',
          `'${source}' is not a PostgreSQL connection string (expected postgres://user@host:port/db)`,
        );
      }
      // Fail fast while the database is down: the tick is skipped and reported, not queued.
      this.pool = new pg.Pool({
        connectionString: source,
        connectionTimeoutMillis: 2000,
        query_timeout: 5000,
        max: 10,
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
    let version: number | undefined;
    try {
      const result = await this.pool.query<{ version: number }>(
        `SELECT max(version) AS version FROM ${this.names.migrations}`,
      );
      version = result.rows[0]?.version;
    } catch (error) {
      const code = errorCode(error);
      const message = error instanceof Error ? error.message : String(error);
      if (code === '42P01') {
        throw new StoreError(
          'STORE_SCHEMA',
          `the table ${this.names.display} does not exist: run migrate(pool) from @tickwise/postgres (or the SQL in docs/replicas.md) first`,
          { cause: error },
        );
      }
      if (code === '28P01' || code === '28000') {
        throw new StoreError('STORE_AUTH', `PostgreSQL rejected the credentials: ${message}`, { cause: error });
      }
      throw new StoreError('STORE_UNAVAILABLE', `cannot reach PostgreSQL: ${message}`, { cause: error });
    }
    if (version === undefined || version === null || version < SCHEMA_VERSION) {
      throw new StoreError(
        'STORE_SCHEMA',
        `the schema of ${this.names.display} is at version ${version ?? 'none'}, this store needs ${SCHEMA_VERSION}: run migrate(pool)`,
      );
    }
    if (!this.cleanupTimer && this.cleanupIntervalMs > 0) {
      this.cleanupTimer = setInterval(() => {
        this.cleanup().catch(() => {});
      }, this.cleanupIntervalMs);
      this.cleanupTimer.unref();
    }
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const tick = request.tick.getTime();
    const { rows } = await this.pool.query<{
      out_acquired: boolean;
      out_reason: string | null;
      out_fence: string | null;
      out_lease_until: string | null;
    }>(`SELECT * FROM ${this.names.claimFunction}($1, $2, $3, $4, $5, $6, $7)`, [
      request.job,
      tick,
      request.owner,
      Math.ceil(request.leaseMs),
      request.exclusive,
      Math.ceil(request.retainMs),
      Math.ceil(request.maxEarlyMs),
    ]);
    const row = rows[0];
    if (!row?.out_acquired) {
      const reason = (row?.out_reason ?? 'claimed-elsewhere') as ClaimRefusal;
      const left = row?.out_lease_until;
      return claimRefused(reason, left === null || left === undefined ? undefined : Number(left));
    }
    return claimGranted(request, Number(row.out_fence), Number(row.out_lease_until));
  }

  async renew(claim: Claim, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.names.claims} SET lease_until = ${NOW_MS} + $4,
              expires_at = greatest(expires_at, ${NOW_MS} + $4 + retain_ms)
        WHERE job = $1 AND tick = $2 AND fence = $3 AND state = 'running' AND lease_until > ${NOW_MS}`,
      [claim.job, claim.tick.getTime(), claim.fence, Math.ceil(leaseMs)],
    );
    return rowCount === 1;
  }

  async complete(claim: Claim, outcome: RunOutcome): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `WITH done AS (
         UPDATE ${this.names.claims} SET state = 'done', outcome = $4,
                expires_at = greatest(expires_at, ${NOW_MS} + retain_ms)
          WHERE job = $1 AND tick = $2 AND fence = $3 AND state = 'running' AND lease_until > ${NOW_MS}
          RETURNING job, tick)
       INSERT INTO ${this.names.last} AS l (job, tick) SELECT job, tick FROM done
         ON CONFLICT (job) DO UPDATE SET tick = greatest(l.tick, EXCLUDED.tick)
       RETURNING 1`,
      [claim.job, claim.tick.getTime(), claim.fence, outcome],
    );
    return rowCount === 1;
  }

  async release(claim: Claim): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.names.claims} SET state = 'released', lease_until = 0
        WHERE job = $1 AND tick = $2 AND fence = $3 AND state = 'running'`,
      [claim.job, claim.tick.getTime(), claim.fence],
    );
  }

  async lastCompletedTick(job: string): Promise<Date | null> {
    const { rows } = await this.pool.query<{ tick: string }>(`SELECT tick FROM ${this.names.last} WHERE job = $1`, [
      job,
    ]);
    return rows[0] ? new Date(Number(rows[0].tick)) : null;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Deletes finished records past their retention; runs every cleanupIntervalMs on its own. */
  async cleanup(): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.names.claims} WHERE expires_at < ${NOW_MS} AND state <> 'running'`,
    );
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    this.cleanupTimer = null;
    if (this.ownsPool) await this.pool.end();
  }
}
