// The schema of the PostgreSQL store: an explicit, idempotent, versioned migration. Teams that
// run their own migrations can take the SQL from migrationSql() (also in docs/replicas.md).

import { StoreError } from '@tickwise/core';
import type { Pool } from 'pg';

export const SCHEMA_VERSION = 1;

export interface TableNames {
  /** Default 'public'. */
  schema?: string;
  /** Default 'tickwise_claims'; the sequence, the last-tick table and the functions are named after it. */
  table?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

export interface ResolvedNames {
  schema: string;
  claims: string;
  last: string;
  fence: string;
  migrations: string;
  claimFunction: string;
  /** Unqualified: index names live in the table's schema. */
  expiresIndex: string;
  /** For messages: "public"."tickwise_claims". */
  display: string;
}

/** Checks and quotes the configured names (lower-case letters, digits and _, as Postgres folds them). */
export function resolveNames(names: TableNames = {}): ResolvedNames {
  const schema = names.schema ?? 'public';
  const table = names.table ?? 'tickwise_claims';
  for (const [what, value] of [
    ['schema', schema],
    ['table', table],
  ] as const) {
    if (!IDENTIFIER.test(value)) {
      throw new StoreError(
        'STORE_CONFIG',
        `PostgreSQL ${what} name '${value}' must be lower-case letters, digits and _ (at most 48 characters), starting with a letter or _`,
      );
    }
  }
  const q = (name: string) => `"${schema}"."${name}"`;
  return {
    schema: `"${schema}"`,
    claims: q(table),
    last: q(`${table}_last`),
    fence: q(`${table}_fence`),
    migrations: q(`${table}_migrations`),
    claimFunction: q(`${table}_claim`),
    expiresIndex: `"${table}_expires"`,
    display: q(table),
  };
}

const NOW_MS = `(extract(epoch from now()) * 1000)::bigint`;
/** The database clock at the moment of reading (now() is fixed at transaction start). */
const CLOCK_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The SQL of every migration up to SCHEMA_VERSION, idempotent: safe to run again. */
export function migrationSql(names: TableNames = {}): string {
  const n = resolveNames(names);
  const table = n.claims;
  return `-- Tickwise claim store, schema version ${SCHEMA_VERSION}
CREATE SCHEMA IF NOT EXISTS ${n.schema};

CREATE TABLE IF NOT EXISTS ${table} (
  job         text   NOT NULL,
  tick        bigint NOT NULL,  -- epoch ms
  owner       text   NOT NULL,
  fence       bigint NOT NULL,  -- grows on every claim and takeover
  lease_until bigint NOT NULL,  -- epoch ms, by the database's clock
  state       text   NOT NULL,  -- running | done | released
  outcome     text,
  expires_at  bigint NOT NULL,  -- kept at least for the catch-up window, then deleted
  retain_ms   bigint NOT NULL,  -- how long to keep the record after its lease or completion
  PRIMARY KEY (job, tick)
);
CREATE INDEX IF NOT EXISTS ${n.expiresIndex} ON ${table} (expires_at);
CREATE SEQUENCE IF NOT EXISTS ${n.fence};
CREATE TABLE IF NOT EXISTS ${n.last} (job text PRIMARY KEY, tick bigint NOT NULL);
CREATE TABLE IF NOT EXISTS ${n.migrations} (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());

DROP FUNCTION IF EXISTS ${n.claimFunction}(text, bigint, text, bigint, boolean, bigint);

-- One round trip per claim. A transaction-scoped advisory lock serialises exclusive claims of a
-- job (released at commit, so it works through PgBouncer in transaction mode).
CREATE OR REPLACE FUNCTION ${n.claimFunction}(
  p_job text, p_tick bigint, p_owner text, p_lease bigint, p_exclusive boolean, p_retain bigint, p_max_early bigint)
RETURNS TABLE (out_acquired boolean, out_reason text, out_fence bigint, out_lease_until bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint := ${NOW_MS};
  r record;
  v_fence bigint;
BEGIN
  IF p_tick - v_now > p_max_early THEN
    RETURN QUERY SELECT false, 'early'::text, NULL::bigint, p_tick - v_now; RETURN;
  END IF;
  IF p_exclusive THEN
    PERFORM pg_advisory_xact_lock(hashtext('tickwise:' || p_job));
  END IF;
  SELECT c.owner, c.fence, c.lease_until, c.state INTO r
    FROM ${table} c WHERE c.job = p_job AND c.tick = p_tick FOR UPDATE;
  IF FOUND THEN
    IF r.state = 'done' THEN
      RETURN QUERY SELECT false, 'completed'::text, NULL::bigint, NULL::bigint; RETURN;
    END IF;
    IF r.state = 'running' AND r.lease_until > v_now THEN
      IF r.owner = p_owner THEN
        RETURN QUERY SELECT true, NULL::text, r.fence, r.lease_until;
      ELSE
        -- out_lease_until carries the time left on the holder's lease (ms), for a takeover retry.
        -- Measured by the clock now, not at transaction start, since the lock wait may have been long.
        RETURN QUERY SELECT false, 'claimed-elsewhere'::text, NULL::bigint, greatest(r.lease_until - ${CLOCK_MS}, 1);
      END IF;
      RETURN;
    END IF;
  END IF;
  IF p_exclusive AND EXISTS (SELECT 1 FROM ${table} c
      WHERE c.job = p_job AND c.tick <> p_tick AND c.state = 'running' AND c.lease_until > v_now) THEN
    RETURN QUERY SELECT false, 'overlap'::text, NULL::bigint, NULL::bigint; RETURN;
  END IF;
  v_fence := nextval('${n.fence.replace(/'/g, "''")}');
  INSERT INTO ${table} AS c (job, tick, owner, fence, lease_until, state, expires_at, retain_ms)
    VALUES (p_job, p_tick, p_owner, v_fence, v_now + p_lease, 'running', greatest(p_tick, v_now) + p_retain + p_lease, p_retain)
    ON CONFLICT (job, tick) DO UPDATE
      SET owner = EXCLUDED.owner, fence = EXCLUDED.fence, lease_until = EXCLUDED.lease_until,
          state = 'running', outcome = NULL, expires_at = EXCLUDED.expires_at, retain_ms = EXCLUDED.retain_ms
      WHERE c.state = 'released' OR (c.state = 'running' AND c.lease_until <= v_now);
  IF NOT FOUND THEN
    -- A concurrent first claim of the same tick won. ON CONFLICT waited for its commit, so a new
    -- read sees the winner's row: tell the loser when its lease ends, as for any other holder.
    SELECT c.lease_until, c.state INTO r FROM ${table} c WHERE c.job = p_job AND c.tick = p_tick;
    IF FOUND AND r.state = 'done' THEN
      RETURN QUERY SELECT false, 'completed'::text, NULL::bigint, NULL::bigint; RETURN;
    END IF;
    RETURN QUERY SELECT false, 'claimed-elsewhere'::text, NULL::bigint,
      CASE WHEN FOUND THEN greatest(r.lease_until - ${CLOCK_MS}, 1) END;
    RETURN;
  END IF;
  RETURN QUERY SELECT true, NULL::text, v_fence, v_now + p_lease;
END
$fn$;

INSERT INTO ${n.migrations} (version) VALUES (${SCHEMA_VERSION}) ON CONFLICT DO NOTHING;
`;
}

/** Creates or updates the store's tables and functions. Idempotent; run it at deploy time. */
export async function migrate(pool: Pool, names: TableNames = {}): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Two replicas migrating at once wait for each other instead of colliding.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('tickwise:migrate'))`);
    await client.query(migrationSql(names));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export { NOW_MS };
