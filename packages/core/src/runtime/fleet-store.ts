// The fleet contract: what a claim store keeps beyond claims so that any replica, the CLI, the web
// page and the editor can answer for every replica at once — the recent runs of each job, each
// replica's heartbeat and job catalog, and the fleet controls (pauses, triggers). Optional: a store
// that implements it (MemoryStore, RedisStore, PostgresStore) is a FleetStore; one that does not
// still claims ticks, and the fleet view says so.
//
// Writes ride on round trips the scheduler makes anyway: a run's record goes with its completion
// (CompletionBatch.runs[i].record), the replica's details with its heartbeat (InstanceBeat.info).
// The controls are read by every replica every `controlPollMs` (one small read, not one per run).
//
// Rules (each one is a case of the contract kit, `@tickwise/core/store-tests`):
// - A completion that is recorded appends its record to the job's history once: a retried
//   completion (same job, tick and fence) appends nothing more; a rejected one appends nothing.
// - The history of a job keeps at most `maxRuns` records and none older than `maxAgeMs` (by the
//   run's end), newest first; `history: false` keeps none and answers listRuns with [].
// - A replica's record (heartbeat details, catalog) is kept for `REPLICA_RECORD_MS` after its
//   last beat; `alive` is whether its registration is live. A beat without a catalog keeps the
//   catalog the replica sent before.
// - Pauses are kept until resumed, or until their `until` by the store's clock (then they are no
//   longer returned). A pause of the same pattern replaces the earlier one.
// - A trigger request is returned by readControls() for `TRIGGER_TTL_MS`; the replicas that have
//   the job claim `<job>#trigger` at the request's `at`, so one of them runs it, once.

import { matchesPattern } from './kill-switch.js';
import type { CatalogEntry, ClaimStore, ReplicaInfo, RunRecord } from './store.js';

export type { CatalogEntry, ReplicaInfo, RunRecord } from './store.js';

/** How long a trigger request waits for a replica that has the job. */
export const TRIGGER_TTL_MS = 10 * 60_000;
/** How long a replica's record is kept after its last beat (so `fleet status` shows replicas that went away). */
export const REPLICA_RECORD_MS = 60 * 60_000;
/** The store's name for a job's fleet triggers (beside `#start`, never a scheduled tick's record). */
export const TRIGGER_CLAIM_SUFFIX = '#trigger';

export interface ReplicaRecord extends ReplicaInfo {
  readonly instanceId: string;
  /** The last beat, epoch ms (store clock). */
  readonly lastSeen: number;
  /** Its registration is live (it beat within the registration's TTL and did not leave). */
  readonly alive: boolean;
  readonly catalog: readonly CatalogEntry[];
}

/** A pause of every job whose name matches `pattern` (`*` matches any run of characters). */
export interface PauseRecord {
  readonly pattern: string;
  readonly reason: string;
  /** Who paused it (the CLI's user, the web page's token name). */
  readonly by: string;
  /** When, epoch ms (store clock). */
  readonly at: number;
  /** When it ends by itself, epoch ms (store clock); null: until resumed. */
  readonly until: number | null;
}

export interface TriggerRecord {
  /** Unique per request. */
  readonly id: string;
  readonly job: string;
  readonly by: string;
  /** When it was requested, epoch ms (store clock): the tick the run claims. */
  readonly at: number;
}

export interface FleetControls {
  /** The store's clock when it answered. */
  readonly storeTime: number;
  readonly pauses: readonly PauseRecord[];
  readonly triggers: readonly TriggerRecord[];
}

export interface RunQuery {
  /** One job's runs; all jobs' when absent. */
  readonly job?: string;
  /** At most this many, newest first (per job when `job` is absent); default and cap: the store's maxRuns. */
  readonly limit?: number;
}

/** How much history a store keeps; `false` on a store's `history` option keeps none. */
export interface HistoryOptions {
  /** Runs kept per job; default 100. */
  maxRuns?: number;
  /** Runs older than this (by their end) are dropped; default 7 days. */
  maxAgeMs?: number;
}

