// @tickwise/core/store-tests: the claim store contract (packages/core/src/runtime/store.ts) as test
// cases, for the stores in this repository and for anyone writing another one. Registers its
// cases through the describe/it it is given (mocha, node:test and vitest all fit), asserts with
// node:assert/strict, and loads no runtime code. How to run it: docs/store-authors.md.

import type { ClaimStore } from '../runtime/store.js';
import { batchCases } from './batches.js';
import { claimCases } from './claims.js';
import { completionCases } from './completion.js';
import { dataLossCases } from './data-loss.js';
import { exclusiveCases } from './exclusive.js';
import { fleetCases } from './fleet.js';
import { Harness, type Suite } from './harness.js';
import { instanceCases } from './instances.js';
import { leaseCases } from './leases.js';
import { lifetimeCases } from './lifetime.js';

/** The test runner's functions: mocha's globals, or `describe` and `it` from node:test or vitest. */
export interface TestFunctions {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void>): unknown;
}

export interface StoreContractOptions<S extends ClaimStore = ClaimStore> extends TestFunctions {
  /**
   * Deletes what is past its expiry now, for a store that deletes on a schedule (PostgreSQL:
   * `(store) => store.cleanup()`). Leave it out when the store forgets expired records by itself
   * (a TTL, or treating them as absent).
   */
  cleanup?: (store: S) => Promise<unknown>;
  /**
   * Makes the store lose every record, as a restart without persistence or a restore from an old
   * backup does (the data set's epoch must change). With it, the data-loss cases run too.
   */
  wipe?: (store: S) => Promise<void>;
  /**
   * The store keeps fleet state (runtime/fleet-store.ts: run history, replica details, pauses,
   * triggers) with history on: the fleet cases run too, and fail unless the store implements it.
   */
  fleet?: boolean;
}

/**
 * Registers the contract's cases: claims, batches, leases and takeovers (stale renewals
 * included), exclusive claims (a long run included), completion (out of order included), lifetime
 * and retention, instances, with `wipe` data loss, and with `fleet` the fleet state. Every case calls `makeStore()` for a store
 * of its own and closes it (`close()`) at its end; cases use job names and instance ids no other
 * case uses, so stores may share a server.
 *
 * Cases read real time: several wait for short leases (300 ms to 1 s) to end, and the slowest takes
 * about 3 s. Give the runner a timeout of 20 s per test (mocha: `--timeout 20000`).
 */
export function storeContract<S extends ClaimStore>(
  makeStore: () => S | Promise<S>,
  options: StoreContractOptions<S>,
): void {
  const { cleanup, wipe, fleet } = options;
  const suite: Suite = {
    describe: (name, body) => {
      options.describe(name, body);
    },
    case: (name, body) => {
      options.it(name, async () => {
        const store = await makeStore();
        try {
          await body(
            new Harness(store, {
              ...(cleanup && { cleanup: () => cleanup(store) }),
              ...(wipe && { wipe: () => wipe(store) }),
            }),
          );
        } finally {
          await store.close?.();
        }
      });
    },
  };
  claimCases(suite);
  batchCases(suite);
  leaseCases(suite);
  exclusiveCases(suite);
  completionCases(suite);
  lifetimeCases(suite);
  instanceCases(suite);
  if (wipe) dataLossCases(suite);
  if (fleet) fleetCases(suite);
}
