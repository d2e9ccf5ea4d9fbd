// The schema of the PostgreSQL store: an explicit, idempotent, versioned migration. Teams that
// run their own migrations can take the SQL from migrationSql(); docs/replicas.md lists what each
// version changes and how to roll it back.

import { StoreError } from '@tickwise/core';
import type { Pool } from 'pg';

/**
 * Moves on with every change to a table, an index or a function's signature: init() refuses a
 * database at another version, so a mismatch fails at start, not at the first claim.
 * 1: claims, last-completed, fence sequence, one claim per call (`<table>_claim`).
 * 2: batched claims (`<table>_claim_batch`), a lock row per job, instance registrations, the data
 *    set's epoch, an index on running claims; fences at least the clock in µs.
 * 3: the fleet state (docs/fleet.md): run history (`<table>_runs`), replica details
 *    (`<table>_replicas`), pauses and trigger requests (`<table>_controls`). Adds tables only.
 */
export const SCHEMA_VERSION = 3;

export interface TableNames {
  /** Default 'public'. */
  schema?: string;
  /** Default 'tickwise_claims'; the other tables, the sequence and the function are named after it. */
  table?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

export interface ResolvedNames {
  schema: string;
  claims: string;
  last: string;
  jobs: string;
  instances: string;
  meta: string;
  runs: string;
  replicas: string;
  controls: string;
  fence: string;
  migrations: string;
  claimFunction: string;
  /** The claim function's signature, for to_regprocedure(): init() checks it exists as this store calls it. */
  claimSignature: string;
  /** Unqualified: index names live in the table's schema. */
  expiresIndex: string;
  runningIndex: string;
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
    jobs: q(`${table}_jobs`),
    instances: q(`${table}_instances`),
    meta: q(`${table}_meta`),
    runs: q(`${table}_runs`),
    replicas: q(`${table}_replicas`),
    controls: q(`${table}_controls`),
    fence: q(`${table}_fence`),
    migrations: q(`${table}_migrations`),
    claimFunction: q(`${table}_claim_batch`),
    claimSignature: `${q(`${table}_claim_batch`)}(text, bigint, bigint, text[], bigint[], bigint[], boolean[], bigint[], boolean[])`,
    expiresIndex: `"${table}_expires"`,
    runningIndex: `"${table}_running"`,
    display: q(table),
  };
}

/** The database clock at the moment of reading, epoch ms (now() is fixed at transaction start). */
export const CLOCK_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;
/** The same in µs: the floor of every fence, so fences never go back, even after a restore. */
const CLOCK_US = `(extract(epoch from clock_timestamp()) * 1000000)::bigint`;

