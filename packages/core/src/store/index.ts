// '@tickwise/core/store': for authors of claim stores (what @tickwise/redis and @tickwise/postgres
// implement). The contract and its lifetime rules are in runtime/store.ts; the kit that tests a
// store against them is '@tickwise/core/store-tests'. A service only needs `ClaimStore` and
// `MemoryStore`, which the root exports too. `fnv1a32` is the stable hash a store can name keys by
// (the Redis store's buckets use it).

export { StoreError } from '../runtime/errors.js';
export {
  DEFAULT_HISTORY,
  type FleetControls,
  type FleetStore,
  type HistoryOptions,
  isFleetStore,
  type PauseRecord,
  REPLICA_RECORD_MS,
  type ReplicaRecord,
  type ResolvedHistory,
  type RunQuery,
  resolveHistory,
  TRIGGER_CLAIM_SUFFIX,
  TRIGGER_TTL_MS,
  type TriggerRecord,
} from '../runtime/fleet-store.js';
export { fnv1a32 } from '../runtime/fnv1a.js';
export { MemoryStore, type MemoryStoreOptions } from '../runtime/memory-store.js';
export type {
  BeatResult,
  CatalogEntry,
  ClaimBatch,
  ClaimRefusal,
  ClaimRequest,
  ClaimResult,
  ClaimStore,
  CompletionBatch,
  CompletionResult,
  HeldClaim,
  InstanceBeat,
  RenewalBatch,
  ReplicaInfo,
  RunOutcome,
  RunRecord,
  StoreLimits,
} from '../runtime/store.js';