export interface ResolvedHistory {
  readonly maxRuns: number;
  readonly maxAgeMs: number;
}

export const DEFAULT_HISTORY: ResolvedHistory = Object.freeze({ maxRuns: 100, maxAgeMs: 7 * 24 * 60 * 60_000 });

/** A store that keeps the fleet's state. */
export interface FleetStore extends ClaimStore {
  /** What the store keeps (null: history is off; runs are not kept). */
  readonly history: ResolvedHistory | null;
  /** Runs, newest first (by end). */
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  /** Every replica seen within REPLICA_RECORD_MS, live or not, sorted by instance id. */
  listReplicas(): Promise<ReplicaRecord[]>;
  /** Live pauses and pending trigger requests, and the store's clock. */
  readControls(): Promise<FleetControls>;
  /** Pauses the jobs matching the pattern; replaces an earlier pause of the same pattern. `untilMs`: from the store's now. */
  pauseJobs(pause: {
    readonly pattern: string;
    readonly reason: string;
    readonly by: string;
    readonly forMs: number | null;
  }): Promise<PauseRecord>;
  /** Removes the pause of exactly this pattern; true when there was one. */
  resumeJobs(pattern: string): Promise<boolean>;
  /** Asks for one run of the job now, on one replica that has it. */
  requestTrigger(request: { readonly job: string; readonly by: string }): Promise<TriggerRecord>;
  /**
   * Optional, for a store in the scheduler's own process (MemoryStore): calls `changed` after every
   * pause, resume and trigger request, so replicas read the controls then instead of polling (a
   * VirtualClock advanced by a month would otherwise fire millions of polls). Returns the unsubscribe.
   */
  watchControls?(changed: () => void): () => void;
}

/** Whether the store keeps fleet state. */
export function isFleetStore(store: ClaimStore): store is FleetStore {
  const candidate = store as Partial<FleetStore>;
  return (
    typeof candidate.listRuns === 'function' &&
    typeof candidate.listReplicas === 'function' &&
    typeof candidate.readControls === 'function' &&
    typeof candidate.pauseJobs === 'function'
  );
}

/** Checks a store's `history` option; null for `false`. */
export function resolveHistory(options: HistoryOptions | false | undefined, store: string): ResolvedHistory | null {
  if (options === false) return null;
  const maxRuns = options?.maxRuns ?? DEFAULT_HISTORY.maxRuns;
  const maxAgeMs = options?.maxAgeMs ?? DEFAULT_HISTORY.maxAgeMs;
  if (!Number.isInteger(maxRuns) || maxRuns < 1 || maxRuns > 10_000) {
    throw new TypeError(`${store}: history.maxRuns must be a whole number from 1 to 10000, got ${String(maxRuns)}`);
  }
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 60_000) {
    throw new TypeError(`${store}: history.maxAgeMs must be at least 60000 (one minute), got ${String(maxAgeMs)}`);
  }
  return { maxRuns, maxAgeMs };
}

/** The pause that holds the job, if any (the most recent of those whose pattern matches). */
export function pauseFor(job: string, pauses: readonly PauseRecord[], now: number): PauseRecord | null {
  let found: PauseRecord | null = null;
  for (const pause of pauses) {
    if (pause.until !== null && pause.until <= now) continue;
    if (!matchesPattern(job, pause.pattern)) continue;
    if (!found || pause.at > found.at) found = pause;
  }
  return found;
}

/** A pattern the stores accept: 1 to 1024 bytes, no control characters. */
export function checkPattern(pattern: string): void {
  if (typeof pattern !== 'string' || pattern.length === 0 || Buffer.byteLength(pattern) > 1024) {
    throw new TypeError(`a job name or pattern must be 1 to 1024 bytes, got ${JSON.stringify(pattern)}`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(pattern))
    throw new TypeError('a job name or pattern may not hold control characters');
}