/** The SQL of every migration up to SCHEMA_VERSION, idempotent: safe to run again. */
export function migrationSql(names: TableNames = {}): string {
  const n = resolveNames(names);
  const table = n.claims;
  const fenceSequence = n.fence.replace(/'/g, "''");
  return `-- Tickwise claim store, schema version ${SCHEMA_VERSION}
CREATE SCHEMA IF NOT EXISTS ${n.schema};

-- One record per (job, tick), kept for the catch-up window after the tick, then deleted by cleanup().
CREATE TABLE IF NOT EXISTS ${table} (
  job         text   NOT NULL,
  tick        bigint NOT NULL,  -- epoch ms
  owner       text   NOT NULL,  -- instance id / session
  fence       bigint NOT NULL,  -- grows with every claim of the job and every takeover
  lease_until bigint NOT NULL,  -- epoch ms, by the database's clock
  state       text   NOT NULL,  -- running | done | released
  outcome     text,
  expires_at  bigint NOT NULL,  -- when cleanup() may delete the record
  retain_ms   bigint NOT NULL,  -- how long to keep the record after its lease or completion
  PRIMARY KEY (job, tick)
);
-- cleanup(): a range scan over expired records instead of a scan of the table.
CREATE INDEX IF NOT EXISTS ${n.expiresIndex} ON ${table} (expires_at);
-- Exclusive claims look for another running tick of the job: only running records, few at a time.
CREATE INDEX IF NOT EXISTS ${n.runningIndex} ON ${table} (job) WHERE state = 'running';
CREATE SEQUENCE IF NOT EXISTS ${n.fence};
CREATE TABLE IF NOT EXISTS ${n.last} (job text PRIMARY KEY, tick bigint NOT NULL);
-- A row per job: exclusive claims of a job lock it, so two replicas cannot start two ticks at once.
CREATE TABLE IF NOT EXISTS ${n.jobs} (job text PRIMARY KEY);
-- Live schedulers: an instance id is held by one session at a time.
CREATE TABLE IF NOT EXISTS ${n.instances} (
  instance_id text   PRIMARY KEY,
  session     text   NOT NULL,
  seen        bigint NOT NULL,  -- epoch ms of the last heartbeat
  expires_at  bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${n.meta} (key text PRIMARY KEY, value text NOT NULL);
-- Identifies this data set: a restored or recreated database gets another one.
INSERT INTO ${n.meta} (key, value) VALUES ('epoch', md5(random()::text || clock_timestamp()::text))
  ON CONFLICT (key) DO NOTHING;
CREATE TABLE IF NOT EXISTS ${n.migrations} (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());

-- Version 3, the fleet state. The runs of each job, written by the completion that records them;
-- cleanup() keeps the newest history.maxRuns per job, none older than history.maxAgeMs.
CREATE TABLE IF NOT EXISTS ${n.runs} (
  job      text   NOT NULL,  -- the job's own name (its #start and #trigger runs included)
  tick     bigint NOT NULL,
  fence    bigint NOT NULL,
  ended_at bigint NOT NULL,  -- epoch ms: startedAt + durationMs
  record   text   NOT NULL,  -- the run as JSON (RunRecord)
  PRIMARY KEY (job, tick, fence)
);
-- No second index: every insert would pay for it; reads (a job's 100 runs, or the fleet's) are rare.
-- Each replica's heartbeat details and job catalog, kept an hour after its last beat.
CREATE TABLE IF NOT EXISTS ${n.replicas} (
  instance_id text   PRIMARY KEY,
  seen        bigint NOT NULL,
  info        text   NOT NULL,  -- ReplicaInfo as JSON, without the catalog
  catalog     text              -- CatalogEntry[] as JSON
);
-- Pauses (kind 'p', key = pattern) and trigger requests (kind 't', key = id).
CREATE TABLE IF NOT EXISTS ${n.controls} (
  kind     text   NOT NULL,
  key      text   NOT NULL,
  at       bigint NOT NULL,  -- epoch ms, the database's clock
  until_at bigint,           -- a pause's end; null: until resumed
  by_whom  text   NOT NULL,
  reason   text,
  job      text,
  PRIMARY KEY (kind, key)
);

-- Version 1 claimed one tick per call; version 2 claims a batch.
DROP FUNCTION IF EXISTS ${q1(n, 'claim')}(text, bigint, text, bigint, boolean, bigint);
DROP FUNCTION IF EXISTS ${q1(n, 'claim')}(text, bigint, text, bigint, boolean, bigint, bigint);

-- One round trip per batch, in three steps. 1: without locks, what is committed decides the ticks
-- that are early, done or held by a live lease (most of a fleet's claims: every replica but one
-- asks about every tick). 2: exclusive claims that may be granted lock their jobs' rows, in name
-- order, so batches that overlap cannot deadlock. 3: one statement decides the rest, on a
-- snapshot that sees everything committed before the locks were granted.
CREATE OR REPLACE FUNCTION ${n.claimFunction}(
  p_owner text, p_deadline bigint, p_max_early bigint,
  p_jobs text[], p_ticks bigint[], p_leases bigint[], p_exclusive boolean[], p_retains bigint[], p_takeover boolean[])
RETURNS TABLE (out_i int, out_acquired boolean, out_reason text, out_fence bigint, out_lease_until bigint, out_retry_after bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint := ${CLOCK_MS};
  v_open boolean[];
  v_any_open boolean;
  v_mine boolean[];
  v_reason text[];
  v_fence bigint[];
  v_lease bigint[];
  v_retry bigint[];
BEGIN
  IF v_now > p_deadline THEN
    -- The sender stopped waiting: decide nothing, so a store that was frozen leaves no orphan claims.
    RETURN QUERY SELECT x.i, false, 'late'::text, NULL::bigint, NULL::bigint, NULL::bigint
      FROM generate_subscripts(p_jobs, 1) AS x(i);
    RETURN;
  END IF;
  SELECT array_agg(d.verdict IS NULL ORDER BY d.i), bool_or(d.verdict IS NULL),
         array_agg(d.verdict = 'mine' ORDER BY d.i), array_agg(d.verdict ORDER BY d.i),
         array_agg(CASE WHEN d.verdict = 'mine' THEN d.fence END ORDER BY d.i),
         array_agg(CASE WHEN d.verdict = 'mine' THEN d.lease_until END ORDER BY d.i),
         array_agg(CASE WHEN d.verdict = 'early' THEN d.tick - v_now
                        -- At most one lease: a holder whose claim read the clock a moment after
                        -- this one's v_now may hold until a little more than a lease from it.
                        WHEN d.verdict = 'claimed-elsewhere' THEN least(greatest(d.lease_until - v_now, 1), d.lease) END ORDER BY d.i)
    INTO v_open, v_any_open, v_mine, v_reason, v_fence, v_lease, v_retry
    FROM (
      SELECT r.i, r.tick, r.lease, c.fence, c.lease_until,
        CASE
          WHEN r.tick - v_now > p_max_early THEN 'early'
          WHEN c.state = 'done' THEN 'completed'
          WHEN c.state = 'running' AND c.lease_until > v_now AND c.owner = p_owner THEN 'mine'
          WHEN c.state = 'running' AND c.lease_until > v_now THEN 'claimed-elsewhere'
        END AS verdict
      FROM unnest(p_jobs, p_ticks, p_leases) WITH ORDINALITY AS r(job, tick, lease, i)
      LEFT JOIN ${table} c ON c.job = r.job AND c.tick = r.tick
    ) d;
  IF NOT v_any_open THEN
    RETURN QUERY SELECT x.i::int, x.mine, CASE WHEN x.mine THEN NULL ELSE x.reason END, x.fence, x.lease, x.retry
      FROM unnest(v_mine, v_reason, v_fence, v_lease, v_retry) WITH ORDINALITY AS x(mine, reason, fence, lease, retry, i);
    RETURN;
  END IF;
  IF true = ANY (p_exclusive) THEN
    INSERT INTO ${n.jobs} (job)
      SELECT DISTINCT x.job FROM unnest(p_jobs, p_exclusive, v_open) AS x(job, exclusive, open)
       WHERE x.exclusive AND x.open ORDER BY 1
      ON CONFLICT DO NOTHING;
    PERFORM 1 FROM ${n.jobs} l
      WHERE l.job IN (SELECT x.job FROM unnest(p_jobs, p_exclusive, v_open) AS x(job, exclusive, open)
                       WHERE x.exclusive AND x.open)
      ORDER BY l.job FOR UPDATE;
    IF ${CLOCK_MS} > p_deadline THEN
      -- Waited for the locks past the deadline: the same as arriving late.
      RETURN QUERY SELECT x.i, false, 'late'::text, NULL::bigint, NULL::bigint, NULL::bigint
        FROM generate_subscripts(p_jobs, 1) AS x(i);
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
  WITH req AS (
    SELECT r.i::int AS i, r.job, r.tick, r.lease, r.exclusive, r.retain, r.takeover, r.open
      FROM unnest(p_jobs, p_ticks, p_leases, p_exclusive, p_retains, p_takeover, v_open)
        WITH ORDINALITY AS r(job, tick, lease, exclusive, retain, takeover, open, i)
  ),
  decided AS (
    SELECT req.*, c.fence AS c_fence, c.lease_until AS c_lease,
      CASE
        WHEN req.tick - v_now > p_max_early THEN 'early'
        WHEN c.state = 'done' THEN 'completed'
        WHEN c.state = 'running' AND c.lease_until > v_now AND c.owner = p_owner THEN 'mine'
        WHEN c.state = 'running' AND c.lease_until > v_now THEN 'claimed-elsewhere'
        WHEN c.state IS NULL AND req.takeover THEN 'unknown-tick'
        -- Decided in step 1 as held, and free since (released, or its lease ran out a moment ago):
        -- not locked, so not granted here; the scheduler asks again.
        WHEN NOT req.open THEN 'moved'
        WHEN req.exclusive AND EXISTS (
          SELECT 1 FROM ${table} o
           WHERE o.job = req.job AND o.state = 'running' AND o.tick <> req.tick AND o.lease_until > v_now
        ) THEN 'overlap'
        ELSE 'claim'
      END AS alone
    FROM req LEFT JOIN ${table} c ON c.job = req.job AND c.tick = req.tick
  ),
  -- As if the batch were claimed one request after another: an exclusive tick is also refused
  -- when the batch claims another tick of its job before it (the first such claim is always
  -- granted). The store sends each (job, tick) at most once per call.
  verdict AS (
    SELECT d.*,
      CASE WHEN d.alone = 'claim' AND d.exclusive
                AND d.i > min(d.i) FILTER (WHERE d.alone = 'claim') OVER (PARTITION BY d.job)
           THEN 'overlap'
           ELSE d.alone
      END AS verdict
    FROM decided d
  ),
  won AS (
    INSERT INTO ${table} AS c (job, tick, owner, fence, lease_until, state, expires_at, retain_ms)
    SELECT v.job, v.tick, p_owner, greatest(nextval('${fenceSequence}'), ${CLOCK_US}), v_now + v.lease, 'running',
           greatest(v.tick, v_now) + v.retain + v.lease, v.retain
      FROM verdict v WHERE v.verdict = 'claim' ORDER BY v.job, v.tick
    ON CONFLICT (job, tick) DO UPDATE
      SET owner = EXCLUDED.owner, fence = EXCLUDED.fence, lease_until = EXCLUDED.lease_until, state = 'running',
          outcome = NULL, expires_at = EXCLUDED.expires_at, retain_ms = EXCLUDED.retain_ms
      -- Re-checked on the latest version of the row: a concurrent takeover or first claim wins.
      WHERE c.state = 'released' OR (c.state = 'running' AND c.lease_until <= v_now)
    RETURNING c.job, c.tick, c.fence, c.lease_until
  )
  SELECT v.i,
    v.verdict = 'mine' OR w.job IS NOT NULL,
    CASE WHEN v.verdict = 'mine' OR w.job IS NOT NULL THEN NULL
         WHEN v.verdict IN ('claim', 'moved') THEN 'claimed-elsewhere'
         ELSE v.verdict END,
    CASE WHEN v.verdict = 'mine' THEN v.c_fence ELSE w.fence END,
    CASE WHEN v.verdict = 'mine' THEN v.c_lease ELSE w.lease_until END,
    CASE WHEN v.verdict = 'claimed-elsewhere' THEN least(greatest(v.c_lease - v_now, 1), v.lease)
         WHEN v.verdict = 'early' THEN v.tick - v_now
         WHEN v.verdict = 'moved' THEN 1
         -- Lost to a claim made at the same moment: its lease is as long as ours.
         WHEN v.verdict = 'claim' AND w.job IS NULL THEN v.lease
    END
  FROM verdict v LEFT JOIN won w ON w.job = v.job AND w.tick = v.tick
  ORDER BY v.i;
END
$fn$;

INSERT INTO ${n.migrations} (version) VALUES (${SCHEMA_VERSION}) ON CONFLICT DO NOTHING;
`;
}

/** A version-1 object's name (dropped by the migration). */
function q1(n: ResolvedNames, suffix: string): string {
  return n.claims.replace(/"$/, `_${suffix}"`);
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
