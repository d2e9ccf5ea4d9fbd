// '@tickwise/core/store': for authors of claim stores (what @tickwise/redis and @tickwise/postgres
// implement). The contract and its lifetime rules are in runtime/store.ts; the kit that tests a
// store against them is '@tickwise/core/store-tests'. A service only needs `ClaimStore` and
// `MemoryStore`, which the root exports too.

export { StoreError } from '../runtime/errors.js';
export { MemoryStore, type MemoryStoreOptions } from '../runtime/memory-store.js';
export type {
  BeatResult,
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
  RunOutcome,
  StoreLimits,
} from '../runtime/store.js';
